#!/usr/bin/env bash
# Shared helpers of the ARES benchmarks (sourced by the bench/*.sh scripts).
# Every helper only touches processes this script started (by PID) and the databases named ares_bench*.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
OUT="${BENCH_OUT:-$ROOT/target/bench}"
PGHOST="${PGHOST:-127.0.0.1}"
PGPORT="${PGPORT:-5432}"
PGUSER="${PGUSER:-postgres}"
export PGHOST PGPORT PGUSER
mkdir -p "$OUT"
# The apps this script started, one PID per line: a file, because start_app runs in $(…) subshells.
APP_PIDFILE="$OUT/app-pids.$$"
: >"$APP_PIDFILE"
app_pids() { cat "$APP_PIDFILE" 2>/dev/null; }
# APP_HOME: where the packaged app lives (default this worktree; a scratch copy for experiments).
APP_HOME="${APP_HOME:-$ROOT}"
# MGMT_PORT: the management port (health and metrics, SPEC §6) of the app start_app starts (default 9000, Quarkus'
# default); a script running two apps gives the second its own (start_app … QUARKUS_MANAGEMENT_PORT=N).
MGMT_PORT="${MGMT_PORT:-9000}"
# BENCH_LABEL: when set, results go to a separate section "<key>-<label>" (e.g. a run of a patched scratch copy).
BENCH_LABEL="${BENCH_LABEL:-}"

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# Packages the app unless SKIP_BUILD=1 (or the jar is newer than every source file).
build_app() {
  if [[ "$APP_HOME" != "$ROOT" ]]; then
    log "APP_HOME=$APP_HOME: using its packaged app as is"
    return
  fi
  if [[ "${SKIP_BUILD:-0}" == 1 && -f "$ROOT/target/quarkus-app/quarkus-run.jar" ]]; then
    log "SKIP_BUILD=1: using the existing target/quarkus-app"
    return
  fi
  log "packaging (./mvnw -q -B package -DskipTests)"
  (cd "$ROOT" && ./mvnw -q -B package -DskipTests) >"$OUT/build.log" 2>&1 || { cat "$OUT/build.log"; exit 1; }
}

# fresh_db NAME: drops and recreates a benchmark database (names must start with ares_bench).
fresh_db() {
  local db="$1"
  [[ "$db" == ares_bench* ]] || { echo "refusing to recreate $db" >&2; exit 1; }
  psql -q -d postgres -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
  dropdb --if-exists "$db"
  createdb "$db"
}

# start_app PORT DB [VAR=VALUE ...]: starts the packaged app in the background, waits until ready. Its management
# interface listens on $MGMT_PORT unless a QUARKUS_MANAGEMENT_PORT=N argument names another.
start_app() {
  local port="$1" db="$2"; shift 2
  local logf="$OUT/app-$port.log" mport="$MGMT_PORT" a
  for a in "$@"; do [[ "$a" == QUARKUS_MANAGEMENT_PORT=* ]] && mport="${a#*=}"; done
  env QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PGHOST:$PGPORT/$db" \
      QUARKUS_DATASOURCE_USERNAME=postgres QUARKUS_DATASOURCE_PASSWORD=postgres \
      ARES_ADMIN_PASSWORD=admin ARES_REGISTRATION_PER_ADDRESS_PER_MINUTE=0 QUARKUS_HTTP_PORT="$port" QUARKUS_MANAGEMENT_PORT="$mport" "$@" \
      java ${APP_JAVA_OPTS:--Xmx512m} -jar "$APP_HOME/target/quarkus-app/quarkus-run.jar" >"$logf" 2>&1 &
  local pid=$!
  echo "$pid" >>"$APP_PIDFILE"
  for _ in $(seq 1 120); do
    if curl -sf "$(management_url "$mport")/health/ready" >/dev/null 2>&1; then
      log "app on :$port ready (pid $pid; management :$mport)"
      echo "$pid"
      return
    fi
    kill -0 "$pid" 2>/dev/null || { cat "$logf" >&2; echo "app on :$port died" >&2; exit 1; }
    sleep 0.5
  done
  echo "app on :$port not ready after 60 s" >&2; tail -50 "$logf" >&2; exit 1
}

# management_url [MGMT_PORT]: the root of an app's management interface (/q/health, /q/metrics live there, not on
# the public port).
management_url() { echo "http://127.0.0.1:${1:-$MGMT_PORT}/q"; }

stop_app() {
  local pid="$1"
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  fi
}

stop_all_apps() {
  for p in $(app_pids); do stop_app "$p"; done
  rm -f "$APP_PIDFILE"
}

# PostgreSQL as production runs it: autovacuum on. The CI machine's server runs with autovacuum off (its conf.d), under
# which the rows the engine updates many times a second (agents' leases, capacity, scores) pile up dead versions for
# the whole run and every index probe walks them. AUTOVACUUM=asis keeps the server's setting; otherwise it is turned
# on (ALTER SYSTEM + reload) for the run and put back by pg_settings_restore (call it from the exit trap). Run the
# benchmarks one at a time (flock): two runs would both change and restore the server's setting.
PG_AV_CHANGED=0
pg_production_settings() {
  [[ "${AUTOVACUUM:-on}" == asis ]] && return 0
  if [[ "$(psql -tAq -d postgres -c 'SHOW autovacuum')" != on ]]; then
    # Where "off" came from decides how it is put back: an ALTER SYSTEM setting is set again, a file's is reset to.
    PG_AV_FROM_AUTO_CONF="$(psql -tAq -d postgres -c "SELECT coalesce(sourcefile, '') LIKE '%postgresql.auto.conf' FROM pg_settings WHERE name = 'autovacuum'")"
    psql -tAq -d postgres -c "ALTER SYSTEM SET autovacuum = on" -c "SELECT pg_reload_conf()" >/dev/null
    PG_AV_CHANGED=1
    sleep 1
    log "autovacuum turned on for this run (was off; put back at exit)"
  fi
}
pg_settings_restore() {
  if [[ "$PG_AV_CHANGED" == 1 ]]; then
    if [[ "${PG_AV_FROM_AUTO_CONF:-f}" == t ]]; then
      psql -tAq -d postgres -c "ALTER SYSTEM SET autovacuum = off" -c "SELECT pg_reload_conf()" >/dev/null || true
    else
      psql -tAq -d postgres -c "ALTER SYSTEM RESET autovacuum" -c "SELECT pg_reload_conf()" >/dev/null || true
    fi
    PG_AV_CHANGED=0
  fi
}

# The machine, for the record.
machine_info() {
  local jvm pg
  jvm="$(java -version 2>&1 | sed -n 2p)"
  pg="$(psql -tAq -d postgres -c 'SHOW server_version')"
  echo "- Machine: \`nproc\` = $(nproc), memory $(free -g | awk '/Mem:/{print $2}') GiB total / $(free -g | awk '/Mem:/{print $7}') GiB available (\`free -g\`), $(uname -sr)"
  echo "- PostgreSQL $pg on 127.0.0.1:5432 (max_connections $(psql -tAq -d postgres -c 'SHOW max_connections'), shared_buffers $(psql -tAq -d postgres -c 'SHOW shared_buffers'), synchronous_commit $(psql -tAq -d postgres -c 'SHOW synchronous_commit'), autovacuum $(psql -tAq -d postgres -c 'SHOW autovacuum'))"
  echo "- JVM: $jvm, app heap ${APP_JAVA_OPTS:--Xmx512m}; app built from commit $(git -C "$ROOT" rev-parse --short HEAD) ($(git -C "$ROOT" rev-parse --abbrev-ref HEAD))${BENCH_LABEL:+, variant $BENCH_LABEL from $APP_HOME}"
}

# Load average plus other people's heavy processes (Maven, surefire, other javas) right now.
noise_snapshot() {
  local la others
  la="$(cut -d' ' -f1-3 /proc/loadavg)"
  others="$(ps -eo pid=,pcpu=,args= | awk -v mine=" $(app_pids | tr '\n' ' ') " '
      $3 ~ /java|mvn/ && index(mine, " " $1 " ") == 0 && $0 !~ /SessionLoad|Register|Detect|awk/ {printf "%s(%s%%) ", ($0 ~ /maven|mvn|plexus/ ? "maven" : ($0 ~ /surefire|failsafe/ ? "surefire" : "java")), $2}')"
  echo "load ${la}; other JVMs: ${others:-none}"
}

# Noise verdict from the loadavg/other-JVM snapshots taken around a measurement.
noise_verdict() {
  if grep -qE 'maven|surefire|java\(' <<<"$*"; then echo "NOISY (other engineers' JVMs were running)"; else echo "quiet"; fi
}

# write_section KEY FILE: replaces (or appends) the block between the markers of KEY in bench/results/benchmarks-history.md (raw runs; BENCHMARKS.md keeps the current figures).
write_section() {
  local key="$1" file="$2" md="$ROOT/bench/results/benchmarks-history.md"
  [[ -f "$md" ]] || printf '# ARES benchmarks\n\nEach section below is written by the script it names (bench/*.sh); re-running a script replaces its section.\n' >"$md"
  python3 - "$md" "$key" "$file" "$BENCH_LABEL" "$APP_HOME" <<'PY'
import sys, re
md, key, f, label, home = sys.argv[1:]
body = open(f).read().rstrip("\n")
if label:
    key = key + "-" + label
    first, _, rest = body.partition("\n")
    body = first + " — variant \"%s\" (app from %s, NOT the branch's code)\n%s" % (label, home, rest)
text = open(md).read()
block = "<!-- BEGIN %s -->\n%s\n<!-- END %s -->" % (key, body, key)
pat = re.compile(r"<!-- BEGIN %s -->.*?<!-- END %s -->" % (re.escape(key), re.escape(key)), re.S)
text = pat.sub(lambda m: block, text) if pat.search(text) else text.rstrip("\n") + "\n\n" + block + "\n"
open(md, "w").write(text)
PY
  log "bench/results/benchmarks-history.md section '$key${BENCH_LABEL:+-$BENCH_LABEL}' written"
}

# run_pgbench CLIENTS SECONDS SCRIPT DB NAME: pgbench with the app stopped; sets PGB_CMD, PGB_TPS, PGB_LAT.
run_pgbench() {
  local clients="$1" secs="$2" script="$3" db="$4" name="$5"
  PGB_CMD="pgbench -n -M ${PGB_MODE:-prepared} -c$clients -j2 -T$secs -f $script $db"
  log "$PGB_CMD"
  $PGB_CMD >"$OUT/pgbench-$name.txt" 2>&1
  PGB_TPS="$(awk '/^tps = /{printf "%.0f", $3}' "$OUT/pgbench-$name.txt")"
  PGB_LAT="$(awk '/latency average/{print $4}' "$OUT/pgbench-$name.txt")"
  log "pgbench: $PGB_TPS TPS (latency avg $PGB_LAT ms)"
}

# psql one value from a database.
q() { psql -tAq -d "$1" -c "$2"; }

# --- profiling helpers ------------------------------------------------------------------------------------
# CPU seconds (user+system) used so far by a PID (0 when gone).
cpu_secs() {
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat" 2>/dev/null || echo 0
}
# CPU seconds of every postgres process right now (backends come and go; the pool's are long-lived).
pg_cpu_secs() {
  local hz; hz="$(getconf CLK_TCK)"
  # A backend (an autovacuum worker) may exit between pgrep and the read: skip it, whatever its place in the list
  # (a failed read as the loop's last command failed the whole pipeline, and with it the run).
  for p in $(pgrep -x postgres); do awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || true; done | awk -v hz="$hz" '{s += $1} END {print s / hz}'
}
# Whole-machine busy CPU seconds (all processes), from /proc/stat.
machine_busy_secs() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu /{print ($2 + $3 + $4 + $7 + $8) / hz}' /proc/stat
}

# pg_sampler_start DB FILE: samples pg_stat_activity of DB every 0.2 s in the background (what backends wait on),
# over one psql session (\watch): a new psql and backend per sample cost the machine ≈ 0.1 core.
pg_sampler_start() {
  local db="$1" f="$2"
  : >"$f"
  printf '%s \\watch 0.2\n' "SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, 'CPU') ELSE state END,
        regexp_replace(left(query, 70), '\s+', ' ', 'g') FROM pg_stat_activity
        WHERE datname = '$db' AND state <> 'idle' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" >"$f.sql"
  psql -tAq -F'|' -d postgres -f "$f.sql" >>"$f" 2>/dev/null &
  PG_SAMPLER=$!
}
pg_sampler_stop() { [[ -n "${PG_SAMPLER:-}" ]] && kill "$PG_SAMPLER" 2>/dev/null; wait "$PG_SAMPLER" 2>/dev/null || true; PG_SAMPLER=; }
# Summary of a sampler file: the top states/wait events and the top statements seen active.
pg_sampler_report() {
  local f="$1" n
  sed -i '/^$/d' "$f"
  n="$(wc -l <"$f")"
  echo "pg_stat_activity samples (every 0.2 s, non-idle client backends of the database): $n backend-samples"
  echo
  echo "| state / wait event | share |"; echo "|---|---|"
  cut -d'|' -f1 "$f" | sort | uniq -c | sort -rn | head -8 | awk -v n="$n" '{c=$1; $1=""; printf "| %s | %.0f %% |\n", substr($0,2), 100*c/n}'
  echo
  echo "| statement (first 70 chars) | share |"; echo "|---|---|"
  cut -d'|' -f2- "$f" | sed 's/|/\\|/g' | sort | uniq -c | sort -rn | head -10 | awk -v n="$n" '{c=$1; $1=""; printf "| `%s` | %.0f %% |\n", substr($0,2), 100*c/n}'
}

# Busy share of the machine (0..1) over the next $1 seconds, from /proc/stat.
busy_share() {
  local a b
  a=($(awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6}' /proc/stat)); sleep "${1:-1}"
  b=($(awk '/^cpu /{print $2+$3+$4+$7+$8, $5+$6}' /proc/stat))
  awk -v b="$((b[0]-a[0]))" -v i="$((b[1]-a[1]))" 'BEGIN {printf "%.2f", ((b + i) > 0 ? b / (b + i) : 0)}'
}

# wait_quiet [MAX_SECONDS]: waits (up to MAX, default $WAIT_QUIET or 90 s; WAIT_QUIET=0: never) until the machine has been < 15 % busy
# for 5 s in a row (other engineers' builds and tests are the noise). Prints how long it waited; never fails.
wait_quiet() {
  local max="${1:-${WAIT_QUIET:-90}}" start=$SECONDS calm=0 b
  [[ "$max" == 0 ]] && return 0
  while (( SECONDS - start < max )); do
    b="$(busy_share 1)"
    if awk -v b="$b" 'BEGIN {exit !(b < 0.15)}'; then calm=$((calm + 1)); else calm=0; fi
    if (( calm >= 5 )); then log "machine quiet (waited $((SECONDS - start)) s)"; return 0; fi
  done
  log "machine still busy after ${max} s; measuring anyway (the section says so)"
}

# event_log_checks DB [VALIDATED_IDS_FILE]: the event-log audit as a markdown table (and sets CHECK_FAILURES).
#  - no duplicated transition (entity_id, from_state, to_state);
#  - every entity's events form one chain (each from_state is the previous to_state; the first is a creation);
#  - every entity's current state is the to_state of its last event;
#  - every COMPLETED session has 3 + 5 × participants events (∅→INITIALIZING→IN_PROGRESS→COMPLETED; each
#    assignment ∅→PENDING→DELEGATED→ACKNOWLEDGED→SUBMITTED→VALIDATED);
#  - every verdict answered valid to an agent is VALIDATED in the database with its event (nothing lost);
#  - no agent has two UNRESPONSIVE transitions without a revival between, and every UNRESPONSIVE has exactly one
#    AGENT_UNRESPONSIVE incident.
event_log_checks() {
  local db="$1" ids="${2:-}" dups broken stale badcount lost told unresp incid
  dups="$(q "$db" "SELECT count(*) FROM (SELECT entity_id, from_state, to_state, count(*) FROM session_event GROUP BY 1,2,3 HAVING count(*) > 1) d")"
  broken="$(q "$db" "WITH e AS (SELECT entity_id, from_state, lag(to_state) OVER w AS prev_to, row_number() OVER w AS rn
    FROM session_event WHERE cause <> 'NO_REPLACEMENT' WINDOW w AS (PARTITION BY entity_id ORDER BY seq))
    SELECT count(*) FROM e WHERE (rn = 1 AND from_state IS NOT NULL) OR (rn > 1 AND from_state IS DISTINCT FROM prev_to)")"
  stale="$(q "$db" "WITH last AS (SELECT DISTINCT ON (entity_id) entity_id, to_state FROM session_event WHERE cause <> 'NO_REPLACEMENT' ORDER BY entity_id, seq DESC)
    SELECT (SELECT count(*) FROM assignment a LEFT JOIN last l ON l.entity_id = a.assignment_id WHERE l.to_state IS DISTINCT FROM a.state)
         + (SELECT count(*) FROM coordination_session s LEFT JOIN last l ON l.entity_id = s.session_id WHERE l.to_state IS DISTINCT FROM s.state)")"
  badcount="$(q "$db" "SELECT count(*) FROM coordination_session s WHERE s.state = 'COMPLETED' AND (SELECT count(*) FROM session_event e WHERE e.session_id = s.session_id) <> 3 + 5 * s.participants")"
  told=0; lost=0
  if [[ -n "$ids" && -f "$ids" ]]; then
    psql -q -d "$db" -c "CREATE TABLE IF NOT EXISTS bench_validated (assignment_id uuid)" -c "TRUNCATE bench_validated"
    grep -E '^[0-9a-f-]{36}$' "$ids" | psql -q -d "$db" -c "\copy bench_validated FROM STDIN"
    told="$(q "$db" "SELECT count(*) FROM bench_validated")"
    lost="$(q "$db" "SELECT count(*) FROM bench_validated v LEFT JOIN assignment a USING (assignment_id)
      WHERE a.state IS NULL OR a.validated_at IS NULL OR NOT EXISTS (SELECT 1 FROM session_event e WHERE e.session_id = a.session_id
        AND e.entity_id = a.assignment_id AND e.to_state = 'VALIDATED')")"
  fi
  unresp="$(q "$db" "WITH e AS (SELECT agent_id, to_status, lag(to_status) OVER (PARTITION BY agent_id ORDER BY seq) AS prev FROM agent_status_event)
    SELECT count(*) FROM e WHERE to_status = 'UNRESPONSIVE' AND prev = 'UNRESPONSIVE'")"
  incid="$(q "$db" "SELECT (SELECT count(*) FROM agent_status_event WHERE to_status = 'UNRESPONSIVE') || ' UNRESPONSIVE transitions / ' ||
    (SELECT count(*) FROM incident WHERE code = 'AGENT_UNRESPONSIVE') || ' AGENT_UNRESPONSIVE incidents'")"
  CHECK_FAILURES=$((dups + broken + stale + badcount + lost + unresp))
  echo "| check | result |"
  echo "|---|---|"
  echo "| duplicated transitions: \`SELECT entity_id, from_state, to_state, count(*) FROM session_event GROUP BY 1,2,3 HAVING count(*) > 1\` | **$dups** rows |"
  echo "| broken chains: an event whose \`from_state\` is not its entity's previous \`to_state\` (or a first event not from ∅) | **$broken** |"
  echo "| entities whose current state is not the \`to_state\` of their last event | **$stale** |"
  echo "| COMPLETED sessions without exactly 3 + 5 × participants events | **$badcount** |"
  echo "| verdicts answered \`overall_success: true\` to agents ($told) not VALIDATED in the database with their event | **$lost** |"
  echo "| agents with two UNRESPONSIVE transitions without a revival between | **$unresp** |"
  echo "| detections vs incidents | $incid |"
}

# pg_stat_statements, when the server preloads it (ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'
# and a restart; not needed otherwise): reset at the window's start, report per statement at its end.
pgss_available() { [[ "$(psql -tAq -d postgres -c "SHOW shared_preload_libraries" 2>/dev/null)" == *pg_stat_statements* ]]; }
pgss_reset() {
  pgss_available || return 0
  psql -tAq -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
}
# pgss_snapshot DB FILE: the statements of DB so far (query|calls|total ms), at the window's end.
pgss_snapshot() {
  local db="$1" f="$2"
  : >"$f"
  pgss_available || return 0
  psql -tAq -F'|' -d postgres -c "SELECT regexp_replace(left(query, 80), '[\s|]+', ' ', 'g'), calls, round(total_exec_time::numeric, 1)
      FROM pg_stat_statements p JOIN pg_database d ON d.oid = p.dbid WHERE d.datname = '$db' ORDER BY total_exec_time DESC" >"$f"
}
# pgss_report FILE UNITS UNIT: that snapshot by execution time (lock waits included), with calls per UNIT.
pgss_report() {
  local f="$1" units="$2" unit="$3"
  [[ -s "$f" ]] || { echo "(pg_stat_statements not preloaded: no per-statement figures)"; return 0; }
  echo "Statements in the window by PostgreSQL execution time (pg_stat_statements, lock waits included; ${units} ${unit}s):"
  echo
  echo "| statement (first 80 chars) | calls | per $unit | total ms | mean ms | share of time |"; echo "|---|---|---|---|---|---|"
  awk -F'|' -v u="$units" '{t[NR]=$3; tot+=$3; q[NR]=$1; c[NR]=$2; calls+=$2} END {
      for (i = 1; i <= NR && i <= 14; i++)
        printf "| `%s` | %d | %.2f | %.0f | %.3f | %.1f %% |\n", q[i], c[i], c[i] / (u > 0 ? u : 1), t[i], t[i] / (c[i] > 0 ? c[i] : 1), 100 * t[i] / (tot > 0 ? tot : 1);
      printf "\nAll statements: %d calls (%.1f per '"$unit"'), %.0f ms of execution (%.2f ms per '"$unit"').\n", calls, calls / (u > 0 ? u : 1), tot, tot / (u > 0 ? u : 1) }' "$f"
}
