-- Watch then unwatch, film after film, each wrk thread on its own range of films.
local token = os.getenv("BENCH_TOKEN")
local first = tonumber(os.getenv("BENCH_FIRST_ID"))
local stride = math.floor(tonumber(os.getenv("BENCH_POOL")) / 2)
local threads = 0
local headers = { ["Authorization"] = "Token " .. token }

function setup(thread)
  thread:set("offset", threads * stride)
  threads = threads + 1
end

local i = 0
function request()
  local film = first + offset + math.floor(i / 2) % stride
  local action = (i % 2 == 0) and "watch" or "unwatch"
  i = i + 1
  return wrk.format("POST", "/api/" .. film .. "/" .. action .. "/", headers)
end
