"""The dates of the "What if…" panel's month (service.events.loan_month), written out by hand:
month N of the loan runs from the day after its (N-1)th monthly date to its Nth."""

from __future__ import annotations

import datetime as dt

import pytest

from loan401k import service
from loan401k.service.events import loan_month, loan_months

LOAN = {"amount": 15000, "vested_balance": 60000, "age": 35, "start_date": "2026-03-01"}


def test_month_10_of_a_loan_from_march_1_2026():
    scenario = service.build_scenario(LOAN)
    when = loan_month(scenario, 10, months=6)
    assert when.before_payment == dt.date(2026, 12, 2)  # March 1 + 9 months, then a day
    assert when.payment_date == dt.date(2027, 1, 1)  # the 10th monthly payment
    assert when.after_payment == dt.date(2027, 1, 2)
    assert when.window_end == dt.date(2027, 6, 1)  # six months from December 2, less a day
    assert loan_months(scenario) == 60


def test_a_month_end_start_keeps_to_the_shorter_months():
    scenario = service.build_scenario({**LOAN, "start_date": "2026-01-31"})
    when = loan_month(scenario, 1)
    assert when.before_payment == dt.date(2026, 2, 1)
    assert when.payment_date == dt.date(2026, 2, 28)  # January 31 + 1 month: February's last day
    assert when.after_payment == dt.date(2026, 3, 1)


def test_a_biweekly_loan_names_the_first_payment_in_the_month():
    scenario = service.build_scenario({**LOAN, "frequency": "biweekly"})
    when = loan_month(scenario, 2)  # April 2 to May 1: paydays every 14 days from March 1
    assert when.before_payment == dt.date(2026, 4, 2)
    assert when.payment_date == dt.date(2026, 4, 12)  # March 15, 29, April 12


@pytest.mark.parametrize("month", [0, 61])
def test_a_month_outside_the_loan_is_refused(month):
    with pytest.raises(ValueError):
        loan_month(service.build_scenario(LOAN), month)
