-- tourneyd: GET /api/v1/tournaments/<random visible tournament with registrations>/registrations
-- (first page, default limit 20)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/api/v1/tournaments/" .. pick(reg_list_slugs) .. "/registrations") end)
