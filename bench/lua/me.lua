-- tourneyd: GET /api/v1/me with "Authorization: Bearer <random token of the data file>"
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function()
  return wrk.format("GET", "/api/v1/me", with_host({ ["Authorization"] = "Bearer " .. pick(tokens) }))
end)
