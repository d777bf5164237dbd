-- tourneyd: GET /api/v1/organizer/dashboard with the bearer token of the user who organizes the
-- most tournaments (first page: per tournament, registrations by status, pending payments, revenue)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function()
  return wrk.format("GET", "/api/v1/organizer/dashboard", with_host({ ["Authorization"] = "Bearer " .. pick(org_tokens) }))
end)
