"""Market models (METHOD §7): the true cost on every historical start year and on random paths.

A path is one annual return per model year; each year's return is spread over its 12 months
by the same convention as the deterministic projection (effective: a = (1 + R)^(1/12), or
nominal: a = 1 + R / 12). On every path the plan account grows by a and money outside by its
own factor (METHOD v2 §4, §7): the liquidity rate during the repayment window (that year's
T-bill after tax, or a constant), then the portfolio less its tax drag, 1 + (a - 1)(1 - drag).

Every part of the cost is linear in its flows (engine.ledger), so the value at retirement of
a flow vector f on a path is I[T] * sum_m f[m] / I[m]: one matrix product (1 / I) @ F for
all rows at once, per pot. Cost flows stop a few years after the loan (the last payment,
the last tax due date), so the indexes are built month by month only up to that horizon;
beyond it only the growth to retirement matters, a product of yearly factors. The largest
arrays are paths x horizon months.

The fan (the with-loan balance at every year end) needs every year: within model year y the
index is I[12y + k] = J_y a^k, so with x = 1 / a the year's sum is a polynomial of degree 12
in x whose coefficients do not depend on the path: arrays of paths x years, not months.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .ledger import ACCOUNT_ROWS, Ledger, parts
from .projection import growth_index

CHUNK = 10_000  # paths evaluated at a time: bounds memory at a few tens of MB
Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- returns


def portfolio_returns(stocks: np.ndarray, bonds: np.ndarray, stock_pct: float) -> np.ndarray:
    """Yearly return of a stock/bond mix rebalanced to `stock_pct` percent every year."""
    if not 0 <= stock_pct <= 100:
        raise ValueError(f"stock_pct must be within 0..100, got {stock_pct}")
    share = stock_pct / 100.0
    return share * np.asarray(stocks, dtype=float) + (1.0 - share) * np.asarray(bonds, dtype=float)


def monthly_factor(annual: np.ndarray | float, convention: str = "effective") -> np.ndarray:
    """1 + g for each month of a year with annual return R (METHOD §3)."""
    returns = np.asarray(annual, dtype=float)
    if convention == "nominal":
        return 1.0 + returns / 12.0
    return np.power(1.0 + returns, 1.0 / 12.0)


def horizon_years(months: int) -> int:
    return -(-months // 12)


def backtest_starts(first_year: int, last_year: int, months: int) -> np.ndarray:
    """Every start year with enough following years: first .. last - years + 1."""
    return np.arange(first_year, last_year - horizon_years(months) + 2)


def backtest_draws(count: int, months: int) -> np.ndarray:
    """Row i = table positions i, i+1, ..., i+years-1 of start i: shape (starts, years)."""
    years = horizon_years(months)
    starts = count - years + 1
    if starts < 1:
        raise ValueError(f"the table holds {count} years; the horizon needs {years}")
    return np.arange(starts)[:, None] + np.arange(years)[None, :]


def lognormal_parameters(mean: float, vol: float) -> tuple[float, float]:
    """mu, sigma of log(1 + R) so that E[R] = mean and sd[R] = vol (fractions)."""
    gross = 1.0 + mean
    sigma2 = np.log1p((vol / gross) ** 2)
    return float(np.log(gross) - sigma2 / 2.0), float(np.sqrt(sigma2))


def index_matrix(annual: np.ndarray, months: int, convention: str = "effective") -> np.ndarray:
    """The full growth index I (P, months + 1) of annual-return paths (P, years): the plain
    form, for checks and small cases (value_at_end(flows, I) gives the balances)."""
    annual = np.atleast_2d(np.asarray(annual, dtype=float))
    monthly = np.repeat(monthly_factor(annual, convention) - 1.0, 12, axis=1)[:, :months]
    return growth_index(monthly)


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Paths:
    """Monthly growth factors of each path-year (P, Y): the plan account; money outside in
    the repayment window (spare cash) and after it (the taxable portfolio). A float is the
    same factor on every path and year."""

    account: np.ndarray
    liquidity: np.ndarray | float
    outside: np.ndarray | float
    #: for paths made of historical years: the table's account factors (H,) and each
    #: path-year's position in it (P, Y), so per-year sums are computed once per table year
    table: np.ndarray | None = None
    draws: np.ndarray | None = None

    @property
    def count(self) -> int:
        return int(self.account.shape[0])

    def rows(self, lo: int, hi: int) -> Paths:
        def cut(x: np.ndarray | float | None) -> Any:
            return x[lo:hi] if isinstance(x, np.ndarray) else x

        return Paths(self.account[lo:hi], cut(self.liquidity), cut(self.outside), self.table, cut(self.draws))


def _by_month(factor: np.ndarray | float, paths: int, years: int, months: int) -> np.ndarray:
    """(P, months) monthly factors from per-year ones (or a constant)."""
    if not isinstance(factor, np.ndarray):
        return np.full((paths, months), float(factor))
    return np.repeat(factor[:, : -(-months // 12)], 12, axis=1)[:, :months]


def _growth_after(factor: np.ndarray | float, paths: int, start: int, end: int) -> np.ndarray:
    """Growth over months start+1..end: the product of each year's factor to the number of
    its months in that span."""
    if end <= start:
        return np.ones(paths)
    if not isinstance(factor, np.ndarray):
        return np.full(paths, float(factor) ** (end - start))
    years = factor.shape[1]
    lows = np.arange(years) * 12
    counts = np.clip(np.minimum(lows + 12, end) - np.maximum(lows, start), 0, None)
    return np.exp(np.log(factor) @ counts.astype(float))


def _index(monthly: np.ndarray) -> np.ndarray:
    """I (P, M + 1) with I[:, 0] = 1 from monthly factors (P, M)."""
    out = np.empty((monthly.shape[0], monthly.shape[1] + 1))
    out[:, 0] = 1.0
    np.cumprod(monthly, axis=1, out=out[:, 1:])
    return out


@dataclass(frozen=True)
class PathValues:
    """On every path: the six parts (PARTS order), the pre-tax account rows (ACCOUNT_ROWS;
    no_loan is not evaluated on paths: NaN), and the with-loan balance at each year end."""

    parts: np.ndarray  # (P, 6)
    account: np.ndarray  # (P, len(ACCOUNT_ROWS))
    with_loan_by_year: np.ndarray  # (P, years)


def _cost_values(ledger: Ledger, paths: Paths) -> tuple[np.ndarray, np.ndarray]:
    """Values at retirement of every account and outside row on each path: (P, Ka), (P, Ko)."""
    months, count = ledger.months, paths.count
    years = paths.account.shape[1]
    horizon = min(months, max(ledger.cost_horizon, ledger.window, 1))
    account = _index(_by_month(paths.account, count, years, horizon))
    in_window = np.arange(1, horizon + 1) <= ledger.window
    outside_monthly = np.where(
        in_window,
        _by_month(paths.liquidity, count, years, horizon),
        _by_month(paths.outside, count, years, horizon),
    )
    outside = _index(outside_monthly)
    account_end = account[:, -1] * _growth_after(paths.account, count, horizon, months)
    outside_end = outside[:, -1] * _growth_after(paths.outside, count, horizon, months)
    account_rows = ledger.account[1:, : horizon + 1]  # no_loan runs to T: not a cost row
    account_values = np.full((count, len(ACCOUNT_ROWS)), np.nan)
    account_values[:, 1:] = ((1.0 / account) @ account_rows.T) * account_end[:, None]
    outside_values = ((1.0 / outside) @ ledger.outside[:, : horizon + 1].T) * outside_end[:, None]
    return account_values, outside_values


def _year_end_balances(flows: np.ndarray, paths: Paths) -> np.ndarray:
    """Balance of one flow vector (T + 1,) at every year end on the paths' per-year monthly
    account factors (P, Y): (Y, P), by the year polynomials (evaluated once per table year
    and gathered, for paths made of historical years)."""
    months = flows.shape[0] - 1
    factor = paths.account
    years = factor.shape[1]
    coeffs = np.zeros((years, 12))
    coeffs.reshape(-1)[:months] = flows[1:]
    grow = np.ascontiguousarray(factor.T)  # (Y, P)
    if paths.table is not None and paths.draws is not None:
        positions = np.ascontiguousarray(paths.draws.T)  # (Y, P)
        table_sums = coeffs @ _powers(1.0 / paths.table[None, :])[0]  # (Y, H)
        sums = np.take_along_axis(table_sums, positions, axis=1)
        growth = _twelfth_power(paths.table)[positions]
    else:
        sums = np.einsum("yk,ykp->yp", coeffs, _powers(1.0 / grow))
        growth = _twelfth_power(grow)
    end_of_year = _cumulative_product(growth)
    if months < 12 * years:  # a last, partial year
        end_of_year[-1] /= grow[-1] ** (12 * years - months)
    inv_start = np.empty_like(end_of_year)
    inv_start[0] = 1.0
    np.divide(1.0, end_of_year[:-1], out=inv_start[1:])
    running = sums * inv_start
    for y in range(1, years):
        np.add(running[y - 1], running[y], out=running[y])
    running += flows[0]
    return running * end_of_year


def evaluate(ledger: Ledger, paths: Paths, progress: Progress | None = None) -> PathValues:
    """Every part of the cost on every path, and the with-loan balance at each year end."""
    count = paths.count
    years = paths.account.shape[1]
    part_values = np.empty((count, 6))
    account_values = np.empty((count, len(ACCOUNT_ROWS)))
    with_loan = np.empty((years, count))
    with_loan_flows = ledger.with_loan_flows
    chunks = max(1, -(-count // CHUNK))
    for done, lo in enumerate(range(0, count, CHUNK), start=1):  # chunks, not paths
        chunk = paths.rows(lo, lo + CHUNK)
        account, outside = _cost_values(ledger, chunk)
        account_values[lo : lo + CHUNK] = account
        part_values[lo : lo + CHUNK] = parts(ledger, account, outside)
        with_loan[:, lo : lo + CHUNK] = _year_end_balances(with_loan_flows, chunk)
        if progress:
            progress(done, chunks)
    return PathValues(part_values, account_values, with_loan.T)


def _powers(x: np.ndarray) -> np.ndarray:
    """x^1 .. x^12 along a new axis 1: (rows, 12, ...), by repeated products (no np.power)."""
    powers = np.empty((x.shape[0], 12) + x.shape[1:])
    powers[:, 0] = x
    for k in range(1, 12):
        np.multiply(powers[:, k - 1], x, out=powers[:, k])
    return powers


def _cumulative_product(rows: np.ndarray) -> np.ndarray:
    """np.cumprod(rows, axis=0), row by row: much faster for a few long rows."""
    out = np.empty_like(rows)
    out[0] = rows[0]
    for y in range(1, rows.shape[0]):
        np.multiply(out[y - 1], rows[y], out=out[y])
    return out


def _twelfth_power(factor: np.ndarray) -> np.ndarray:
    """a^12 as ((a^2)^2)^3 by products, no np.power."""
    squared = factor * factor
    fourth = squared * squared
    return fourth * fourth * fourth


def lognormal_factors(
    paths: int, years: int, mean: float, vol: float, seed: int, convention: str = "effective"
) -> np.ndarray:
    """Monthly factors (P, Y) of annual gross returns 1 + R ~ lognormal with E[R] = mean and
    sd[R] = vol (fractions). vol = 0 gives exactly the constant return `mean` everywhere."""
    if vol == 0.0:
        return np.full((paths, years), float(monthly_factor(mean, convention)))
    rng = np.random.default_rng(seed)
    mu, sigma = lognormal_parameters(mean, vol)
    log_gross = mu + sigma * rng.standard_normal((paths, years))
    if convention == "nominal":
        return 1.0 + np.expm1(log_gross) / 12.0
    return np.exp(log_gross / 12.0)  # (1 + R)^(1/12) without np.power


def bootstrap_draws(count: int, paths: int, years: int, seed: int) -> np.ndarray:
    """Whole historical years drawn with replacement (stocks and bonds of the same year)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, count, size=(paths, years))


# --------------------------------------------------------------------------- summaries


PERCENTILES = {"min": 0, "p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90, "max": 100}


def percentiles(totals: np.ndarray) -> dict[str, float]:
    """min, p10 .. p90, max (numpy's linear interpolation between order statistics)."""
    figures = np.percentile(totals, list(PERCENTILES.values()))
    return dict(zip(PERCENTILES, (float(v) for v in figures), strict=True))


def share_cheaper(totals: np.ndarray) -> float:
    """Percent of paths where the loan costs less than nothing (cost.total < 0, METHOD v2 §4)."""
    return round(float(np.count_nonzero(totals < 0) * 100.0 / totals.size), 2)


def fan(with_loan_by_year: np.ndarray) -> np.ndarray:
    """p10, p50, p90 of the with-loan balance at each year end: (3, years)."""
    return np.percentile(with_loan_by_year.T, [10, 50, 90], axis=1)  # rows are contiguous
