-- POST create, as the Flask clients send it: a form with a UNIX timestamp.
local token = os.getenv("BENCH_TOKEN")
wrk.method = "POST"
wrk.body = "title=Benchmark&release_date=937353600"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
if token and token ~= "" then
  wrk.headers["Authorization"] = "Token " .. token
end
