-- Authenticated KV v1 reads spread uniformly over pre-populated keys.
--
--   COFFER_TOKEN=<token> BENCH_KEYS=1000 wrk -s kv_read.lua http://127.0.0.1:8200
--
-- Reads GET /v1/secret/bench/key-<i> for random i in [0, BENCH_KEYS) with
-- X-Vault-Token. The same script drives the baseline server, which ignores the token.
-- BENCH_MOUNT and BENCH_KV_VERSION (payload.lua) select another mount or KV v2 paths.
-- Requests are pre-built in init() so the load generator spends as little CPU as possible
-- (it shares the machine with the server).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
local payload = require("payload")

local token = os.getenv("COFFER_TOKEN") or "root"
local key_count = tonumber(os.getenv("BENCH_KEYS") or "1000")
local requests = {}

function setup(thread)
  report.number_thread(thread)
end

function init(_)
  math.randomseed(os.time() + (thread_id or 0) * 7919)
  wrk.headers["X-Vault-Token"] = token
  for i = 0, key_count - 1 do
    requests[i + 1] = wrk.format("GET", payload.path("bench/key-" .. i))
  end
end

function request()
  return requests[math.random(key_count)]
end

done = report.done
