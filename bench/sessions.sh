#!/usr/bin/env bash
# Sessions benchmark (issue 3): a simulated fleet (bench/SessionLoad.java) runs 3-participant sessions to COMPLETED
# through HTTP while a coordinator keeps INFLIGHT sessions open; measures sessions/s, durable transitions/s (rows of
# session_event in the window), long-poll wake-up latency; checks the event log for lost or duplicated transitions;
# and runs pgbench's one-row UPDATE + one-row INSERT transaction at 8 clients in the same run.
#   bench/sessions.sh
#   AGENTS=1000 MAX_TASKS=4 INFLIGHT=1000 CREATORS=8 WARMUP=10 DURATION=30 SKIP_BUILD=1 bench/sessions.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
AGENTS="${AGENTS:-1000}"; MAX_TASKS="${MAX_TASKS:-4}"; INFLIGHT="${INFLIGHT:-1000}"; CREATORS="${CREATORS:-8}"
RATE="${RATE:-0}"; RATE_NOTE=""; PACED=""
if [[ "$RATE" != 0 ]]; then RATE_NOTE="RATE=$RATE "; PACED=", paced at $RATE sessions/s"; fi
# WORK_MS: each agent works this long (±50 %, uniform) between its ack and its evidence, as a real agent would;
# with 0 (the default) it answers at once, and sessions in flight are only as many as the CPU keeps queued.
WORK_MS="${WORK_MS:-0}"; WORK_NOTE=""; WORKING=""
if [[ "$WORK_MS" != 0 ]]; then WORK_NOTE="WORK_MS=$WORK_MS "; WORKING=", agents working ${WORK_MS} ms ±50 % per task"; fi
WARMUP="${WARMUP:-10}"; DURATION="${DURATION:-30}"; DRAIN="${DRAIN:-20}"; WAIT="${WAIT:-20}"; PORT="${PORT:-8090}"
PGB_DURATION="${PGB_DURATION:-30}"; PGB_MODE="${PGB_MODE:-prepared}"; DB=ares_bench
# SECTION names the section of bench/results/benchmarks-history.md (e.g. SECTION=sessions-light for a run below saturation).
SECTION="${SECTION:-sessions}"
trap 'pg_sampler_stop; stop_all_apps; pg_settings_restore' EXIT
cd "$ROOT"
build_app
pg_production_settings
wait_quiet
N0="$(noise_snapshot)"; log "before: $N0"

# --- pgbench: one-row UPDATE + one-row INSERT per transaction, 8 clients ----------------------------------
fresh_db "$DB"
psql -q -d "$DB" <<'SQL'
CREATE TABLE pgb_row (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0, at timestamptz NOT NULL DEFAULT now());
INSERT INTO pgb_row (id) SELECT g FROM generate_series(1, 10000) g;
CREATE TABLE pgb_log (seq bigserial PRIMARY KEY, row_id int NOT NULL, at timestamptz NOT NULL);
VACUUM ANALYZE pgb_row;
SQL
cat >"$OUT/pgb_update_insert.sql" <<'SQL'
\set id random(1, 10000)
BEGIN;
UPDATE pgb_row SET n = n + 1, at = now() WHERE id = :id;
INSERT INTO pgb_log (row_id, at) VALUES (:id, now());
END;
SQL
run_pgbench 8 "$PGB_DURATION" "$OUT/pgb_update_insert.sql" "$DB" s
N1="$(noise_snapshot)"

# --- the fleet ------------------------------------------------------------------------------------------
fresh_db "$DB"
APP="$(start_app "$PORT" "$DB")"
java bench/Register.java "http://127.0.0.1:$PORT" "$AGENTS" s- 30 bench "$OUT/agents-s.txt" 32 "$MAX_TASKS"
SL_CMD="java bench/SessionLoad.java base=http://127.0.0.1:$PORT agents=$OUT/agents-s.txt inflight=$INFLIGHT creators=$CREATORS rate=$RATE work_ms=$WORK_MS warmup=$WARMUP duration=$DURATION drain=$DRAIN wait=$WAIT out=$OUT/sl"
log "$SL_CMD"
wait_quiet
N2="$(noise_snapshot)"
$SL_CMD 2>"$OUT/sessionload.log" &
SL=$!
# Profile the measurement window: CPU seconds of the app, the load generator and PostgreSQL; pg_stat_activity.
sleep $((WARMUP + 2))
c_app0="$(cpu_secs "$APP")"; c_sl0="$(cpu_secs "$SL")"; c_pg0="$(pg_cpu_secs)"; c_all0="$(machine_busy_secs)"; t0="$(date +%s.%N)"
pg_sampler_start "$DB" "$OUT/pg-activity-s.txt"
pgss_reset
sleep $((DURATION - 2))
c_app1="$(cpu_secs "$APP")"; c_sl1="$(cpu_secs "$SL")"; c_pg1="$(pg_cpu_secs)"; c_all1="$(machine_busy_secs)"; t1="$(date +%s.%N)"
pg_sampler_stop
pgss_snapshot "$DB" "$OUT/pgss-s.txt"
N3="$(noise_snapshot)"
curl -s "$(management_url)/metrics" >"$OUT/metrics-s.txt" || true
wait "$SL"
cat "$OUT/sessionload.log" | tail -45 >&2
P="$OUT/sl.properties"
prop() { sed -n "s/^$1=//p" "$P"; }
WS="$(prop window_start)"; WE="$(prop window_end)"; SECS="$(prop window_seconds)"
share() { python3 -c "print(f'{($2-$1)/($t1-$t0):.2f}')"; }
CPU_APP="$(share "$c_app0" "$c_app1")"; CPU_SL="$(share "$c_sl0" "$c_sl1")"; CPU_PG="$(share "$c_pg0" "$c_pg1")"; CPU_ALL="$(share "$c_all0" "$c_all1")"

# --- the event log ----------------------------------------------------------------------------------------
TRANS="$(q "$DB" "SELECT count(*) FROM session_event WHERE at >= '$WS' AND at < '$WE'")"
TRANS_S="$(python3 -c "print(f'{$TRANS/$SECS:.0f}')")"
DB_COMPLETED="$(q "$DB" "SELECT count(*) FROM coordination_session WHERE state = 'COMPLETED' AND ended_at >= '$WS' AND ended_at < '$WE'")"
DB_COMPLETED_S="$(python3 -c "print(f'{$DB_COMPLETED/$SECS:.1f}')")"
RATIO="$(python3 -c "print(f'{$TRANS_S/$PGB_TPS:.2f}')")"
# Let the monitor settle anything left, then read the log.
sleep 2
STATES="$(q "$DB" "SELECT string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM coordination_session GROUP BY 1) x")"
ASTATES="$(q "$DB" "SELECT string_agg(state || ' ' || n, ', ' ORDER BY state) FROM (SELECT state, count(*) n FROM assignment GROUP BY 1) x")"
event_log_checks "$DB" "$OUT/sl-validated.txt" >"$OUT/checks-s.md"; CHECKS="$(cat "$OUT/checks-s.md")"
PATHS="$(psql -q -d "$DB" -F' | ' -A -t -c "WITH p AS (SELECT e.entity, string_agg(coalesce(e.from_state, '∅') || '→' || e.to_state, ' ' ORDER BY e.seq) AS path
  FROM session_event e JOIN coordination_session s ON s.session_id = e.session_id WHERE s.state = 'COMPLETED' GROUP BY e.entity, e.entity_id)
  SELECT '| ' || entity, path, count(*) || ' |' FROM p GROUP BY 1, 2 ORDER BY 3 DESC")"
SRV_WAKE="$(q "$DB" "SELECT round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM delegated_at - created_at))::numeric, 1) || ' / ' ||
  round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM delegated_at - created_at))::numeric, 1) FROM assignment WHERE created_at >= '$WS' AND created_at < '$WE'")"
LIFE="$(q "$DB" "SELECT round(1000 * percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM ended_at - created_at))::numeric) || ' / ' ||
  round(1000 * percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM ended_at - created_at))::numeric) FROM coordination_session WHERE state = 'COMPLETED' AND ended_at >= '$WS' AND ended_at < '$WE'")"
ERRLOG="$(grep -cE ' ERROR ' "$OUT/app-$PORT.log" || true)"
DEADLOCKS="$(grep -c 'deadlock detected' "$OUT/app-$PORT.log" || true)"
USED="$(q "$DB" "SELECT count(DISTINCT agent_id) || ' (the busiest ' || max(n) || ' assignments, the median one ' || percentile_disc(0.5) WITHIN GROUP (ORDER BY n) || ')' FROM (SELECT agent_id, count(*) n FROM assignment GROUP BY 1) x")"
stop_app "$APP"
log "sessions/s $(prop sessions_completed_per_s) (db $DB_COMPLETED_S), transitions/s $TRANS_S, pgbench $PGB_TPS, ratio $RATIO, event-log check failures: $CHECK_FAILURES"

ok() { python3 -c "print('met' if $1 else 'MISSED')"; }
W_P50="$(prop wakeup_waiting_p50_ms)"; W_P99="$(prop wakeup_waiting_p99_ms)"
cat >"$OUT/section-s.md" <<MD
## Sessions (issue 3) — \`bench/sessions.sh\`${SECTION_NOTE:+ — $SECTION_NOTE}

Run $(date -u +%Y-%m-%dT%H:%M:%SZ) with \`${SECTION_NOTE:+SECTION=$SECTION }AGENTS=$AGENTS MAX_TASKS=$MAX_TASKS INFLIGHT=$INFLIGHT CREATORS=$CREATORS ${RATE_NOTE}${WORK_NOTE}WARMUP=$WARMUP DURATION=$DURATION bench/sessions.sh\`.
$(machine_info)
- Noise: before pgbench: $N0; after pgbench: $N1; before the fleet: $N2; end of window: $N3 → **$(noise_verdict "$N0 $N1 $N2 $N3")**
- CPU in the window (cores busy): app $CPU_APP, load generator $CPU_SL, PostgreSQL $CPU_PG, whole machine $CPU_ALL of 2

| figure | value | target |
|---|---|---|
| sessions COMPLETED/s (load generator; database: ended_at in the window) | **$(prop sessions_completed_per_s)** ($DB_COMPLETED_S) | ≥ 200: $(ok "$DB_COMPLETED_S >= 200"), stretch 400 |
| durable transitions/s (session_event rows with \`at\` in the ${SECS} s window) | **$TRANS_S** ($TRANS rows) | |
| pgbench one-row UPDATE + one-row INSERT, \`-M $PGB_MODE -c8 -j2 -T$PGB_DURATION\` | $PGB_TPS TPS (avg latency $PGB_LAT ms) | |
| ratio transitions/s ÷ pgbench TPS | **$RATIO** | ≥ 0.3: $(ok "$RATIO >= 0.3") |
| sessions in flight: target / average in the window (creators: $CREATORS concurrent creation loops$PACED$WORKING) | $INFLIGHT / **$(prop inflight_avg)** | ~1,000 |
| long-poll wake-up, agent already waiting: p50 / p99 / max (ms) from the creation answer, $(prop wakeup_waiting_samples) samples | $W_P50 / **$W_P99** / $(prop wakeup_waiting_max_ms) | p99 ≤ 50 ms: $(ok "'$W_P99' != 'n/a' and $W_P99 <= 50") |
| wake-up, all delegations (incl. agents busy when it was created): p50 / p99 (ms), $(prop wakeup_samples) samples; delegations that arrived before the creation answer | $(prop wakeup_all_p50_ms) / $(prop wakeup_all_p99_ms); $(prop wakeup_before_creation_answer) | |
| server side: assignment created_at → delegated_at p50 / p99 (ms) | $SRV_WAKE | |
| session lifetime created → COMPLETED p50 / p99 (ms) | $LIFE | |
| HTTP requests/s from the fleet | $(prop http_requests_per_s) | |
| errors: create / 422 no eligible / poll / ack / evidence / invalid verdicts | $(prop create_errors) / $(prop create_no_eligible_422) / $(prop poll_errors) / $(prop ack_errors) / $(prop evidence_errors) / $(prop invalid_verdicts) | 0 |
| delegation redeliveries seen by agents / sessions still open after a ${DRAIN} s drain | $(prop delegation_redeliveries_seen) / $(prop stuck_after_drain) | |
| ERROR lines in the app log / deadlocks detected (retried by the engine) | $ERRLOG / $DEADLOCKS | |
| agents that received any assignment, of $AGENTS | $USED | |

Event-log check after the run (whole database): sessions by state: $STATES; assignments by state: $ASTATES.

$CHECKS

Paths of the entities of COMPLETED sessions:

| entity | path | count |
|---|---|---|
$PATHS

$(pg_sampler_report "$OUT/pg-activity-s.txt")

$(pgss_report "$OUT/pgss-s.txt" "$(prop completed_in_window)" session)

Commands: \`$PGB_CMD\` with \`$(tr '\n' ' ' <"$OUT/pgb_update_insert.sql")\` (app stopped); agents registered by
\`bench/Register.java\` (capability \`bench\`, \`heartbeat_interval_seconds=30\`, \`max_concurrent_tasks=$MAX_TASKS\`); \`$SL_CMD\`.
MD
write_section "$SECTION" "$OUT/section-s.md"
