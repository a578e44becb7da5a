-- wrk script: POST /api/v1/agents/{id}/heartbeat cycling through the agents of AGENTS_FILE ("id token [stop]" lines).
-- Each wrk thread starts at a different offset so that threads do not beat the same agents in lock step.
-- With STOP_AT (epoch seconds) set, agents whose line carries a third field "stop" are skipped from then on: they
-- stop heartbeating (bench/detection.sh).
local agents = {}
local counter = 0
local threads = {}
local stop_at = tonumber(os.getenv("STOP_AT") or "") or math.huge

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("AGENTS_FILE") or "target/bench/agents.txt"
  for line in io.lines(path) do
    local id, token, flag = line:match("^(%S+)%s+(%S+)%s*(%S*)$")
    if id then
      agents[#agents + 1] = { path = "/api/v1/agents/" .. id .. "/heartbeat", stop = (flag == "stop"),
                              headers = { ["Authorization"] = "Bearer " .. token, ["Content-Length"] = "0" } }
    end
  end
  counter = math.floor((tonumber(tid) or 0) * #agents / 2)
end

function request()
  local stopped = os.time() >= stop_at
  local a
  repeat
    counter = counter + 1
    a = agents[(counter % #agents) + 1]
  until not (stopped and a.stop)
  return wrk.format("POST", a.path, a.headers, nil)
end

-- Machine-readable summary for the bench scripts.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f mean_ms=%.3f " ..
    "connect_err=%d read_err=%d write_err=%d timeout_err=%d status_err=%d\n",
    summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000,
    e.connect, e.read, e.write, e.timeout, e.status))
end
