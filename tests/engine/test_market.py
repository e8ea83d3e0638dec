"""engine.market: the per-year evaluation equals the plain growth-index product, paths are
laid out as METHOD §7 says, and the summaries are what they claim."""

from __future__ import annotations

import math

import numpy as np
import pytest

from loan401k.engine import market
from loan401k.engine.ledger import ACCOUNT_ROWS, OUTSIDE_ROWS, PARTS, Ledger, cent_totals, parts, round_cents
from loan401k.engine.projection import value_at_end


def random_ledger(months: int, loan_months: int, seed: int = 0) -> Ledger:
    """A ledger shaped like engine.ledger's: contributions all along, loan flows early,
    taxes due a year or so after the window."""
    rng = np.random.default_rng(seed)
    account = np.zeros((len(ACCOUNT_ROWS), months + 1))
    account[0, 0] = 50_000.0
    account[0, 1:] = 600.0
    account[1, 0] = 20_000.0
    account[1, 1 : loan_months + 1] = -20_000.0 / loan_months
    account[2, 1 : loan_months + 1] = rng.uniform(20, 140, loan_months)
    account[3, 1 : loan_months + 1] = 300.0
    account[4, [0, 12 if months > 12 else 1]] = 75.0
    account[5, 1 : loan_months + 1] = rng.uniform(0, 30, loan_months)
    outside = np.zeros((len(OUTSIDE_ROWS), months + 1))
    outside[0, 1 : loan_months + 1] = rng.uniform(300, 500, loan_months)
    outside[1, 0] = 20_000.0
    outside[2, 1 : loan_months + 1] = 234.0
    outside[3, 1 : min(months, loan_months + 16) + 1] = rng.uniform(-20, 40, min(months, loan_months + 16))
    outside[4, min(months, 15)] = 1_234.0
    zeros = np.zeros(months + 1)
    return Ledger(
        months=months,
        window=loan_months,
        keep=0.78,
        retirement_tax_rate=0.22,
        account=account,
        outside=outside,
        nominal=np.array([0, 0, 0, 0, 12.5, -40.0]),
        payments=zeros,
        take_home=zeros,
        contribution_cut=zeros,
    )


def month_loop(rows: np.ndarray, factors: list[float]) -> np.ndarray:
    """Balance at month T of each flow row, month by month (METHOD §3): grow, then add."""
    balance = rows[:, 0].copy()
    for month, factor in enumerate(factors, start=1):
        balance = balance * factor + rows[:, month]
    return balance


def pot_factors(annual: np.ndarray, liquidity: float, drag: float, window: int, months: int, convention: str):
    def monthly(rate: float) -> float:
        return 1 + rate / 12 if convention == "nominal" else (1 + rate) ** (1 / 12)

    account = [monthly(annual[(m - 1) // 12]) for m in range(1, months + 1)]
    outside = [
        monthly(liquidity) if m <= window else 1 + (account[m - 1] - 1) * (1 - drag)
        for m in range(1, months + 1)
    ]
    return account, outside


@pytest.mark.parametrize("convention", ["effective", "nominal"])
@pytest.mark.parametrize(("months", "loan_months"), [(360, 60), (30, 30), (12, 7), (600, 300)])
def test_evaluation_equals_the_month_loop_of_both_pots(convention, months, loan_months):
    ledger = random_ledger(months, loan_months)
    years = market.horizon_years(months)
    annual = np.random.default_rng(1).normal(0.07, 0.18, (5, years)).clip(-0.6, None)
    liquidity, drag = 0.033, 0.1
    account_factor = market.monthly_factor(annual, convention)
    paths = market.Paths(
        account_factor,
        float(market.monthly_factor(liquidity, convention)),
        1 + (account_factor - 1) * (1 - drag),
    )
    values = market.evaluate(ledger, paths)
    for path in range(5):
        account, outside = pot_factors(annual[path], liquidity, drag, loan_months, months, convention)
        expected_account = month_loop(ledger.account, account)
        expected_outside = month_loop(ledger.outside, outside)
        np.testing.assert_allclose(values.account[path, 1:], expected_account[1:], rtol=1e-10, atol=1e-6)
        expected_parts = parts(ledger, expected_account[None], expected_outside[None])[0]
        np.testing.assert_allclose(values.parts[path], expected_parts, rtol=1e-10, atol=1e-6)
        # the with-loan balance at every year end, from the plain month loop
        with_loan = ledger.with_loan_flows
        balance, by_year = with_loan[0], []
        for month in range(1, months + 1):
            balance = balance * account[month - 1] + with_loan[month]
            if month % 12 == 0 or month == months:
                by_year.append(balance)
        np.testing.assert_allclose(values.with_loan_by_year[path], by_year, rtol=1e-10)
    index = market.index_matrix(annual, months, convention)
    np.testing.assert_allclose(
        values.account[:, 1:], value_at_end(ledger.account[1:], index), rtol=1e-10, atol=1e-6
    )


def test_per_year_liquidity_follows_each_paths_own_years():
    """The default liquidity rate is each model year's T-bill: a factor per path-year."""
    ledger = random_ledger(120, 36)
    annual = np.array([[0.1] * 10, [-0.2] * 10])
    bills = np.array([[0.02] * 10, [0.06] * 10])
    factor = market.monthly_factor(annual)
    values = market.evaluate(ledger, market.Paths(factor, market.monthly_factor(bills), factor))
    for path in range(2):
        account = [float(factor[path, 0])] * 120
        outside = [(1.02 if path == 0 else 1.06) ** (1 / 12)] * 36 + account[36:]
        expected = parts(
            ledger, month_loop(ledger.account, account)[None], month_loop(ledger.outside, outside)[None]
        )
        np.testing.assert_allclose(values.parts[path], expected[0], rtol=1e-10)


def test_chunks_give_the_same_values_as_one_pass():
    ledger = random_ledger(240, 48)
    table = np.array([0.12, -0.3, 0.05, 0.25, -0.02, 0.4])
    draws = np.random.default_rng(2).integers(0, len(table), (market.CHUNK + 50, 20))  # > one chunk
    factor = market.monthly_factor(table)[draws]
    table_factor = market.monthly_factor(table)
    everything = market.evaluate(ledger, market.Paths(factor, 1.002, factor, table=table_factor, draws=draws))
    tail = market.evaluate(ledger, market.Paths(factor[-50:], 1.002, factor[-50:]))  # no table: direct
    np.testing.assert_allclose(everything.parts[-50:], tail.parts, rtol=1e-12)
    np.testing.assert_allclose(everything.with_loan_by_year[-50:], tail.with_loan_by_year, rtol=1e-12)


def test_backtest_layout_starts_every_year_that_fits():
    assert list(market.backtest_starts(1928, 2025, 360)) == list(range(1928, 1997))
    assert list(market.backtest_starts(1928, 2025, 30)) == list(range(1928, 2024))  # 3 years
    draws = market.backtest_draws(98, 360)
    assert draws.shape == (69, 30)
    assert list(draws[0]) == list(range(30)) and list(draws[-1]) == list(range(68, 98))
    with pytest.raises(ValueError):
        market.backtest_draws(10, 12 * 11)


def test_portfolio_is_the_yearly_rebalanced_mix():
    stocks, bonds = np.array([0.4381, -0.083]), np.array([0.0084, 0.042])
    np.testing.assert_allclose(
        market.portfolio_returns(stocks, bonds, 80), [0.8 * 0.4381 + 0.2 * 0.0084, 0.8 * -0.083 + 0.2 * 0.042]
    )
    with pytest.raises(ValueError):
        market.portfolio_returns(stocks, bonds, 120)


@pytest.mark.parametrize(("mean", "vol"), [(0.07, 0.16), (0.0, 0.3), (-0.2, 0.05), (0.05, 0.0)])
def test_lognormal_parameters_give_the_requested_moments(mean, vol):
    mu, sigma = market.lognormal_parameters(mean, vol)
    # moments of exp(N(mu, sigma^2)), written out
    assert math.exp(mu + sigma**2 / 2) - 1 == pytest.approx(mean, abs=1e-12)
    variance = (math.exp(sigma**2) - 1) * math.exp(2 * mu + sigma**2)
    assert math.sqrt(variance) == pytest.approx(vol, abs=1e-12)


def test_lognormal_draws_have_the_requested_mean_and_zero_vol_is_constant():
    constant = market.lognormal_factors(7, 10, 0.06, 0.0, seed=1)
    np.testing.assert_allclose(constant, 1.06 ** (1 / 12), rtol=1e-15)
    # a dollar at month 0 grows by the product of ten gross returns: E = (1 + mean)^10
    factors = market.lognormal_factors(40_000, 10, 0.06, 0.2, seed=3)
    grown = np.prod(factors**12, axis=1)
    standard_error = grown.std() / math.sqrt(grown.size)
    assert abs(grown.mean() - 1.06**10) < 4 * standard_error
    same = market.lognormal_factors(40_000, 10, 0.06, 0.2, seed=3)
    np.testing.assert_array_equal(factors, same)  # seeded: reproducible


def test_cent_totals_round_each_part_then_add():
    values = np.array([[24967.834, -31279.016, 10.005, 0.0, 12363.915, 0.004]])
    expected = 24967.83 - 31279.02 + 10.01 + 0.0 + 12363.92 + 0.0
    assert cent_totals(values)[0] == pytest.approx(expected, abs=1e-9)
    assert list(round_cents(np.array([1.005, -1.005, 2.004]))) == pytest.approx([1.01, -1.01, 2.0])
    assert len(PARTS) == values.shape[1]


def test_summaries():
    totals = np.array([5.0, -1.0, 3.0, -2.0, 10.0])
    p = market.percentiles(totals)
    assert (p["min"], p["p50"], p["max"]) == (-2.0, 3.0, 10.0)
    assert list(p.values()) == sorted(p.values())
    assert market.share_cheaper(totals) == 40.0
    fan = market.fan(np.arange(1.0, 102.0)[:, None] * np.array([1.0, 2.0]))
    np.testing.assert_allclose(fan, [[11, 22], [51, 102], [91, 182]])


@pytest.mark.parametrize("size", [1, 2, 3, 10, 11, 999, 10_000])
def test_sorted_percentiles_are_numpys_to_the_bit(size):
    """The fan and the percentiles sort once and interpolate as np.percentile does ("linear"):
    the same figures, bit for bit, on any sizes, ties and scales."""
    rng = np.random.default_rng(size)
    rows = rng.lognormal(10, 1.5, size=(4, size)) * rng.choice([-1.0, 1.0], size=(4, size))
    rows[0] = np.round(rows[0], -3)  # ties
    q = list(market.PERCENTILES.values()) + [0.1, 12.5, 33.3, 99.9]
    assert np.array_equal(market.sorted_percentiles(np.sort(rows, axis=1), q), np.percentile(rows, q, axis=1))
    by_year = rows.T  # (paths, years), as evaluate() returns it
    assert np.array_equal(market.fan(by_year), np.percentile(by_year.T, [10, 50, 90], axis=1))
    figures = market.percentiles(rows[1])
    assert list(figures.values()) == [float(v) for v in np.percentile(rows[1], q[:7])]


def test_the_fan_in_place_equals_the_fan_of_a_copy_and_numpys_percentiles():
    rng = np.random.default_rng(3)
    balances = np.ascontiguousarray(rng.lognormal(size=(35, 2_001))).T  # (paths, years), as evaluate()
    expected = np.percentile(balances, market.FAN, axis=0)
    kept = balances.copy()
    np.testing.assert_allclose(market.fan(balances), expected, rtol=1e-12)
    assert np.array_equal(balances, kept)  # by default the input is left as it was
    np.testing.assert_allclose(market.fan(balances, overwrite_input=True), expected, rtol=1e-12)
    assert not np.array_equal(balances, kept)  # reordered in place, as asked
