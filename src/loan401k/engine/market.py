"""Market models (METHOD §7): the true cost on every historical start year and on random paths.

A path is one annual return per model year; each year's return is spread over its 12 months
by the same convention as the deterministic projection (effective: a = (1 + R)^(1/12), or
nominal: a = 1 + R / 12). Balances are linear in the flows (projection.py), so the balance at
month T of a flow vector f is I[T] * sum_m f[m] / I[m]. Within model year y the index is
I[12y + k] = J_y * a^k (J_y the growth before year y), so with x = 1 / a

    sum over year y = (1 / J_y) * sum_{k=1..12} f[12y + k] * x^k

a polynomial of degree 12 in x whose coefficients do not depend on the path. The largest
arrays are therefore paths x years, not paths x months. Historical paths (backtest and
bootstrap) draw from only len(table) distinct years, so the polynomials are evaluated once
per historical year and gathered; lognormal paths evaluate them per path-year.

Only the loan's years carry cost flows (the loan, payments, fees, the job-loss expectation,
the contribution cut), so the cost needs the polynomials of those years only; the with-loan
balance (for the fan) needs every year, as one flow vector.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .costs import COMPONENTS
from .projection import growth_index

CHUNK = 10_000  # paths evaluated at a time: bounds memory at a few tens of MB
COST_ROWS = COMPONENTS[1:]  # growth_missed, interest_to_self, contribution_cut, fees, job_loss
Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- returns


def portfolio_returns(stocks: np.ndarray, bonds: np.ndarray, stock_pct: float) -> np.ndarray:
    """Yearly return of a stock/bond mix rebalanced to `stock_pct` percent every year."""
    if not 0 <= stock_pct <= 100:
        raise ValueError(f"stock_pct must be within 0..100, got {stock_pct}")
    share = stock_pct / 100.0
    return share * np.asarray(stocks, dtype=float) + (1.0 - share) * np.asarray(bonds, dtype=float)


def monthly_factor(annual: np.ndarray, convention: str = "effective") -> np.ndarray:
    """1 + g for each month of a year with annual return R (METHOD §3)."""
    annual = np.asarray(annual, dtype=float)
    if convention == "nominal":
        return 1.0 + annual / 12.0
    return np.power(1.0 + annual, 1.0 / 12.0)


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


# --------------------------------------------------------------------------- flows per year


@dataclass(frozen=True)
class YearlyFlows:
    """The path-independent part: a plan's flows laid out as per-year polynomial coefficients."""

    months: int
    years: int
    cost_start: np.ndarray  # (5,) cost flows at month 0
    cost: np.ndarray  # (loan_years, 12, 5): coefficient of x^k in each loan year
    with_loan_start: float
    with_loan: np.ndarray  # (years, 12, 1)


def yearly_flows(matrix: np.ndarray) -> YearlyFlows:
    """Lay out a (len(COMPONENTS), T + 1) flow matrix (costs.CostFlows.matrix) by model year."""
    matrix = np.asarray(matrix, dtype=float)
    months = matrix.shape[1] - 1
    years = horizon_years(months)
    padded = np.zeros((len(COMPONENTS), 12 * years))
    padded[:, :months] = matrix[:, 1:]
    row = {name: padded[i] for i, name in enumerate(COMPONENTS)}
    with_loan = (
        row["no_loan"]
        - row["growth_missed"]
        + row["interest_to_self"]
        - row["contribution_cut"]
        - row["fees"]
    )
    cost = padded[1:]
    active = np.flatnonzero(np.any(cost != 0.0, axis=0))
    loan_years = max(1, horizon_years(int(active[-1]) + 1)) if active.size else 1
    start = matrix[:, 0]
    with_loan_start = float(start[0] - start[1] + start[2] - start[3] - start[4])
    return YearlyFlows(
        months=months,
        years=years,
        cost_start=start[1:].copy(),
        cost=cost[:, : 12 * loan_years].reshape(5, loan_years, 12).transpose(1, 2, 0).copy(),
        with_loan_start=with_loan_start,
        with_loan=with_loan.reshape(years, 12, 1),
    )


def _powers(x: np.ndarray) -> np.ndarray:
    """x^1 .. x^12 along a new axis 1: (rows, 12, ...), by repeated products (no np.power)."""
    powers = np.empty((x.shape[0], 12) + x.shape[1:])
    powers[:, 0] = x
    for k in range(1, 12):
        np.multiply(powers[:, k - 1], x, out=powers[:, k])
    return powers


def _year_sums_table(coeffs: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_k coeffs[y, k, s] x_h^k for each distinct x_h: (years, S, H)."""
    return np.einsum("hk,yks->ysh", _powers(x), coeffs)


def _year_sums_paths(coeffs: np.ndarray, x: np.ndarray) -> np.ndarray:
    """sum_k coeffs[y, k, s] x[y, p]^k for x (years, P): (years', S, P), a matmul per year."""
    years = coeffs.shape[0]
    powers = _powers(x[:years])  # (years', 12, P)
    return np.matmul(coeffs.transpose(0, 2, 1), powers)


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


# --------------------------------------------------------------------------- evaluation
# Inside, arrays are year-major, (years, ..., P), so each step works on long contiguous rows.


@dataclass(frozen=True)
class PathValues:
    """Every scenario on every path: values in COMPONENTS order, and the with-loan balance
    at the end of each projection year (the last one at month T)."""

    values: np.ndarray  # (P, 6)
    with_loan_by_year: np.ndarray  # (P, years): a transposed view of a (years, P) array


def _assemble(
    flows: YearlyFlows,
    growth: np.ndarray,
    back: np.ndarray | float,
    cost_sums: np.ndarray,
    with_loan_sums: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """growth (years, P) = a^12 of each path-year; back = a^-(padded months) of the last
    year; cost_sums (loan_years, 5, P) and with_loan_sums (years, P) the year polynomials.
    Returns values (P, 6) and with-loan balances at year ends (years, P)."""
    end_of_year = _cumulative_product(growth)  # I[12 (y + 1)]
    inv_start = np.empty_like(end_of_year)  # 1 / I[12 y]
    inv_start[0] = 1.0
    np.divide(1.0, end_of_year[:-1], out=inv_start[1:])
    at_end = end_of_year[-1] * back  # I[T]
    costs = np.einsum("ysp,yp->sp", cost_sums, inv_start[: cost_sums.shape[0]])
    costs += flows.cost_start[:, None]
    costs *= at_end
    running = with_loan_sums * inv_start
    for y in range(1, running.shape[0]):
        np.add(running[y - 1], running[y], out=running[y])
    running += flows.with_loan_start
    with_loan = np.multiply(running, end_of_year, out=running)
    with_loan[-1] *= back
    no_loan = with_loan[-1] + costs[0] - costs[1] + costs[2] + costs[3]
    values = np.empty((growth.shape[1], len(COMPONENTS)))
    values[:, 0] = no_loan
    values[:, 1:] = costs.T
    return values, with_loan


def evaluate_table(
    flows: YearlyFlows,
    table: np.ndarray,
    draws: np.ndarray,
    convention: str = "effective",
    progress: Progress | None = None,
) -> PathValues:
    """Paths whose years are positions `draws` (P, years) in a table of annual returns (H,).

    The year polynomials and a^12 are evaluated once per (table year, model year) and
    gathered; no array of paths x months is ever built."""
    draws = np.asarray(draws)
    factor = monthly_factor(table, convention)
    x = 1.0 / factor
    growth_table = _twelfth_power(factor)
    tail = 12 * flows.years - flows.months  # padded months past T (0 in practice)
    back_table = x**tail
    cost_table = _year_sums_table(flows.cost, x)  # (loan_years, 5, H)
    with_loan_table = _year_sums_table(flows.with_loan, x)[:, 0]  # (years, H)
    loan_years = flows.cost.shape[0]
    paths = draws.shape[0]
    values = np.empty((paths, len(COMPONENTS)))
    with_loan = np.empty((flows.years, paths))  # year-major; exposed transposed
    chunks = max(1, -(-paths // CHUNK))
    for done, lo in enumerate(range(0, paths, CHUNK), start=1):  # chunks, not paths
        rows = np.ascontiguousarray(draws[lo : lo + CHUNK].T)  # (years, P)
        values[lo : lo + CHUNK], with_loan[:, lo : lo + CHUNK] = _assemble(
            flows,
            growth_table[rows],
            back_table[rows[-1]],
            np.take_along_axis(cost_table, rows[:loan_years, None, :], axis=2),
            np.take_along_axis(with_loan_table, rows, axis=1),
        )
        if progress:
            progress(done, chunks)
    return PathValues(values, with_loan.T)


def evaluate_annual(flows: YearlyFlows, annual: np.ndarray, convention: str = "effective") -> PathValues:
    """Paths given as annual returns (P, years), each path-year evaluated on its own."""
    factor = np.ascontiguousarray(monthly_factor(annual, convention).T)
    return _evaluate_factor(flows, factor)


def _evaluate_factor(flows: YearlyFlows, factor: np.ndarray) -> PathValues:
    """factor (years, P): the monthly factor a of each path-year."""
    x = 1.0 / factor
    tail = 12 * flows.years - flows.months
    back = x[-1] ** tail if tail else 1.0
    values, with_loan = _assemble(
        flows,
        _twelfth_power(factor),
        back,
        _year_sums_paths(flows.cost, x),
        _year_sums_paths(flows.with_loan, x)[:, 0],
    )
    return PathValues(values, with_loan.T)


def lognormal(
    flows: YearlyFlows,
    paths: int,
    mean: float,
    vol: float,
    seed: int,
    convention: str = "effective",
    progress: Progress | None = None,
) -> PathValues:
    """Annual gross returns 1 + R ~ lognormal with E[R] = mean, sd[R] = vol (fractions).
    vol = 0 gives exactly the constant return `mean` on every path."""
    rng = np.random.default_rng(seed)
    mu, sigma = lognormal_parameters(mean, vol)
    values = np.empty((paths, len(COMPONENTS)))
    with_loan = np.empty((flows.years, paths))
    chunks = max(1, -(-paths // CHUNK))
    for done, lo in enumerate(range(0, paths, CHUNK), start=1):
        size = min(CHUNK, paths - lo)
        if sigma == 0.0:
            factor = np.full((flows.years, size), float(monthly_factor(mean, convention)))
        else:
            log_gross = mu + sigma * rng.standard_normal((flows.years, size))
            if convention == "nominal":
                factor = 1.0 + np.expm1(log_gross) / 12.0
            else:
                factor = np.exp(log_gross / 12.0)  # (1 + R)^(1/12) without np.power
        part = _evaluate_factor(flows, factor)
        values[lo : lo + size], with_loan[:, lo : lo + size] = part.values, part.with_loan_by_year.T
        if progress:
            progress(done, chunks)
    return PathValues(values, with_loan.T)


def bootstrap_draws(count: int, paths: int, years: int, seed: int) -> np.ndarray:
    """Whole historical years drawn with replacement (stocks and bonds of the same year)."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, count, size=(paths, years))


# --------------------------------------------------------------------------- summaries


def round_cents(values: np.ndarray) -> np.ndarray:
    """Half-up (away from zero) to cents, as money.cents(D(x)) does, vectorized. D() reads a
    float through its shortest repr, so 1.005 is a tie (-> 1.01) although 1.005 * 100 is
    100.49999999999999 in binary: snapping to 1e-6 of a cent first keeps those ties."""
    scaled = np.round(np.abs(values) * 100.0, 6)
    return np.sign(values) * np.floor(scaled + 0.5) / 100.0


def cent_totals(values: np.ndarray, retirement_tax_rate: float, roth: bool) -> np.ndarray:
    """cost.total per path, rounded component by component exactly as costs.decompose does
    (so one path with the deterministic return gives analyze()'s total to the cent)."""
    column = {name: round_cents(values[:, i]) for i, name in enumerate(COMPONENTS)}
    interest = column["interest_to_self"]
    double_tax = np.zeros_like(interest) if roth else round_cents(retirement_tax_rate * interest)
    return (
        column["growth_missed"]
        - interest
        + double_tax
        + column["contribution_cut"]
        + column["fees"]
        + column["job_loss"]
    )


PERCENTILES = {"min": 0, "p10": 10, "p25": 25, "p50": 50, "p75": 75, "p90": 90, "max": 100}


def percentiles(totals: np.ndarray) -> dict[str, float]:
    """min, p10 .. p90, max (numpy's linear interpolation between order statistics)."""
    figures = np.percentile(totals, list(PERCENTILES.values()))
    return dict(zip(PERCENTILES, (float(v) for v in figures), strict=True))


def share_cheaper(totals: np.ndarray) -> float:
    """Percent of paths where the loan ends up cheaper than staying invested (total < 0)."""
    return round(float(np.count_nonzero(totals < 0) * 100.0 / totals.size), 2)


def fan(with_loan_by_year: np.ndarray) -> np.ndarray:
    """p10, p50, p90 of the with-loan balance at each year end: (3, years)."""
    return np.percentile(with_loan_by_year.T, [10, 50, 90], axis=1)  # rows are contiguous
