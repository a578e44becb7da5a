#!/usr/bin/env bash
# Heartbeat benchmark (issue 2): heartbeats/s of the packaged app under wrk versus pgbench's one-row UPDATE at
# 32 clients on the same machine, in the same run. Writes the "heartbeat" section of bench/results/benchmarks-history.md.
#   bench/heartbeat.sh                  # N=10000 agents, wrk -t2 -c32 -d30s, pgbench -c32 -j2 -T30
#   N=10000 DURATION=30 CONNS=32 SKIP_BUILD=1 bench/heartbeat.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N="${N:-10000}"; DURATION="${DURATION:-30}"; CONNS="${CONNS:-32}"; PORT="${PORT:-8090}"; DB=ares_bench
PGB_MODE="${PGB_MODE:-prepared}"
trap 'stop_all_apps; pg_settings_restore' EXIT
cd "$ROOT"
build_app
pg_production_settings
wait_quiet
N0="$(noise_snapshot)"; log "before: $N0"

# --- pgbench: one-row UPDATE of a 10,000-row table, 32 clients --------------------------------------------
fresh_db "$DB"
psql -q -d "$DB" <<'SQL'
CREATE TABLE pgb_row (id int PRIMARY KEY, n bigint NOT NULL DEFAULT 0, at timestamptz NOT NULL DEFAULT now());
INSERT INTO pgb_row (id) SELECT g FROM generate_series(1, 10000) g;
VACUUM ANALYZE pgb_row;
SQL
cat >"$OUT/pgb_update.sql" <<'SQL'
\set id random(1, 10000)
UPDATE pgb_row SET n = n + 1, at = now() WHERE id = :id;
SQL
run_pgbench 32 "$DURATION" "$OUT/pgb_update.sql" "$DB" hb
N1="$(noise_snapshot)"

# --- the app on a fresh database, N agents, wrk heartbeats ------------------------------------------------
fresh_db "$DB"
APP="$(start_app "$PORT" "$DB")"
# A long interval: no lease expires during the run, so the monitor stays idle (the heartbeat path alone is measured).
if [[ "${REGISTER:-sql}" == api ]]; then
  java bench/Register.java "http://127.0.0.1:$PORT" "$N" hb- 3600 bench "$OUT/agents-hb.txt" 32
else
  # Straight into the table (fast; registration is not what is measured): tokens 'hbtok-<n>', hashed as the app does
  # (SHA-256 of the token's UTF-8 bytes), so the app authenticates them exactly like registered ones.
  psql -q -d "$DB" <<SQL
INSERT INTO agent (agent_id, name, capabilities, heartbeat_interval_seconds, max_concurrent_tasks, status, token_hash,
                   registered_at, lease_expires_at, reliability_score, open_assignments, status_changed_at)
SELECT 'hb-' || g, 'hb-' || g, ARRAY['bench']::varchar[], 3600, 4, 'ACTIVE', sha256(convert_to('hbtok-' || g, 'UTF8')),
       now(), now() + interval '3 hours', 0.5, 0, now()
FROM generate_series(0, $N - 1) g;
ANALYZE agent;
SQL
  awk -v n="$N" 'BEGIN { for (g = 0; g < n; g++) printf "hb-%d hbtok-%d\n", g, g }' >"$OUT/agents-hb.txt"
fi
export AGENTS_FILE="$OUT/agents-hb.txt"
log "warm-up: wrk 10 s"
wrk -t2 -c"$CONNS" -d10s -s bench/heartbeat.lua "http://127.0.0.1:$PORT" >/dev/null
before="$(q "$DB" "SELECT sum(extract(epoch from last_heartbeat_at)) FROM agent")"
WRK_CMD="wrk -t2 -c$CONNS -d${DURATION}s --latency -s bench/heartbeat.lua http://127.0.0.1:$PORT"
log "$WRK_CMD"
wait_quiet
N2="$(noise_snapshot)"
$WRK_CMD >"$OUT/wrk-hb.txt" 2>&1
N3="$(noise_snapshot)"
cat "$OUT/wrk-hb.txt" >&2
R="$(grep '^RESULT' "$OUT/wrk-hb.txt")"
val() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<" $R"; }
RPS="$(val rps)"; P50="$(val p50_ms)"; P90="$(val p90_ms)"; P99="$(val p99_ms)"; MAX="$(val max_ms)"
ERRS=$(( $(val connect_err) + $(val read_err) + $(val write_err) + $(val timeout_err) + $(val status_err) ))
NON2XX="$(awk '/Non-2xx/{print $5}' "$OUT/wrk-hb.txt")"; NON2XX="${NON2XX:-0}"
written="$(curl -s "$(management_url)/metrics" | awk '/^ares_heartbeats_total/{printf "%.0f", $2}')"
status_events="$(q "$DB" "SELECT count(*) FROM agent_status_event WHERE to_status = 'UNRESPONSIVE'")"
RATIO="$(python3 -c "print(f'{$RPS/$PGB_TPS:.2f}')")"
log "heartbeats: $RPS/s p50 $P50 ms p99 $P99 ms errors $ERRS (non-2xx $NON2XX); pgbench $PGB_TPS TPS; ratio $RATIO"
stop_app "$APP"

ok() { python3 -c "print('met' if $1 else 'MISSED')"; }
cat >"$OUT/section-hb.md" <<MD
## Heartbeats (issue 2) — \`bench/heartbeat.sh\`

Run $(date -u +%Y-%m-%dT%H:%M:%SZ) with \`N=$N DURATION=$DURATION CONNS=$CONNS bench/heartbeat.sh\`.
$(machine_info)
- Noise: before pgbench: $N0; after pgbench: $N1; before wrk: $N2; after wrk: $N3 → **$(noise_verdict "$N0 $N1 $N2 $N3")**

| figure | value | target |
|---|---|---|
| heartbeats/s (wrk, $N agents cycled, -t2 -c$CONNS, ${DURATION} s, after a 10 s warm-up) | **$RPS** | |
| latency p50 / p90 / p99 / max (ms) | $P50 / $P90 / **$P99** / $MAX | p99 ≤ 10 ms: $(ok "$P99 <= 10") |
| errors (socket + non-2xx) | $ERRS (non-2xx: $NON2XX) | 0: $(ok "$ERRS == 0") |
| pgbench one-row UPDATE, 10,000-row table, \`-M $PGB_MODE -c32 -j2 -T$DURATION\` | $PGB_TPS TPS (avg latency $PGB_LAT ms) | |
| ratio heartbeats/s ÷ pgbench TPS | **$RATIO** | ≥ 1.0: $(ok "$RATIO >= 1.0") |
| ares_heartbeats_total after the run (warm-up + run) | $written | |
| agents turned UNRESPONSIVE during the run | $status_events | 0 |

Commands: \`$PGB_CMD\` with \`$(tr '\n' ' ' <"$OUT/pgb_update.sql")\`; \`$WRK_CMD\` (agents registered with
\`heartbeat_interval_seconds=3600\`, inserted by SQL with known tokens, or with \`REGISTER=api\` through the API by
\`bench/Register.java\`; the Lua script \`bench/heartbeat.lua\` cycles through their ids and tokens).
pgbench runs while the app is stopped (PostgreSQL alone on the machine); wrk, the app and PostgreSQL share the 2 cores.
MD
write_section heartbeat "$OUT/section-hb.md"
