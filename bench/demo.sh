#!/usr/bin/env bash
# The README's walk-through, end to end, against a running ARES: two agents register and keep heartbeating in the
# background, an operator hands them a task, both prove their work and the session COMPLETES; then a second session
# in which one agent's proof is wrong, the quorum is out of reach and the other agent's validated work is compensated
# (ROLLED_BACK). Every step checks the answer it got and stops with "FAIL …" and exit code 1 on the first surprise.
# Agent ids get a per-run suffix, so it can run again and again against the same instance; the agents are
# deregistered at the end. Needs bash, curl and jq. A test (DemoScriptTest) runs it on every build.
#
#   bench/demo.sh                         # against http://localhost:8080 as admin/admin (dev mode)
#   ARES_URL=http://host:8080 ARES_OPERATOR=admin:secret bench/demo.sh
set -euo pipefail

BASE="${ARES_URL:-http://localhost:8080}"
A="$BASE/api/v1"
OP="${ARES_OPERATOR:-admin:admin}"
RUN="${DEMO_RUN:-$(date +%s)-$$}"
S1="summariser-1-$RUN"
S2="summariser-2-$RUN"
HB=""

for tool in curl jq; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed" >&2; exit 1; }
done

cleanup() {
  [[ -n "$HB" ]] && kill "$HB" 2>/dev/null || true
  for id in "$S1" "$S2"; do curl -s -o /dev/null -u "$OP" -X DELETE "$A/agents/$id" || true; done
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
# check <what> <actual> <expected>
check() {
  if [[ "$2" != "$3" ]]; then
    echo "FAIL $1: got '$2', expected '$3'" >&2
    exit 1
  fi
  echo "ok   $1 = $2"
}
# call <curl arguments…>: the body on success; the status and body, then exit 1, on an HTTP error
call() {
  local out status
  out=$(curl -sS -w '\n%{http_code}' -H 'Content-Type: application/json' "$@")
  status=${out##*$'\n'}
  out=${out%$'\n'*}
  if [[ "$status" -ge 400 ]]; then
    echo "FAIL HTTP $status from curl $*: $out" >&2
    exit 1
  fi
  printf '%s' "$out"
}
sha256() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi | cut -d' ' -f1; }
now() { date -u +%Y-%m-%dT%H:%M:%SZ; }
# evidence <token> <assignment> <task> <output> <checksum> <quality>
evidence() {
  call -X POST -H "Authorization: Bearer $1" "$A/assignments/$2/evidence" -d "$(jq -n \
    --arg task "$3" --arg at "$(now)" --arg out "$4" --arg sum "$5" --argjson q "$6" \
    '{task_id: $task, completion_time: $at, output: $out, checksum: $sum, metrics: {quality_score: $q}}')"
}
# poll <agent> <token> <type>: the first message of that type (long-poll, up to 5 s)
poll() {
  call -H "Authorization: Bearer $2" "$A/agents/$1/assignments?wait_seconds=5" \
    | jq -c --arg t "$3" '[.[] | select(.type == $t)][0]'
}

step "1. Two agents register (heartbeat every 10 s: the lease is 10 s x 3)"
T1=$(call -X POST "$A/agents" -d "{\"agent_id\":\"$S1\",\"capabilities\":[\"summarise\"],\"heartbeat_interval_seconds\":10}" | jq -r .token)
R2=$(call -X POST "$A/agents" -d "{\"agent_id\":\"$S2\",\"capabilities\":[\"summarise\"],\"heartbeat_interval_seconds\":10}")
T2=$(jq -r .token <<<"$R2")
check "$S2 status" "$(jq -r .status <<<"$R2")" ACTIVE

step "2. They keep their leases alive in the background"
( while sleep 5; do
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $T1" "$A/agents/$S1/heartbeat"
    curl -s -o /dev/null -X POST -H "Authorization: Bearer $T2" "$A/agents/$S2/heartbeat"
  done ) &
HB=$!
check "heartbeat of $S1" "$(call -X POST -H "Authorization: Bearer $T1" "$A/agents/$S1/heartbeat" | jq -r .status)" ACTIVE

step "3. The operator hands one task to both"
TASK='{"type":"summarise","input":{"url":"https://example.org"},"success_criteria":{"quality_score":">= 8.0"}}'
SESSION=$(call -u "$OP" -X POST "$A/sessions" -d "{\"task\":$TASK,\"agent_ids\":[\"$S1\",\"$S2\"]}")
S=$(jq -r .session_id <<<"$SESSION")
check "session state" "$(jq -r .state <<<"$SESSION")" INITIALIZING

step "4. $S1 polls, acknowledges and proves its work"
M=$(poll "$S1" "$T1" task_delegation)
AID1=$(jq -r .assignment_id <<<"$M"); TID1=$(jq -r .task_id <<<"$M")
check "message session" "$(jq -r .session_id <<<"$M")" "$S"
check "ack" "$(call -X POST -H "Authorization: Bearer $T1" "$A/assignments/$AID1/ack" | jq -r .state)" ACKNOWLEDGED
OUT='a short summary'
V=$(evidence "$T1" "$AID1" "$TID1" "$OUT" "$(printf %s "$OUT" | sha256)" 8.7)
check "verdict overall_success" "$(jq -r .overall_success <<<"$V")" true
check "session state" "$(call -u "$OP" "$A/sessions/$S" | jq -r .state)" IN_PROGRESS

step "5. $S2 does the same: the quorum (both) is reached"
M=$(poll "$S2" "$T2" task_delegation)
AID2=$(jq -r .assignment_id <<<"$M"); TID2=$(jq -r .task_id <<<"$M")
call -X POST -H "Authorization: Bearer $T2" "$A/assignments/$AID2/ack" >/dev/null
V=$(evidence "$T2" "$AID2" "$TID2" "another summary" "$(printf %s "another summary" | sha256)" 9.1)
check "verdict overall_success" "$(jq -r .overall_success <<<"$V")" true
D=$(call -u "$OP" "$A/sessions/$S")
check "session state" "$(jq -r .state <<<"$D")" COMPLETED
check "assignment states" "$(jq -r '[.assignments[].state] | join(",")' <<<"$D")" VALIDATED,VALIDATED

step "6. A second session: $S2's proof is wrong"
S=$(call -u "$OP" -X POST "$A/sessions" -d "{\"task\":$TASK,\"agent_ids\":[\"$S1\",\"$S2\"]}" | jq -r .session_id)
M=$(poll "$S1" "$T1" task_delegation); AID1=$(jq -r .assignment_id <<<"$M"); TID1=$(jq -r .task_id <<<"$M")
call -X POST -H "Authorization: Bearer $T1" "$A/assignments/$AID1/ack" >/dev/null
V=$(evidence "$T1" "$AID1" "$TID1" "$OUT" "$(printf %s "$OUT" | sha256)" 8.7)
check "$S1 verdict" "$(jq -r .overall_success <<<"$V")" true
M=$(poll "$S2" "$T2" task_delegation); AID2=$(jq -r .assignment_id <<<"$M"); TID2=$(jq -r .task_id <<<"$M")
call -X POST -H "Authorization: Bearer $T2" "$A/assignments/$AID2/ack" >/dev/null
V=$(evidence "$T2" "$AID2" "$TID2" "another summary" "0000000000000000000000000000000000000000000000000000000000000000" 9.1)
check "$S2 proof_valid" "$(jq -r .proof_valid <<<"$V")" false
check "$S2 reasons" "$(jq -r '.reasons | join(";")' <<<"$V")" "checksum mismatch"
check "session state (quorum out of reach)" "$(call -u "$OP" "$A/sessions/$S" | jq -r .state)" COMPENSATING

step "7. $S1 is told to undo its validated work, and confirms"
M=$(poll "$S1" "$T1" compensation)
check "compensation for" "$(jq -r .assignment_id <<<"$M")" "$AID1"
check "compensated" "$(call -X POST -H "Authorization: Bearer $T1" "$A/assignments/$AID1/compensated" \
  -d '{"ok":true,"detail":"summary withdrawn"}' | jq -r .state)" COMPENSATED
check "session state" "$(call -u "$OP" "$A/sessions/$S" | jq -r .state)" ROLLED_BACK

step "8. The session's timeline"
call -u "$OP" "$A/sessions/$S/events" | jq -r '.items[] | "\(.entity) \(.from // "-") -> \(.to) (\(.cause))"'

printf '\nDEMO OK\n'
