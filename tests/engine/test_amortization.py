"""Level-payment amortization in exact cents (METHOD §2), its inverse, and payment dates.

Expected figures come from EXAMPLES.md's amortization table (checked there by hand or
with an independent model) and from METHOD §2's formulas written out in this file.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import loan401k
from loan401k.engine.amortization import (
    add_months,
    amortize,
    level_payment,
    max_principal_for_payment,
    payment_dates,
    period_count,
    period_rate,
)

CENT = Decimal("0.01")
PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12, "quarterly": 4}


def spec_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """METHOD §2 as written: round_cents(P r / (1 - (1 + r)^-n)); r = 0: round_cents(P / n)."""
    exact = principal / periods if rate == 0 else principal * rate / (1 - (1 + rate) ** -periods)
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


# --------------------------------------------------------------------------- EXAMPLES.md

# (amount, APR %, term months, frequency, convention, payment, periods, total interest)
# RULES.md T13 gives 4,349.22 for the first row: that is the unrounded payment x 60 - P.
# METHOD §2 makes totals the sums of the rounded rows (with the final true-up): 4,349.20.
# fmt: off
EXAMPLES_AMORTIZATION = [
    pytest.param(25_000, "6.5", 60, "monthly", "nominal", "489.15", 60, "4349.20",
                 id="EXAMPLES-25000-6.5-monthly (guide's 488.68 is a slip)"),
    pytest.param(10_000, "5", 60, "monthly", "nominal", "188.71", 60, "1322.74",
                 id="EXAMPLES-10000-5-monthly"),
    pytest.param(10_000, "8", 60, "monthly", "nominal", "202.76", 60, "2165.92",
                 id="EXAMPLES-10000-8-monthly"),
    pytest.param(15_000, "6", 60, "biweekly", "nominal", "133.69", 130, "2379.51",
                 id="EXAMPLES-15000-6-biweekly"),
    pytest.param(10_000, "5", 60, "quarterly", "effective", "566.92", 20, "1338.29",
                 id="EXAMPLES-10000-5-quarterly-effective"),
]
# fmt: on
EXAMPLE_ARGS = "amount, apr, term, frequency, convention, payment, periods, total_interest"


@pytest.mark.parametrize(EXAMPLE_ARGS, EXAMPLES_AMORTIZATION)
def test_examples_engine(amount, apr, term, frequency, convention, payment, periods, total_interest):
    k = PER_YEAR[frequency]
    n = period_count(term, k)
    rate = period_rate(Decimal(apr) / 100, k, convention)
    schedule = amortize(Decimal(amount), rate, n)
    assert n == periods
    assert schedule.payment == Decimal(payment)
    assert schedule.periods == periods
    assert schedule.total_interest == Decimal(total_interest)
    assert schedule.total_paid == Decimal(amount) + Decimal(total_interest)


@pytest.mark.parametrize(EXAMPLE_ARGS, EXAMPLES_AMORTIZATION)
def test_examples_public_schedule(amount, apr, term, frequency, convention, payment, periods, total_interest):
    result = loan401k.schedule(
        {
            "amount": amount,
            "annual_rate_pct": apr,
            "term_months": term,
            "frequency": frequency,
            "rate_convention": convention,
            "start_date": "2026-01-15",
        }
    )
    assert result.payment == Decimal(payment)
    assert result.periods == periods == len(result.rows)
    assert result.total_interest == Decimal(total_interest)


def test_regression_total_interest_is_payments_minus_principal():
    """CALCULATORS.md §4: omroy07/AI-Money-Mentor #460 (fixed in PR #486) reported total
    interest as compound interest on the whole principal, about 4.4x too much. Total
    interest is Σ payments - principal, here 29,349.20 - 25,000 = 4,349.20."""
    result = loan401k.schedule({"amount": 25_000, "annual_rate_pct": "6.5", "start_date": "2026-01-15"})
    assert result.total_paid == sum(row.payment for row in result.rows)
    assert result.total_interest == sum(row.interest for row in result.rows)
    assert result.total_interest == result.total_paid - result.amount
    assert result.total_interest == Decimal("4349.20")
    # the buggy figure: 25,000 x ((1 + 0.065/12)^60 - 1) = 9,552.3...
    compound = Decimal(25_000) * ((1 + Decimal("0.065") / 12) ** 60 - 1)
    assert compound > 2 * result.total_interest


def test_period_count_rounds_half_up():
    # n = round_half_up(term_months x k / 12)
    assert period_count(60, 26) == 130
    assert period_count(60, 52) == 260
    assert period_count(1, 26) == 2  # 26/12 = 2.1667 -> 2
    assert period_count(6, 52) == 26
    assert period_count(3, 26) == 7  # 6.5 -> 7 (half up)
    assert period_count(60, 4) == 20


def test_effective_rate_convention():
    # (1 + 0.05)^(1/4) - 1 = 0.012272234...
    rate = period_rate(Decimal("0.05"), 4, "effective")
    assert abs(rate - Decimal("0.0122722344")) < Decimal("1e-10")
    assert period_rate(Decimal("0.06"), 12, "nominal") == Decimal("0.005")


# --------------------------------------------------------------------------- properties

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

principals = st.integers(min_value=100, max_value=100_000_000).map(lambda c: Decimal(c) / 100)
apr_bp = st.integers(min_value=0, max_value=3000)  # 0 % .. 30 % in basis points
frequencies = st.sampled_from(list(PER_YEAR))
terms = st.integers(min_value=1, max_value=360)


@st.composite
def loans(draw, zero_rate=False):
    frequency = draw(frequencies)
    k = PER_YEAR[frequency]
    n = period_count(draw(terms), k)
    assume(n >= 1)
    apr = Decimal(0) if zero_rate else Decimal(draw(apr_bp)) / 10_000
    convention = draw(st.sampled_from(["nominal", "effective"]))
    return draw(principals), period_rate(apr, k, convention), n


def check_rows(schedule, principal, rate):
    """Invariants of METHOD §2 that every schedule must meet."""
    balance = principal
    for i in range(schedule.periods):
        # each row: interest = round_cents(balance x r); payment = interest + principal
        assert schedule.interest[i] == (balance * rate).quantize(CENT, rounding=ROUND_HALF_UP)
        assert schedule.payments[i] == schedule.interest[i] + schedule.principal[i]
        balance -= schedule.principal[i]
        assert schedule.balance[i] == balance
        assert schedule.principal[i] >= 0
    assert sum(schedule.principal) == principal  # to the cent
    assert schedule.balance[-1] == 0
    assert schedule.total_interest == schedule.total_paid - principal


@PROPERTY_SETTINGS
@given(loans())
def test_schedule_invariants(loan):
    principal, rate, n = loan
    schedule = amortize(principal, rate, n)
    assert schedule.payment == spec_payment(principal, rate, n)
    assert schedule.periods <= n
    check_rows(schedule, principal, rate)
    # every payment but the last is the level payment
    assert all(p == schedule.payment for p in schedule.payments[:-1])


@PROPERTY_SETTINGS
@given(loans(zero_rate=True))
def test_zero_rate_branch(loan):
    principal, rate, n = loan
    schedule = amortize(principal, rate, n)
    assert rate == 0
    assert schedule.payment == (principal / n).quantize(CENT, rounding=ROUND_HALF_UP)
    assert schedule.total_interest == 0
    assert schedule.total_paid == principal
    check_rows(schedule, principal, rate)


def test_zero_rate_by_hand():
    # 1,000 over 3 periods at 0 %: 333.33, 333.33, then the true-up 333.34
    schedule = amortize(Decimal(1000), Decimal(0), 3)
    assert schedule.payments == (Decimal("333.33"), Decimal("333.33"), Decimal("333.34"))
    assert schedule.interest == (0, 0, 0)


def test_small_schedule_by_hand():
    # 1,000 at 5 % monthly for 3 months, r = 0.05/12 = 0.0041666...
    # payment = 1000 r / (1 - (1+r)^-3) = 336.1131... -> 336.11
    # 1: interest 4.1666 -> 4.17, principal 331.94, balance 668.06
    # 2: interest 2.7835 -> 2.78, principal 333.33, balance 334.73
    # 3: interest 1.3947 -> 1.39, principal 334.73 (true-up), payment 336.12
    schedule = amortize(Decimal(1000), Decimal("0.05") / 12, 3)
    assert schedule.payment == Decimal("336.11")
    assert schedule.interest == (Decimal("4.17"), Decimal("2.78"), Decimal("1.39"))
    assert schedule.principal == (Decimal("331.94"), Decimal("333.33"), Decimal("334.73"))
    assert schedule.balance == (Decimal("668.06"), Decimal("334.73"), Decimal("0"))
    assert schedule.payments[-1] == Decimal("336.12")


@PROPERTY_SETTINGS
@given(loans(), st.integers(min_value=1, max_value=100))
def test_extra_payments_shorten_the_schedule_and_lower_interest(loan, extra_pct):
    principal, rate, n = loan
    assume(n >= 2)
    plain = amortize(principal, rate, n)
    extra = (plain.payment * extra_pct / 100).quantize(CENT)
    assume(extra > 0)
    faster = amortize(principal, rate, n, extra=extra)
    # every balance is lower, so every period's interest is no higher
    assert faster.periods <= plain.periods
    assert faster.total_interest <= plain.total_interest
    assert all(f <= p for f, p in zip(faster.interest, plain.interest, strict=False))
    # the extras of the first n - 1 periods cover what the plain schedule still owes before
    # its last period: that last period is not needed
    if plain.periods == n and extra * (n - 1) >= plain.balance[-2]:
        assert faster.periods < plain.periods
        if plain.interest[-1] > 0:
            assert faster.total_interest < plain.total_interest
    check_rows(faster, principal, rate)
    assert all(p == plain.payment + extra for p in faster.payments[:-1])


def test_extra_payment_by_hand():
    # 1,000 at 0 % over 4 periods, level 250.00, + 250 extra = 500 a period: done in 2
    schedule = amortize(Decimal(1000), Decimal(0), 4, extra=Decimal(250))
    assert schedule.payments == (Decimal(500), Decimal(500))


@PROPERTY_SETTINGS
@given(loans(), st.data())
def test_payoff_period_ends_the_schedule_with_the_balance_paid(loan, data):
    principal, rate, n = loan
    payoff = data.draw(st.integers(min_value=1, max_value=n))
    plain = amortize(principal, rate, n)
    early = amortize(principal, rate, n, payoff_period=payoff)
    assert early.periods == min(payoff, plain.periods)
    check_rows(early, principal, rate)
    if early.periods == payoff and payoff < plain.periods:
        # the rows before the payoff are the plain schedule's; the last pays what is owed
        before = plain.balance[payoff - 2] if payoff >= 2 else principal
        assert early.payments[:-1] == plain.payments[: payoff - 1]
        assert early.principal[-1] == before
        assert early.payments[-1] == before + (before * rate).quantize(CENT, ROUND_HALF_UP)


def test_payoff_month_through_the_public_schedule():
    result = loan401k.schedule(
        {"amount": 25_000, "annual_rate_pct": "6.5", "payoff_month": 24, "start_date": "2026-01-15"}
    )
    assert result.periods == 24 == len(result.rows)
    assert result.rows[-1].balance == 0
    assert result.rows[-1].principal == result.rows[-2].balance
    assert result.payoff_date == dt.date(2028, 1, 15)
    assert sum(r.principal for r in result.rows) == 25_000


# --------------------------------------------------------------------------- the inverse


@PROPERTY_SETTINGS
@given(
    st.integers(min_value=1, max_value=1_000_000).map(lambda c: Decimal(c) / 100),
    apr_bp,
    frequencies,
    terms,
)
def test_max_principal_for_payment_is_the_largest(payment, bp, frequency, term):
    k = PER_YEAR[frequency]
    n = period_count(term, k)
    assume(n >= 1)
    rate = period_rate(Decimal(bp) / 10_000, k, "nominal")
    amount = max_principal_for_payment(payment, rate, n)
    assert amount == amount.quantize(CENT)
    assert spec_payment(amount, rate, n) <= payment
    assert spec_payment(amount + CENT, rate, n) > payment


def test_inverse_by_hand():
    # 25,000 at 6.5 % for 60 months pays 489.1537...; payment < 489.155 holds up to
    # P < 25,000 x 489.155 / 489.1537 = 25,000.066, so the largest whole-cent P is in
    # [25,000.00, 25,000.06].
    amount = max_principal_for_payment(Decimal("489.15"), Decimal("0.065") / 12, 60)
    assert Decimal("25000.00") <= amount <= Decimal("25000.06")
    # zero rate: round_half_up(P / 3) <= 1.00  <=>  P < 3.015 -> 3.01
    assert max_principal_for_payment(Decimal("1.00"), Decimal(0), 3) == Decimal("3.01")


def test_inverse_through_the_public_schedule():
    result = loan401k.schedule({"payment": "489.15", "annual_rate_pct": "6.5", "start_date": "2026-01-15"})
    assert Decimal("25000.00") <= result.amount <= Decimal("25000.06")
    assert result.payment == Decimal("489.15")


# --------------------------------------------------------------------------- dates


def test_monthly_dates_clamp_to_month_end_without_drift():
    # METHOD §2: same day next month, clamped to month end
    assert payment_dates(dt.date(2024, 1, 31), "monthly", 4) == [
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 31),
        dt.date(2024, 4, 30),
        dt.date(2024, 5, 31),
    ]
    assert payment_dates(dt.date(2025, 1, 31), "monthly", 3) == [
        dt.date(2025, 2, 28),
        dt.date(2025, 3, 31),
        dt.date(2025, 4, 30),
    ]
    assert add_months(dt.date(2025, 12, 15), 1) == dt.date(2026, 1, 15)
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)


def test_semimonthly_dates_are_the_15th_and_month_end():
    assert payment_dates(dt.date(2026, 1, 10), "semimonthly", 6) == [
        dt.date(2026, 1, 15),
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 15),
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 31),
    ]
    # issued on a payday: the first payment is the next one
    assert payment_dates(dt.date(2026, 1, 15), "semimonthly", 2) == [
        dt.date(2026, 1, 31),
        dt.date(2026, 2, 15),
    ]
    assert payment_dates(dt.date(2027, 12, 31), "semimonthly", 2) == [
        dt.date(2028, 1, 15),
        dt.date(2028, 1, 31),
    ]


def test_biweekly_and_weekly_dates():
    assert payment_dates(dt.date(2026, 1, 2), "biweekly", 3) == [
        dt.date(2026, 1, 16),
        dt.date(2026, 1, 30),
        dt.date(2026, 2, 13),
    ]
    assert payment_dates(dt.date(2026, 12, 28), "weekly", 2) == [
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 11),
    ]


def test_quarterly_dates_are_three_months_apart():
    # Nov 30 + 3 months = Feb 28 (clamped); + 6 months = May 30 (no drift to the 28th)
    assert payment_dates(dt.date(2025, 11, 30), "quarterly", 4) == [
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 30),
        dt.date(2026, 8, 30),
        dt.date(2026, 11, 30),
    ]


def test_public_schedule_dates():
    result = loan401k.schedule(
        {"amount": 1000, "annual_rate_pct": 5, "term_months": 3, "start_date": "2026-01-31"}
    )
    assert [r.date for r in result.rows] == [
        dt.date(2026, 2, 28),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 30),
    ]
    assert result.first_payment_date == dt.date(2026, 2, 28)
    assert result.payoff_date == dt.date(2026, 4, 30)


def test_level_payment_matches_the_spec_formula_on_the_guide_example():
    # 25,000 x 0.0054166 / (1 - 1.0054166^-60) = 489.1537 -> 489.15 (METHOD §2 check)
    assert level_payment(Decimal(25_000), Decimal("0.065") / 12, 60) == Decimal("489.15")
