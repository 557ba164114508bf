#!/usr/bin/env bash
# ./deploy.sh secret NAME --project P [--rotate | --finish-rotation] [--dry-run]
#
# Adds a version to secret NAME (one of the settings catalogue's secrets) with the value read from standard input:
# typed at a terminal it is not echoed; piped, the whole input is the value (one trailing newline dropped). The value
# is never printed and never on a command line: gcloud reads it from its standard input (--data-file=-).
# For a webhook secret (a comma-separated list the function accepts any of):
#   --rotate           the new value is added beside the current ones (the platform can switch over at its pace)
#   --finish-rotation  keeps only the newest value (no input read)
# The functions read the pinned version their last deploy chose: deploy again (--only functions) to use it.
set -euo pipefail
cd "$(dirname "$0")/../.."

die() { echo "deploy.sh secret: $1" >&2; exit "${2:-2}"; }
value() { [ -n "${2:-}" ] && [ "${2#--}" = "$2" ] || die "$1 needs a value"; }
NAME="" PROJECT="" REGION="" DRY_RUN=0 MODE=set
while [ $# -gt 0 ]; do
  case "$1" in
    --project) value "$@"; PROJECT="$2"; shift 2 ;;
    --rotate) [ "$MODE" = set ] || die "--rotate and --finish-rotation exclude each other"; MODE=rotate; shift ;;
    --finish-rotation) [ "$MODE" = set ] || die "--rotate and --finish-rotation exclude each other"; MODE=finish; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; exit 0 ;;
    --*) die "unknown argument $1 (see ./deploy.sh --help)" ;;
    *) [ -z "$NAME" ] || die "one secret at a time (got $NAME and $1)"; NAME="$1"; shift ;;
  esac
done
[ -n "$PROJECT" ] || die "--project is required"
source ops/deploy/common.sh

SECRETS=$("$NODE" ops/deploy-env.ts --secret-list | cut -d' ' -f1)
[ -n "$NAME" ] || die "which secret? one of: $(echo $SECRETS)"
has_line "$SECRETS" "$NAME" || die "unknown secret $NAME; secrets: $(echo $SECRETS)"
WEBHOOK=0
case "$NAME" in *-webhook-secrets) WEBHOOK=1 ;; esac
[ "$MODE" = set ] || [ "$WEBHOOK" = 1 ] || die "--rotate and --finish-rotation are for the webhook secrets (a comma-separated list), not $NAME"

# The current value (webhook secrets only), into a variable: never printed.
current() { "${G[@]}" secrets versions access latest --secret="$NAME" 2>/dev/null || true; }

if [ "$MODE" = finish ]; then
  now=$(current)
  [ -n "$now" ] || die "$NAME has no enabled version to finish a rotation of" 1
  new="${now##*,}"
  if [ "$new" = "$now" ]; then echo "deploy.sh secret: $NAME holds one value: no rotation to finish"; exit 0; fi
else
  if [ -t 0 ]; then
    printf 'Value of %s (not shown): ' "$NAME" >&2
    IFS= read -r -s new || true
    echo >&2
  else
    new=$(cat)
  fi
  [ -n "$new" ] || die "no value on standard input"
  if [ "$WEBHOOK" = 1 ]; then
    case "$new" in *,*) die "a webhook secret is one value; a comma would split it (use --rotate to keep the current ones)" ;; esac
    [ "${#new}" -ge 16 ] || die "a webhook secret has at least 16 characters (the functions refuse a shorter one)"
  fi
  if [ "$MODE" = rotate ]; then
    now=$(current)
    [ -n "$now" ] && new="$now,$new"
  fi
fi

exists "${G[@]}" secrets describe "$NAME" || run "${G[@]}" secrets create "$NAME" --replication-policy=automatic
if [ "$DRY_RUN" = 1 ]; then
  printf '+ gcloud --project=%q --quiet secrets versions add %q --data-file=- (the value on standard input)\n' "$PROJECT" "$NAME"
else
  printf '%s' "$new" | "${G[@]}" secrets versions add "$NAME" --data-file=- >/dev/null
  count=$(printf '%s' "$new" | tr ',' '\n' | grep -c .)
  what="1 value"; [ "$count" = 1 ] || what="$count values"
  echo "deploy.sh secret: $NAME: new version added ($what); deploy the functions to use it: ./deploy.sh --project $PROJECT --region REGION --only functions"
fi
