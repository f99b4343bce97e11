-- Shared wrk hooks for pnpm bench (same JSON line as the seed-stack anchor's load/report.lua, times in
-- microseconds), plus the response statuses counted per class when the script counts them
-- (post.lua defines response(); counting is per thread, summed in done()).
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

done = function(summary, latency, requests)
  local e = summary.errors
  local secs = summary.duration / 1e6
  local s = { s2xx = 0, s303 = 0, s3xx = 0, s4xx = 0, s5xx = 0 }
  local counted = false
  for _, t in ipairs(threads) do
    for k, _ in pairs(s) do
      local v = t:get(k)
      if v then s[k] = s[k] + v; counted = true end
    end
  end
  local status = ""
  if counted then
    status = string.format(',"status":{"2xx":%d,"303":%d,"3xx_other":%d,"4xx":%d,"5xx":%d}',
      s.s2xx, s.s303, s.s3xx, s.s4xx, s.s5xx)
  end
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_s":%.3f,"bytes":%d,"rps":%.2f,' ..
    '"lat_mean_us":%.1f,"lat_stdev_us":%.1f,"lat_p50_us":%d,"lat_p90_us":%d,' ..
    '"lat_p99_us":%d,"lat_max_us":%d,"err_connect":%d,"err_read":%d,' ..
    '"err_write":%d,"err_status":%d,"err_timeout":%d%s}\n',
    summary.requests, secs, summary.bytes, summary.requests / secs,
    latency.mean, latency.stdev, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status,
    e.timeout, status))
end
