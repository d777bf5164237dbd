-- Django reference: GET /tournaments/api/<random slug>/state/ (cache_page(30): up to 30 s stale)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/tournaments/api/" .. pick(slugs) .. "/state/") end)
