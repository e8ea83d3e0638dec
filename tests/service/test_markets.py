"""backtest() and montecarlo(): checked against analyze(), an independent month loop, and
reasoning about a crash (METHOD §7)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest

import loan401k
from loan401k.data import ReturnsTable, load_returns
from loan401k.models import InputError
from loan401k.service import markets

BASE = {
    "age": 35,
    "vested_balance": 80000,
    "amount": 20000,
    "start_date": "2025-06-01",
    "annual_rate_pct": 8.5,
    "contribution_monthly": 500,
    "contribution_during_loan_monthly": 200,
    "annual_fee": 50,
    "origination_fee": 75,
}
SHORT = {
    "age": 60,
    "retirement_age": 65,
    "vested_balance": 80000,
    "amount": 20000,
    "start_date": "2025-06-01",
    "annual_rate_pct": 8.5,
    "term_months": 60,
    "contribution_monthly": 400,
    "contribution_during_loan_monthly": 100,
    "job_loss_annual_pct": 0,
    "retirement_tax_rate_pct": 22,
}


def close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= max(Decimal("0.01"), Decimal("1e-9") * abs(b))


# --------------------------------------------------------------------------- against analyze


def test_lognormal_with_zero_volatility_is_the_deterministic_analysis():
    data = {**BASE, "model": "lognormal", "vol_pct": 0, "paths": 50}
    result = loan401k.montecarlo(data)
    analysis = loan401k.analyze(BASE)
    assert result.mean_pct == analysis.inputs.annual_return_pct  # default mean = annual_return_pct
    for figure in result.percentiles.model_dump().values():
        assert close(figure, analysis.cost.total)
    assert result.share_loan_cheaper == (100.0 if analysis.cost.total < 0 else 0.0)
    by_age = {row.age: row.with_loan for row in analysis.balances.by_year}
    assert [point.age for point in result.fan] == list(by_age)
    for point in result.fan:
        assert close(point.p10, by_age[point.age]) and close(point.p90, by_age[point.age])


def test_zero_volatility_matches_analyze_with_nominal_convention_and_roth():
    data = {**BASE, "return_convention": "nominal", "source": "roth", "annual_return_pct": 5}
    result = loan401k.montecarlo({**data, "model": "lognormal", "vol_pct": 0, "paths": 3})
    assert close(result.percentiles.p50, loan401k.analyze(data).cost.total)


def test_backtest_of_a_constant_table_is_the_deterministic_analysis(monkeypatch):
    real = load_returns()
    flat = np.full(real.years.shape, 0.07)
    table = ReturnsTable(real.years, flat, flat, flat, flat, real.meta)
    from loan401k.service import scenario

    monkeypatch.setattr(markets, "load_returns", lambda: table)
    monkeypatch.setattr(scenario, "load_returns", lambda: table)  # the T-bill of the analysis
    result = markets.backtest(BASE)
    expected = loan401k.analyze(BASE).cost
    assert len(result.by_start_year) == 98 - 30 + 1
    for row in result.by_start_year:
        assert row.total == expected.total
        for name in ("price_of_credit", "plan_difference", "contributions", "fees", "job_loss"):
            assert close(getattr(row, name), getattr(expected, name)), name
        assert (row.lost_growth, row.double_tax) == (expected.lost_growth, expected.double_tax)
    assert result.percentiles.min == result.percentiles.max == expected.total


# --------------------------------------------------------------------------- one start year, by hand


def _cents(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _amortize(amount: Decimal, apr: Decimal, n: int) -> list[tuple[Decimal, Decimal]]:
    """(principal, interest) of each monthly payment: nominal rate, half-up cents."""
    r = apr / 12
    payment = _cents(amount * r / (1 - (1 + r) ** -n))
    rows, balance = [], amount
    for i in range(n):
        interest = _cents(balance * r)
        principal = balance if i == n - 1 else payment - interest
        balance -= principal
        rows.append((principal, interest))
    return rows


def test_start_year_1973_against_a_month_by_month_loop():
    """60 % stocks / 40 % bonds, 1973-1977, typed from Damodaran's table (stocks, bonds, bills);
    the five years are the whole horizon and the repayment window, so money outside earns
    each year's T-bill after the 22 % tax (METHOD v2 §4, §7)."""
    history = [
        (-0.1431, 0.0366, 0.0704),
        (-0.259, 0.0199, 0.0785),
        (0.370, 0.0361, 0.0579),
        (0.2383, 0.1598, 0.0498),
        (-0.0698, 0.0129, 0.0526),
    ]
    annual = [0.6 * s + 0.4 * b for s, b, _ in history]
    rows = _amortize(Decimal(20000), Decimal("0.085"), 60)
    payment = float(rows[0][0] + rows[0][1])
    a0 = a1p = a1 = a2 = 80000.0
    a1p -= 20000.0
    a1 -= 20000.0
    a2 -= 20000.0
    paid = itself = kept = 0.0  # outside: payments grown, the 20,000 grown, take-home kept
    itself = 20000.0
    for month in range(1, 61):
        year = (month - 1) // 12
        growth = (1 + annual[year]) ** (1 / 12)
        outside = (1 + history[year][2] * 0.78) ** (1 / 12)
        principal, interest = (float(v) for v in rows[month - 1])
        a0 = a0 * growth + 400
        a1p = a1p * growth + 400 + principal
        a1 = a1 * growth + 400 + principal + interest
        a2 = a2 * growth + 100 + principal + interest
        paid = paid * outside + principal + interest
        itself *= outside
        kept = kept * outside + 300 * 0.78
    assert payment > 0
    growth_missed, interest_to_self = a0 - a1p, a1 - a1p
    price_of_credit = _cents(Decimal(paid - itself))
    plan_difference = _cents(Decimal(0.78 * (growth_missed - interest_to_self)))
    contributions = _cents(Decimal(0.78 * (a1 - a2) - kept))
    result = loan401k.backtest({**SHORT, "stock_pct": 60})
    (row,) = [r for r in result.by_start_year if r.start_year == 1973]
    assert close(row.price_of_credit, price_of_credit)
    assert close(row.plan_difference, plan_difference)
    assert close(row.contributions, contributions)
    assert close(row.contribution_cut, _cents(Decimal(a1 - a2)))
    assert row.job_loss == 0 and row.fees == 0 and row.excess == 0
    assert row.total == price_of_credit + plan_difference + contributions


def test_a_loan_before_the_crash_of_1929_is_cheaper_than_staying_invested():
    # All in stocks from 1929: -8 %, -25 %, -44 %, -9 %, +50 %; $20,000 left in the market
    # would have shrunk to about $10,600 by 1934, while the loan repays every dollar plus
    # 8.5 % interest into the account: lost growth is strongly negative and far outweighs
    # the double tax on the interest (22 % of roughly $4,600 grown). Contributions are kept
    # in full, so nothing else enters the cost (job-loss probability 0, no fees).
    kept = {**SHORT, "contribution_during_loan_monthly": 400}
    result = loan401k.backtest({**kept, "stock_pct": 100})
    by_year = {row.start_year: row for row in result.by_start_year}
    assert by_year[1929].total < 0
    assert by_year[1929].contribution_cut == 0 and by_year[1929].contributions == 0
    assert by_year[1929].lost_growth < -by_year[1929].double_tax
    assert by_year[1929].plan_difference < 0
    assert result.share_loan_cheaper > 0
    # ... whereas at a steady 10 %, above the loan's 8.5 %, the same loan costs money.
    assert loan401k.analyze({**kept, "annual_return_pct": 10}).cost.total > 0


# --------------------------------------------------------------------------- report invariants


def test_backtest_report_is_consistent():
    result = loan401k.backtest(BASE)
    p = result.percentiles
    assert p.min <= p.p10 <= p.p25 <= p.p50 <= p.p75 <= p.p90 <= p.max
    totals = [row.total for row in result.by_start_year]
    assert p.min == min(totals) and p.max == max(totals)
    cheaper = sum(1 for t in totals if t < 0)
    assert 0 <= result.share_loan_cheaper <= 100
    assert result.share_loan_cheaper == pytest.approx(100 * cheaper / len(totals), abs=0.005)
    assert result.years == [1928, 2025 - 30 + 1]
    assert [row.start_year for row in result.by_start_year] == list(range(1928, 1997))
    for row in result.by_start_year:
        assert row.total == (
            row.price_of_credit
            + row.plan_difference
            + row.contributions
            + row.fees
            + row.job_loss
            + row.excess
        )
    assert len(result.fan) == 30 and result.fan[-1].age == 65
    assert all(f.p10 <= f.p50 <= f.p90 for f in result.fan)


def test_montecarlo_seed_reproduces_and_another_seed_differs():
    data = {**BASE, "paths": 2000}
    first = loan401k.montecarlo({**data, "seed": 7})
    again = loan401k.montecarlo({**data, "seed": 7})
    other = loan401k.montecarlo({**data, "seed": 8})
    assert first.model_dump() == again.model_dump()
    assert first.percentiles != other.percentiles
    assert first.seed == 7 and first.paths == 2000 and first.model == "bootstrap"
    p = first.percentiles
    assert p.min <= p.p10 <= p.p25 <= p.p50 <= p.p75 <= p.p90 <= p.max
    assert 0 <= first.share_loan_cheaper <= 100


def test_lognormal_default_volatility_is_the_portfolio_history():
    returns = [0.5 * s + 0.5 * b for s, b in zip(load_returns().stocks, load_returns().bonds, strict=True)]
    mean = sum(returns) / len(returns)
    sd = (sum((r - mean) ** 2 for r in returns) / (len(returns) - 1)) ** 0.5
    result = loan401k.montecarlo({**BASE, "model": "lognormal", "stock_pct": 50, "paths": 100})
    assert float(result.vol_pct) == pytest.approx(100 * sd, abs=0.005)
    assert result.mean_pct == Decimal(7)


def test_progress_reports_every_chunk():
    seen: list[tuple[int, int]] = []
    markets.montecarlo({**BASE, "paths": 25000}, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.parametrize(
    ("field", "value"),
    [("paths", 0), ("paths", 100001), ("stock_pct", 120), ("vol_pct", -1), ("model", "garch")],
)
def test_bad_market_input_names_the_field(field, value):
    with pytest.raises(InputError) as caught:
        loan401k.montecarlo({**BASE, field: value})
    assert [p.field for p in caught.value.problems] == [field]


def test_backtest_requires_the_loan():
    with pytest.raises(InputError) as caught:
        loan401k.backtest({"age": 40, "vested_balance": 50000})
    assert [p.field for p in caught.value.problems] == ["amount"]


# --------------------------------------------------------------------------- the CLI face


def _flags(data: dict) -> list[str]:
    return [part for name, value in data.items() for part in (f"--{name.replace('_', '-')}", str(value))]


def test_cli_json_is_the_library_result_and_bad_input_exits_2():
    import json

    from click.testing import CliRunner

    from loan401k.cli import main

    data = {**SHORT, "paths": 300, "seed": 9}
    runner = CliRunner()
    out = runner.invoke(main, ["montecarlo", *_flags(data), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == loan401k.montecarlo(data).model_dump(mode="json")
    shown = runner.invoke(main, ["backtest", *_flags(SHORT)])
    assert shown.exit_code == 0 and "start year" in shown.output
    bad = runner.invoke(main, ["backtest", *_flags({**SHORT, "stock_pct": 120})])
    assert bad.exit_code == 2 and "stock_pct" in bad.output and "Traceback" not in bad.output
