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

import math
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
    liquidity: np.ndarray | float  # (P, Y') with Y' at least the repayment window's years
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
    first = int(np.flatnonzero(counts)[0])  # the years before the span do not take part
    growth: np.ndarray = np.exp(np.log(factor[:, first:]) @ counts[first:].astype(float))
    return growth


def _year_rows(factor: np.ndarray | float, years: int) -> np.ndarray | float:
    """The first `years` of per-year factors (P, Y) as rows (years, P), each contiguous."""
    if not isinstance(factor, np.ndarray):
        return float(factor)
    return np.ascontiguousarray(factor[:, :years].T)


def _index_by_month(
    count: int, months: int, first: np.ndarray | float, second: np.ndarray | float, switch: int
) -> np.ndarray:
    """I (months + 1, P), I[0] = 1, I[m] = I[m - 1] x the factor of month m's year: `first`
    in months 1..switch, `second` after. Month by month over all paths at once: one row
    product a month, where a cumulative product along each path's row would take one call
    per path (the same products in the same order)."""
    years = -(-months // 12)
    early, late = _year_rows(first, years), _year_rows(second, years)
    index = np.empty((months + 1, count))
    index[0] = 1.0
    for month in range(1, months + 1):
        rows = early if month <= switch else late
        factor = rows if isinstance(rows, float) else rows[(month - 1) // 12]
        np.multiply(index[month - 1], factor, out=index[month])
    return index


@dataclass(frozen=True)
class PathValues:
    """On every path: the six parts (PARTS order), the pre-tax account rows (ACCOUNT_ROWS;
    no_loan is not evaluated on paths: NaN), and the with-loan balance at each year end."""

    parts: np.ndarray  # (P, 6)
    account: np.ndarray  # (P, len(ACCOUNT_ROWS))
    with_loan_by_year: np.ndarray  # (P, years)


def _cost_values(ledger: Ledger, paths: Paths, account_end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Values at retirement of every account and outside row on each path: (P, Ka), (P, Ko),
    given the account's growth index at retirement on each path (`account_end`)."""
    months, count = ledger.months, paths.count
    horizon = min(months, max(ledger.cost_horizon, ledger.window, 1))
    account = _index_by_month(count, horizon, paths.account, paths.account, horizon)
    outside = _index_by_month(count, horizon, paths.liquidity, paths.outside, ledger.window)
    outside_end = outside[-1] * _growth_after(paths.outside, count, horizon, months)
    account_rows = ledger.account[1:, : horizon + 1]  # no_loan runs to T: not a cost row
    account_values = np.full((count, len(ACCOUNT_ROWS)), np.nan)
    np.divide(1.0, account, out=account)
    np.divide(1.0, outside, out=outside)
    account_values[:, 1:] = (_discounted(account_rows, account) * account_end).T
    outside_values = (_discounted(ledger.outside[:, : horizon + 1], outside) * outside_end).T
    return account_values, outside_values


SPARSE_MONTHS = 4  # a row with at most this many non-zero months is summed month by month


def _discounted(rows: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """sum_m f[m] / I[m] of each flow row (K, M + 1) on each path, given 1 / I (M + 1, P):
    (K, P). The dense rows by np.einsum, numpy's own loop, not BLAS: a threaded BLAS product
    of this shape stalls for tens of milliseconds whenever the other core is busy (measured:
    0.3 ms alone, 28 ms median beside another process). Rows with few non-zero months (the
    money itself at month 0, the annual fees, the excess's tax) by those months alone."""
    out = np.empty((rows.shape[0], inverse.shape[1]))
    nonzero = rows != 0
    dense = nonzero.sum(axis=1) > SPARSE_MONTHS
    if dense.any():
        out[dense] = np.einsum("km,mp->kp", rows[dense], inverse)
    for k in np.flatnonzero(~dense):
        out[k] = 0.0
        for month in np.flatnonzero(nonzero[k]):
            out[k] += rows[k, month] * inverse[month]
    return out


def _year_end_balances(flows: np.ndarray, paths: Paths, out: np.ndarray) -> np.ndarray:
    """Balance of one flow vector (T + 1,) at every year end on the paths' per-year monthly
    account factors a (P, Y), written into `out` (Y, P); returns the growth index at T on
    each path (P,). Within year y the index is J_y a^k, so the year's flows are worth, at
    its end, g_y x sum_k f[12y + k] x^k with x = 1 / a and g_y = a^12 (a^r for a last year
    of r months): B_y = (B_(y-1) + that sum) x g_y, from B_(-1) = f[0]. The sums are year
    polynomials, evaluated once per table year and gathered for historical paths."""
    months = flows.shape[0] - 1
    factor = paths.account
    years = factor.shape[1]
    last_months = months - 12 * (years - 1)  # 1..12
    coeffs = np.zeros((years, 12))
    coeffs.reshape(-1)[:months] = flows[1:]
    if paths.table is not None and paths.draws is not None:
        # each path-year's place in a (Y, H) table of per-table-year figures, as one flat
        # index (row y, column draws[p, y]): np.take on it is far faster than take_along_axis
        width = paths.table.shape[0]
        positions = np.add(paths.draws.T, (np.arange(years) * width)[:, None], order="C")  # (Y, P)
        sums = np.take(coeffs @ _powers(1.0 / paths.table[None, :])[0], positions)  # (Y, H) -> (Y, P)
        growth = np.take(np.tile(_twelfth_power(paths.table), years), positions)
        last = factor[:, -1]
    else:
        grow = np.ascontiguousarray(factor.T)  # (Y, P)
        sums = np.einsum("yk,ykp->yp", coeffs, _powers(1.0 / grow))
        growth = _twelfth_power(grow)
        last = grow[-1]
    if last_months < 12:
        growth[-1] = last**last_months
    balance = np.full(paths.count, float(flows[0]))
    index_end = np.ones(paths.count)
    for y in range(years):
        np.add(balance, sums[y], out=balance)
        np.multiply(balance, growth[y], out=balance)
        out[y] = balance
        np.multiply(index_end, growth[y], out=index_end)
    return index_end


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
        index_end = _year_end_balances(with_loan_flows, chunk, with_loan[:, lo : lo + CHUNK])
        account, outside = _cost_values(ledger, chunk, index_end)
        account_values[lo : lo + CHUNK] = account
        part_values[lo : lo + CHUNK] = parts(ledger, account, outside)
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


def _twelfth_power(factor: np.ndarray) -> np.ndarray:
    """a^12 as ((a^2)^2)^3 by products, no np.power."""
    squared = factor * factor
    fourth = squared * squared
    twelfth: np.ndarray = fourth * fourth * fourth
    return twelfth


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
FAN = (10, 50, 90)


def sorted_percentiles(ordered: np.ndarray, q: tuple[float, ...] | list[float]) -> np.ndarray:
    """np.percentile(x, q, axis=-1) of rows already sorted along their last axis, (len(q),
    ...): the same order statistics and numpy's own "linear" interpolation, written out
    (numpy 2's percentile partitions for several q at once, ~4x slower than a sort here)."""
    n = ordered.shape[-1]
    quantiles = np.true_divide(np.asarray(q, dtype=float), 100)
    virtual = (n - 1) * quantiles  # numpy's "linear" (Hyndman & Fan's 7th) virtual index
    below = np.floor(virtual)
    previous = np.clip(below, 0, n - 1).astype(np.intp)
    following = np.clip(below + 1, 0, n - 1).astype(np.intp)
    previous[virtual >= n - 1] = n - 1
    gamma = (virtual - below).reshape((-1,) + (1,) * (ordered.ndim - 1))
    low = np.moveaxis(ordered[..., previous], -1, 0)
    high = np.moveaxis(ordered[..., following], -1, 0)
    difference = high - low  # numpy's _lerp: from the nearer order statistic
    figures: np.ndarray = np.where(gamma >= 0.5, high - difference * (1 - gamma), low + difference * gamma)
    return figures


def percentiles(totals: np.ndarray, *, ordered: bool = False) -> dict[str, float]:
    """min, p10 .. p90, max (numpy's linear interpolation between order statistics);
    `ordered`: the totals are sorted already."""
    figures = sorted_percentiles(totals if ordered else np.sort(totals), list(PERCENTILES.values()))
    return dict(zip(PERCENTILES, (float(v) for v in figures), strict=True))


#: The percentiles a simulation's sampling error is given for (min and max have none).
INTERVAL_PERCENTILES = ("p10", "p25", "p50", "p75", "p90")
Z_95 = 1.959963984540054  # the standard normal's 97.5th percentile


def percentile_intervals(ordered: np.ndarray, z: float = Z_95) -> dict[str, tuple[float, float]]:
    """A distribution-free 95 % confidence interval for each percentile of the population the
    paths were drawn from, from the order statistics of the `ordered` sample: the number of
    draws below the true p-quantile is Binomial(n, p), so the interval runs from the j-th to
    the k-th smallest, j, k = n·p ∓ z·√(n·p·(1−p)) (normal approximation to the binomial;
    e.g. Conover, Practical Nonparametric Statistics, §3.2). It measures the simulation's
    own sampling error only: more paths narrow it, no number of paths removes the model's
    assumptions."""
    n = ordered.shape[-1]
    out: dict[str, tuple[float, float]] = {}
    for name in INTERVAL_PERCENTILES:
        p = PERCENTILES[name] / 100
        spread = z * math.sqrt(n * p * (1 - p))
        low = min(n - 1, max(0, math.floor(n * p - spread) - 1))  # 1-based rank → index
        high = min(n - 1, max(0, math.ceil(n * p + spread) - 1))
        out[name] = (float(ordered[low]), float(ordered[high]))
    return out


def share_cheaper(totals: np.ndarray) -> float:
    """Percent of paths where the loan costs less than nothing (cost.total < 0, METHOD v2 §4)."""
    return round(float(np.count_nonzero(totals < 0) * 100.0 / totals.size), 2)


def fan(with_loan_by_year: np.ndarray, *, overwrite_input: bool = False) -> np.ndarray:
    """p10, p50, p90 of the with-loan balance at each year end: (3, years), as np.percentile
    gives them. Each needs the k-th and (k+1)-th smallest of a year's paths: one partition a
    percentile, each over what lies above the one before (numpy's percentile partitions at
    all six places at once, ~4x slower; a sort of every year, ~1.3x). `overwrite_input`, as
    np.percentile's: the balances may be reordered in place (each year's paths shuffled)
    instead of copied first (2.8 MB for 10,000 paths x 35 years), for a caller done with them."""
    rows = with_loan_by_year.T  # (years, paths): evaluate() writes them so, contiguous
    if not (overwrite_input and rows.flags.c_contiguous and rows.flags.writeable):
        rows = np.array(rows)  # partitioned in place below
    n = rows.shape[1]
    virtual = (n - 1) * np.true_divide(np.asarray(FAN, dtype=float), 100)
    below = np.floor(virtual)
    if n < 2 or np.any(np.diff(below) < 2):  # few paths: the percentiles share order statistics
        return sorted_percentiles(np.sort(rows, axis=1), FAN)
    low = np.empty((len(FAN), rows.shape[0]))
    high = np.empty_like(low)
    done = 0  # rows[:, :done] hold each year's `done` smallest balances
    for i, k in enumerate(int(v) for v in below):
        part = rows[:, done:]
        part.partition(k - done, axis=1)
        low[i] = part[:, k - done]
        high[i] = part[:, k - done + 1 :].min(axis=1) if k + 1 < n else low[i]
        done = k + 1
    gamma = (virtual - below)[:, None]
    difference = high - low  # numpy's _lerp, as in sorted_percentiles
    figures: np.ndarray = np.where(gamma >= 0.5, high - difference * (1 - gamma), low + difference * gamma)
    return figures
