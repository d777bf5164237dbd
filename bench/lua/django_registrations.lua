-- Django reference: GET /api/tournaments/registrations/?tournament=<random tournament id> (its
-- registrations benchmark: select_related tournament, user, team, payment; page size 20)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/api/tournaments/registrations/?tournament=" .. pick(tids)) end)
