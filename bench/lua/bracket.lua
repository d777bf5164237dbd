-- tourneyd: GET /api/v1/tournaments/<random 64-player live or completed tournament>/bracket
-- (every round of every bracket, ready to draw)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/api/v1/tournaments/" .. pick(t64_slugs) .. "/bracket") end)
