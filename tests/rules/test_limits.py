"""The loan limit of IRC §72(p)(2)(A) and the plan rules (METHOD §1), through the public
`loan401k.limit({...})`.

Every expected figure comes from outside the code: EXAMPLES.md's limit table, RULES.md
§16.1 (T1-T7) and §2.3, or the statute's arithmetic written out next to the case.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loan401k
from loan401k.models import InputError


def limit(**fields):
    return loan401k.limit(fields)


def step(result, rule):
    """The first step with this rule name (steps are ordered)."""
    matches = [s for s in result.steps if s.rule == rule]
    assert matches, f"no step {rule!r} in {[s.rule for s in result.steps]}"
    return matches[0]


# --------------------------------------------------------------------------- EXAMPLES.md

# (vested, outstanding, highest 12m, $10k floor, disaster, max new loan, binding, eligible)
# "–" in the floor column means the floor does not matter: the row is run both ways.
# fmt: off
EXAMPLES_LIMITS = [
    pytest.param(80_000, 0, 0, None, False, 40_000, "half_vested", True,
                 id="EXAMPLES-IRS-Retirement-Topics-Loans-80k"),
    pytest.param(120_000, 0, 0, None, False, 50_000, "dollar_cap", True,
                 id="EXAMPLES-IRS-Retirement-Topics-Loans-120k"),
    pytest.param(80_000, 18_000, 27_000, None, False, 22_000, "half_vested", True,
                 id="EXAMPLES-IRS-plan-loan-FAQ-second-loan"),
    pytest.param(15_000, 0, 0, True, False, 10_000, "ten_thousand_floor", True,
                 id="EXAMPLES-72(p)(2)(A)(ii)-floor-yes"),
    pytest.param(15_000, 0, 0, False, False, 7_500, "half_vested", True,
                 id="EXAMPLES-72(p)(2)(A)(ii)-floor-no"),
    pytest.param(1_500, 0, 0, False, False, 0, "plan_minimum", False,
                 id="EXAMPLES-DOL-1000-minimum"),
    pytest.param(100_000, 0, 10_000, None, False, 40_000, "dollar_cap", True,
                 id="EXAMPLES-look-back-reduces-the-cap"),
    pytest.param(150_000, 0, 0, None, True, 100_000, "dollar_cap", True,
                 id="EXAMPLES-SECURE-2.0-s331-disaster"),
]
# fmt: on


@pytest.mark.parametrize(
    "vested, outstanding, highest, floor, disaster, max_loan, binding, eligible", EXAMPLES_LIMITS
)
def test_examples_limit_table(vested, outstanding, highest, floor, disaster, max_loan, binding, eligible):
    for allow_floor in [True, False] if floor is None else [floor]:
        result = limit(
            vested_balance=vested,
            outstanding_loan_balance=outstanding,
            highest_loan_balance_12m=highest,
            allow_10k_floor=allow_floor,
            disaster_loan=disaster,
        )
        assert result.max_loan == Decimal(max_loan), allow_floor
        assert result.binding_rule == binding, allow_floor
        assert result.eligible is eligible, allow_floor


# --------------------------------------------------------------------------- RULES.md §16.1

# (id, vested, outstanding, highest prior 12m, floor, expected A (dollar prong),
#  expected B (vested prong), expected max new, binding)
RULES_T = [
    ("T1", 80_000, 0, 0, True, 50_000, 40_000, 40_000, "half_vested"),
    ("T2", 120_000, 0, 0, True, 50_000, 60_000, 50_000, "dollar_cap"),
    # Jim: lesser of 50,000 - (27,000 - 18,000) = 41,000 or 40,000 -> 40,000 - 18,000
    ("T3", 80_000, 18_000, 27_000, True, 41_000, 40_000, 22_000, "half_vested"),
    # Jim repaid first: 50,000 - 27,000 = 23,000 < 40,000
    ("T4", 80_000, 0, 27_000, True, 23_000, 40_000, 23_000, "dollar_cap"),
    ("T5", 15_000, 0, 0, True, 50_000, 10_000, 10_000, "ten_thousand_floor"),
    ("T6", 15_000, 0, 0, False, 50_000, 7_500, 7_500, "half_vested"),
    ("T7", 12_000, 0, 0, True, 50_000, 10_000, 10_000, "ten_thousand_floor"),
]


@pytest.mark.parametrize(
    "vested, outstanding, highest, floor, prong_a, prong_b, max_loan, binding",
    [pytest.param(*row[1:], id=f"RULES-16.1-{row[0]}") for row in RULES_T],
)
def test_rules_fixtures_t1_t7(vested, outstanding, highest, floor, prong_a, prong_b, max_loan, binding):
    result = limit(
        vested_balance=vested,
        outstanding_loan_balance=outstanding,
        highest_loan_balance_12m=highest,
        allow_10k_floor=floor,
    )
    assert result.max_loan == max_loan
    assert result.binding_rule == binding
    assert result.eligible
    # the steps show both prongs with their figures
    assert step(result, "dollar_cap").value == prong_a
    vested_prong_values = {
        s.value for s in result.steps if s.rule in ("half_vested", "ten_thousand_floor", "vested_balance")
    }
    assert Decimal(prong_b) in vested_prong_values


def test_look_back_reduces_only_the_dollar_prong():
    # IRC §72(p)(2)(A)(i) vs (ii): vested 30,000, highest 30,000 repaid to 0.
    # dollar prong 50,000 - 30,000 = 20,000; half prong 30,000 / 2 = 15,000 (not reduced).
    result = limit(vested_balance=30_000, outstanding_loan_balance=0, highest_loan_balance_12m=30_000)
    assert result.max_loan == 15_000
    assert result.binding_rule == "half_vested"
    # with a bigger look-back the dollar prong binds: 50,000 - 45,000 = 5,000 < 10,000 floor
    result = limit(vested_balance=15_000, highest_loan_balance_12m=45_000, allow_10k_floor=True)
    assert result.max_loan == 5_000
    assert result.binding_rule == "dollar_cap"


def test_highest_defaults_to_outstanding():
    # METHOD §1: H defaults to O, so no look-back: min(50,000, 40,000) - 18,000 = 22,000
    result = limit(vested_balance=80_000, outstanding_loan_balance=18_000)
    assert result.max_loan == 22_000


def test_floor_never_exceeds_the_vested_balance():
    # METHOD §1: half' = min(V, max(V/2, 10,000)) = min(8,000, 10,000) = 8,000
    result = limit(vested_balance=8_000, allow_10k_floor=True)
    assert result.max_loan == 8_000
    assert result.binding_rule == "vested_balance"


def test_look_back_wipes_out_the_cap():
    # highest 60,000 repaid to 0: dollar prong 50,000 - 60,000 < 0 -> nothing to borrow
    result = limit(vested_balance=500_000, highest_loan_balance_12m=60_000)
    assert result.max_loan == 0
    assert not result.eligible


@pytest.mark.parametrize(
    "vested, outstanding, highest, max_loan, binding",
    [
        # all of V, up to 100,000: 60,000 vested -> 60,000
        pytest.param(60_000, 0, 0, 60_000, None, id="disaster-100pct-of-vested"),
        # cap 100,000 - (50,000 - 20,000) = 70,000; V = 150,000; 70,000 - 20,000 = 50,000
        pytest.param(150_000, 20_000, 50_000, 50_000, "dollar_cap", id="disaster-look-back"),
    ],
)
def test_disaster_mode(vested, outstanding, highest, max_loan, binding):
    result = limit(
        vested_balance=vested,
        outstanding_loan_balance=outstanding,
        highest_loan_balance_12m=highest,
        disaster_loan=True,
    )
    assert result.max_loan == max_loan
    if binding:
        assert result.binding_rule == binding
    assert "SECURE 2.0" in step(result, "dollar_cap").citation


def test_half_is_rounded_down_never_above_one_half():
    # §72(p)(2)(A)(ii): the loans may not exceed one-half of the vested balance.
    # Half of 80,000.01 is 40,000.005: a loan of 40,000.01 would exceed it, so 40,000.00.
    assert limit(vested_balance="80000.01").max_loan == Decimal("40000.00")
    assert limit(vested_balance="15000.03").max_loan == Decimal("7500.01")  # 7,500.015


# --------------------------------------------------------------------------- plan rules


@pytest.mark.parametrize(
    "existing, max_loans, eligible",
    [(1, 1, False), (2, 1, False), (0, 1, True), (1, 2, True), (3, None, True)],
)
def test_max_loans(existing, max_loans, eligible):
    # METHOD §1: existing_loans >= max_loans -> not eligible (plan option; no federal limit)
    fields = {"vested_balance": 80_000, "existing_loans": existing}
    if max_loans is not None:
        fields["max_loans"] = max_loans
    result = loan401k.limit(fields)
    assert result.eligible is eligible
    if eligible:
        assert result.max_loan == 40_000
    else:
        assert result.max_loan == 0
        assert result.binding_rule == "loan_count"
        assert "TD 9021" in step(result, "loan_count").citation


@pytest.mark.parametrize(
    "vested, min_loan, max_loan, eligible",
    [
        (1_900, 1_000, 0, False),  # 950 < 1,000
        (1_900, 500, 950, True),  # 950 >= 500
        (2_000, 1_000, 1_000, True),  # 1,000 is not below 1,000
        (1_999.98, 1_000, 0, False),  # 999.99 < 1,000
    ],
)
def test_min_loan(vested, min_loan, max_loan, eligible):
    result = limit(vested_balance=vested, min_loan=min_loan)
    assert result.max_loan == max_loan
    assert result.eligible is eligible
    if not eligible:
        assert result.binding_rule == "plan_minimum"
        assert step(result, "plan_minimum").citation == "29 CFR §2550.408b-1(b)(2)"


def test_default_min_loan_is_1000():
    assert not limit(vested_balance=1_998).eligible  # 999 < 1,000
    assert limit(vested_balance=2_000).eligible


# --------------------------------------------------------------------------- requested amount


def test_requested_over_the_limit_reports_the_excess_never_cuts():
    # METHOD §1: 45,000 asked, 40,000 allowed -> 5,000 deemed distribution, limit unchanged
    result = limit(vested_balance=80_000, amount=45_000)
    assert result.max_loan == 40_000
    assert result.requested == 45_000
    assert result.excess == 5_000
    excess = step(result, "excess")
    assert excess.value == 5_000
    assert "§72(p)(1)" in excess.citation


def test_requested_within_the_limit_has_no_excess():
    result = limit(vested_balance=80_000, amount=40_000)
    assert result.excess == 0
    assert result.requested == 40_000
    assert not [s for s in result.steps if s.rule == "excess"]


def test_requested_when_not_eligible_is_all_excess():
    result = limit(vested_balance=1_500, amount=700)
    assert not result.eligible
    assert result.excess == 700


# --------------------------------------------------------------------------- steps


def test_every_step_carries_its_figure_and_citation():
    result = limit(
        vested_balance=80_000,
        outstanding_loan_balance=18_000,
        highest_loan_balance_12m=27_000,
        allow_10k_floor=True,
        amount=30_000,
    )
    assert len(result.steps) >= 4
    for s in result.steps:
        assert s.citation.strip(), s
        assert s.text.strip(), s
        assert s.value is not None, s
    assert step(result, "dollar_cap").citation == "IRC §72(p)(2)(A)(i)"
    assert step(result, "half_vested").citation.startswith("IRC §72(p)(2)(A)(ii)")
    # the last limit step is the new loan itself
    assert step(result, "outstanding").value == 22_000


def test_json_body_has_the_contract_fields():
    body = limit(vested_balance=80_000, amount=45_000).model_dump(mode="json")
    assert {"max_loan", "eligible", "binding_rule", "requested", "excess", "steps"} <= set(body)
    assert {"rule", "value", "citation", "text"} <= set(body["steps"][0])
    assert body["max_loan"] == 40_000 and body["excess"] == 5_000


# --------------------------------------------------------------------------- input errors


def test_highest_below_outstanding_is_an_input_error():
    with pytest.raises(InputError) as caught:
        limit(vested_balance=80_000, outstanding_loan_balance=18_000, highest_loan_balance_12m=10_000)
    assert [p.field for p in caught.value.problems] == ["highest_loan_balance_12m"]


def test_outstanding_above_vested_is_an_input_error():
    with pytest.raises(InputError) as caught:
        limit(vested_balance=10_000, outstanding_loan_balance=20_000)
    assert [p.field for p in caught.value.problems] == ["outstanding_loan_balance"]


def test_vested_balance_is_required():
    with pytest.raises(InputError) as caught:
        loan401k.limit({})
    assert [p.field for p in caught.value.problems] == ["vested_balance"]


# --------------------------------------------------------------------------- properties

cents_amounts = st.integers(min_value=0, max_value=100_000_000)  # $0 .. $1,000,000 in cents


@st.composite
def accounts(draw):
    vested = draw(cents_amounts)
    outstanding = draw(st.integers(min_value=0, max_value=vested))
    highest = draw(st.integers(min_value=outstanding, max_value=outstanding + 10_000_000))
    return {
        "vested_balance": Decimal(vested) / 100,
        "outstanding_loan_balance": Decimal(outstanding) / 100,
        "highest_loan_balance_12m": Decimal(highest) / 100,
        "allow_10k_floor": draw(st.booleans()),
        "min_loan": draw(st.sampled_from([0, 1, 500, 1000])),
    }


PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(accounts())
def test_outside_disaster_mode_never_above_50000(fields):
    result = loan401k.limit(fields)
    assert Decimal(0) <= result.max_loan <= 50_000
    # statute: new + outstanding <= max(V/2, floor if adopted), and never more than V
    total = result.max_loan + fields["outstanding_loan_balance"]
    vested = fields["vested_balance"]
    half_or_floor = max(vested / 2, Decimal(10_000)) if fields["allow_10k_floor"] else vested / 2
    if result.max_loan > 0:
        assert total <= half_or_floor
        assert total <= vested
        assert total <= 50_000 - (fields["highest_loan_balance_12m"] - fields["outstanding_loan_balance"])


@PROPERTY_SETTINGS
@given(accounts())
def test_disaster_mode_never_above_100000(fields):
    result = loan401k.limit({**fields, "disaster_loan": True})
    assert Decimal(0) <= result.max_loan <= 100_000
    if result.max_loan > 0:  # all of V at most (SECURE 2.0 §331: 100 % of the vested balance)
        assert result.max_loan + fields["outstanding_loan_balance"] <= fields["vested_balance"]


@PROPERTY_SETTINGS
@given(accounts(), st.integers(min_value=0, max_value=100_000_000), st.booleans())
def test_max_loan_never_falls_as_vested_rises(fields, more_cents, disaster):
    fields = {**fields, "disaster_loan": disaster}
    richer = {**fields, "vested_balance": fields["vested_balance"] + Decimal(more_cents) / 100}
    low, high = loan401k.limit(fields), loan401k.limit(richer)
    assert low.max_loan <= high.max_loan
    assert high.eligible or not low.eligible  # eligibility is monotone too
