"""Tax and the §72(t) additional tax on a distribution, its exemptions, and the exact
gross-up of a hardship withdrawal (METHOD §5, §8; CONTRACT "distribution").

Sources: EXAMPLES.md's tax rows, RULES.md §10 and §16.5-16.6, hand computations below.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loan401k
from loan401k.models import InputError
from loan401k.params import parameters
from loan401k.rules.distributions import Person, gross_for_net, penalty_exemption, tax_on
from loan401k.rules.tax import TaxProfile, bracket_tax, brackets_for_year

CENT = Decimal("0.01")
LAW = parameters().at(dt.date(2026, 3, 1))


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def distribution(**fields):
    return loan401k.distribution({"start_date": "2026-03-01", **fields})


# --------------------------------------------------------------------------- EXAMPLES.md


def test_examples_offset_at_40():
    # EXAMPLES.md / RULES.md §16.6: 2026 single, taxable 53,900, age 40, 20,000 offset not
    # rolled over -> federal 10,970 - 6,570 = 4,400.00 + additional 10 % = 2,000.00
    result = distribution(age=40, amount=20_000, taxable_income=53_900, tax_year=2026, filing_status="single")
    assert result.federal_tax == Decimal("4400.00")
    assert result.penalty == Decimal("2000.00")
    assert result.state_tax == 0
    assert result.total == Decimal("6400.00")
    assert result.net == Decimal("13600.00")
    assert result.penalty_exempt is False and result.exemption is None


def test_examples_offset_at_56_separated_that_year():
    # EXAMPLES.md: same offset at 56, separated from service that year -> no additional tax
    # (IRC §72(t)(2)(A)(v), separation in or after the year of turning 55)
    result = distribution(
        age=56,
        amount=20_000,
        taxable_income=53_900,
        tax_year=2026,
        separated_from_service=True,
        separation_year_age=56,
    )
    assert result.federal_tax == Decimal("4400.00")
    assert result.penalty == 0
    assert result.total == Decimal("4400.00")
    assert result.penalty_exempt is True
    assert result.exemption == "separation_age_55"


# --------------------------------------------------------------------------- exemptions

# (age, separated, separation-year age, public safety, exemption); RULES.md §10, §16.5
EXEMPTIONS = [
    pytest.param(40, False, None, False, None, id="40-in-service"),
    pytest.param(56, False, None, False, None, id="56-still-employed-no-exception"),
    pytest.param(55, True, 55, False, "separation_age_55", id="separated-in-year-turning-55"),
    pytest.param(56, True, 54, False, None, id="separated-at-54-waiting-does-not-qualify"),
    pytest.param(54, True, 54, False, None, id="separated-at-54"),
    pytest.param(50, True, 50, True, "public_safety_50", id="RULES-T28-public-safety-50"),
    pytest.param(49, True, 49, True, None, id="public-safety-49"),
    pytest.param(50, True, 50, False, None, id="50-not-public-safety"),
    pytest.param(59, False, None, False, None, id="59-not-yet-59.5"),
    pytest.param(60, False, None, False, "age_59_half", id="60-past-59.5"),
    pytest.param(60, True, 45, False, "age_59_half", id="59.5-beats-everything"),
]


@pytest.mark.parametrize("age, separated, separated_at, public_safety, exemption", EXEMPTIONS)
def test_additional_tax_exemptions(age, separated, separated_at, public_safety, exemption):
    fields = {
        "age": age,
        "amount": 10_000,
        "marginal_rate_pct": 22,
        "separated_from_service": separated,
        "public_safety_employee": public_safety,
    }
    if separated_at is not None:
        fields["separation_year_age"] = separated_at
    result = distribution(**fields)
    assert result.exemption == exemption
    assert result.penalty_exempt is (exemption is not None)
    # IRC §72(t)(1): 10 % of the amount included in income, 10,000 -> 1,000
    assert result.penalty == (0 if exemption else Decimal("1000.00"))


@pytest.mark.parametrize(
    "age, exemption",
    [(Decimal("59.4"), None), (Decimal("59.5"), "age_59_half"), (Decimal("59.6"), "age_59_half")],
)
def test_fifty_nine_and_a_half_exactly(age, exemption):
    # IRC §72(t)(2)(A)(i): "on or after the date on which the employee attains age 59½"
    assert penalty_exemption(Person(age=age), LAW) == exemption


def test_separated_without_a_separation_age_uses_the_age_now():
    assert penalty_exemption(Person(age=Decimal(55), separated_from_service=True), LAW) == "separation_age_55"
    assert penalty_exemption(Person(age=Decimal(54), separated_from_service=True), LAW) is None


def test_exemption_step_names_the_law():
    result = distribution(age=40, amount=20_000, marginal_rate_pct=22)
    additional = [s for s in result.steps if s.rule == "additional_tax"]
    assert additional and additional[0].citation == "IRC §72(t)(1)"
    assert additional[0].value == Decimal("2000.00")
    for step in result.steps:
        assert step.citation.strip()


# --------------------------------------------------------------------------- flat marginal


def test_flat_marginal_rate_with_state_and_penalty_by_hand():
    # 12,345.67 at 24 % federal = 2,962.9608 -> 2,962.96; 5 % state = 617.2835 -> 617.28;
    # 10 % = 1,234.567 -> 1,234.57; total 4,814.81; net 12,345.67 - 4,814.81 = 7,530.86
    result = distribution(age=40, amount="12345.67", marginal_rate_pct=24, state_rate_pct=5)
    assert (result.federal_tax, result.state_tax, result.penalty) == (
        Decimal("2962.96"),
        Decimal("617.28"),
        Decimal("1234.57"),
    )
    assert result.total == Decimal("4814.81")
    assert result.net == Decimal("7530.86")


# --------------------------------------------------------------------------- gross-up


def test_hardship_gross_up_flat_by_hand():
    # net 10,000 at 22 % + 10 % + 0 % state: 10,000 / 0.68 = 14,705.882...
    # W = 14,705.88: fed 3,235.2936 -> 3,235.29; 10 % 1,470.588 -> 1,470.59; net 10,000.00
    # W = 14,705.87: fed 3,235.2914 -> 3,235.29; 10 % 1,470.587 -> 1,470.59; net 9,999.99
    result = distribution(age=40, net=10_000, marginal_rate_pct=22)
    assert result.amount == Decimal("14705.88")
    assert result.federal_tax == Decimal("3235.29")
    assert result.penalty == Decimal("1470.59")
    assert result.net == Decimal("10000.00")
    assert [s.rule for s in result.steps][0] == "gross_up"


def test_hardship_gross_up_across_a_bracket_by_hand():
    # 2026 single, taxable 100,000, age 62 (no 10 %), net 10,000:
    # first 5,700 at 22 % keeps 4,446; the other 5,554 at 24 % needs 5,554 / 0.76 = 7,307.894...
    # W = 13,007.89: fed 1,254 + 7,307.89 x .24 = 3,007.8936 -> 3,007.89; net 10,000.00
    # W = 13,007.88: fed 1,254 + 1,753.8912 = 3,007.8912 -> 3,007.89; net 9,999.99
    result = distribution(age=62, net=10_000, taxable_income=100_000, tax_year=2026)
    assert result.amount == Decimal("13007.89")
    assert result.federal_tax == Decimal("3007.89")
    assert result.net == Decimal("10000.00")


def test_amount_or_net_is_required():
    with pytest.raises(InputError) as caught:
        distribution(age=40)
    assert caught.value.problems[0].field == "amount"
    with pytest.raises(InputError) as caught:
        distribution(age=40, amount=1, net=1)
    assert caught.value.problems[0].field == "net"


@st.composite
def tax_profiles(draw):
    state_rate = Decimal(draw(st.integers(min_value=0, max_value=1000))) / 10_000  # 0-10 %
    if draw(st.booleans()):
        year = draw(st.sampled_from([2025, 2026]))
        status = draw(st.sampled_from(["single", "married_joint", "married_separate", "head_of_household"]))
        table = brackets_for_year(parameters(), year, status)[0]
        income = Decimal(draw(st.integers(min_value=0, max_value=80_000_000))) / 100
        profile = TaxProfile(state_rate=state_rate, brackets=table, taxable_income=income)
    else:
        flat = Decimal(draw(st.sampled_from([0, 10, 12, 22, 24, 32, 35, 37]))) / 100
        profile = TaxProfile(state_rate=state_rate, flat_rate=flat)
    penalty_rate = draw(st.sampled_from([Decimal(0), Decimal("0.10")]))
    return profile, penalty_rate


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tax_profiles(), st.integers(min_value=1, max_value=50_000_000))
def test_gross_for_net_is_exact_and_smallest(profile_and_penalty, net_cents):
    profile, penalty_rate = profile_and_penalty
    net = Decimal(net_cents) / 100
    result = gross_for_net(net, profile, penalty_rate)
    assert result.net == net  # exactly, to the cent
    assert result.amount == result.amount.quantize(CENT)
    # one cent less gross nets less
    assert tax_on(result.amount - CENT, profile, penalty_rate).net < net
    # each component by METHOD §5, computed here from the brackets or the flat rate
    w = result.amount
    if profile.uses_brackets:
        income = profile.taxable_income
        federal = cents(bracket_tax(income + w, profile.brackets) - bracket_tax(income, profile.brackets))
    else:
        federal = cents(w * profile.flat_rate)
    assert result.federal == federal
    assert result.state == cents(w * profile.state_rate)
    assert result.penalty == cents(w * penalty_rate)
    assert result.amount - result.federal - result.state - result.penalty == net


def test_gross_up_through_the_public_distribution_matches_the_amount_route():
    # the gross the net route finds, taxed by the amount route, gives the same figures
    by_net = distribution(age=40, net="7777.77", taxable_income=61_234, state_rate_pct="4.5", tax_year=2026)
    by_amount = distribution(
        age=40, amount=by_net.amount, taxable_income=61_234, state_rate_pct="4.5", tax_year=2026
    )
    assert by_net.net == Decimal("7777.77")
    assert by_amount.net == Decimal("7777.77")
    assert by_amount.total == by_net.total
