-- wrk script for `make load` (scripts/load.sh): POST one JSON body to the endpoint under
-- test and print a one-line summary that load.sh collects.
--   LOAD_CASE=analysis|limit|scenario   which body to send (default: analysis)
-- Only ever pointed at 127.0.0.1 by load.sh.

local bodies = {
  -- EXAMPLES.md "True cost": 30 years old, $30,000 at 6.5 % over 60 months, retire at 65.
  analysis = [[{"age": 30, "retirement_age": 65, "vested_balance": 100000, "amount": 30000,
    "annual_rate_pct": 6.5, "term_months": 60, "annual_return_pct": 7,
    "contribution_monthly": 500, "contribution_during_loan_monthly": 200,
    "marginal_rate_pct": 22, "retirement_tax_rate_pct": 22, "job_loss_annual_pct": 0,
    "start_date": "2026-01-01"}]],
  -- IRS plan-loan FAQ: a second loan.
  limit = [[{"vested_balance": 80000, "outstanding_loan_balance": 18000,
    "highest_loan_balance_12m": 27000}]],
  scenario = [[{"age": 40, "vested_balance": 80000, "amount": 20000, "annual_rate_pct": 8.5}]],
}

local case = os.getenv("LOAD_CASE") or "analysis"
assert(bodies[case], "LOAD_CASE must be analysis, limit or scenario")

wrk.method = "POST"
wrk.body = bodies[case]
wrk.headers["Content-Type"] = "application/json"

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
