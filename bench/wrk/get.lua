-- GET of the URL given to wrk (a list query), with the token.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
