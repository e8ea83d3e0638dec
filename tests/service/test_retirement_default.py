"""The retirement age follows the person when they leave it out (issue 13): 65, or the end of
the loan for someone already that old; a retirement age they give is kept and checked."""

from __future__ import annotations

import pytest

from loan401k import service
from loan401k.models import InputError

BASE = {"amount": "15000", "vested_balance": "60000"}


@pytest.mark.parametrize(
    ("age", "term_months", "expected"),
    [(35, 60, 65), (62, 60, 67), (70, 60, 75), (70, 18, 72), (98, 60, 100)],
)
def test_default_retirement_age_is_65_or_the_end_of_the_loan(age, term_months, expected):
    result = service.analyze(BASE | {"age": age, "term_months": term_months})
    assert result.inputs.retirement_age == expected


def test_a_given_retirement_age_is_kept_and_checked():
    assert service.analyze(BASE | {"age": 40, "retirement_age": 60}).inputs.retirement_age == 60
    with pytest.raises(InputError) as caught:
        service.analyze(BASE | {"age": 70, "retirement_age": 65})
    assert caught.value.problems[0].field == "retirement_age"


def test_the_cost_as_retirement_income_is_the_4_percent_rule_on_todays_dollars():
    from decimal import Decimal

    from loan401k.params import parameters

    rate = parameters()["safe_withdrawal_rate"].values[-1][1]
    assert rate == Decimal("0.04")
    cost = service.analyze(BASE | {"age": 35}).cost
    assert abs(cost.income_monthly_today - cost.total_today * rate / 12) <= Decimal("0.01")
    assert cost.income_monthly_today > 0
