-- wrk script for tests/bench/desk_load.py: GET one desk page as a signed-in officer.
-- Arguments: the path and the Cookie header (a real session from the sign-in page).
-- done() prints one line "RESULT {json}" with the counts and the latency percentiles; a
-- response other than 200 (a redirect to sign in, an error) is counted, not timed apart.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  req = wrk.format("GET", args[1], { ["Cookie"] = args[2] })
  ok = 0
  others = 0
  statuses = ""
end

function request()
  return req
end

function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
  else
    others = others + 1
    if #statuses < 200 then
      statuses = statuses .. status .. " "
    end
  end
end

function done(summary, latency, requests)
  local t = { ok = 0, others = 0 }
  local codes = ""
  for _, thread in ipairs(threads) do
    t.ok = t.ok + thread:get("ok")
    t.others = t.others + thread:get("others")
    codes = codes .. thread:get("statuses")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"duration_us": %d, "responses": %d, "ok": %d, "non_200": %d, '
      .. '"non_200_statuses": "%s", "socket_errors": {"connect": %d, "read": %d, "write": %d, '
      .. '"timeout": %d, "status": %d}, "p50_us": %d, "p90_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.duration, summary.requests, t.ok, t.others, codes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
