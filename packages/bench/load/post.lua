-- POST: the anchor's urlencoded form submit, plus what a browser's plain form post also sends: an
-- Origin header (BENCH_ORIGIN; the site refuses a post from another origin) and Accept: text/html
-- (without it SvelteKit takes the post for its JavaScript form enhancement and answers 200 JSON
-- instead of the 303 redirect; the anchor ignores both headers). Every response's status is counted: a 303 is a committed
-- write for the site; the anchor answers a committed write with 200.
wrk.method = "POST"
wrk.body = "stuff=benchmark+stuff&things=Some+things+posted+by+the+load+generator."
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Accept"] = "text/html"
local origin = os.getenv("BENCH_ORIGIN")
if origin and origin ~= "" then wrk.headers["Origin"] = origin end

s2xx, s303, s3xx, s4xx, s5xx = 0, 0, 0, 0, 0
function response(status, headers, body)
  if status == 303 then s303 = s303 + 1
  elseif status >= 200 and status < 300 then s2xx = s2xx + 1
  elseif status >= 300 and status < 400 then s3xx = s3xx + 1
  elseif status >= 400 and status < 500 then s4xx = s4xx + 1
  else s5xx = s5xx + 1 end
end

dofile(os.getenv("BENCH_LOAD_DIR") .. "/report.lua")
