-- tourneyd: a mixed load, reads and registrations on one server, as a busy evening on the hub.
-- Of every 100 requests (BENCH_MIX_WRITES, default 10, sets the write share; the reads keep
-- their proportions):
--   23 hub list pages: 5 unfiltered, 8 ?game=, 4 ?status=registration_open, 6 ?game=&status=
--   15 tournament details
--   30 state polls: 25 one state, 5 tournament-states of 10 slugs
--   10 registration lists (first page)
--    5 brackets and 5 standings of 64-player tournaments
--    2 game leaderboards
--   10 registration POSTs: distinct valid registrations (regpairs.lua), answered after commit
-- The reads draw random keys from every key list (slugs, ...), so the response cache fills
-- as far as the data and its size let it. Writes are spread evenly among the reads.
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
dofile(dir .. "/regpairs.lua")

local T = "/api/v1/tournaments"
local reads = {
  { 5, function() return T end },
  { 8, function() return T .. "?game=" .. pick(games) end },
  { 4, function() return T .. "?status=registration_open" end },
  { 6, function() return T .. "?game=" .. pick(games) .. "&status=" .. pick(statuses) end },
  { 15, function() return T .. "/" .. pick(slugs) end },
  { 25, function() return T .. "/" .. pick(slugs) .. "/state" end },
  { 5, function() return "/api/v1/tournament-states?slugs=" .. table.concat(pick_distinct(slugs, 10), ",") end },
  { 10, function() return T .. "/" .. pick(reg_list_slugs) .. "/registrations" end },
  { 5, function() return T .. "/" .. pick(t64_slugs) .. "/bracket" end },
  { 5, function() return T .. "/" .. pick(t64_slugs) .. "/standings" end },
  { 2, function() return "/api/v1/games/" .. pick(games) .. "/leaderboard" end },
}
local total = 0
for _, r in ipairs(reads) do total = total + r[1] end

build(function()
  local x = math.random() * total
  for _, r in ipairs(reads) do
    x = x - r[1]
    if x < 0 then return wrk.format("GET", r[2]()) end
  end
  return wrk.format("GET", reads[#reads][2]())
end)

local writes = tonumber(os.getenv("BENCH_MIX_WRITES") or "") or 10
local read_init, read_request = init, request
local acc

function init(args)
  read_init(args)
  regpairs_init()
  acc = 0
end

-- a write whenever the accumulated share passes 100: exactly `writes` in every 100 requests
function request()
  acc = acc + writes
  if acc >= 100 then
    acc = acc - 100
    return regpairs_next()
  end
  return read_request()
end
