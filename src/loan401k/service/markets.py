"""backtest() and montecarlo(): the true cost over every historical start year and over random
return paths (METHOD v2 §7). The scenario (loan, contributions, job loss, both pots' flows)
is built once; only the return path changes, and every path is evaluated at once by
engine.market, with its own growth index for the plan account and for money outside."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import numpy as np

from .. import __version__, i18n
from ..data import load_returns
from ..engine import market
from ..engine.ledger import ACCOUNT_ROWS, PARTS, cent_totals, round_cents
from ..i18n import _
from ..models import (
    BacktestResult,
    FanPoint,
    Interval,
    MonteCarloResult,
    Percentiles,
    SamplingError,
    StartYearCost,
)
from ..money import ONE, D, cents_of, pct
from .core import Inputs
from .scenario import Scenario, build_scenario, scenario_warnings

Progress = Callable[[int, int], None]
FEW_START_YEARS = 30  # below this, percentiles rest on few (and overlapping) histories


def _percentiles(ordered: np.ndarray) -> Percentiles:
    """Percentiles of values sorted already (the totals are sorted once for both scales:
    dividing by the amount keeps their order)."""
    figures = market.percentiles(ordered, ordered=True)
    return Percentiles(**{name: cents_of(v) for name, v in figures.items()})


def _sampling_error(ordered: np.ndarray) -> SamplingError:
    intervals = market.percentile_intervals(ordered)
    return SamplingError(
        **{name: Interval(low=cents_of(low), high=cents_of(high)) for name, (low, high) in intervals.items()}
    )


def _fan(scenario: Scenario, with_loan_by_year: np.ndarray) -> list[FanPoint]:
    """The fan from the year-end balances, which it reorders (read nothing from them after)."""
    low, mid, high = market.fan(with_loan_by_year, overwrite_input=True)
    age = scenario.inputs.age or 0
    return [  # figures the engine computed, in cents: built, not validated again
        FanPoint.model_construct(
            age=age + year + 1, p10=cents_of(low[year]), p50=cents_of(mid[year]), p90=cents_of(high[year])
        )
        for year in range(with_loan_by_year.shape[1])
    ]


def _warnings(scenario: Scenario) -> list[str]:
    warnings = scenario_warnings(scenario)
    table = load_returns()
    if table.meta.get("years", {}).get("provisional"):
        warnings.append(
            _("{year} returns are provisional (Damodaran revises recent years).").format(
                year=int(table.years[-1])
            )
        )
    return warnings


# --------------------------------------------------------------------------- paths


def table_factors(scenario: Scenario) -> tuple[np.ndarray, np.ndarray | float, np.ndarray | float]:
    """Monthly factors of every historical year: the account's portfolio, spare cash (that
    year's T-bill after tax, unless a constant rate applies) and money outside after the
    window (the portfolio less its tax drag, unless outside_return_pct is set)."""
    inputs, outside = scenario.inputs, scenario.outside
    convention = inputs.return_convention
    table = load_returns()
    account = market.monthly_factor(table.portfolio(float(inputs.stock_pct)), convention)
    if outside.constant_liquidity:
        liquidity: np.ndarray | float = float(
            market.monthly_factor(float(outside.liquidity_rate), convention)
        )
    else:
        after_tax = table.bills * float(ONE - scenario.current_tax_rate)
        liquidity = market.monthly_factor(after_tax, convention)
    return account, liquidity, after_window(scenario, account)


def after_window(scenario: Scenario, account: np.ndarray) -> np.ndarray | float:
    outside = scenario.outside
    if outside.outside_return is not None:
        return float(market.monthly_factor(float(outside.outside_return), scenario.inputs.return_convention))
    return 1.0 + (account - 1.0) * float(ONE - outside.tax_drag)  # g_out = g x (1 - drag)


def drawn(scenario: Scenario, draws: np.ndarray) -> market.Paths:
    """Paths made of historical years: positions `draws` (P, years) in the returns table."""
    account, liquidity, outside = table_factors(scenario)

    def gather(factor: np.ndarray | float, positions: np.ndarray = draws) -> np.ndarray | float:
        return factor[positions] if isinstance(factor, np.ndarray) else factor

    window_years = market.horizon_years(scenario.window)  # spare cash earns its rate in them only
    return market.Paths(
        account[draws],
        gather(liquidity, draws[:, :window_years]),
        gather(outside),
        table=account,
        draws=draws,
    )


def _sign_note(scenario: Scenario, part_values: np.ndarray, totals: np.ndarray, unit: str) -> str:
    cheaper = totals < 0
    share = market.share_cheaper(totals)
    years = unit == "start year"
    if not cheaper.any():
        if years:
            return _(
                "The loan costs money in every start year: it comes out cheaper only when markets fall "
                "while the money is borrowed, and none of these did so enough."
            )
        return _(
            "The loan costs money in every path: it comes out cheaper only when markets fall while "
            "the money is borrowed, and none of these did so enough."
        )
    difference = part_values[:, PARTS.index("plan_difference")]
    figures = {
        # the share with its percent sign, spaced as these sentences write it ("7.81 %")
        "share": i18n.decimal(Decimal(f"{share:g}"), max_digits=10) + " %",
        "there": i18n.decimal(cents_of(np.median(difference[cheaper])), 0),
        "elsewhere": i18n.decimal(cents_of(np.median(difference[~cheaper])) if (~cheaper).any() else 0, 0),
    }
    if years:
        text = _(
            "The loan came out cheaper in {share} of start years: those where markets fell while the "
            "money was out of them, so the interest you paid yourself beat the growth you missed (the "
            "401(k) difference was {there} there, against {elsewhere} elsewhere). Strong markets while "
            "repaying make the loan cost more."
        )
    else:
        text = _(
            "The loan came out cheaper in {share} of paths: those where markets fell while the money "
            "was out of them, so the interest you paid yourself beat the growth you missed (the 401(k) "
            "difference was {there} there, against {elsewhere} elsewhere). Strong markets while "
            "repaying make the loan cost more."
        )
    return text.format(**figures)


# --------------------------------------------------------------------------- backtest


def backtest(data: Inputs, progress: Progress | None = None) -> BacktestResult:
    return backtest_of(build_scenario(data, "backtest"), progress)


def backtest_of(scenario: Scenario, progress: Progress | None = None) -> BacktestResult:
    """The cost with the loan taken at the start of every historical year that leaves
    enough following years for the horizon (1928 .. 2025 - years + 1)."""
    table = load_returns()
    draws = market.backtest_draws(len(table.years), scenario.months)
    starts = table.years[draws[:, 0]]
    values = market.evaluate(scenario.ledger, drawn(scenario, draws), progress)
    parts = round_cents(values.parts)
    totals = parts.sum(axis=1)
    account = round_cents(values.account)
    t_ret = 0.0 if scenario.roth else float(scenario.retirement_tax_rate)
    growth, interest = ACCOUNT_ROWS.index("growth_missed"), ACCOUNT_ROWS.index("interest_to_self")
    cut = ACCOUNT_ROWS.index("contribution_cut")
    rows = [
        StartYearCost.model_construct(
            _fields_set=None,
            start_year=int(start),
            total=cents_of(total),
            **{name: cents_of(v) for name, v in zip(PARTS, part, strict=True)},
            lost_growth=cents_of(row[growth] - row[interest]),
            double_tax=cents_of(float(round_cents(np.array(t_ret * row[interest])))),
            contribution_cut=cents_of(row[cut]),
        )
        for start, total, part, row in zip(starts, totals, parts, account, strict=True)
    ]
    warnings = _warnings(scenario)
    if len(rows) < FEW_START_YEARS:
        warnings.append(
            _(
                "Only {count} start years fit a {years}-year horizon; they overlap, so they are not "
                "independent outcomes."
            ).format(count=len(rows), years=scenario.months // 12)
        )
    ordered = np.sort(totals)
    return BacktestResult(
        percentiles=_percentiles(ordered),
        sampling_error=_sampling_error(ordered),
        per_dollar=_percentiles(ordered / float(scenario.loan.terms.amount)),
        share_loan_cheaper=market.share_cheaper(totals),
        sign_note=_sign_note(scenario, values.parts, totals, "start year"),
        by_start_year=rows,
        fan=_fan(scenario, values.with_loan_by_year),
        stock_pct=scenario.inputs.stock_pct,
        years=[int(starts[0]), int(starts[-1])],
        warnings=warnings,
        version=__version__,
    )


# --------------------------------------------------------------------------- Monte Carlo


def historical_moments(stock_pct: float) -> tuple[float, float]:
    """Arithmetic mean and sample standard deviation (ddof 1) of the portfolio, fractions."""
    returns = load_returns().portfolio(stock_pct)
    return float(returns.mean()), float(returns.std(ddof=1))


def montecarlo(data: Inputs, progress: Progress | None = None) -> MonteCarloResult:
    return montecarlo_of(build_scenario(data, "montecarlo"), progress=progress)


def montecarlo_of(
    scenario: Scenario, paths: int | None = None, progress: Progress | None = None
) -> MonteCarloResult:
    """The cost over random return paths, seeded: bootstrap of whole historical years
    (stocks, bonds and bills of the same year), or lognormal annual returns."""
    inputs = scenario.inputs
    count = paths or inputs.paths
    years = market.horizon_years(scenario.months)
    hist_mean, hist_vol = historical_moments(float(inputs.stock_pct))
    warnings = _warnings(scenario)
    if inputs.model == "bootstrap":
        draws = market.bootstrap_draws(len(load_returns().years), count, years, inputs.seed)
        sampled = drawn(scenario, draws)
        mean_pct, vol_pct = D(hist_mean) * 100, D(hist_vol) * 100
        if inputs.mean_pct is not None or inputs.vol_pct is not None:
            warnings.append(
                _(
                    "mean_pct and vol_pct apply to the lognormal model only; the bootstrap draws "
                    "historical years as they were."
                )
            )
    else:
        # Defaults: the deterministic analysis's expected return, and the volatility of the
        # same stock/bond mix over 1928-2025 (documented in docs/markets.md).
        given_mean = inputs.mean_pct if inputs.mean_pct is not None else inputs.annual_return_pct
        assert given_mean is not None  # with_defaults fills annual_return_pct
        mean_pct = given_mean
        vol_pct = inputs.vol_pct if inputs.vol_pct is not None else D(hist_vol) * 100
        account = market.lognormal_factors(
            count, years, float(pct(mean_pct)), float(pct(vol_pct)), inputs.seed, inputs.return_convention
        )
        # No T-bill years to draw from: spare cash earns the scenario's constant liquidity rate.
        liquidity = float(
            market.monthly_factor(float(scenario.outside.liquidity_rate), inputs.return_convention)
        )
        sampled = market.Paths(account, liquidity, after_window(scenario, account))
    values = market.evaluate(scenario.ledger, sampled, progress)
    totals = cent_totals(values.parts)
    ordered = np.sort(totals)
    return MonteCarloResult(
        percentiles=_percentiles(ordered),
        sampling_error=_sampling_error(ordered),
        per_dollar=_percentiles(ordered / float(scenario.loan.terms.amount)),
        share_loan_cheaper=market.share_cheaper(totals),
        sign_note=_sign_note(scenario, values.parts, totals, "path"),
        seed=inputs.seed,
        paths=count,
        model=inputs.model,
        stock_pct=inputs.stock_pct,
        mean_pct=Decimal(mean_pct).quantize(Decimal("0.01")),
        vol_pct=Decimal(vol_pct).quantize(Decimal("0.01")),
        fan=_fan(scenario, values.with_loan_by_year),
        warnings=warnings,
        version=__version__,
    )
