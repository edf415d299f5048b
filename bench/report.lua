-- A path ending in "fresh=" gets a new value on every request (each thread its own range), so that
-- no copy of an earlier response can answer it: the page is rendered every time.
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end

init = function(args)
  counter = (id or 0) * 100000000
  fresh = string.find(wrk.path, "fresh=", 1, true) ~= nil
  same = wrk.format(nil, wrk.path)  -- every other page: the same request, formatted once
end

request = function()
  if fresh then
    counter = counter + 1
    return wrk.format(nil, wrk.path .. counter)
  end
  return same
end

-- wrk script: at the end of a run, print one machine-readable line for bench/load.py.
-- Latencies are in microseconds; status errors are responses outside 2xx/3xx.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.6f, "bytes": %d, "errors": %d, "status_errors": %d, ' ..
    '"p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, "max_ms": %.3f}\n',
    summary.requests, summary.duration / 1e6, summary.bytes,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    latency.max / 1e3))
end
