-- DELETE films one after another. The harness numbers its runs (BENCH_RUN of BENCH_RUNS):
-- each run and each thread deletes from its own slice of the loaded films, never twice.
local token = os.getenv("BENCH_TOKEN")
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
local pool = tonumber(os.getenv("BENCH_POOL"))
local run = tonumber(os.getenv("BENCH_RUN"))
local slice = math.floor(pool / (2 * tonumber(os.getenv("BENCH_RUNS"))))
local threads = 0
local headers = { ["Authorization"] = "Token " .. token }

function setup(thread)
  thread:set("offset", (run * 2 + threads) * slice)
  threads = threads + 1
end

local i = 0
function request()
  local film = first + offset + i
  i = i + 1
  return wrk.format("DELETE", "/api/" .. film .. "/", headers)
end
