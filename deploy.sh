#!/usr/bin/env bash
# Deploys storefront-jobs to a Google Cloud project with gcloud, checks it, sets its secrets and tears it down.
#
#   ./deploy.sh --project P --region R [--only apis,accounts,secrets,queues,functions,scheduler] [--dry-run]
#               [--skip-build]
#       APIs, service accounts, secrets, IAM, the queues of queues.json, every function from its own dist/<name>/
#       folder, sized by the table in ops/settings/sizing.ts, and the scheduler job. Safe to run again.
#   ./deploy.sh verify --project P --region R
#       checks what is deployed from the outside; prints one table (check, expected, found); exit 1 on a mismatch
#   ./deploy.sh destroy --project P --region R [--dry-run] [--yes] [--delete-secrets]
#       deletes what deploy created, by name, skipping what is gone; asks for the project id unless --yes
#   ./deploy.sh secret NAME --project P [--rotate | --finish-rotation] [--dry-run]
#       a new version of secret NAME from standard input (not echoed, never printed); --rotate keeps the current
#       webhook secrets beside the new one, --finish-rotation keeps only the newest
#
# Settings (environment), checked against each function's own schema before anything changes:
#   MAIL_FROM, MAIL_FROM_NAME        sender of the emails (a verified SendGrid sender); MAIL_FROM is required
#   SENDGRID_API_KEY, STOREFRONT_WEBHOOK_SECRETS, SHOPIFY_WEBHOOK_SECRETS, WOOCOMMERCE_WEBHOOK_SECRETS
#                                    for CI: stored as the secret of the same name in kebab case (a new version)
#                                    when set; by hand, use `./deploy.sh secret` instead
#   STORE_TIME_ZONE                  the store's IANA time zone (default UTC): store-days, the window, the job
#   REPORTS_*, MAIL_REPLY_TO, SENDGRID_TEMPLATE_*   passed to the functions that read them, when set
#   REPORTS_SCHEDULE, REPORTS_TIME_ZONE   the nightly report job (default "30 0 * * *" in STORE_TIME_ZONE)
#   DEPLOY_<FUNCTION>_<MEMORY|CPU|CONCURRENCY|TIMEOUT|MIN_INSTANCES|MAX_INSTANCES|CPU_BOOST>
#                                    overrides one size of one function (DEPLOY_AGGREGATE_ORDERS_MEMORY=1Gi)
# Which function gets which setting, and how, is the settings catalogue (ops/settings/, docs/settings.md, docs/deploying.md).
set -euo pipefail
cd "$(dirname "$0")"

# The comment block above, without its "# ".
usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }
# A flag's value; a clear error naming the flag when it is missing.
value() { [ -n "${2:-}" ] && [ "${2#--}" = "$2" ] || { echo "deploy.sh: $1 needs a value" >&2; exit 2; }; }
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  verify|destroy|secret) cmd="$1"; shift; exec bash "ops/deploy/$cmd.sh" "$@" ;;
esac
PROJECT="" REGION="" ONLY="apis,accounts,secrets,queues,functions,scheduler" DRY_RUN=0 BUILD=1
while [ $# -gt 0 ]; do
  case "$1" in
    --project) value "$@"; PROJECT="$2"; shift 2 ;;
    --region) value "$@"; REGION="$2"; shift 2 ;;
    --only) value "$@"; ONLY="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --skip-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "deploy.sh: unknown argument $1 (see ./deploy.sh --help)" >&2; exit 2 ;;
  esac
done
[ -n "$PROJECT" ] || { echo "deploy.sh: --project is required" >&2; exit 2; }
[ -n "$REGION" ] || { echo "deploy.sh: --region is required" >&2; exit 2; }
for step in ${ONLY//,/ }; do
  case "$step" in apis|accounts|secrets|queues|functions|scheduler) ;;
    *) echo "deploy.sh: --only: unknown step $step (steps: apis, accounts, secrets, queues, functions, scheduler)" >&2; exit 2 ;;
  esac
done
want() { case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

source ops/deploy/common.sh
# Every function's settings (the operator's from this environment) must pass its schema before anything changes.
if want functions; then "$NODE" ops/deploy-env.ts --check --project "$PROJECT" --region "$REGION" || exit 1; fi

if [ "$BUILD" = 1 ] && want functions; then npm run build; fi

if want apis; then
  run "${G[@]}" services enable cloudfunctions.googleapis.com run.googleapis.com cloudbuild.googleapis.com \
    artifactregistry.googleapis.com cloudtasks.googleapis.com firestore.googleapis.com secretmanager.googleapis.com \
    cloudscheduler.googleapis.com iam.googleapis.com
fi

if want accounts; then
  for sa in $(service_accounts); do
    exists "${G[@]}" iam service-accounts describe "$sa@$SA_DOMAIN" ||
      run "${G[@]}" iam service-accounts create "$sa" --display-name="storefront-jobs $sa"
  done
  # Functions that enqueue must act as the invoker whose OIDC token the tasks carry.
  for f in $ENQUEUERS; do
    has_function "$f" || continue
    run "${G[@]}" iam service-accounts add-iam-policy-binding "$INVOKER" \
      --member="serviceAccount:$(sa_of "$f")" --role=roles/iam.serviceAccountUser
  done
  for f in $FIRESTORE_USERS; do
    has_function "$f" || continue
    run "${G[@]}" projects add-iam-policy-binding "$PROJECT" --member="serviceAccount:$(sa_of "$f")" \
      --role=roles/datastore.user --condition=None
  done
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

deploy_fn() { # name, public|private; its settings and size come from the settings catalogue
  local name="$1" access="$2" env secrets="" list s sizing boost
  [ "$DRY_RUN" = 1 ] || [ -f "dist/$name/index.js" ] || { echo "deploy.sh: dist/$name is missing: run npm run build" >&2; exit 1; }
  env=$("$NODE" ops/deploy-env.ts "$name" --project "$PROJECT" --region "$REGION") || exit 1
  list=$("$NODE" ops/deploy-env.ts "$name" --project "$PROJECT" --region "$REGION" --secrets) || exit 1
  sizing=$("$NODE" ops/deploy-env.ts "$name" --project "$PROJECT" --region "$REGION" --sizing) || exit 1
  boost=$("$NODE" ops/deploy-env.ts "$name" --project "$PROJECT" --region "$REGION" --cpu-boost) || exit 1
  for s in $list; do secrets+="${secrets:+,}${s%%=*}=$(secret_version "${s#*=}")"; done
  local args=(functions deploy "$name" --gen2 --runtime=nodejs22 --region="$REGION" --source="dist/$name"
    --entry-point="$name" --trigger-http --service-account="$(sa_of "$name")" --set-env-vars="$env")
  read -r -a more <<<"$sizing"
  args+=("${more[@]}")
  [ "$access" = public ] && args+=(--allow-unauthenticated) || args+=(--no-allow-unauthenticated)
  [ -n "$secrets" ] && args+=(--set-secrets="$secrets")
  run "${G[@]}" "${args[@]}"
  # gcloud functions deploy has no startup-CPU-boost flag: it is set on the function's Cloud Run service.
  run "${G[@]}" run services update "$name" --region="$REGION" "$boost"
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
    deploy_fn aggregate-orders private
    run "${G[@]}" functions add-invoker-policy-binding aggregate-orders --region="$REGION" --member="serviceAccount:$INVOKER"
  fi
  if has_function schedule-reports; then
    deploy_fn schedule-reports private
  fi
fi

if want scheduler && has_function schedule-reports; then
  verb=create
  exists "${G[@]}" scheduler jobs describe "$SCHEDULER_JOB" --location="$REGION" && verb=update
  run "${G[@]}" scheduler jobs "$verb" http "$SCHEDULER_JOB" --location="$REGION" \
    --schedule="${REPORTS_SCHEDULE:-30 0 * * *}" --time-zone="${REPORTS_TIME_ZONE:-${STORE_TIME_ZONE:-Etc/UTC}}" \
    --uri="$(url_of schedule-reports)" --http-method=POST --headers=Content-Type=application/json --message-body='{}' \
    --oidc-service-account-email="$SCHEDULER_SA" --oidc-token-audience="$(url_of schedule-reports)" --attempt-deadline=320s
  run "${G[@]}" functions add-invoker-policy-binding schedule-reports --region="$REGION" --member="serviceAccount:$SCHEDULER_SA"
fi
echo "deploy.sh: done (${ONLY})"
