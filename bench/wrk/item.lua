-- GET /metadatas/{uuid} of a random resource of the bench tenant (BENCH_UUIDS: "uuid version" lines).
-- With BENCH_ETAG set, each request sends If-None-Match with the resource's current version: a 304.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local rows = {}
for _, line in ipairs(lines_of(os.getenv("BENCH_UUIDS"))) do
  local uuid, version = line:match("(%S+)%s*(%d*)")
  rows[#rows + 1] = {uuid, version}
end
local etag = os.getenv("BENCH_ETAG")

function request()
  local row = rows[math.random(#rows)]
  if etag then
    wrk.headers["If-None-Match"] = '"' .. row[2] .. '"'
  end
  return wrk.format("GET", "/metadatas/" .. row[1])
end
