-- Writes the keys kv_read.lua reads, then stops.
--
--   COFFER_TOKEN=<token> BENCH_KEYS=1000 wrk -t1 -c8 -d5s -s kv_populate.lua http://127.0.0.1:8200
--
-- PUTs /v1/secret/bench/key-<i> (or its BENCH_MOUNT / BENCH_KV_VERSION equivalent,
-- see payload.lua) for i in [0, BENCH_KEYS) (a few more when connections
-- race at the end; those rewrite existing keys with the same value) and stops the thread
-- once BENCH_KEYS writes have been acknowledged. wrk itself still waits out its -d, so
-- give a -d long enough for the writes and check the output. Use one thread: the counters
-- are per thread. Prints "POPULATED written=<n> failed=<n>".
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local payload = require("payload")

local token = os.getenv("COFFER_TOKEN") or "root"
local key_count = tonumber(os.getenv("BENCH_KEYS") or "1000")
local threads = {}
local sent = 0
-- Globals, not locals: done() reads them from each thread with thread:get().
acknowledged, failed = 0, 0

function setup(thread)
  table.insert(threads, thread)
end

function init(_)
  wrk.method = "PUT"
  wrk.body = payload.body
  wrk.headers["X-Vault-Token"] = token
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  local path = payload.path("bench/key-" .. (sent % key_count))
  sent = sent + 1
  return wrk.format(nil, path)
end

function response(status, _, _)
  if status == 204 or status == 200 then
    acknowledged = acknowledged + 1
  else
    failed = failed + 1
  end
  if acknowledged + failed >= key_count then
    wrk.thread:stop()
  end
end

function done(_, _, _)
  local written, failures = 0, 0
  for _, thread in ipairs(threads) do
    written = written + thread:get("acknowledged")
    failures = failures + thread:get("failed")
  end
  io.write(string.format("POPULATED written=%d failed=%d\n", written, failures))
end
