-- PATCH a film's title, film after film over a pool, each thread on its own films; every
-- request writes a new title, so the search index has work to do each time.
local token = os.getenv("BENCH_TOKEN")
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
local pool = tonumber(os.getenv("BENCH_POOL"))
local threads = 0
local headers = {
  ["Authorization"] = "Token " .. token,
  ["Content-Type"] = "application/x-www-form-urlencoded",
}

function setup(thread)
  thread:set("offset", threads * math.floor(pool / 2))
  threads = threads + 1
end

local i = 0
function request()
  i = i + 1
  local film = first + (offset + i) % pool
  return wrk.format("PATCH", "/api/" .. film .. "/", headers, "title=Edited+" .. i)
end
