-- tourneyd: GET /api/v1/tournament-states?slugs=<10 distinct random slugs>
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
local n = tonumber(os.getenv("BENCH_STATES_N") or "") or 10
build(function()
  return wrk.format("GET", "/api/v1/tournament-states?slugs=" .. table.concat(pick_distinct(slugs, n), ","))
end)
