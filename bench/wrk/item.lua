-- GET /metadatas/{uuid} of a random resource of the bench tenant (uuids from BENCH_UUIDS).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local uuids = lines_of(os.getenv("BENCH_UUIDS"))

function request()
  return wrk.format("GET", "/metadatas/" .. uuids[math.random(#uuids)])
end
