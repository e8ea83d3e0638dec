"""Markets (METHOD §7): every scenario on every path at once, against a plain month loop.

The scenario (loan, contributions, both pots' flows) is built once, as the service does;
the paths are drawn once. Timed: every flow row of both pots on every path (two growth
indexes a path), the rounded cost.total of each path, its percentiles, and the fan.
"""

from __future__ import annotations

import resource
import tracemalloc

import numpy as np

import loan401k
from bench import Case
from loan401k.data import load_returns
from loan401k.engine import market
from loan401k.engine.ledger import cent_totals
from loan401k.service import build_scenario
from loan401k.service.markets import drawn

INPUT = {
    "age": 35,
    "vested_balance": 80_000,
    "amount": 20_000,
    "start_date": "2026-01-15",
    "contribution_monthly": 500,
    "contribution_during_loan_monthly": 200,
}
SCENARIO = build_scenario(INPUT, "montecarlo")  # 30 years, 360 months
TABLE = load_returns()
RETURNS = market.portfolio_returns(TABLE.stocks, TABLE.bonds, 80)
YEARS = market.horizon_years(SCENARIO.months)
DRAWS_10K = market.bootstrap_draws(len(RETURNS), 10_000, YEARS, seed=401)
DRAWS_100K = market.bootstrap_draws(len(RETURNS), 100_000, YEARS, seed=401)
BACKTEST = market.backtest_draws(len(RETURNS), SCENARIO.months)


def decomposition(draws: np.ndarray) -> tuple[market.PathValues, dict[str, float], float]:
    """Both pots' flows on every path (two growth indexes), each path's six parts rounded
    and added into cost.total, percentiles, share."""
    paths = market.evaluate(SCENARIO.ledger, drawn(SCENARIO, draws))
    totals = cent_totals(paths.parts)
    return paths, market.percentiles(totals), market.share_cheaper(totals)


def full_model(draws: np.ndarray) -> tuple[object, ...]:
    """The decomposition and the fan (p10/p50/p90 of the with-loan balance at every age)."""
    paths, figures, share = decomposition(draws)
    return figures, share, market.fan(paths.with_loan_by_year)


def plain_month_loop(draws: np.ndarray) -> np.ndarray:
    """The baseline: one scenario (the with-loan balance), monthly growth expanded per path,
    then for m in months: bal = bal * (1 + g[:, m]) + f[m], vectorized over paths."""
    monthly = np.repeat(market.monthly_factor(RETURNS)[draws] - 1.0, 12, axis=1)
    flows = SCENARIO.ledger.with_loan_flows
    balance = np.full(draws.shape[0], flows[0])
    for month in range(1, SCENARIO.months + 1):
        balance = balance * (1.0 + monthly[:, month - 1]) + flows[month]
    return balance


def backtest_model() -> object:
    return full_model(BACKTEST)


def peak_memory_100k() -> str:
    tracemalloc.start()
    full_model(DRAWS_100K)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return f"tracemalloc peak {peak / 2**20:.1f} MiB for one run (process max RSS {rss:.0f} MiB)"


# --------------------------------------------------------------------------- the public call
# Issue 16: loan401k.montecarlo, 10,000 paths x 35 years, within 1.5x its engine time and at
# most 0.5x the plain month loop. The engine's part of one call is the decomposition above
# on freshly drawn paths: draw them, gather their yearly factors from the returns table,
# evaluate every path (both pots, every part, the year-end balances), round each path's
# cost.total, its percentiles. The public call adds validation, the scenario, the fan's
# percentiles, the per-dollar percentiles, the sign note and the result model.
INPUT_35Y = {**INPUT, "age": 30, "paths": 10_000}
SCENARIO_35Y = build_scenario(INPUT_35Y, "montecarlo")  # 35 years, 420 months
YEARS_35 = market.horizon_years(SCENARIO_35Y.months)
DRAWS_35Y = market.bootstrap_draws(len(RETURNS), 10_000, YEARS_35, seed=401)


def engine_montecarlo_35y() -> tuple[dict[str, float], float]:
    draws = market.bootstrap_draws(len(RETURNS), 10_000, YEARS_35, seed=SCENARIO_35Y.inputs.seed)
    totals = cent_totals(market.evaluate(SCENARIO_35Y.ledger, drawn(SCENARIO_35Y, draws)).parts)
    return market.percentiles(totals), market.share_cheaper(totals)


def plain_month_loop_35y() -> np.ndarray:
    """The plain loop over the same 10,000 x 35-year paths (one scenario's balance)."""
    monthly = np.repeat(market.monthly_factor(RETURNS)[DRAWS_35Y] - 1.0, 12, axis=1)
    flows = SCENARIO_35Y.ledger.with_loan_flows
    balance = np.full(DRAWS_35Y.shape[0], flows[0])
    for month in range(1, SCENARIO_35Y.months + 1):
        balance = balance * (1.0 + monthly[:, month - 1]) + flows[month]
    return balance


def public_montecarlo_35y() -> object:
    return loan401k.montecarlo(INPUT_35Y)


full_model(DRAWS_10K)  # warm up imports and caches
loan401k.montecarlo({**INPUT, "paths": 10})
public_montecarlo_35y()

CASES = [
    Case(
        "montecarlo 10,000 bootstrap paths, 30 y",
        lambda: decomposition(DRAWS_10K),
        baseline=lambda: plain_month_loop(DRAWS_10K),
        budget_us=50_000,
        note="11 flow rows on two pots + rounded totals + percentiles vs a one-scenario month "
        "loop over the same paths; target ratio <= 0.5x",
    ),
    Case(
        "montecarlo 10,000 bootstrap paths + fan",
        lambda: full_model(DRAWS_10K),
        baseline=lambda: plain_month_loop(DRAWS_10K),
        budget_us=50_000,
        note="as above plus the fan (its percentiles: three partitions of each age's 10,000 balances)",
    ),
    Case(
        "backtest 69 start years, 30 y",
        backtest_model,
        baseline=None,
        budget_us=10_000,
        note="engine only (the service adds an exact Decimal decomposition per start year)",
    ),
    Case(
        "montecarlo 100,000 bootstrap paths, 30 y",
        lambda: full_model(DRAWS_100K),
        baseline=lambda: plain_month_loop(DRAWS_100K),
        budget_us=500_000,
        note=peak_memory_100k(),
    ),
    Case(
        "loan401k.montecarlo(dict) 10,000 x 35 y vs engine",
        public_montecarlo_35y,
        baseline=engine_montecarlo_35y,
        budget_us=None,
        note="the public call against its engine part (draw, gather, evaluate, totals and their "
        "percentiles); target <= 1.5x",
    ),
    Case(
        "loan401k.montecarlo(dict) 10,000 x 35 y vs loop",
        public_montecarlo_35y,
        baseline=plain_month_loop_35y,
        budget_us=None,
        note="the public call against the plain month loop over the same paths; target <= 0.5x",
    ),
    Case(
        "loan401k.backtest(dict)",
        lambda: loan401k.backtest(INPUT),
        budget_us=None,
        note="informational: includes the Decimal decomposition of every start year",
    ),
]
