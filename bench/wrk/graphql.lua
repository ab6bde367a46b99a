-- POST /v1/graphql/ updateMetadata (an upsert) on one of 1000 accounts, with a new value each time.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local counter = 0
local mutation = "mutation U($input: MetadataInput!) { updateMetadata(input: $input) { metadata { key value } } }"

function request()
  counter = counter + 1
  local account = string.format("A-%06d", math.random(1000))
  local body = '{"query":"' .. mutation .. '","variables":{"input":{"linkedObjectType":"ACCOUNT",' ..
    '"identifier":"' .. account .. '","key":"bench","value":"{\\"n\\": ' .. counter .. '}"}}}'
  return wrk.format(nil, "/v1/graphql/", nil, body)
end
