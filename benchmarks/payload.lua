-- What the write scenarios store and where the KV scripts read and write.
--
--   BENCH_MOUNT       the KV mount, default "secret"
--   BENCH_KV_VERSION  1 (default) or 2: KV v2 paths take "data/" after the mount and
--                     write bodies are wrapped as {"data": ...}
--
-- `value` is the secret every write stores (Coffer's PUT body and etcd's value), so all
-- servers persist the same bytes; its shape matches the baseline server's `data` object.
local mount = os.getenv("BENCH_MOUNT") or "secret"
local version2 = os.getenv("BENCH_KV_VERSION") == "2"
local value = '{"username":"bench","password":"correct-horse-battery-staple"}'

return {
  value = value,
  -- The request body of a KV write.
  body = version2 and ('{"data":' .. value .. '}') or value,
  -- The HTTP path of the secret at `relative` (no leading slash) in the KV mount.
  path = function(relative)
    return "/v1/" .. mount .. "/" .. (version2 and "data/" or "") .. relative
  end,
}
