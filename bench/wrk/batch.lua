-- POST /metadatas/batch with BENCH_BATCH_SIZE (default 100) creates, each with a new slug.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local run = os.getenv("BENCH_RUN_ID") or tostring(os.time())
local size = tonumber(os.getenv("BENCH_BATCH_SIZE") or "100")
local counter = 0

function request()
  counter = counter + 1
  local operations = {}
  for i = 1, size do
    local slug = string.format("batch-%s-%d-%d-%d", run, thread_id or 0, counter, i)
    operations[i] = '{"op":"create","body":{"owner":"BenchOwner","title":{"en":"Bench resource ' .. i ..
      '","fr":"Ressource"},"slug":"' .. slug .. '","type":"bench","data":{"n":' .. i .. '}}}'
  end
  return wrk.format(nil, "/metadatas/batch", nil, '{"operations":[' .. table.concat(operations, ",") .. ']}')
end
