-- etcd v3 puts through its JSON gateway, every request to a distinct key.
--
--   BENCH_RUN=<tag> ETCD_PUT_PATH=/v3/kv/put wrk -c64 -s etcd_put.lua http://127.0.0.1:2379
--
-- POST <ETCD_PUT_PATH> {"key": base64("w/<run>/<thread>/<n>"), "value": base64(payload)}:
-- the same keys and the same stored bytes as kv_write.lua. etcd replies 200 after the
-- entry is committed to its WAL (fsynced, default settings).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local report = require("report")
local payload = require("payload")

local put_path = os.getenv("ETCD_PUT_PATH") or "/v3/kv/put"
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

local function base64(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1 = math.floor(n / 262144) % 64
    local c2 = math.floor(n / 4096) % 64
    local c3 = math.floor(n / 64) % 64
    local c4 = n % 64
    out[#out + 1] = alphabet:sub(c1 + 1, c1 + 1) .. alphabet:sub(c2 + 1, c2 + 1)
      .. (b and alphabet:sub(c3 + 1, c3 + 1) or "=")
      .. (c and alphabet:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

local key_prefix, head, value_part
local counter = 0

function setup(thread)
  report.number_thread(thread)
end

function init(_)
  key_prefix = "w/" .. run .. "/" .. (thread_id or 0) .. "/"
  head = "POST " .. put_path .. " HTTP/1.1\r\nHost: " .. wrk.host .. ":" .. wrk.port ..
    "\r\nContent-Type: application/json\r\nContent-Length: "
  value_part = '","value":"' .. base64(payload.value) .. '"}'
end

function request()
  counter = counter + 1
  local body = '{"key":"' .. base64(key_prefix .. counter) .. value_part
  return head .. #body .. "\r\n\r\n" .. body
end

done = report.done
