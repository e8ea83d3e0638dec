"""Regressions found in review of the core (named after what they pin)."""

from __future__ import annotations

from decimal import Decimal

import pytest

import loan401k
from loan401k.models import InputError, parse_input


def test_distribution_amount_is_not_a_loan_that_must_end_before_retirement():
    # age 62: a $1,000 distribution is not a 60-month loan; flat 22 % + no 10 % after 59½
    result = loan401k.distribution({"age": 62, "amount": 1000})
    assert result.total == Decimal("220.00")
    assert result.exemption == "age_59_half"


def test_payment_that_buys_more_than_the_maximum_amount_is_an_input_error():
    with pytest.raises(InputError) as caught:
        loan401k.schedule({"payment": 100_000_000, "annual_rate_pct": 0})
    assert [p.field for p in caught.value.problems] == ["payment"]


@pytest.mark.parametrize("text", ["1,5", "15,50", "1,50,000", ",5"])
def test_a_decimal_comma_is_rejected_not_read_as_hundreds(text):
    with pytest.raises(InputError) as caught:
        parse_input({"amount": text})
    assert caught.value.problems[0].field == "amount"


@pytest.mark.parametrize(
    ("text", "expected"), [("15,000", "15000"), ("$1,234,567.50", "1234567.50"), ("15000.5", "15000.5")]
)
def test_thousands_separators_are_accepted(text, expected):
    assert parse_input({"amount": text}).amount == Decimal(expected)
