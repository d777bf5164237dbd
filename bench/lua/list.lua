-- tourneyd: GET /api/v1/tournaments (first page, no filter)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/api/v1/tournaments") end)
