#!/usr/bin/env bash
# ./deploy.sh destroy --project P --region R [--dry-run] [--yes] [--delete-secrets]
#
# Deletes what deploy.sh created, by name (the functions in functions/, the queues of queues.json, the scheduler job,
# the service accounts and the IAM bindings deploy.sh grants), never what a listing of the project finds, and skips
# what is already gone: running it twice is safe. The order leaves nothing dangling: the job (nothing calls the
# functions any more), the functions (their invoker bindings go with them), the queues (their enqueuer bindings go
# with them), the project bindings and the secret bindings of our service accounts, then the service accounts.
# Secrets are kept (only their bindings removed) unless --delete-secrets. The enabled APIs stay enabled.
# Asks the operator to type the project id unless --yes or --dry-run; --dry-run prints the plan as `+ gcloud …` lines.
set -euo pipefail
cd "$(dirname "$0")/../.."

die() { echo "deploy.sh destroy: $1" >&2; exit "${2:-2}"; }
value() { [ -n "${2:-}" ] && [ "${2#--}" = "$2" ] || die "$1 needs a value"; }
PROJECT="" REGION="" DRY_RUN=0 YES=0 DELETE_SECRETS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --project) value "$@"; PROJECT="$2"; shift 2 ;;
    --region) value "$@"; REGION="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --yes) YES=1; shift ;;
    --delete-secrets) DELETE_SECRETS=1; shift ;;
    -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see ./deploy.sh --help)" ;;
  esac
done
[ -n "$PROJECT" ] || die "--project is required"
[ -n "$REGION" ] || die "--region is required"
source ops/deploy/common.sh

if [ "$DRY_RUN" = 0 ] && [ "$YES" = 0 ]; then
  secrets_too=""; [ "$DELETE_SECRETS" = 1 ] && secrets_too=", its secrets"
  printf 'This deletes storefront-jobs from project %s (region %s): its functions, queues, scheduler job, service accounts and IAM bindings%s.\nType the project id to go on: ' "$PROJECT" "$REGION" "$secrets_too" >&2
  IFS= read -r answer || true
  [ "$answer" = "$PROJECT" ] || die "not confirmed (typed \"$answer\", not \"$PROJECT\"): nothing deleted" 1
fi

# Deletes when `describe` finds it; says so when it is already gone.
delete_if_there() { # what, describe args…, --, delete args…
  local what="$1" describe=() ; shift
  while [ "$1" != -- ]; do describe+=("$1"); shift; done; shift
  if exists "${G[@]}" "${describe[@]}"; then run "${G[@]}" "$@"; else echo "deploy.sh destroy: $what: already gone"; fi
}

delete_if_there "scheduler job $SCHEDULER_JOB" scheduler jobs describe "$SCHEDULER_JOB" --location="$REGION" -- \
  scheduler jobs delete "$SCHEDULER_JOB" --location="$REGION"
for f in $FUNCTIONS; do
  delete_if_there "function $f" functions describe "$f" --region="$REGION" -- functions delete "$f" --region="$REGION"
done
while read -r queue _target; do
  delete_if_there "queue $queue" tasks queues describe "$queue" --location="$REGION" -- tasks queues delete "$queue" --location="$REGION"
done < <("$NODE" ops/queue-flags.ts --list)

# Project bindings of our accounts: only those deploy.sh grants, only when present.
policy=$("${G[@]}" projects get-iam-policy "$PROJECT" --flatten='bindings[].members' --format='value(bindings.role,bindings.members)' 2>/dev/null || true)
for f in $FIRESTORE_USERS; do
  member="serviceAccount:$(sa_of "$f")"
  if has_line "$policy" "roles/datastore.user	$member"; then
    run "${G[@]}" projects remove-iam-policy-binding "$PROJECT" --member="$member" --role=roles/datastore.user --condition=None
  fi
done

while read -r name _setting readers; do
  if ! exists "${G[@]}" secrets describe "$name"; then echo "deploy.sh destroy: secret $name: already gone"; continue; fi
  if [ "$DELETE_SECRETS" = 1 ]; then run "${G[@]}" secrets delete "$name"; continue; fi
  policy=$("${G[@]}" secrets get-iam-policy "$name" --flatten='bindings[].members' --format='value(bindings.role,bindings.members)' 2>/dev/null || true)
  for f in $readers; do
    member="serviceAccount:$(sa_of "$f")"
    if has_line "$policy" "roles/secretmanager.secretAccessor	$member"; then
      run "${G[@]}" secrets remove-iam-policy-binding "$name" --member="$member" --role=roles/secretmanager.secretAccessor
    fi
  done
done < <("$NODE" ops/deploy-env.ts --secret-list)

for sa in $(service_accounts); do
  delete_if_there "service account $sa" iam service-accounts describe "$sa@$SA_DOMAIN" -- iam service-accounts delete "$sa@$SA_DOMAIN"
done
if [ "$DRY_RUN" = 1 ]; then echo "deploy.sh destroy: dry run, nothing deleted"; else echo "deploy.sh destroy: done"; fi
