# Sourced by deploy.sh and its subcommands (ops/deploy/*.sh): the names deploy creates, and how changes are run.
# Expects PROJECT, REGION (may be empty for `secret`) and DRY_RUN to be set by the caller.

# Node 22 from the project's own devDependency (the machine's node may be older).
NODE="node_modules/node/bin/node"; [ -x "$NODE" ] || NODE="node"

# Every change goes through run(); --dry-run prints it instead. Reads (describe, list) run in both modes.
run() {
  if [ "$DRY_RUN" = 1 ]; then printf '+'; printf ' %q' "$@"; printf '\n'; else "$@"; fi
}
exists() { "$@" >/dev/null 2>&1; }
G=(gcloud --project="$PROJECT" --quiet)

SA_DOMAIN="$PROJECT.iam.gserviceaccount.com"
INVOKER="tasks-invoker@$SA_DOMAIN"
SCHEDULER_SA="scheduler-invoker@$SA_DOMAIN"
SCHEDULER_JOB="nightly-reports"
sa_of() { echo "fn-$1@$SA_DOMAIN"; }
# Deterministic function URLs (Cloud Functions v2 API); tasks use the full URL as OIDC audience.
url_of() { echo "https://$REGION-$PROJECT.cloudfunctions.net/$1"; }
FUNCTIONS=$(cd functions && ls -d */ | tr -d /)
# Whether TEXT holds LINE as a whole line. Not `echo | grep -q`: under pipefail, grep leaving at its first match can
# make the writer die of SIGPIPE, and the pipeline then fails although the line is there.
has_line() { case $'\n'"$1"$'\n' in *$'\n'"$2"$'\n'*) return 0 ;; *) return 1 ;; esac; }
has_function() { has_line "$FUNCTIONS" "$1"; }

# Functions that enqueue tasks and so act as the invoker whose OIDC token the tasks carry.
ENQUEUERS="storefront-webhook shopify-webhook woocommerce-webhook schedule-reports aggregate-orders"
# Functions that read and write Firestore (roles/datastore.user on the project).
FIRESTORE_USERS="$ENQUEUERS send-notification"
# Which functions create tasks on each queue (least privilege: roles/cloudtasks.enqueuer on that queue only).
enqueuers_of() {
  case "$1" in
    notifications) echo "storefront-webhook shopify-webhook woocommerce-webhook aggregate-orders" ;;
    reports) echo "schedule-reports aggregate-orders" ;;
  esac
}
# Every service account deploy creates.
service_accounts() { echo tasks-invoker scheduler-invoker; for f in $FUNCTIONS; do echo "fn-$f"; done; }

