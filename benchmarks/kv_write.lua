-- Durable KV v1 writes, every request to a distinct key.
--
--   COFFER_TOKEN=<token> BENCH_RUN=<tag> wrk -c64 -s kv_write.lua http://127.0.0.1:8200
--
-- PUT /v1/secret/w/<run>/<thread>/<n> with a fixed ~60-byte JSON object. Keys never
-- repeat within a run (per-thread counter) nor across runs (BENCH_RUN), so every request
-- inserts a new row. Coffer answers (204 for KV v1) only after the write is fsynced.
-- BENCH_MOUNT and BENCH_KV_VERSION (payload.lua) select another mount or KV v2.
-- BENCH_KEY_SPACE=N makes each thread cycle over N keys instead (overwrites after the
-- first N), so the store stops growing during the run.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
local payload = require("payload")

local token = os.getenv("COFFER_TOKEN") or "root"
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local prefix, suffix
local counter = 0
local key_space = tonumber(os.getenv("BENCH_KEY_SPACE") or "0")

function setup(thread)
  report.number_thread(thread)
end

function init(_)
  prefix = "PUT " .. payload.path("w/" .. run .. "/" .. (thread_id or 0) .. "/")
  suffix = " HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
    "\r\nX-Vault-Token: " .. token ..
    "\r\nContent-Type: application/json\r\nContent-Length: " .. #payload.body ..
    "\r\n\r\n" .. payload.body
end

function request()
  counter = counter + 1
  if key_space > 0 and counter > key_space then counter = 1 end
  return prefix .. counter .. suffix
end

done = report.done
