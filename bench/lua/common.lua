-- Shared by every bench/lua script (loaded with dofile from the script's folder).
--
-- Environment (set by bench/run.sh; set them yourself to run a script by hand):
--   BENCH_DATA      Lua file defining the key lists (slugs, games, statuses, tokens)
--   BENCH_OUT       file the done() hook writes one "key=value ..." result line to
--   BENCH_POOL      number of pre-built random requests per wrk thread (default 8192)
--   BENCH_RNG_SEED  seed of the key picks (default: the clock)
--
-- Each script calls build(fn), fn() returning one request string (wrk.format) with
-- keys picked at random. init() builds a pool of such requests once per thread and
-- request() returns a uniformly random element of it, so the client spends the same
-- few hundred nanoseconds per request whatever the endpoint (wrk shares the CPUs with
-- the server it measures). Every script, the bare one included, goes through this
-- path, so the client cost is the same for every target.
local data = os.getenv("BENCH_DATA")
if data and data ~= "" then dofile(data) end

function pick(t)
  return t[math.random(#t)]
end

-- n distinct random elements of t (all of t when it is shorter)
function pick_distinct(t, n)
  if n >= #t then return t end
  local seen, out = {}, {}
  while #out < n do
    local v = t[math.random(#t)]
    if not seen[v] then seen[v] = true; out[#out + 1] = v end
  end
  return out
end

-- headers for wrk.format that keep the Host header wrk would have sent
function with_host(h)
  h = h or {}
  h["Host"] = h["Host"] or wrk.headers["Host"]
  return h
end

local make
function build(fn) make = fn end

local pool, npool = {}, 0

function init(args)
  local seed = tonumber(os.getenv("BENCH_RNG_SEED") or "") or (os.time() + math.floor(os.clock() * 1e6))
  math.randomseed(seed)
  local n = tonumber(os.getenv("BENCH_POOL") or "") or 8192
  for i = 1, n do pool[i] = make() end
  npool = n
end

function request()
  return pool[math.random(npool)]
end

-- One line for bench/run.sh. latency values are microseconds; non2xx counts wrk's
-- "Non-2xx or 3xx responses" (status > 399); the err_* are wrk's socket errors. A script
-- may append its own "key=value ..." fields by defining done_extra() (register.lua: sent=N).
function done(summary, latency, requests)
  local out = os.getenv("BENCH_OUT")
  if not out or out == "" then return end
  local e = summary.errors
  local secs = summary.duration / 1e6
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    "requests=%d duration_us=%d bytes=%d rps=%.1f p50_us=%d p90_us=%d p99_us=%d p999_us=%d " ..
    "mean_us=%.1f max_us=%d non2xx=%d err_connect=%d err_read=%d err_write=%d err_timeout=%d",
    summary.requests, summary.duration, summary.bytes, summary.requests / secs,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.mean, latency.max, e.status, e.connect, e.read, e.write, e.timeout))
  if done_extra then f:write(" " .. done_extra()) end
  f:write("\n")
  f:close()
end
