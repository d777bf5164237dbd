-- tourneyd: GET /api/v1/tournament-states?slugs=<10 distinct random slugs>
-- With the hot data file (bench/run.sh's cached row: hot = N), the requests come from N fixed
-- sets of 10 slugs (N distinct URLs), as other hot rows have N keys; otherwise each request
-- of the pool draws its own set.
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
local n = tonumber(os.getenv("BENCH_STATES_N") or "") or 10
local function one() return "/api/v1/tournament-states?slugs=" .. table.concat(pick_distinct(slugs, n), ",") end
local sets
build(function()
  if hot and hot > 0 then
    if not sets then sets = {}; for i = 1, hot do sets[i] = one() end end
    return wrk.format("GET", pick(sets))
  end
  return wrk.format("GET", one())
end)
