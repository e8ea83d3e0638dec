-- wrk script for `make load` (scripts/load.sh): the request of one case, and a one-line
-- summary that load.sh collects.
--   LOAD_CASE   which request to send (default: analysis):
--     page          GET / (the starter page a first visitor gets)
--     page_new      GET /?amount=… a different loan amount each request (rarely the same twice)
--     analysis      POST /api/v1/analysis, the EXAMPLES.md "True cost" body every time
--     analysis_new  the same body with a different amount each request
--     montecarlo    POST /api/v1/montecarlo, the default 10,000 paths, a different seed each
--                   request (every one simulated: none can be answered from memory)
--     limit, scenario   the limit of a second loan; a save
-- Only ever pointed at 127.0.0.1 by load.sh.

local analysis = [[{"age": 30, "retirement_age": 65, "vested_balance": 100000, "amount": %s,
    "annual_rate_pct": 6.5, "term_months": 60, "annual_return_pct": 7,
    "contribution_monthly": 500, "contribution_during_loan_monthly": 200,
    "marginal_rate_pct": 22, "retirement_tax_rate_pct": 22, "job_loss_annual_pct": 0,
    "start_date": "2026-01-01"}]]
local bodies = {
  -- EXAMPLES.md "True cost": 30 years old, $30,000 at 6.5 % over 60 months, retire at 65.
  analysis = string.format(analysis, "30000"),
  -- IRS plan-loan FAQ: a second loan.
  limit = [[{"vested_balance": 80000, "outstanding_loan_balance": 18000,
    "highest_loan_balance_12m": 27000}]],
  scenario = [[{"age": 40, "vested_balance": 80000, "amount": 20000, "annual_rate_pct": 8.5}]],
}
local montecarlo = [[{"age": 35, "vested_balance": 80000, "amount": 20000,
    "start_date": "2026-01-15", "seed": %d}]]

local case = os.getenv("LOAD_CASE") or "analysis"
local known = {page = true, page_new = true, analysis = true, analysis_new = true,
  montecarlo = true, limit = true, scenario = true}
assert(known[case], "LOAD_CASE must be page, page_new, analysis, analysis_new, montecarlo, limit or scenario")

local json = {["Content-Type"] = "application/json"}
local function amount()  -- $1,000.00 to $50,000.00 in cents: millions of different loans
  return string.format("%d.%02d", math.random(1000, 49999), math.random(0, 99))
end

init = function(args)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

if case == "page" then
  wrk.method = "GET"
elseif case == "page_new" then
  request = function()
    return wrk.format("GET", "/?amount=" .. amount() .. "&age=" .. math.random(25, 60))
  end
elseif case == "analysis_new" then
  request = function()
    return wrk.format("POST", nil, json, string.format(analysis, amount()))
  end
elseif case == "montecarlo" then
  request = function()
    return wrk.format("POST", nil, json, string.format(montecarlo, math.random(0, 2147483647)))
  end
else
  wrk.method = "POST"
  wrk.body = bodies[case]
  wrk.headers["Content-Type"] = "application/json"
end

done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local e = summary.errors
  io.write(string.format(
    "LOAD case=%s requests=%d seconds=%.1f req_s=%.1f p50_ms=%.1f p90_ms=%.1f p99_ms=%.1f " ..
    "max_ms=%.1f non_2xx=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d\n",
    case, summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, e.status, e.connect, e.read, e.write, e.timeout))
end
