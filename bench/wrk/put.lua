-- PUT /metadatas/{uuid} with the version last seen: each thread cycles through its own rows
-- (BENCH_ROWS: "uuid version" lines) and learns the new version from each response.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "PUT"
wrk.headers["Content-Type"] = "application/json"
local threads = tonumber(os.getenv("BENCH_THREADS") or "2")
local rows, versions, position, counter = nil, {}, 0, 0

local function load_rows()
  rows = {}
  local index = 0
  for _, line in ipairs(lines_of(os.getenv("BENCH_ROWS"))) do
    local uuid, version = line:match("(%S+)%s+(%d+)")
    if index % threads == (thread_id or 0) then
      rows[#rows + 1] = uuid
      versions[uuid] = tonumber(version)
    end
    index = index + 1
  end
end

function request()
  if rows == nil then load_rows() end
  position = position % #rows + 1
  counter = counter + 1
  local uuid = rows[position]
  local body = '{"data":{"n":' .. counter .. '},"version":' .. versions[uuid] .. '}'
  return wrk.format(nil, "/metadatas/" .. uuid, nil, body)
end

function response(status, headers, body)
  local uuid = body:match('"uuid":"([^"]+)"')
  local version = body:match('"version":(%d+)')
  if uuid and version and versions[uuid] then versions[uuid] = tonumber(version) end
end
