"""analyze(): EXAMPLES.md's true-cost table and the invariants of METHOD v2 §3-§4, §6, §9."""

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

EXPECTED = {  # EXAMPLES.md "True cost (METHOD §3-4, ledger version 2)", each ± $1
    ("loan", "payment"): 586.98,
    ("loan", "total_interest"): 5219.11,
    ("balances", "no_loan"): 1923364.96,  # A0
    ("balances", "with_loan"): 1758601.85,  # A2
    ("cost", "growth_missed"): 51779.17,
    ("cost", "interest_to_self"): 49604.37,
    ("cost", "price_of_credit"): 18104.67,
    ("cost", "plan_difference"): 1696.34,
    ("cost", "contributions"): 32212.52,
    ("cost", "total"): 52013.54,
    ("cost", "present_value"): 7118.20,
    # by hand from the rows above: 51,779.17 - 49,604.37; 22 % of 49,604.37
    ("cost", "lost_growth"): 2174.80,
    ("cost", "double_tax"): 10912.96,
}
PARTS = ("price_of_credit", "plan_difference", "contributions", "fees", "job_loss", "excess")


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


def test_pretax_wages_for_the_interest():
    # METHOD §4 / RULES §13: interest is paid from taxed pay; 5,219.11 / (1 - 0.22) = 6,691.166...
    # (the guide's "$5,000 costs $6,100" multiplies by 1.22 instead: 5,000 / 0.78 = 6,410.26)
    cost = loan401k.analyze(EXAMPLE).cost
    assert cost.pretax_wages_for_interest == Decimal("6691.17")


def test_contribution_cut_pre_tax_by_hand(example):
    # the $300 a month not contributed for 60 months, each grown at 7 % effective to 65
    g = 1.07 ** (1 / 12)
    expected = sum(300 * g ** (420 - m) for m in range(1, 61))
    assert example["cost"]["contribution_cut"] == pytest.approx(expected, abs=0.01)
    # after tax, less the take-home pay kept (78 % of $300) grown outside: the contributions part
    assert example["cost"]["contributions"] < 0.78 * expected


def test_outside_rates_equal_to_the_return_variant():
    # EXAMPLES.md: drag 0, liquidity 7 %: price_of_credit -2,174.80, plan_difference 1,696.34
    # (unchanged), contributions 0.00, total -478.46
    cost = loan401k.analyze({**EXAMPLE, "outside_tax_drag_pct": 0, "liquidity_rate_pct": 7}).cost
    assert float(cost.price_of_credit) == pytest.approx(-2174.80, abs=1.0)
    assert float(cost.plan_difference) == pytest.approx(1696.34, abs=1.0)
    assert float(cost.contributions) == pytest.approx(0.0, abs=1.0)
    assert float(cost.total) == pytest.approx(-478.46, abs=1.0)


def test_by_year_rows_carry_age_and_end_at_the_balances(example):
    rows = example["balances"]["by_year"]
    assert [r["age"] for r in rows] == list(range(31, 66))
    assert rows[-1]["no_loan"] == example["balances"]["no_loan"]
    assert rows[-1]["with_loan"] == example["balances"]["with_loan"]


def test_today_dollars_and_per_dollar(example):
    cost = example["cost"]
    # default inflation 2.5 %: total / 1.025^35, and total / 30,000 (EXAMPLES.md total)
    assert cost["total_today"] == pytest.approx(52013.54 / 1.025**35, abs=0.5)
    assert cost["per_dollar"] == pytest.approx(52013.54 / 30000, abs=0.006)


def _parts_sum(cost: dict) -> Decimal:
    return sum(Decimal(str(cost[k])) for k in PARTS)


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
    assert Decimal(str(cost["loan_itself"])) == (
        Decimal(str(cost["price_of_credit"])) + Decimal(str(cost["plan_difference"]))
    )
    if data["source"] == "roth":
        assert cost["double_tax"] == 0


def test_roth_source_is_not_taxed_at_retirement():
    # a Roth dollar is worth 1 at retirement: plan_difference = growth_missed - interest_to_self
    # = 51,779.17 - 49,604.37 = 2,174.80 (EXAMPLES.md rows), and no double tax
    cost = loan401k.analyze({**EXAMPLE, "source": "roth"}).cost
    assert cost.double_tax == 0
    assert float(cost.plan_difference) == pytest.approx(2174.80, abs=0.02)


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


def test_cash_enough_to_roll_over_the_offset_leaves_no_tax_due():
    rolled = loan401k.analyze({**EXAMPLE, "job_loss_annual_pct": 30, "cash_on_separation": 30000})
    assert all(row.total == 0 and row.rolled_over == row.outstanding for row in rolled.job_loss_table)
    partial = loan401k.analyze({**EXAMPLE, "job_loss_annual_pct": 30, "cash_on_separation": 10000})
    none = loan401k.analyze({**EXAMPLE, "job_loss_annual_pct": 30})
    assert rolled.cost.job_loss < partial.cost.job_loss < none.cost.job_loss


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
    """12 monthly payments, flat 22 % + 10 %, p = 50 %/yr (METHOD v2 §6), by hand:
    Σ_j P_j [0.78 Σ_{i>j} pay_i G(i→T) - Σ_{i>j} pay_i G_out(i→T) + (tax + penalty)_j G_out(due_j→T)]
    G: 7 % effective; G_out: 4.21 % x 0.78 in months 1..12, then the monthly 7 % growth x 0.9;
    start 2026-01-15: leaving in 2026 (months 1..11) pays in April 2027 = month 15, leaving in
    month 12 (January 2027) pays in April 2028 = month 27."""
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
    g = 1.07 ** (1 / 12) - 1
    liquidity = (1 + 0.0421 * 0.78) ** (1 / 12) - 1
    outside = [1.0]
    for month in range(1, 421):
        outside.append(outside[-1] * (1 + (liquidity if month <= 12 else g * 0.9)))
    pays = [float(row.payment) for row in schedule.rows]
    expected = 0.0
    for j, row in enumerate(schedule.rows, start=1):
        owed = float(row.balance)
        cash = round(owed * 0.22, 2) + round(owed * 0.10, 2)
        due = 15 if j <= 11 else 27
        later = range(j + 1, 13)
        net = (
            0.78 * sum(pays[i - 1] * (1 + g) ** (420 - i) for i in later)
            - sum(pays[i - 1] * outside[420] / outside[i] for i in later)
            + cash * outside[420] / outside[due]
        )
        expected += (1 - q) ** (j - 1) * q * net
        assert float(result.job_loss_table[j - 1].net_cost) == pytest.approx(net, abs=0.01)
    assert float(result.cost.job_loss) == pytest.approx(expected, abs=0.01)
    table = result.job_loss_table
    assert [r.month for r in table] == list(range(1, 13))
    assert float(table[0].total) == pytest.approx(
        round(float(schedule.rows[0].balance) * 0.22, 2) + round(float(schedule.rows[0].balance) * 0.10, 2)
    )
    assert str(table[0].tax_due_date) == "2027-04-15" and str(table[11].tax_due_date) == "2028-04-18"


def test_examples_job_loss_case():
    """EXAMPLES.md "Job loss (METHOD §6, version 2)", each ± $1."""
    data = {
        "age": 35,
        "retirement_age": 65,
        "vested_balance": 60000,
        "amount": 15000,
        "annual_rate_pct": 7.75,
        "term_months": 60,
        "contribution_monthly": 400,
        "contribution_during_loan_monthly": 400,
        "annual_return_pct": 7,
        "marginal_rate_pct": 22,
        "retirement_tax_rate_pct": 22,
        "job_loss_annual_pct": 12.4,
        "start_date": "2026-01-15",
    }
    result = loan401k.analyze(data)
    cost = result.cost
    assert float(result.loan.payment) == pytest.approx(302.35, abs=0.005)
    for name, figure in (
        ("price_of_credit", 9318.00),
        ("plan_difference", -2066.29),
        ("loan_itself", 7251.72),
        ("job_loss", 6312.20),
        ("total", 13563.91),
        ("present_value", 2517.11),
    ):
        assert float(getattr(cost, name)) == pytest.approx(figure, abs=1.0), name
    equal = loan401k.analyze(
        {**data, "outside_tax_drag_pct": 0, "liquidity_rate_pct": 7, "offset_tax_timing": "separation"}
    )
    assert float(equal.cost.job_loss) == pytest.approx(2778.02, abs=1.0)


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
    # priced on the ledger: the contributions part, $32,212.52 in EXAMPLES.md
    assert any("$32,213" in reason for reason in verdict.reasons)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"retirement_age": 30}, "retirement_age"),
        ({"payoff_month": 61}, "payoff_month"),
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


def test_a_loan_still_owed_at_retirement_is_an_offset_then_not_an_error():
    # 62 to 65 is 36 months; a 60-month loan owes its balance after payment 36 at retirement,
    # offset with certainty (no job risk): tax 22 % and no 10 % (separating at 65)
    data = {**EXAMPLE, "age": 62, "retirement_age": 65, "term_months": 60}
    result = loan401k.analyze(data)
    owed = loan401k.schedule(data).rows[35].balance
    last = result.job_loss_table[-1]
    assert last.month == 36 and last.outstanding == owed and last.probability_pct == 100
    assert last.penalty == 0 and float(last.tax) == pytest.approx(float(owed) * 0.22, abs=0.01)
    # paid in the retirement month (the due date is capped at T): no growth after it
    assert float(result.cost.job_loss) == pytest.approx(float(last.tax), abs=0.02)
    assert any("past retirement" in w for w in result.warnings)


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
