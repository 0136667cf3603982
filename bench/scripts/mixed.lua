-- Read-mostly traffic over the Flask app's own routes: 80% one film, 15% the list,
-- 5% create (with a token where the server wants one).
local token = os.getenv("BENCH_TOKEN")
local films = tonumber(os.getenv("BENCH_FILMS"))
local form = { ["Content-Type"] = "application/x-www-form-urlencoded" }
if token and token ~= "" then
  form["Authorization"] = "Token " .. token
end
local body = "title=Benchmark&release_date=937353600"

function request()
  local roll = math.random(100)
  if roll <= 80 then
    return wrk.format("GET", "/api/" .. math.random(films) .. "/")
  elseif roll <= 95 then
    return wrk.format("GET", "/api/")
  end
  return wrk.format("POST", "/api/create/", form, body)
end
