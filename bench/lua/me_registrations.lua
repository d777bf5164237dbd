-- tourneyd: GET /api/v1/me/registrations with "Authorization: Bearer <token of a random player
-- among several who have registrations>" (first page: newest first, with tournament and next match)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function()
  return wrk.format("GET", "/api/v1/me/registrations", with_host({ ["Authorization"] = "Bearer " .. pick(me_reg_tokens) }))
end)
