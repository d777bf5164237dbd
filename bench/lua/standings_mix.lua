-- tourneyd: GET /api/v1/tournaments/<random live or completed tournament>/standings
-- (tlc_slugs: every live or completed tournament that has a match, whatever its size; the
-- 64-player ones are standings.lua's)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/api/v1/tournaments/" .. pick(tlc_slugs) .. "/standings") end)
