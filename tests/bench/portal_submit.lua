-- wrk script for tests/bench/portal_load.py: the report's final POST ("Send report"), each
-- request a different prepared journey at its check step, never the same one twice.
-- Thread i reads <dir>/journeys-<i>.tsv: "path<TAB>cookie header<TAB>csrf token" per line.
-- done() prints one line "RESULT {json}" with the counts and the latency percentiles.

local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  journeys = {}
  for line in io.lines(args[1] .. "/journeys-" .. tid .. ".tsv") do
    local path, cookie, token = line:match("^([^\t]+)\t([^\t]+)\t([^\t]+)$")
    journeys[#journeys + 1] = wrk.format("POST", path, {
      ["Cookie"] = cookie,
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, "csrfmiddlewaretoken=" .. token)
  end
  nextone = 0
  sent = 0
  exhausted = 0
  redirects = 0
  others = 0
  statuses = ""
end

function request()
  nextone = nextone + 1
  local req = journeys[nextone]
  if req == nil then -- out of prepared journeys: stop rather than re-POST one
    exhausted = exhausted + 1
    wrk.thread:stop()
    return wrk.format("GET", "/healthz")
  end
  sent = sent + 1
  return req
end

function response(status, headers, body)
  if status >= 300 and status < 400 then
    redirects = redirects + 1
  else
    others = others + 1
    statuses = statuses .. status .. " "
  end
end

function done(summary, latency, requests)
  local t = { sent = 0, redirects = 0, others = 0, exhausted = 0 }
  local codes = ""
  for _, thread in ipairs(threads) do
    t.sent = t.sent + thread:get("sent")
    t.redirects = t.redirects + thread:get("redirects")
    t.others = t.others + thread:get("others")
    t.exhausted = t.exhausted + thread:get("exhausted")
    codes = codes .. thread:get("statuses")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"duration_us": %d, "responses": %d, "sent": %d, "redirects": %d, "non_3xx": %d, '
      .. '"exhausted": %d, "non_3xx_statuses": "%s", "socket_errors": {"connect": %d, "read": %d, '
      .. '"write": %d, "timeout": %d, "status": %d}, "p50_us": %d, "p90_us": %d, "p95_us": %d, '
      .. '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.duration, summary.requests, t.sent, t.redirects, t.others, t.exhausted, codes,
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
