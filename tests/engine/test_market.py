"""engine.market: the per-year evaluation equals the plain growth-index product, paths are
laid out as METHOD §7 says, and the summaries are what they claim."""

from __future__ import annotations

import math

import numpy as np
import pytest

from loan401k.engine import market
from loan401k.engine.costs import COMPONENTS
from loan401k.engine.projection import growth_index, value_at_end


def random_flows(months: int, loan_months: int, seed: int = 0) -> np.ndarray:
    """A flow matrix shaped like costs.cost_flows: contributions all along, loan flows early."""
    rng = np.random.default_rng(seed)
    matrix = np.zeros((len(COMPONENTS), months + 1))
    matrix[0, 0] = 50_000.0
    matrix[0, 1:] = 600.0
    matrix[1, 0] = 20_000.0
    matrix[1, 1 : loan_months + 1] = -20_000.0 / loan_months
    matrix[2, 1 : loan_months + 1] = rng.uniform(20, 140, loan_months)
    matrix[3, 1 : loan_months + 1] = 300.0
    matrix[4, [0, 12]] = 75.0
    matrix[5, 1 : loan_months + 1] = rng.uniform(0, 30, loan_months)
    return matrix


def month_loop(flows: np.ndarray, annual: np.ndarray, convention: str) -> np.ndarray:
    """Balance at month T of each flow row on one path, month by month (METHOD §3)."""
    months = flows.shape[1] - 1
    balance = flows[:, 0].copy()
    for month in range(1, months + 1):
        rate = annual[(month - 1) // 12]
        growth = 1 + rate / 12 if convention == "nominal" else (1 + rate) ** (1 / 12)
        balance = balance * growth + flows[:, month]
    return balance


@pytest.mark.parametrize("convention", ["effective", "nominal"])
@pytest.mark.parametrize(("months", "loan_months"), [(360, 60), (30, 30), (12, 7), (600, 300)])
def test_per_year_evaluation_equals_the_month_loop(convention, months, loan_months):
    flows = random_flows(months, loan_months)
    years = market.horizon_years(months)
    annual = np.random.default_rng(1).normal(0.07, 0.18, (5, years)).clip(-0.6, None)
    lay = market.yearly_flows(flows)
    by_year = market.evaluate_annual(lay, annual, convention)
    for path in range(5):
        expected = month_loop(flows, annual[path], convention)
        np.testing.assert_allclose(by_year.values[path], expected, rtol=1e-11, atol=1e-6)
    index = market.index_matrix(annual, months, convention)
    np.testing.assert_allclose(by_year.values, value_at_end(flows, index), rtol=1e-11, atol=1e-6)


def test_table_gather_equals_per_path_evaluation_and_the_fan_is_the_with_loan_balance():
    flows = random_flows(240, 48)
    table = np.array([0.12, -0.3, 0.05, 0.25, -0.02, 0.4])
    draws = np.random.default_rng(2).integers(0, len(table), (25_000, 20))  # > one chunk
    lay = market.yearly_flows(flows)
    gathered = market.evaluate_table(lay, table, draws)
    direct = market.evaluate_annual(lay, table[draws[:50]])
    np.testing.assert_allclose(gathered.values[:50], direct.values, rtol=1e-12)
    np.testing.assert_allclose(gathered.with_loan_by_year[:50], direct.with_loan_by_year, rtol=1e-12)
    # the with-loan balance at the end of each year, from the full index, path 7
    index = growth_index(np.repeat((1 + table[draws[7]]) ** (1 / 12) - 1, 12))
    with_loan = flows[0] - flows[1] + flows[2] - flows[3] - flows[4]
    balance = np.cumsum(with_loan / index) * index
    np.testing.assert_allclose(gathered.with_loan_by_year[7], balance[12::12], rtol=1e-12)


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
    flows = random_flows(120, 24)
    lay = market.yearly_flows(flows)
    constant = market.lognormal(lay, 7, 0.06, 0.0, seed=1)
    expected = month_loop(flows, np.full(10, 0.06), "effective")
    np.testing.assert_allclose(constant.values, np.tile(expected, (7, 1)), rtol=1e-12)
    # a lone 12-month contribution of 1 at the end: its value is 1; one at month 0 grows by
    # the product of ten gross returns, whose expectation is (1 + mean)^10
    single = np.zeros((len(COMPONENTS), 121))
    single[0, 0] = 1.0
    grown = market.lognormal(market.yearly_flows(single), 40_000, 0.06, 0.2, seed=3).values[:, 0]
    standard_error = grown.std() / math.sqrt(grown.size)
    assert abs(grown.mean() - 1.06**10) < 4 * standard_error


def test_cent_totals_follow_the_decomposition_rounding():
    values = np.array([[0.0, 24967.834, 31279.016, 10.005, 0.0, 12363.915]])
    # lost growth 24967.83 - 31279.02; double tax round(0.22 * 31279.02 = 6881.3844) = 6881.38
    expected = 24967.83 - 31279.02 + 6881.38 + 10.01 + 0.0 + 12363.92
    assert market.cent_totals(values, 0.22, roth=False)[0] == pytest.approx(expected, abs=1e-9)
    assert market.cent_totals(values, 0.22, roth=True)[0] == pytest.approx(expected - 6881.38, abs=1e-9)
    assert list(market.round_cents(np.array([1.005, -1.005, 2.004]))) == pytest.approx([1.01, -1.01, 2.0])


def test_summaries():
    totals = np.array([5.0, -1.0, 3.0, -2.0, 10.0])
    p = market.percentiles(totals)
    assert (p["min"], p["p50"], p["max"]) == (-2.0, 3.0, 10.0)
    assert list(p.values()) == sorted(p.values())
    assert market.share_cheaper(totals) == 40.0
    fan = market.fan(np.arange(1.0, 102.0)[:, None] * np.array([1.0, 2.0]))
    np.testing.assert_allclose(fan, [[11, 22], [51, 102], [91, 182]])
