-- POST /metadatas with a new slug on every request.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local counter = 0

function request()
  counter = counter + 1
  local slug = string.format("bench-%s-%d-%d", run, thread_id or 0, counter)
  local body = '{"owner":"BenchOwner","title":{"en":"Bench resource ' .. counter .. '","fr":"Ressource"},' ..
    '"slug":"' .. slug .. '","type":"bench","data":{"n":' .. counter .. '}}'
  return wrk.format(nil, "/metadatas", nil, body)
end
