-- tourneyd: GET /api/v1/games/<random game>/leaderboard (first page of the background
-- snapshot; bench/run.sh waits for the first snapshot before measuring)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/api/v1/games/" .. pick(games) .. "/leaderboard") end)
