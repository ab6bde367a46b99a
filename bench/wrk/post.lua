-- POST /metadatas with a new slug on every request; BENCH_IDEMPOTENCY=1 sends a new Idempotency-Key too.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local keyed = os.getenv("BENCH_IDEMPOTENCY") == "1"
local counter = 0

function request()
  counter = counter + 1
  local slug = string.format("bench-%s-%d-%d", run, thread_id or 0, counter)
  local body = '{"owner":"BenchOwner","title":{"en":"Bench resource ' .. counter .. '","fr":"Ressource"},' ..
    '"slug":"' .. slug .. '","type":"bench","data":{"n":' .. counter .. '}}'
  if keyed then wrk.headers["Idempotency-Key"] = "key-" .. slug end
  return wrk.format(nil, "/metadatas", nil, body)
end
