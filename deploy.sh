#!/usr/bin/env bash
# Deploys storefront-jobs to a Google Cloud project with gcloud: APIs, service accounts, secrets, IAM, the queues
# of queues.json, every function from its own dist/<name>/ folder, and (when the function exists) the scheduler job.
# Safe to run again: whatever exists is updated, not duplicated.
#
#   ./deploy.sh --project my-shop --region europe-west1 [--only apis,accounts,secrets,queues,functions,scheduler]
#               [--dry-run] [--skip-build]
#
# Settings (environment), checked against each function's own schema before anything changes:
#   MAIL_FROM, MAIL_FROM_NAME        sender of the emails (a verified SendGrid sender); MAIL_FROM is required
#   SENDGRID_API_KEY, STOREFRONT_WEBHOOK_SECRETS, SHOPIFY_WEBHOOK_SECRETS, WOOCOMMERCE_WEBHOOK_SECRETS
#                                    stored as the secret of the same name in kebab case (a new version) when set
#   STORE_TIME_ZONE                  the store's IANA time zone (default UTC): store-days, the window, the job
#   REPORTS_*, MAIL_REPLY_TO, SENDGRID_TEMPLATE_*   passed to the functions that read them, when set
#   REPORTS_SCHEDULE, REPORTS_TIME_ZONE   the nightly report job (default "30 0 * * *" in STORE_TIME_ZONE)
# Which function gets which setting, and how, is the settings catalogue (ops/settings/, docs/settings.md).
set -euo pipefail
cd "$(dirname "$0")"

usage() { sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
PROJECT="" REGION="" ONLY="apis,accounts,secrets,queues,functions,scheduler" DRY_RUN=0 BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --project) PROJECT="$2"; shift 2 ;;
    --region) REGION="$2"; shift 2 ;;
    --only) ONLY="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    -h|--help) usage ;;
    *) echo "deploy.sh: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$PROJECT" ] || { echo "deploy.sh: --project is required" >&2; exit 2; }
[ -n "$REGION" ] || { echo "deploy.sh: --region is required" >&2; exit 2; }
want() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

# Node 22 from the project's own devDependency (the machine's node may be older).
NODE="node_modules/node/bin/node"; [ -x "$NODE" ] || NODE="node"
# Every function's settings (the operator's from this environment) must pass its schema before anything changes.
if want functions; then "$NODE" ops/deploy-env.ts --check --project "$PROJECT" --region "$REGION" || exit 1; fi

# Every change goes through run(); --dry-run prints instead. Reads (describe) run in both modes.
run() {
  if [ "$DRY_RUN" = 1 ]; then printf '+'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}
exists() { "$@" >/dev/null 2>&1; }
G=(gcloud --project="$PROJECT" --quiet)

SA_DOMAIN="$PROJECT.iam.gserviceaccount.com"
INVOKER="tasks-invoker@$SA_DOMAIN"
SCHEDULER_SA="scheduler-invoker@$SA_DOMAIN"
sa_of() { echo "fn-$1@$SA_DOMAIN"; }
# Deterministic function URLs (https://cloud.google.com/functions/docs/calling/http), also the tasks' OIDC audience.
url_of() { echo "https://$REGION-$PROJECT.cloudfunctions.net/$1"; }
FUNCTIONS=$(cd functions && ls -d */ | tr -d /)
has_function() { echo "$FUNCTIONS" | grep -qx "$1"; }

if [ "$BUILD" = 1 ] && want functions; then npm run build; fi

if want apis; then
  run "${G[@]}" services enable cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com \
    artifactregistry.googleapis.com cloudtasks.googleapis.com firestore.googleapis.com secretmanager.googleapis.com \
    cloudscheduler.googleapis.com iam.googleapis.com
fi

if want accounts; then
  for sa in tasks-invoker scheduler-invoker $(for f in $FUNCTIONS; do echo "fn-$f"; done); do
    exists "${G[@]}" iam service-accounts describe "$sa@$SA_DOMAIN" ||
      run "${G[@]}" iam service-accounts create "$sa" --display-name="storefront-jobs $sa"
  done
  # Functions that enqueue must act as the invoker whose OIDC token the tasks carry.
  for f in storefront-webhook shopify-webhook woocommerce-webhook schedule-reports aggregate-orders; do
    has_function "$f" || continue
    run "${G[@]}" iam service-accounts add-iam-policy-binding "$INVOKER" \
      --member="serviceAccount:$(sa_of "$f")" --role=roles/iam.serviceAccountUser
    run "${G[@]}" projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$(sa_of "$f")" \
      --role=roles/datastore.user --condition=None
  done
  has_function send-notification && run "${G[@]}" projects add-iam-policy-binding "$PROJECT" \
    --member="serviceAccount:$(sa_of send-notification)" --role=roles/datastore.user --condition=None
fi

secret() { # name, value (may be empty), accessor function...
  local name="$1" value="$2"; shift 2
  if ! exists "${G[@]}" secrets describe "$name"; then
    run "${G[@]}" secrets create "$name" --replication-policy=automatic
  fi
  if [ -n "$value" ]; then
    if [ "$DRY_RUN" = 1 ]; then echo "+ gcloud secrets versions add $name --data-file=- (value from the environment)";
    else printf '%s' "$value" | "${G[@]}" secrets versions add "$name" --data-file=-; fi
  fi
  for f in "$@"; do
    run "${G[@]}" secrets add-iam-policy-binding "$name" --member="serviceAccount:$(sa_of "$f")" \
      --role=roles/secretmanager.secretAccessor
  done
}
if want secrets; then
  # Each secret of the settings catalogue, its value from the setting of the same name, readable by its functions.
  while read -r name setting readers; do
    # shellcheck disable=SC2086
    secret "$name" "${!setting:-}" $readers
  done < <("$NODE" ops/deploy-env.ts --secret-list)
fi

# Which functions create tasks on each queue (least privilege: roles/cloudtasks.enqueuer on that queue only).
enqueuers_of() {
  case "$1" in
    notifications) echo "storefront-webhook shopify-webhook woocommerce-webhook aggregate-orders" ;;
    reports) echo "schedule-reports aggregate-orders" ;;
  esac
}
if want queues; then
  while read -r queue target; do
    # shellcheck disable=SC2046
    if exists "${G[@]}" tasks queues describe "$queue" --location="$REGION"; then
      run "${G[@]}" tasks queues update "$queue" --location="$REGION" $("$NODE" ops/queue-flags.ts "$queue")
    else
      run "${G[@]}" tasks queues create "$queue" --location="$REGION" $("$NODE" ops/queue-flags.ts "$queue")
    fi
    for f in $(enqueuers_of "$queue"); do
      has_function "$f" || continue
      run "${G[@]}" tasks queues add-iam-policy-binding "$queue" --location="$REGION" \
        --member="serviceAccount:$(sa_of "$f")" --role=roles/cloudtasks.enqueuer
    done
  done < <("$NODE" ops/queue-flags.ts --list)
fi

deploy_fn() { # name, public|private, [more gcloud flags...]; its settings come from the settings catalogue
  local name="$1" access="$2" more=("${@:3}") env secrets="" list s
  [ "$DRY_RUN" = 1 ] || [ -f "dist/$name/index.js" ] || { echo "deploy.sh: dist/$name is missing: run npm run build" >&2; exit 1; }
  env=$("$NODE" ops/deploy-env.ts "$name" --project "$PROJECT" --region "$REGION") || exit 1
  list=$("$NODE" ops/deploy-env.ts "$name" --project "$PROJECT" --region "$REGION" --secrets) || exit 1
  for s in $list; do secrets+="${secrets:+,}${s%%=*}=$(secret_version "${s#*=}")"; done
  local args=(functions deploy "$name" --gen2 --runtime=nodejs22 --region="$REGION" --source="dist/$name"
    --entry-point="$name" --trigger-http --service-account="$(sa_of "$name")" --set-env-vars="$env"
    --memory=512Mi --cpu=1 --concurrency=8 --timeout=60s --max-instances=10 --min-instances=0)
  [ "$access" = public ] && args+=(--allow-unauthenticated) || args+=(--no-allow-unauthenticated)
  [ -n "$secrets" ] && args+=(--set-secrets="$secrets")
  args+=(${more[@]+"${more[@]}"})
  run "${G[@]}" "${args[@]}"
}
# Secrets in env vars are read at instance start: pin the newest enabled version rather than "latest".
secret_version() {
  local v; v=$("${G[@]}" secrets versions list "$1" --filter=state=enabled --sort-by=~createTime --limit=1 --format='value(name)' 2>/dev/null | sed 's#.*/##')
  echo "$1:${v:-latest}"
}
if want functions; then
  if has_function send-notification; then
    deploy_fn send-notification private
    run "${G[@]}" functions add-invoker-policy-binding send-notification --region="$REGION" --member="serviceAccount:$INVOKER"
  fi
  # The webhooks: public (the platforms cannot send an OIDC token), each with its own secret.
  for f in storefront-webhook shopify-webhook woocommerce-webhook; do
    has_function "$f" || continue
    deploy_fn "$f" public
  done
  if has_function aggregate-orders; then
    # One shard step per instance (memory stays flat and the time budget is the instance's own); the timeout
    # covers the reading budget (240 s) plus writing the step, as the tasks' dispatch deadline (600 s) does.
    deploy_fn aggregate-orders private --timeout=600s --concurrency=1
    run "${G[@]}" functions add-invoker-policy-binding aggregate-orders --region="$REGION" --member="serviceAccount:$INVOKER"
  fi
  if has_function schedule-reports; then
    deploy_fn schedule-reports private --timeout=300s
  fi
fi

if want scheduler && has_function schedule-reports; then
  verb=create
  exists "${G[@]}" scheduler jobs describe nightly-reports --location="$REGION" && verb=update
  run "${G[@]}" scheduler jobs "$verb" http nightly-reports --location="$REGION" \
    --schedule="${REPORTS_SCHEDULE:-30 0 * * *}" --time-zone="${REPORTS_TIME_ZONE:-${STORE_TIME_ZONE:-Etc/UTC}}" \
    --uri="$(url_of schedule-reports)" --http-method=POST --headers=Content-Type=application/json --message-body='{}' \
    --oidc-service-account-email="$SCHEDULER_SA" --oidc-token-audience="$(url_of schedule-reports)" --attempt-deadline=320s
  run "${G[@]}" functions add-invoker-policy-binding schedule-reports --region="$REGION" --member="serviceAccount:$SCHEDULER_SA"
fi
echo "deploy.sh: done (${ONLY})"
