-- tourneyd: GET /api/v1/tournaments/<random 64-player live or completed tournament>/bracket
-- with Accept-Encoding: gzip, as every browser and CDN asks: the cache's gzipped copy
-- (a double-elimination bracket is ~64 KB plain, a tenth of that gzipped). An extra row
-- next to the plain `bracket` row, which is the one the bar is checked on.
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function()
  return wrk.format("GET", "/api/v1/tournaments/" .. pick(t64_slugs) .. "/bracket",
                    with_host({["Accept-Encoding"] = "gzip"}))
end)
