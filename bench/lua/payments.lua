-- tourneyd: GET /api/v1/tournaments/<random paid tournament of the top organizer>/payments with
-- that organizer's bearer token (first page, creation order)
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function()
  return wrk.format("GET", "/api/v1/tournaments/" .. pick(pay_slugs) .. "/payments",
                    with_host({ ["Authorization"] = "Bearer " .. pick(org_tokens) }))
end)
