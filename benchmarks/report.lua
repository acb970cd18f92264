-- Shared by the benchmark scripts: one machine-readable line per wrk run.
--
--   RESULT rps=<req/s> requests=<n> seconds=<s> p50_ms=<ms> p99_ms=<ms> max_ms=<ms> errors=<n> non2xx=<n>
--
-- `errors` counts connect/read/write/timeout errors; `non2xx` counts responses with
-- status > 399 (wrk's own definition). run.sh treats either being non-zero as a failed run.
local report = {}

function report.done(summary, latency, _)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "RESULT rps=%.1f requests=%d seconds=%.2f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests / seconds, summary.requests, seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    e.connect + e.read + e.write + e.timeout, e.status))
end

-- Gives every wrk thread a distinct small integer `thread_id` (call from setup()).
local next_id = 0
function report.number_thread(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

return report
