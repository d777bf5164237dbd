-- bare anchor (the ceiling): GET /json, a fixed 600-byte body from memory
local dir = os.getenv("BENCH_LUA_DIR") or (debug.getinfo(1, "S").source:match("^@(.*)/[^/]*$") or ".")
dofile(dir .. "/common.lua")
build(function() return wrk.format("GET", "/json") end)
