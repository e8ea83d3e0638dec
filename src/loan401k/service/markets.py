"""backtest() and montecarlo(): the true cost over every historical start year and over random
return paths (METHOD §7). The plan (loan, contributions, job-loss expectation) is built once;
only the return path changes, and every path is evaluated at once by engine.market."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np

from .. import __version__
from ..data import load_returns
from ..engine import market
from ..engine.costs import COMPONENTS
from ..models import (
    BacktestResult,
    FanPoint,
    MonteCarloResult,
    Percentiles,
    StartYearCost,
)
from ..money import D, cents_of, pct
from ..rules.limits import max_new_loan
from .analysis import Plan, build_plan, decomposition, plan_warnings
from .core import Inputs, limit_terms

Progress = Callable[[int, int], None]
FEW_START_YEARS = 30  # below this, percentiles rest on few (and overlapping) histories


def _percentiles(totals: np.ndarray) -> Percentiles:
    return Percentiles(**{name: cents_of(v) for name, v in market.percentiles(totals).items()})


def _fan(plan: Plan, with_loan_by_year: np.ndarray) -> list[FanPoint]:
    low, mid, high = market.fan(with_loan_by_year)
    age = plan.inputs.age or 0
    return [
        FanPoint(
            age=age + year + 1, p10=cents_of(low[year]), p50=cents_of(mid[year]), p90=cents_of(high[year])
        )
        for year in range(with_loan_by_year.shape[1])
    ]


def _tax(plan: Plan) -> tuple[float, bool]:
    return float(plan.retirement_tax_rate), plan.inputs.source == "roth"


def _warnings(plan: Plan) -> list[str]:
    limit = max_new_loan(limit_terms(plan.inputs), plan.law)
    warnings = plan_warnings(plan, limit)
    table = load_returns()
    if table.meta.get("years", {}).get("provisional"):
        warnings.append(f"{int(table.years[-1])} returns are provisional (Damodaran revises recent years).")
    return warnings


def _portfolio(plan: Plan) -> np.ndarray:
    table = load_returns()
    return table.portfolio(float(plan.inputs.stock_pct))


def backtest(data: Inputs, progress: Progress | None = None) -> BacktestResult:
    """The cost with the loan taken at the start of every historical year that leaves
    enough following years for the horizon (1928 .. 2025 - years + 1)."""
    plan = build_plan(data, "backtest")
    table = load_returns()
    returns = _portfolio(plan)
    draws = market.backtest_draws(len(returns), plan.months)
    starts = table.years[draws[:, 0]]
    paths = market.evaluate_table(
        market.yearly_flows(plan.flows.matrix), returns, draws, plan.inputs.return_convention, progress
    )
    rows = []
    for start, values in zip(starts, paths.values, strict=True):
        cost = decomposition(plan, dict(zip(COMPONENTS, values, strict=True)))
        rows.append(
            StartYearCost(
                start_year=int(start),
                total=cost.total,
                lost_growth=cost.lost_growth,
                double_tax=cost.double_tax,
                contribution_cut=cost.contribution_cut,
                fees=cost.fees,
                job_loss=cost.job_loss,
            )
        )
    totals = np.array([float(row.total) for row in rows])
    warnings = _warnings(plan)
    if len(rows) < FEW_START_YEARS:
        warnings.append(
            f"Only {len(rows)} start years fit a {plan.months // 12}-year horizon; "
            "they overlap, so they are not independent outcomes."
        )
    return BacktestResult(
        percentiles=_percentiles(totals),
        share_loan_cheaper=market.share_cheaper(totals),
        by_start_year=rows,
        fan=_fan(plan, paths.with_loan_by_year),
        stock_pct=plan.inputs.stock_pct,
        years=[int(starts[0]), int(starts[-1])],
        warnings=warnings,
        version=__version__,
    )


def historical_moments(stock_pct: float) -> tuple[float, float]:
    """Arithmetic mean and sample standard deviation (ddof 1) of the portfolio, fractions."""
    table = load_returns()
    returns = table.portfolio(stock_pct)
    return float(returns.mean()), float(returns.std(ddof=1))


def montecarlo(data: Inputs, progress: Progress | None = None) -> MonteCarloResult:
    """The cost over `paths` random return paths, seeded: bootstrap of whole historical
    years, or lognormal annual returns with `mean_pct` and `vol_pct`."""
    plan = build_plan(data, "montecarlo")
    inputs = plan.inputs
    flows = market.yearly_flows(plan.flows.matrix)
    hist_mean, hist_vol = historical_moments(float(inputs.stock_pct))
    warnings = _warnings(plan)
    if inputs.model == "bootstrap":
        returns = _portfolio(plan)
        draws = market.bootstrap_draws(len(returns), inputs.paths, flows.years, inputs.seed)
        paths = market.evaluate_table(flows, returns, draws, inputs.return_convention, progress)
        mean_pct, vol_pct = D(hist_mean) * 100, D(hist_vol) * 100
        if inputs.mean_pct is not None or inputs.vol_pct is not None:
            warnings.append(
                "mean_pct and vol_pct apply to the lognormal model only; the bootstrap "
                "draws historical years as they were."
            )
    else:
        # Defaults: the deterministic analysis's expected return, and the volatility of the
        # same stock/bond mix over 1928-2025 (documented in docs/markets.md).
        mean_pct = inputs.mean_pct if inputs.mean_pct is not None else inputs.annual_return_pct
        vol_pct = inputs.vol_pct if inputs.vol_pct is not None else D(hist_vol) * 100
        assert mean_pct is not None
        paths = market.lognormal(
            flows,
            inputs.paths,
            float(pct(mean_pct)),
            float(pct(vol_pct)),
            inputs.seed,
            inputs.return_convention,
            progress,
        )
    rate, roth = _tax(plan)
    totals = market.cent_totals(paths.values, rate, roth)
    return MonteCarloResult(
        percentiles=_percentiles(totals),
        share_loan_cheaper=market.share_cheaper(totals),
        seed=inputs.seed,
        paths=inputs.paths,
        model=inputs.model,
        stock_pct=inputs.stock_pct,
        mean_pct=Decimal(mean_pct).quantize(Decimal("0.01")),
        vol_pct=Decimal(vol_pct).quantize(Decimal("0.01")),
        fan=_fan(plan, paths.with_loan_by_year),
        warnings=warnings,
        version=__version__,
    )
