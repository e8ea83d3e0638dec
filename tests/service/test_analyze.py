"""analyze(): EXAMPLES.md's true-cost table and the invariants of METHOD §3-§4, §6, §9."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import loan401k
from loan401k.models import InputError

# EXAMPLES.md "True cost (METHOD §3-4), deterministic"
EXAMPLE = {
    "age": 30,
    "retirement_age": 65,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "term_months": 60,
    "frequency": "monthly",
    "annual_return_pct": 7,
    "return_convention": "effective",
    "contribution_monthly": 500,
    "contribution_during_loan_monthly": 200,
    "marginal_rate_pct": 22,
    "retirement_tax_rate_pct": 22,
    "source": "pretax",
    "job_loss_annual_pct": 0,
    "start_date": "2026-01-15",
}

EXPECTED = {  # EXAMPLES.md, each ± $1
    ("loan", "payment"): 586.98,
    ("loan", "total_interest"): 5219.11,
    ("balances", "no_loan"): 1923364.96,  # A0
    ("balances", "with_loan"): 1758601.85,  # A2
    ("cost", "growth_missed"): 51779.17,
    ("cost", "interest_to_self"): 49604.37,
    ("cost", "lost_growth"): 2174.80,
    ("cost", "double_tax"): 10912.96,
    ("cost", "contribution_cut"): 162588.31,
    ("cost", "total"): 175676.07,
}


@pytest.fixture(scope="module")
def example():
    return loan401k.analyze(EXAMPLE).model_dump(mode="json")


@pytest.mark.parametrize(("section", "figure"), list(EXPECTED))
def test_examples_true_cost_table(example, section, figure):
    assert example[section][figure] == pytest.approx(EXPECTED[(section, figure)], abs=1.0)


def test_examples_a1_and_a1p(example):
    # A1 = A0 - lost_growth; A1p = A0 - growth_missed (EXAMPLES.md rows A1, A1p)
    a0 = example["balances"]["no_loan"]
    assert a0 - example["cost"]["lost_growth"] == pytest.approx(1921190.16, abs=1.0)
    assert a0 - example["cost"]["growth_missed"] == pytest.approx(1871585.79, abs=1.0)


def test_the_guides_interest_gross_up_slip():
    # METHOD §4: $5,000 of interest at 22 % needs $6,410.26 of pre-tax wages, not $6,100.
    from loan401k.engine.costs import decompose

    zero = {k: 0.0 for k in ("growth_missed", "interest_to_self", "contribution_cut", "fees", "job_loss")}
    parts = decompose(
        zero,
        amount=Decimal(1000),
        retirement_tax_rate=Decimal("0.22"),
        roth=False,
        inflation=Decimal(0),
        years=Decimal(1),
        total_interest=Decimal(5000),
        current_tax_rate=Decimal("0.22"),
    )
    assert parts.pretax_wages_for_interest == Decimal("6410.26")


def test_by_year_rows_carry_age_and_end_at_the_balances(example):
    rows = example["balances"]["by_year"]
    assert [r["age"] for r in rows] == list(range(31, 66))
    assert rows[-1]["no_loan"] == example["balances"]["no_loan"]
    assert rows[-1]["with_loan"] == example["balances"]["with_loan"]


def test_today_dollars_and_per_dollar(example):
    cost = example["cost"]
    # default inflation 2.5 %: total / 1.025^35, and total / 30,000
    assert cost["total_today"] == pytest.approx(175676.07 / 1.025**35, abs=0.01)
    assert cost["per_dollar"] == pytest.approx(175676.07 / 30000, abs=0.005)


def _parts_sum(cost: dict) -> Decimal:
    return sum(
        Decimal(str(cost[k])) for k in ("lost_growth", "double_tax", "contribution_cut", "fees", "job_loss")
    )


scenario = st.fixed_dictionaries(
    {
        "age": st.integers(20, 55),
        "vested_balance": st.integers(20_000, 400_000),
        "amount": st.integers(1_000, 50_000),
        "annual_rate_pct": st.decimals("0", "12", places=2),
        "term_months": st.integers(6, 60),
        "annual_return_pct": st.decimals("-2", "12", places=1),
        "contribution_monthly": st.integers(0, 1500),
        "contribution_during_loan_monthly": st.integers(0, 1500),
        "job_loss_annual_pct": st.decimals("0", "40", places=1),
        "cash_on_separation": st.integers(0, 20_000),
        "origination_fee": st.integers(0, 100),
        "annual_fee": st.integers(0, 50),
        "frequency": st.sampled_from(["weekly", "biweekly", "semimonthly", "monthly", "quarterly"]),
        "source": st.sampled_from(["pretax", "roth"]),
        "start_date": st.just("2026-03-01"),
    }
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario)
def test_components_add_up_to_the_total_to_the_cent(data):
    cost = loan401k.analyze(data).model_dump(mode="json")["cost"]
    assert _parts_sum(cost) == Decimal(str(cost["total"]))
    assert Decimal(str(cost["lost_growth"])) == (
        Decimal(str(cost["growth_missed"])) - Decimal(str(cost["interest_to_self"]))
    )
    if data["source"] == "roth":
        assert cost["double_tax"] == 0


def test_roth_source_has_no_double_tax():
    cost = loan401k.analyze({**EXAMPLE, "source": "roth"}).cost
    assert cost.double_tax == 0
    assert cost.total == Decimal("175676.07") - Decimal("10912.96")


def test_loan_rate_above_the_return_makes_lost_growth_negative():
    cost = loan401k.analyze({**EXAMPLE, "annual_rate_pct": 9, "annual_return_pct": 5}).cost
    assert cost.lost_growth < 0


def test_more_job_loss_risk_never_lowers_job_loss():
    costs = [
        loan401k.analyze({**EXAMPLE, "job_loss_annual_pct": p}).cost.job_loss
        for p in (0, 1, 5, 12.4, 30, 60, 100)
    ]
    assert costs[0] == 0
    assert all(a <= b for a, b in zip(costs, costs[1:], strict=False))
    assert costs[-1] > costs[1]


def test_cash_enough_to_roll_over_the_offset_makes_job_loss_zero():
    cost = loan401k.analyze({**EXAMPLE, "job_loss_annual_pct": 30, "cash_on_separation": 30000}).cost
    assert cost.job_loss == 0
    partial = loan401k.analyze({**EXAMPLE, "job_loss_annual_pct": 30, "cash_on_separation": 10000}).cost
    assert partial.job_loss > 0


@pytest.mark.parametrize("during", [0, 100, 200, 499])
def test_stopping_contributions_never_costs_less_than_keeping_them(during):
    keep = loan401k.analyze({**EXAMPLE, "contribution_during_loan_monthly": 500}).cost
    cut = loan401k.analyze({**EXAMPLE, "contribution_during_loan_monthly": during}).cost
    assert keep.contribution_cut == 0
    assert cut.total > keep.total


def test_match_is_recomputed_on_the_reduced_contribution():
    # salary 60,000; 6 % contributed, employer matches 50 % up to 6 %: $300 + $150 a month.
    base = {**EXAMPLE, "salary": 60000, "contribution_pct": 6, "match_rate_pct": 50, "match_limit_pct": 6}
    del base["contribution_monthly"], base["contribution_during_loan_monthly"]
    stopped = loan401k.analyze({**base, "contribution_during_loan_pct": 0}).cost
    # 60 months x $450 not contributed, each grown at 7 % effective from its month to 65 (by hand)
    g = 1.07 ** (1 / 12)
    expected = sum(450 * g ** (420 - m) for m in range(1, 61))
    assert float(stopped.contribution_cut) == pytest.approx(expected, abs=0.01)


def test_job_loss_by_hand_for_a_short_loan():
    # 12 monthly payments, flat 22 % + 10 %, p = 50 %/yr: Σ P_j · 0.32 · O_j · G(j→T)
    data = {
        **EXAMPLE,
        "amount": 12000,
        "term_months": 12,
        "job_loss_annual_pct": 50,
        "contribution_during_loan_monthly": 500,
        "marginal_rate_pct": 22,
    }
    result = loan401k.analyze(data)
    schedule = loan401k.schedule(data)
    q = 1 - 0.5 ** (1 / 12)
    g = 1.07 ** (1 / 12)
    expected = 0.0
    for j, row in enumerate(schedule.rows, start=1):
        owed = float(row.balance)
        tax = round(owed * 0.22, 2) + round(owed * 0.10, 2)
        expected += (1 - q) ** (j - 1) * q * tax * g ** (420 - j)
    assert float(result.cost.job_loss) == pytest.approx(expected, abs=0.01)
    table = result.job_loss_table
    assert [r.month for r in table] == list(range(1, 13))
    assert float(table[0].total) == pytest.approx(
        round(float(schedule.rows[0].balance) * 0.22, 2) + round(float(schedule.rows[0].balance) * 0.10, 2)
    )


def test_no_penalty_after_separating_at_55_or_more():
    data = {**EXAMPLE, "age": 56, "retirement_age": 67, "job_loss_annual_pct": 20}
    table = loan401k.analyze(data).job_loss_table
    assert all(row.penalty == 0 for row in table)
    young = loan401k.analyze({**data, "age": 40}).job_loss_table
    assert young[0].penalty > 0


def test_verdict_levels():
    yes = dict.fromkeys(
        (
            "stable_job",
            "repay_within_24_months",
            "alternatives_exhausted",
            "prevents_catastrophe",
            "keeps_contributions",
            "other_savings",
        ),
        True,
    )
    short = {**EXAMPLE, "term_months": 24, "contribution_during_loan_monthly": 500}
    assert loan401k.analyze({**short, "criteria": yes}).verdict.level == "reasonable"
    assert loan401k.analyze({**short, "criteria": {**yes, "stable_job": False}}).verdict.level == "avoid"
    three = {**yes, "alternatives_exhausted": False, "other_savings": False, "prevents_catastrophe": False}
    assert loan401k.analyze({**short, "criteria": three}).verdict.level == "avoid"
    assert loan401k.analyze({**short, "criteria": {**yes, "other_savings": None}}).verdict.level == "caution"
    # computed when unanswered: 60 months is not within 24; $200 during repayment is a cut
    verdict = loan401k.analyze(EXAMPLE).verdict
    assert verdict.criteria["repay_within_24_months"] is False
    assert verdict.criteria["keeps_contributions"] is False
    assert any("$162,588" in reason for reason in verdict.reasons)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"retirement_age": 30}, "retirement_age"),
        ({"age": 62, "retirement_age": 65, "term_months": 60}, "term_months"),
        ({"contribution_pct": 6}, "salary"),
        ({"term_months": 72}, "term_months"),
        ({"highest_loan_balance_12m": 5, "outstanding_loan_balance": 10}, "highest_loan_balance_12m"),
    ],
)
def test_inconsistent_input_names_the_field(change, field):
    data = {**EXAMPLE, **change}
    if "contribution_pct" in change:
        del data["contribution_monthly"]
    with pytest.raises(InputError) as caught:
        loan401k.analyze(data)
    assert field in [p.field for p in caught.value.problems]


def test_contributions_over_the_deferral_limit_warn_not_clamp():
    result = loan401k.analyze({**EXAMPLE, "contribution_monthly": 3000})
    assert any("402(g)" in w for w in result.warnings)


def test_cli_json_equals_the_library(tmp_path):
    path = tmp_path / "in.json"
    path.write_text(json.dumps(EXAMPLE))
    out = subprocess.run(
        [sys.executable, "-m", "loan401k.cli", "analyze", "--input", str(path), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout) == loan401k.analyze(EXAMPLE).model_dump(mode="json")
