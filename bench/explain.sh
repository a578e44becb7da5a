#!/usr/bin/env bash
# EXPLAIN benchmark (issue 4): the monitor's queries (and the long-poll CLAIM, the heartbeat statement and the
# participant choice) at 10,000 and at 100,000 agents and sessions, loaded by bench/explain-load.sql straight into the
# schema the app migrated. The work due for the monitor is the same fixed handful at both sizes, so a query whose
# cost (shared buffers touched) grows from the first size to the second scans history rather than due work.
# Writes the "explain" section of bench/results/benchmarks-history.md.
#   bench/explain.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
DB=ares_bench2; PORT="${PORT:-8093}"; SMALL="${SMALL:-10000}"; LARGE="${LARGE:-100000}"
trap 'stop_all_apps; pg_settings_restore' EXIT
cd "$ROOT"
build_app
pg_production_settings
wait_quiet
N0="$(noise_snapshot)"
fresh_db "$DB"
APP="$(start_app "$PORT" "$DB")"   # Flyway migrates the schema
stop_app "$APP"

load() { # load agents and sessions numbered $1..$2
  local t0=$SECONDS
  psql -q -d "$DB" -v alo="$1" -v ahi="$2" -v slo="$1" -v shi="$2" -f bench/explain-load.sql
  psql -q -d "$DB" -c "VACUUM ANALYZE"
  log "loaded $1..$2 in $((SECONDS - t0)) s"
}
sizes() {
  q "$DB" "SELECT (SELECT count(*) FROM agent) || ' agents, ' || (SELECT count(*) FROM coordination_session) || ' sessions, '
    || (SELECT count(*) FROM assignment) || ' assignments, ' || (SELECT count(*) FROM agent_message) || ' messages, '
    || (SELECT count(*) FROM session_event) || ' events'"
}
load 1 "$SMALL"
S1="$(sizes)"
psql -q -d "$DB" -f bench/explain-queries.sql >"$OUT/explain-small.txt"
load $((SMALL + 1)) "$LARGE"
S2="$(sizes)"
psql -q -d "$DB" -f bench/explain-queries.sql >"$OUT/explain-large.txt"
N1="$(noise_snapshot)"

python3 - "$OUT/explain-small.txt" "$OUT/explain-large.txt" >"$OUT/explain-table.md" <<'PY'
import re, sys
def parse(path):
    blocks, name = {}, None
    for line in open(path):
        m = re.match(r"### (.*)", line)
        if m:
            name = m.group(1).strip(); blocks[name] = []
        elif name:
            blocks[name].append(line.rstrip("\n"))
    out = {}
    for name, lines in blocks.items():
        if name == "end":
            continue
        plan = [l for l in lines if l.strip() and not l.startswith("-") and "QUERY PLAN" not in l and not re.match(r"\(\d+ rows\)", l.strip()) and l.strip() not in ("BEGIN", "ROLLBACK")]
        buf = next((l for l in plan if "Buffers:" in l), "")
        hit = sum(int(x) for x in re.findall(r"(?:hit|read)=(\d+)", buf))
        ex = next((float(re.search(r"([\d.]+) ms", l).group(1)) for l in plan if "Execution Time" in l), float("nan"))
        scans = []
        for l in plan:
            m = re.search(r"(Seq Scan on \w+|Index Only Scan using \w+|Index Scan using \w+|Bitmap Index Scan on \w+|Function Scan)", l)
            if m and m.group(1) not in scans:
                scans.append(m.group(1))
        out[name] = dict(plan=plan, buffers=hit, ms=ex, scans=scans)
    return out
a, b = parse(sys.argv[1]), parse(sys.argv[2])
print("| query | buffers at small → large | execution ms at small → large | scans (large) |")
print("|---|---|---|---|")
for name in a:
    x, y = a[name], b.get(name)
    if not y:
        continue
    grow = y["buffers"] / max(1, x["buffers"])
    flag = " **grows ×%.1f**" % grow if grow > 2 else ""
    print("| %s | %d → %d%s | %.3f → %.3f | %s |" % (name, x["buffers"], y["buffers"], flag, x["ms"], y["ms"], ", ".join(y["scans"])))
print()
print("Key plan lines at the large size (scan nodes, limits, locks, execution time):")
print()
print("```")
for name, y in b.items():
    print("## " + name)
    for l in y["plan"]:
        if re.search(r"Scan|Limit|LockRows|Execution Time|Index Cond|Rows Removed|SubPlan|Hash Join|Nested Loop|Update on", l):
            print(l.rstrip()[:170])
print("```")
PY
cat >"$OUT/section-explain.md" <<MD
## Monitor queries at scale (issue 4) — \`bench/explain.sh\`

Run $(date -u +%Y-%m-%dT%H:%M:%SZ) with \`SMALL=$SMALL LARGE=$LARGE bench/explain.sh\`.
$(machine_info)
- Noise: before: $N0; after: $N1 → **$(noise_verdict "$N0 $N1")** (EXPLAIN buffers do not depend on noise; times do)

Data, loaded by \`bench/explain-load.sql\` (psql, straight into the migrated schema): small = $S1; large = $S2.
The work due for the monitor is the same at both sizes (10 expired leases, 10 + 10 assignments past their ack /
completion deadline, 5 sessions past their deadline, 20 exhausted compensation orders, no replacement due), so an
indexed sweep touches the same number of buffers at both sizes. Queries: \`bench/explain-queries.sql\` (copied from
SessionSweeps, DeliveryService.CLAIM_HEAD/CLAIM_TAIL, HeartbeatWriter.SQL and the SQL Hibernate renders for chooseByCapability),
\`EXPLAIN (ANALYZE, BUFFERS)\`, parameters as literals, writes rolled back. "Buffers" = shared hit + read of the top node.

$(cat "$OUT/explain-table.md")
MD
write_section explain "$OUT/section-explain.md"
