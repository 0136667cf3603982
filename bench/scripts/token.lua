-- Reads as a signed-in script sends them: with its token.
wrk.headers["Authorization"] = "Token " .. os.getenv("BENCH_TOKEN")
