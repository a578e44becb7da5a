#!/usr/bin/env bash
# Detection benchmark (issue 4): N agents heartbeat (heartbeat_interval_seconds=1, tolerance 3: a 3 s lease) driven
# by wrk cycling through them; STOP_PCT % of them stop STOP_AFTER seconds in. Measures detection latency (lease
# expiry → UNRESPONSIVE, from agent_status_event.at and the agent's last lease, and the app's
# ares_detection_latency_seconds histogram), live agents wrongly detected, and — with a side fleet of COMP sessions
# whose third participant holds acknowledged work and stops at the same moment — the time from that detection to the
# compensation order reaching the waiting long-poll of a validated peer. Writes the "detection" section.
#   bench/detection.sh
#   N=10000 STOP_PCT=1 COMP=20 STOP_AFTER=25 AFTER=15 SKIP_BUILD=1 bench/detection.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
N="${N:-10000}"; STOP_PCT="${STOP_PCT:-1}"; COMP="${COMP:-20}"; STOP_AFTER="${STOP_AFTER:-25}"; AFTER="${AFTER:-15}"
CONNS="${CONNS:-32}"; PORT="${PORT:-8090}"; DB=ares_bench
trap 'stop_all_apps; pg_settings_restore' EXIT
cd "$ROOT"
build_app
pg_production_settings
wait_quiet
N0="$(noise_snapshot)"
fresh_db "$DB"
APP="$(start_app "$PORT" "$DB")"
# The N heartbeating agents are inserted straight into the table (registration is not what is measured here), with
# tokens 'dtok-<n>' hashed as the app does (SHA-256 of the UTF-8 bytes) and a first lease 60 s ahead.
EVERY=$((100 / STOP_PCT))
psql -q -d "$DB" <<SQL
INSERT INTO agent (agent_id, name, capabilities, heartbeat_interval_seconds, max_concurrent_tasks, status, token_hash,
                   registered_at, lease_expires_at, reliability_score, open_assignments, status_changed_at)
SELECT 'd-' || g, 'd-' || g, ARRAY['det']::varchar[], 1, 4, 'ACTIVE', sha256(convert_to('dtok-' || g, 'UTF8')),
       now(), now() + interval '60 seconds', 0.5, 0, now()
FROM generate_series(1, $N) g;
INSERT INTO agent_status_event (agent_id, from_status, to_status, cause, actor, at)
SELECT agent_id, NULL, 'ACTIVE', 'REGISTERED', agent_id, now() FROM agent WHERE agent_id LIKE 'd-%';
ANALYZE agent;
SQL
awk -v n="$N" -v every="$EVERY" 'BEGIN { for (g = 1; g <= n; g++) printf "d-%d dtok-%d%s\n", g, g, (g % every == 0 ? " stop" : "") }' >"$OUT/agents-det.txt"
grep ' stop$' "$OUT/agents-det.txt" | cut -d' ' -f1 >"$OUT/det-stopped.txt"
# Side fleet: COMP holders (stop with the others) + 2 × COMP validated peers, lease 6 s, long-poll wait 2 s.
java bench/Register.java "http://127.0.0.1:$PORT" $((3 * COMP)) c- 2 comp "$OUT/agents-comp.txt" 16 1
head -n "$COMP" "$OUT/agents-comp.txt" | cut -d' ' -f1 >>"$OUT/det-stopped.txt"

START=$(date +%s); STOP_AT=$((START + STOP_AFTER)); DUR=$((STOP_AFTER + AFTER))
SL_CMD="java bench/SessionLoad.java mode=comp base=http://127.0.0.1:$PORT agents=$OUT/agents-comp.txt doomed=$COMP stop_at_epoch_ms=${STOP_AT}000 duration=$AFTER wait=2 out=$OUT/comp"
rm -f "$OUT/comp.ready"
$SL_CMD 2>"$OUT/comp.log" &
SL=$!
WRK_CMD="wrk -t2 -c$CONNS -d${DUR}s --latency -s bench/heartbeat.lua http://127.0.0.1:$PORT"
log "$WRK_CMD (STOP_AT=$STOP_AT: $(wc -l <"$OUT/det-stopped.txt") agents stop ${STOP_AFTER} s in)"
N1="$(noise_snapshot)"
AGENTS_FILE="$OUT/agents-det.txt" STOP_AT="$STOP_AT" $WRK_CMD >"$OUT/wrk-det.txt" 2>&1
WRK_END="$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)"   # after this every lease runs out: later detections are not counted
STEADY="$(date -u -d "@$((START + 10))" +%Y-%m-%dT%H:%M:%SZ)"
wait "$SL" || true
sleep 3
N2="$(noise_snapshot)"
curl -s "$(management_url)/metrics" >"$OUT/metrics-det.txt"
stop_app "$APP"
tail -20 "$OUT/comp.log" >&2
R="$(grep '^RESULT' "$OUT/wrk-det.txt")"
val() { sed -E "s/.* $1=([^ ]+).*/\1/" <<<" $R"; }
RPS="$(val rps)"; P99="$(val p99_ms)"
PERIOD="$(python3 -c "print(f'{$N/$RPS:.2f}')")"

psql -q -d "$DB" -c "CREATE TABLE bench_stopped (agent_id text PRIMARY KEY)" -c "\copy bench_stopped FROM '$OUT/det-stopped.txt'"
STOPPED="$(q "$DB" "SELECT count(*) FROM bench_stopped")"
lat_sql() { # percentiles of detection latency (ms) for agents matching $1
  q "$DB" "WITH d AS (SELECT extract(epoch FROM e.at - a.lease_expires_at) * 1000 AS ms FROM agent_status_event e
      JOIN agent a USING (agent_id) JOIN bench_stopped s USING (agent_id) WHERE e.to_status = 'UNRESPONSIVE' AND $1)
    SELECT count(*) || ' — ' || coalesce(round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric), -1) || ' / '
      || coalesce(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric), -1) || ' / ' || coalesce(round(max(ms)::numeric), -1) FROM d"
}
DET_ALL="$(lat_sql true)"; DET_HB="$(lat_sql "a.agent_id LIKE 'd-%'")"; DET_C="$(lat_sql "a.agent_id LIKE 'c-%'")"
DET_P99="$(q "$DB" "SELECT round(percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM e.at - a.lease_expires_at) * 1000)::numeric)
  FROM agent_status_event e JOIN agent a USING (agent_id) JOIN bench_stopped USING (agent_id) WHERE e.to_status = 'UNRESPONSIVE'")"
FALSE_AGENTS="$(q "$DB" "SELECT count(DISTINCT agent_id) || ' agents; ' || count(*) FILTER (WHERE at >= '$STEADY') || ' transitions from 10 s after the start on (warm-up excluded)'
  FROM agent_status_event WHERE to_status = 'UNRESPONSIVE' AND at < '$WRK_END' AND agent_id NOT IN (SELECT agent_id FROM bench_stopped)")"
MISSED="$(q "$DB" "SELECT count(*) FROM bench_stopped s JOIN agent a USING (agent_id) WHERE a.status <> 'UNRESPONSIVE'")"
HIST="$(python3 - "$OUT/metrics-det.txt" <<'PY'
import re, sys
b, cnt, tot, mx = [], 0, 0.0, 0.0
for l in open(sys.argv[1]):
    m = re.match(r'ares_detection_latency_seconds_bucket\{.*le="([^"]+)".*\}\s+([\d.eE+]+)', l)
    if m:
        b.append((float("inf") if m.group(1) == "+Inf" else float(m.group(1)), float(m.group(2))))
    elif l.startswith("ares_detection_latency_seconds_count"): cnt = float(l.split()[-1])
    elif l.startswith("ares_detection_latency_seconds_sum"): tot = float(l.split()[-1])
    elif l.startswith("ares_detection_latency_seconds_max"): mx = float(l.split()[-1])
b.sort()
def q(p):
    for le, c in b:
        if cnt and c >= p * cnt: return le
    return float("nan")
print("count %d, mean %.0f ms, p50 ≤ %.0f ms, p99 ≤ %.0f ms (bucket bounds), max %.0f ms" % (cnt, 1000 * tot / cnt if cnt else 0, 1000 * q(.5), 1000 * q(.99), 1000 * mx))
PY
)"
# Compensation: first order per session received by a peer, versus the detection of that session's holder.
psql -q -d "$DB" -c "CREATE TABLE bench_comp (assignment_id uuid, session_id uuid, agent_id text, received_us bigint, poll_start_us bigint, idem text)"
[[ -s "$OUT/comp-comp.csv" ]] && psql -q -d "$DB" -c "\copy bench_comp FROM '$OUT/comp-comp.csv' CSV"
COMP_ROWS="$(q "$DB" "WITH holder AS (
    SELECT x.session_id, min(e.at) AS detected FROM assignment x JOIN bench_stopped s ON s.agent_id = x.agent_id
    JOIN agent_status_event e ON e.agent_id = x.agent_id AND e.to_status = 'UNRESPONSIVE' GROUP BY x.session_id),
  first_order AS (SELECT DISTINCT ON (session_id) session_id, received_us, poll_start_us FROM bench_comp ORDER BY session_id, received_us),
  issued AS (SELECT DISTINCT ON (m.session_id) m.session_id, m.created_at, m.first_delivered_at FROM agent_message m
    WHERE m.type = 'compensation' ORDER BY m.session_id, m.message_id),
  d AS (SELECT extract(epoch FROM to_timestamp(f.received_us / 1e6) - h.detected) * 1000 AS to_agent,
               extract(epoch FROM i.created_at - h.detected) * 1000 AS to_order,
               extract(epoch FROM i.first_delivered_at - i.created_at) * 1000 AS order_to_delivery,
               f.poll_start_us < extract(epoch FROM h.detected) * 1e6 AS waiting
        FROM holder h JOIN first_order f USING (session_id) JOIN issued i USING (session_id))
  SELECT count(*) || ' (' || count(*) FILTER (WHERE waiting) || ' waiting before detection)|'
    || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY to_agent)::numeric) || ' / ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY to_agent)::numeric) || ' / ' || round(max(to_agent)::numeric) || '|'
    || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY to_order)::numeric) || ' / ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY to_order)::numeric) || '|'
    || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY order_to_delivery)::numeric, 1) || ' / ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY order_to_delivery)::numeric, 1) || '|'
    || coalesce(round(percentile_cont(0.99) WITHIN GROUP (ORDER BY to_agent)::numeric), -1) FROM d")"
IFS='|' read -r C_N C_AGENT C_ORDER C_DELIV C_P99 <<<"$COMP_ROWS"
C_N="${C_N:-0}"; C_P99="${C_P99:--1}"; DET_P99="${DET_P99:--1}"
SESS_STATES="$(q "$DB" "SELECT string_agg(state || ' ' || n, ', ') FROM (SELECT state, count(*) n FROM coordination_session GROUP BY 1) x")"
SWEEP="$(awk '/^ares_monitor_sweep_seconds_count/{c=$2} /^ares_monitor_sweep_seconds_sum/{s=$2} /^ares_monitor_sweep_seconds_max/{m=$2} END {printf "%d sweeps, mean %.0f ms, max %.0f ms", c, c ? 1000*s/c : 0, 1000*m}' "$OUT/metrics-det.txt")"
log "heartbeats $RPS/s (period per agent $PERIOD s); detection $DET_ALL; false: $FALSE_AGENTS; comp $COMP_ROWS"

ok() { python3 -c "print('met' if $1 else 'MISSED')"; }
cat >"$OUT/section-det.md" <<MD
## Failure detection and compensation (issue 4) — \`bench/detection.sh\`

Run $(date -u +%Y-%m-%dT%H:%M:%SZ) with \`N=$N STOP_PCT=$STOP_PCT COMP=$COMP STOP_AFTER=$STOP_AFTER AFTER=$AFTER bench/detection.sh\`.
$(machine_info)
- Noise: before: $N0; at the start of wrk: $N1; after: $N2 → **$(noise_verdict "$N0 $N1 $N2")**

$N agents (\`heartbeat_interval_seconds=1\`, default tolerance 3 → 3 s lease, inserted by SQL) heartbeat through wrk
(\`$WRK_CMD\`, cycling through them); ${STOP_PCT} % of them ($((N / EVERY))) stop ${STOP_AFTER} s in. Side fleet ($((3 * COMP)) agents
registered through the API, lease 6 s, long-poll \`wait_seconds=2\`): $COMP sessions of 3 named participants; two validate at
once, the third acks and holds its work, and stops at the same moment (\`$SL_CMD\`). Monitor: default 1 s interval.

| figure | value | target |
|---|---|---|
| heartbeats/s achieved (wrk, -c$CONNS), p99 latency | $RPS/s, p99 $P99 ms → each agent beaten every **$PERIOD s** on average | ≤ 1 s for a faithful 1 s interval |
| stopped agents / detected UNRESPONSIVE — p50 / p99 / max detection latency (ms), from the DB | $STOPPED / $DET_ALL | p99 ≤ 1250 ms: $(ok "$DET_P99 >= 0 and $DET_P99 <= 1250") |
| — the wrk agents (1 s interval): n — p50 / p99 / max (ms) | $DET_HB | |
| — the side-fleet holders (2 s interval): n — p50 / p99 / max (ms) | $DET_C | |
| stopped agents not detected by the end | $MISSED | 0 |
| live agents wrongly detected UNRESPONSIVE while wrk ran (their lease ran out between two beats) | $FALSE_AGENTS | 0 |
| app histogram \`ares_detection_latency_seconds\` (all detections: false ones and the ones after wrk ended included) | $HIST | |
| monitor (\`ares_monitor_sweep_seconds\`) | $SWEEP | |
| compensation sessions measured | $C_N | |
| detection of the holder → first compensation order received by a peer's long-poll: p50 / p99 / max (ms) | **$C_AGENT** | p99 ≤ 500 ms: $(ok "$C_P99 >= 0 and $C_P99 <= 500") |
| — detection → order written (server) p50 / p99 (ms); order written → first delivered p50 / p99 (ms) | $C_ORDER; $C_DELIV | |
| sessions by state after the run | $SESS_STATES | |

Detection latency is \`agent_status_event.at\` (UNRESPONSIVE) minus the agent's \`lease_expires_at\` (unchanged since its
last beat). The compensation latency joins the peers' receipts (wall clock, same machine) with the holder's detection.
MD
write_section detection "$OUT/section-det.md"
