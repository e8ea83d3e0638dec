"""rules.loan_events and rules.deadlines against RULES.md §16.3-16.5 and the calendar."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from loan401k.params import parameters
from loan401k.rules.deadlines import next_business_day, return_due_date, rollover_deadline
from loan401k.rules.distributions import Person
from loan401k.rules.loan_events import cure_deadline, is_qualified_offset, military_extension, reporting

LAW = parameters().in_force(dt.date(2026, 1, 1))
D = dt.date


@pytest.mark.parametrize(
    ("due", "deadline"),
    [  # RULES.md §16.3 (Alerus, PLANSPONSOR, TaxAct examples and derived rows)
        (D(2026, 2, 2), D(2026, 6, 30)),
        (D(2026, 7, 1), D(2026, 12, 31)),
        (D(2026, 6, 30), D(2026, 9, 30)),
        (D(2026, 3, 31), D(2026, 6, 30)),
        (D(2026, 10, 1), D(2027, 3, 31)),
        (D(2026, 12, 31), D(2027, 3, 31)),
    ],
)
def test_cure_deadline_is_the_end_of_the_next_quarter(due, deadline):
    assert cure_deadline(due) == deadline


def test_a_plans_shorter_cure_period_applies_but_never_a_longer_one():
    assert cure_deadline(D(2026, 2, 2), plan_days=90) == D(2026, 5, 3)
    assert cure_deadline(D(2026, 2, 2), plan_days=180) == D(2026, 6, 30)


def test_military_service_extends_the_term_by_its_length():
    # RULES.md §16.4 T20: 3-year loan of 2017-02-01, two years of service from 2017-10-11:
    # the latest final payment moves from the 5-year date to 7 years (EBIA: 1/31/2024)
    assert military_extension(D(2022, 2, 1), D(2017, 10, 11), D(2019, 10, 10)) == D(2024, 2, 1)
    # T21: final payment 2020-12-01, active duty all of 2017 -> 2021-12-01 (Alerus)
    assert military_extension(D(2020, 12, 1), D(2017, 1, 1), D(2017, 12, 31)) == D(2021, 12, 1)


def test_qualified_plan_loan_offset_window():
    # RULES.md §16.5 T23: severance 2025-06-15, offset 2025-08-01: a QPLO, rollover until the
    # extended due date 2026-10-15 (a Thursday); T24: offset 2026-03-01 after a 2025-02-22
    # severance is more than 12 months later: not a QPLO, 60 days
    assert is_qualified_offset(D(2025, 8, 1), D(2025, 6, 15), LAW)
    assert rollover_deadline(D(2025, 8, 1), qualified=True) == D(2026, 10, 15)
    assert not is_qualified_offset(D(2026, 3, 1), D(2025, 2, 22), LAW)
    assert rollover_deadline(D(2026, 3, 1), qualified=False) == D(2026, 4, 30)
    assert not is_qualified_offset(D(2026, 3, 1), None, LAW)  # T25: no severance


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 4, 15), D(2026, 4, 15)),  # a Wednesday
        (D(2028, 4, 15), D(2028, 4, 18)),  # Saturday; Monday the 17th is Emancipation Day observed
        (D(2022, 4, 15), D(2022, 4, 18)),  # Friday observed Emancipation Day (the 16th a Saturday)
        (D(2028, 10, 15), D(2028, 10, 16)),  # a Sunday
        (D(2027, 1, 1), D(2027, 1, 4)),  # New Year's Day (Friday), then the weekend
        (D(2026, 11, 26), D(2026, 11, 27)),  # Thanksgiving
    ],
)
def test_deadlines_move_to_the_next_business_day(day, expected):
    # IRC §7503; 5 U.S.C. §6103; D.C. Code §1-612.02 (the IRS's 2022 and 2028 filing dates)
    assert next_business_day(day) == expected


def test_return_due_dates():
    assert return_due_date(2025) == D(2026, 4, 15)
    assert return_due_date(2027) == D(2028, 4, 18)


@pytest.mark.parametrize(
    ("kind", "person", "roth", "qualified", "code"),
    [  # RULES.md §16.5 T26-T28 and §9's code table
        ("deemed", Person(age=Decimal(40)), False, False, "1L"),
        ("deemed", Person(age=Decimal(60)), False, False, "7L"),
        ("deemed", Person(age=Decimal(40)), True, False, "BL"),
        ("offset", Person(Decimal(40), True, Decimal(40)), False, True, "1M"),
        ("offset", Person(Decimal(55), True, Decimal(55)), False, True, "2M"),
        ("offset", Person(Decimal(51), True, Decimal(50), public_safety_employee=True), False, True, "2M"),
        ("offset", Person(Decimal(62), True, Decimal(62)), False, True, "7M"),
        ("offset", Person(Decimal(40), True, Decimal(40)), False, False, "1"),
    ],
)
def test_form_1099r_codes(kind, person, roth, qualified, code):
    assert reporting(kind, D(2026, 5, 1), person, roth, qualified, LAW).code == code


def test_a_deemed_distribution_in_service_gets_no_age_55_exception():
    # RULES.md §6: a deemed distribution before separation cannot use the age-55 exception
    in_service = reporting("deemed", D(2026, 5, 1), Person(age=Decimal(56)), False, False, LAW)
    assert in_service.code == "1L" and in_service.rollover_deadline is None
