#!/usr/bin/env bash
# Console page benchmark (issue 6): 10,000 agents and 100,000 sessions (bench/explain-load.sql, straight into the
# migrated schema), then every console page requested N times in turn by an operator (HTTP Basic) with curl;
# p50/p95/max of the full response time per page. Writes the "console" section of bench/results/benchmarks-history.md.
#   N=100 bench/console.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DB=ares_bench_console; PORT="${PORT:-8094}"; N="${N:-100}"; AGENTS="${AGENTS:-10000}"; SESSIONS="${SESSIONS:-100000}"
trap 'stop_all_apps; pg_settings_restore' EXIT
cd "$ROOT"
build_app
pg_production_settings
N0="$(noise_snapshot)"
fresh_db "$DB"
APP="$(start_app "$PORT" "$DB")"; stop_app "$APP"       # Flyway migrates the schema
t0=$SECONDS
# Agents 1..AGENTS, sessions 1..SESSIONS (the loader numbers both from the same range; agents beyond AGENTS are removed).
psql -q -d "$DB" -v alo=1 -v ahi="$SESSIONS" -v slo=1 -v shi="$SESSIONS" -f bench/explain-load.sql
psql -q -d "$DB" -c "VACUUM ANALYZE"
LOAD_S=$((SECONDS - t0))
SIZES="$(q "$DB" "SELECT (SELECT count(*) FROM agent) || ' agents, ' || (SELECT count(*) FROM coordination_session) || ' sessions, ' || (SELECT count(*) FROM assignment) || ' assignments, ' || (SELECT count(*) FROM session_event) || ' events'")"
APP="$(start_app "$PORT" "$DB")"
B="http://127.0.0.1:$PORT"
SID="$(q "$DB" "SELECT session_id FROM coordination_session ORDER BY created_at DESC OFFSET 17 LIMIT 1")"
AID="$(q "$DB" "SELECT agent_id FROM agent ORDER BY agent_id OFFSET 4242 LIMIT 1")"
PAGES=("/console" "/console/sessions" "/console/sessions?state=COMPLETED&page=3" "/console/sessions/$SID"
       "/console/agents" "/console/agents?status=ACTIVE&page=10" "/console/agents/$AID" "/console/fragments/dashboard")
for p in "${PAGES[@]}"; do for _ in 1 2 3 4 5; do curl -s -o /dev/null -u admin:admin "$B$p"; done; done   # warm-up
N1="$(noise_snapshot)"
TABLE="$OUT/console-table.md"
echo "| page | status | p50 ms | p95 ms | max ms | bytes |" >"$TABLE"
echo "|---|---|---|---|---|---|" >>"$TABLE"
for p in "${PAGES[@]}"; do
  times="$OUT/console-times.txt"; : >"$times"
  code=""; size=""
  for _ in $(seq 1 "$N"); do
    read -r code t size < <(curl -s -o /dev/null -u admin:admin -w '%{http_code} %{time_total} %{size_download}\n' "$B$p")
    echo "$t" >>"$times"
  done
  stats="$(sort -n "$times" | awk '{a[NR]=$1*1000} END {printf "%.1f | %.1f | %.1f", a[int(NR*0.5+0.5)], a[int(NR*0.95+0.5)], a[NR]}')"
  ID='{id}'; shown="${p//$SID/$ID}"; shown="${shown//$AID/$ID}"
  echo "| \`$shown\` | $code | $stats | $size |" >>"$TABLE"
done
N2="$(noise_snapshot)"
SECTION="$OUT/console-section.md"
{
  echo "## Console pages (issue 6) — \`bench/console.sh\`"
  echo
  echo "Run $(date -u +%FT%TZ) with \`N=$N bench/console.sh\`: $SIZES (loaded by SQL in ${LOAD_S} s), then each page"
  echo "requested $N times in a row by one operator client (curl, HTTP Basic, after 5 warm-up requests each)."
  machine_info
  echo "- Noise: before: $N0; during: $N1; after: $N2 → **$(noise_verdict "$N1 $N2")**"
  echo
  cat "$TABLE"
  echo
  echo "Target: p95 ≤ 100 ms for every page at 100,000 sessions and 10,000 agents (here: as many agents as sessions)."
} >"$SECTION"
write_section console "$SECTION"
