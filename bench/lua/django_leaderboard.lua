-- Django reference: GET /api/leaderboards/<random slug>/ (its leaderboard benchmark: one
-- tournament's completed matches grouped per participant, 2 aggregates merged). A random
-- non-deleted tournament, as the anchor's own leaderboard.lua picks it; its seed gives each
-- one 15 completed matches (16 players).
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/api/leaderboards/" .. pick(slugs) .. "/") end)
