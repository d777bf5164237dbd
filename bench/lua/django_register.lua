-- Django reference: POST /api/tournaments/<slug>/register/ {"user_id": N}, walking the distinct
-- (slug, user) pairs that are not registered in its seed (bench/post_pairs.lua, written by its
-- manage.py bench_data next to bench/data.lua), as its own bench/register.lua does. bench/run.sh
-- runs manage.py bench_reset (deletes the rows earlier runs created) before the warm-up and
-- before each measured run, so every run starts again from the first pair.
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
local data = os.getenv("BENCH_DATA") or ""
dofile(os.getenv("BENCH_PAIRS") or ((data:match("^(.*)/[^/]*$") or ".") .. "/post_pairs.lua"))

local i = 0
local headers

function init(args)
  headers = with_host({ ["Content-Type"] = "application/json" })
end

function request()
  i = i + 1
  local p = post_pairs[((i - 1) % #post_pairs) + 1]
  return wrk.format("POST", "/api/tournaments/" .. p[1] .. "/register/", headers, '{"user_id": ' .. p[2] .. '}')
end
