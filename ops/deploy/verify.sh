#!/usr/bin/env bash
# ./deploy.sh verify --project P --region R [--timeout-ms 10000]
#
# Checks what is deployed from the outside and prints one table (check, expected, found); exit 1 on any mismatch:
# each function deployed and active at its URL; each webhook refuses an unsigned POST (401) and accepts a signed
# test delivery that changes nothing; each private function refuses a call without a valid token; the queues' limits
# match queues.json; the scheduler job's schedule, time zone, URL, account and audience; each service account holds
# exactly the roles deploy grants; each secret has an enabled version. Only reads: nothing is changed.
set -euo pipefail
cd "$(dirname "$0")/../.."
case "${1:-}" in -h|--help) awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; exit 0 ;; esac
NODE="node_modules/node/bin/node"; [ -x "$NODE" ] || NODE="node"
exec "$NODE" ops/verify/deployed.ts "$@"
