#!/usr/bin/env bash
# Two instances on one database (issue 4): instances of the packaged app on :8091 and :8092 (management interfaces
# on $MGMT_PORT and $MGMT_PORT_B, default 9000 and 9001: health and metrics) share ares_bench; a
# session load is spread over both (agents and creations round-robin), and a share of the agents stops mid-run so
# that both monitors race to detect them, time out their work and compensate their sessions. Then the event log is
# checked for duplicates (no transition done twice). Writes the "two-instances" section of bench/results/benchmarks-history.md.
#   bench/two-instances.sh
#   AGENTS=300 INFLIGHT=150 DURATION=40 STOP_FRACTION=0.1 SKIP_BUILD=1 bench/two-instances.sh
#   MGMT_PORT=9100 MGMT_PORT_B=9101 bench/two-instances.sh   # when 9000/9001 are taken on this host
set -euo pipefail
source "$(dirname "$0")/lib.sh"
AGENTS="${AGENTS:-300}"; MAX_TASKS="${MAX_TASKS:-4}"; INFLIGHT="${INFLIGHT:-150}"; CREATORS="${CREATORS:-4}"
DURATION="${DURATION:-40}"; STOP_FRACTION="${STOP_FRACTION:-0.1}"; STOP_AT="${STOP_AT:-15}"; INTERVAL="${INTERVAL:-2}"
WAIT="${WAIT:-3}"; DB=ares_bench
# Each instance has its own management port (QUARKUS_MANAGEMENT_PORT): two on one host cannot share one.
MGMT_PORT_A="$MGMT_PORT"; MGMT_PORT_B="${MGMT_PORT_B:-$((MGMT_PORT + 1))}"
trap 'stop_all_apps; pg_settings_restore' EXIT
cd "$ROOT"
build_app
pg_production_settings
wait_quiet
N0="$(noise_snapshot)"
fresh_db "$DB"
A="$(start_app 8091 "$DB" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT_A")"      # migrates the schema
B="$(start_app 8092 "$DB" QUARKUS_MANAGEMENT_PORT="$MGMT_PORT_B")"
# Short leases (interval $INTERVAL s × tolerance 3), so stopped agents are detected within seconds. Agents only
# long-poll (wait $WAIT s < lease): each poll is a sign of life.
java bench/Register.java "http://127.0.0.1:8091" "$AGENTS" t- "$INTERVAL" bench "$OUT/agents-2i.txt" 32 "$MAX_TASKS"
SL_CMD="java bench/SessionLoad.java base=http://127.0.0.1:8091,http://127.0.0.1:8092 agents=$OUT/agents-2i.txt inflight=$INFLIGHT creators=$CREATORS warmup=2 duration=$DURATION drain=15 wait=$WAIT stop_fraction=$STOP_FRACTION stop_at_s=$STOP_AT out=$OUT/2i"
log "$SL_CMD"
$SL_CMD 2>"$OUT/2i.log"
LOAD_END="$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"   # the fleet stops polling here: every lease then runs out
tail -40 "$OUT/2i.log" >&2
# Let both monitors finish with the stopped agents (lease + one interval + margin).
sleep $((INTERVAL * 3 + 5))
N1="$(noise_snapshot)"
curl -s "$(management_url "$MGMT_PORT_A")/metrics" >"$OUT/metrics-2i-8091.txt"
curl -s "$(management_url "$MGMT_PORT_B")/metrics" >"$OUT/metrics-2i-8092.txt"
metric() { awk -v m="$2" '$1 == m {s += $2} END {printf "%.0f", s}' "$OUT/metrics-2i-$1.txt"; }
SWEEPS_A="$(metric 8091 ares_monitor_sweep_seconds_count)"; SWEEPS_B="$(metric 8092 ares_monitor_sweep_seconds_count)"
DET_A="$(metric 8091 ares_detection_latency_seconds_count)"; DET_B="$(metric 8092 ares_detection_latency_seconds_count)"
stop_app "$A"; stop_app "$B"

P="$OUT/2i.properties"
prop() { sed -n "s/^$1=//p" "$P"; }
event_log_checks "$DB" "$OUT/2i-validated.txt" >"$OUT/checks-2i.md"
STOPPED="$OUT/2i-stopped.txt"
psql -q -d "$DB" -c "CREATE TABLE IF NOT EXISTS bench_stopped (agent_id text)" -c "TRUNCATE bench_stopped"
psql -q -d "$DB" -c "\copy bench_stopped FROM '$STOPPED'"
DETECTED="$(q "$DB" "SELECT count(DISTINCT e.agent_id) FROM agent_status_event e JOIN bench_stopped USING (agent_id) WHERE e.to_status = 'UNRESPONSIVE'")"
FALSE_DET="$(q "$DB" "SELECT count(*) FROM agent_status_event e WHERE e.to_status = 'UNRESPONSIVE' AND e.at < '$LOAD_END' AND e.agent_id NOT IN (SELECT agent_id FROM bench_stopped)")"
USED="$(q "$DB" "SELECT count(DISTINCT agent_id) FROM assignment")"
DETLAT="$(q "$DB" "SELECT round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM e.at - a.lease_expires_at))::numeric) || ' / ' ||
  round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM e.at - a.lease_expires_at))::numeric) || ' / ' ||
  round(1000 * max(extract(epoch FROM e.at - a.lease_expires_at))::numeric)
  FROM agent_status_event e JOIN agent a USING (agent_id) JOIN bench_stopped USING (agent_id) WHERE e.to_status = 'UNRESPONSIVE'")"
STATES="$(q "$DB" "SELECT string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM coordination_session GROUP BY 1) x")"
ASTATES="$(q "$DB" "SELECT string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM assignment GROUP BY 1) x")"
TIMEOUTS="$(q "$DB" "SELECT count(*) FROM session_event WHERE to_state = 'TIMED_OUT'")"
COMPS="$(q "$DB" "SELECT count(*) FROM session_event WHERE entity = 'assignment' AND to_state = 'COMPENSATED'")"
DUP_ORDERS="$(q "$DB" "SELECT count(*) FROM (SELECT assignment_id FROM agent_message WHERE type = 'compensation' GROUP BY assignment_id, idempotency_key HAVING count(*) > 1) d")"
log "sessions: $STATES; detected $DETECTED/$(prop stopped_agents); false detections $FALSE_DET; check failures $CHECK_FAILURES"

cat >"$OUT/section-2i.md" <<MD
## Two instances on one database (issue 4) — \`bench/two-instances.sh\`

Run $(date -u +%Y-%m-%dT%H:%M:%SZ) with \`AGENTS=$AGENTS INFLIGHT=$INFLIGHT DURATION=$DURATION STOP_FRACTION=$STOP_FRACTION STOP_AT=$STOP_AT INTERVAL=$INTERVAL bench/two-instances.sh\`.
$(machine_info)
- Noise: before: $N0; after: $N1 → **$(noise_verdict "$N0 $N1")**

Instances: :8091 and :8092 (management :$MGMT_PORT_A and :$MGMT_PORT_B), same database \`$DB\`, default monitor (1 s). $AGENTS agents (\`heartbeat_interval_seconds=$INTERVAL\`,
lease $((INTERVAL * 3)) s, long-poll \`wait_seconds=$WAIT\`), spread round-robin over both instances, as are the session creations
(3 participants by capability, $INFLIGHT in flight). $(prop stopped_agents) agents ($STOP_FRACTION) stop polling ${STOP_AT} s into the run: their
open assignments time out, their sessions go to COMPENSATING and the validated peers get compensation orders (and confirm them).

| figure | value |
|---|---|
| sessions completed/s over the ${DURATION} s window (both instances) | $(prop sessions_completed_per_s) |
| sessions by state after the run | $STATES |
| assignments by state after the run | $ASTATES |
| stopped agents detected UNRESPONSIVE / stopped | $DETECTED / $(prop stopped_agents) |
| detection latency (lease expiry → UNRESPONSIVE) p50 / p99 / max (ms) | $DETLAT |
| live agents wrongly detected UNRESPONSIVE while the fleet ran (afterwards every agent stops and is detected: the audit below covers those too) | $FALSE_DET |
| agents that received any assignment / registered | $USED / $AGENTS |
| monitor sweeps :8091 / :8092; detections recorded by :8091 / :8092 (\`ares_detection_latency_seconds_count\`) | $SWEEPS_A / $SWEEPS_B; $DET_A / $DET_B |
| assignments TIMED_OUT / compensations confirmed (COMPENSATED events) | $TIMEOUTS / $COMPS |
| compensation orders written twice for one (assignment, idempotency key) | $DUP_ORDERS |
| client errors: create / poll / ack / evidence / compensation confirmations | $(prop create_errors) / $(prop poll_errors) / $(prop ack_errors) / $(prop evidence_errors) / $(prop compensation_confirm_errors) |

Event-log audit:

$(cat "$OUT/checks-2i.md")

Command: \`$SL_CMD\` (agents registered by \`bench/Register.java\` through :8091).
MD
write_section two-instances "$OUT/section-2i.md"
