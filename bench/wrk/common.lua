-- Shared by every bench script: the token, the Accept header, and a machine-readable summary.
local token = os.getenv("BENCH_TOKEN") or error("BENCH_TOKEN is not set")
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
-- BENCH_CONNECTION=close: a new connection for every request (what gunicorn's sync workers do anyway);
-- keepalive (default): requests follow one another on a connection, as pooled HTTP clients send them.
if os.getenv("BENCH_CONNECTION") == "close" then wrk.headers["Connection"] = "close" end

function lines_of(path)
  local items = {}
  for line in io.lines(path) do
    if line ~= "" then items[#items + 1] = line end
  end
  return items
end

local thread_count = 0
function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"status_errors":%d,"socket_errors":%d,' ..
    '"p50_us":%d,"p99_us":%d,"mean_us":%.1f}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
