#!/usr/bin/env bash
# Issue 26's reproduction against a running ARES (e.g. the packaged app): an agent submits valid evidence and right
# after it an operator rotates its token (then quarantines and releases it); N rounds each. Prints the status codes
# the operator got; any 409 or 5xx is a failure (exit 1).
#   BASE=http://127.0.0.1:8080 ADMIN=admin:admin N=50 bench/operator-race.sh
set -euo pipefail
BASE="${BASE:-http://127.0.0.1:8080}"
ADMIN="${ADMIN:-admin:admin}"
N="${N:-50}"
api() { curl -s -o /tmp/race.$$ -w '%{http_code}' "$@"; }
id="race-$(date +%s)-$$"
token=$(curl -sf -H 'Content-Type: application/json' -d "{\"agent_id\":\"$id\",\"capabilities\":[\"x\"],\"heartbeat_interval_seconds\":60}" \
  "$BASE/api/v1/agents" | jq -r .token)
declare -A seen=()
for i in $(seq 1 "$N"); do
  curl -sf -u "$ADMIN" -H 'Content-Type: application/json' \
    -d "{\"task\":{\"type\":\"x\",\"input\":$i},\"agent_ids\":[\"$id\"]}" "$BASE/api/v1/sessions" >/dev/null
  msg=$(curl -sf -H "Authorization: Bearer $token" "$BASE/api/v1/agents/$id/assignments?wait_seconds=5")
  aid=$(jq -r '[.[] | select(.type=="task_delegation")][0].assignment_id' <<<"$msg")
  tid=$(jq -r '[.[] | select(.type=="task_delegation")][0].task_id' <<<"$msg")
  out="result $i"
  sum=$(printf '%s' "$out" | sha256sum | cut -d' ' -f1)
  now=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
  curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{}' \
    "$BASE/api/v1/assignments/$aid/ack" >/dev/null
  curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"task_id\":\"$tid\",\"completion_time\":\"$now\",\"output\":\"$out\",\"checksum\":\"$sum\",\"metrics\":{}}" \
    "$BASE/api/v1/assignments/$aid/evidence" >/dev/null
  # At once, while the engine applies the verdict's outcome and releases the agent's capacity:
  if (( i % 2 )); then
    code=$(api -u "$ADMIN" -X POST -H 'Content-Type: application/json' "$BASE/api/v1/agents/$id/token")
    [[ "$code" == 200 ]] && token=$(jq -r .token /tmp/race.$$)
    seen["rotate $code"]=$(( ${seen["rotate $code"]:-0} + 1 ))
  else
    code=$(api -u "$ADMIN" -H 'Content-Type: application/json' -d '{"reason":"race"}' "$BASE/api/v1/agents/$id/quarantine")
    seen["quarantine $code"]=$(( ${seen["quarantine $code"]:-0} + 1 ))
    code=$(api -u "$ADMIN" -H 'Content-Type: application/json' -d '{"reason":"race"}' "$BASE/api/v1/agents/$id/release")
    seen["release $code"]=$(( ${seen["release $code"]:-0} + 1 ))
  fi
done
rm -f /tmp/race.$$
bad=0
for k in "${!seen[@]}"; do
  echo "$k: ${seen[$k]}"
  [[ "$k" == *" 200" ]] || bad=1
done
exit $bad
