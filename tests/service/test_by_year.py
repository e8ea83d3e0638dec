"""The schedule summed by year of the loan (service.by_year), the figures the page's chart of a
long loan and the PDF's table show, against a month-by-month loop written out here."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest

import loan401k
from loan401k.service.by_year import schedule_by_year

CENT = Decimal("0.01")


def by_hand(amount: str, apr_pct: str, months: int) -> list[tuple[Decimal, Decimal, Decimal]]:
    """(interest, principal, balance at its end) for each year of a monthly loan: the level
    payment P r / (1 - (1 + r)^-n) in cents, each month's interest on the balance in cents,
    the last payment whatever is left."""
    balance, r = Decimal(amount), Decimal(apr_pct) / 100 / 12
    payment = (balance * r / (1 - (1 + r) ** -months)).quantize(CENT, rounding=ROUND_HALF_UP)
    years: list[tuple[Decimal, Decimal, Decimal]] = []
    interest_sum = principal_sum = Decimal(0)
    for month in range(1, months + 1):
        interest = (balance * r).quantize(CENT, rounding=ROUND_HALF_UP)
        principal = balance if month == months else payment - interest
        balance -= principal
        interest_sum += interest
        principal_sum += principal
        if month % 12 == 0 or month == months:
            years.append((interest_sum, principal_sum, balance))
            interest_sum = principal_sum = Decimal(0)
    return years


@pytest.mark.parametrize(
    ("amount", "apr", "months"), [("15000", "7.75", 60), ("250000", "6.5", 180), ("1000", "9", 30)]
)
def test_each_year_sums_its_payments(amount, apr, months):
    schedule = loan401k.schedule(
        {
            "amount": amount,
            "annual_rate_pct": apr,
            "term_months": months,
            "purpose": "residence",
            "start_date": "2026-03-01",
        }
    )
    years = schedule_by_year(schedule)
    expected = by_hand(amount, apr, months)
    assert [(y.interest, y.principal, y.balance) for y in years] == expected
    assert [y.year for y in years] == list(range(1, len(expected) + 1))
    assert [y.payments for y in years] == [12] * (months // 12) + ([months % 12] if months % 12 else [])
    assert sum(y.principal for y in years) == Decimal(amount)  # every dollar repaid once
    assert all(y.paid == y.interest + y.principal for y in years)


def test_a_weekly_loan_is_summed_by_its_52_payments_a_year():
    schedule = loan401k.schedule(
        {
            "amount": "20000",
            "annual_rate_pct": "8",
            "term_months": 300,
            "frequency": "weekly",
            "purpose": "residence",
        }
    )
    years = schedule_by_year(schedule)
    assert len(years) == 25 and all(y.payments == 52 for y in years[:-1])
    assert sum(y.payments for y in years) == len(schedule.rows)
    assert sum(y.principal for y in years) == Decimal("20000")
    assert years[-1].balance == 0
