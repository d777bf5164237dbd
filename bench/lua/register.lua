-- tourneyd: POST /api/v1/tournaments/<bench tournament>/registrations, body {}, with
-- "Authorization: Bearer <bench user's token>": every request is a distinct, valid
-- registration (201), durable when answered (the writer commits with synchronous=FULL).
-- The pairs (tournament, user) and BENCH_REG_START: see regpairs.lua.
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
dofile(dir .. "/regpairs.lua")

function init(args)
  regpairs_init()
end

function request()
  return regpairs_next()
end
