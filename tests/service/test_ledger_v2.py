"""METHOD v2 (one after-tax ledger, two pots): the real code against EXAMPLES.md and against
an independent reference model (tests/reference/ledger_model.py, written from the spec
alone: it imports nothing from loan401k's engine or service).

Expected values are either EXAMPLES.md figures (written here as literals, source named) or
computed by the reference model or by hand in the test; none is the code's own output.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

import loan401k

ROOT = Path(__file__).resolve().parents[2]


def _load_reference():
    path = ROOT / "tests" / "reference" / "ledger_model.py"
    spec = importlib.util.spec_from_file_location("loan401k_reference_ledger_model", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


ref = _load_reference()

PARTS = ("price_of_credit", "plan_difference", "contributions", "fees", "job_loss", "excess")


def f(x) -> float:
    return float(x)


def close(actual, expected, abs_=1.0, rel=0.0005):
    """Within $1 or 0.05 %, whichever is larger."""
    return abs(f(actual) - expected) <= max(abs_, rel * abs(expected))


# --------------------------------------------------------------------------- EXAMPLES.md

# EXAMPLES.md "True cost (METHOD §3–4, ledger version 2), deterministic"
TRUE_COST = {
    "age": 30,
    "retirement_age": 65,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "term_months": 60,
    "annual_return_pct": 7,
    "contribution_monthly": 500,
    "contribution_during_loan_monthly": 200,
    "marginal_rate_pct": 22,
    "retirement_tax_rate_pct": 22,
    "source": "pretax",
    "job_loss_annual_pct": 0,
    "start_date": "2026-01-15",
}
TRUE_COST_FIGURES = {  # EXAMPLES.md "True cost" table, each ± $1
    ("loan", "payment"): 586.98,
    ("loan", "total_interest"): 5219.11,
    ("balances", "no_loan"): 1923364.96,
    ("balances", "with_loan"): 1758601.85,
    ("cost", "growth_missed"): 51779.17,
    ("cost", "interest_to_self"): 49604.37,
    ("cost", "price_of_credit"): 18104.67,
    ("cost", "plan_difference"): 1696.34,
    ("cost", "contributions"): 32212.52,
    ("cost", "total"): 52013.54,
    ("cost", "present_value"): 7118.20,
}
# EXAMPLES.md "True cost": "With both outside rates equal to the return (drag 0, liquidity rate 7 %)"
TRUE_COST_EQUAL = {"liquidity_rate_pct": 7, "outside_tax_drag_pct": 0}
TRUE_COST_EQUAL_FIGURES = {
    "price_of_credit": -2174.80,
    "plan_difference": 1696.34,
    "contributions": 0.00,
    "total": -478.46,
}

# EXAMPLES.md "Job loss (METHOD §6, version 2)"
JOB_LOSS = {
    "age": 35,
    "retirement_age": 65,
    "vested_balance": 60000,
    "amount": 15000,
    "annual_rate_pct": 7.75,
    "term_months": 60,
    "start_date": "2026-01-15",
    "contribution_monthly": 400,
    "contribution_during_loan_monthly": 400,
    "annual_return_pct": 7,
    "marginal_rate_pct": 22,
    "cash_on_separation": 0,
    "job_loss_annual_pct": 12.4,
}
JOB_LOSS_FIGURES = {  # EXAMPLES.md "Job loss" table, each ± $1
    ("loan", "payment"): 302.35,
    ("cost", "price_of_credit"): 9318.00,
    ("cost", "plan_difference"): -2066.29,
    ("cost", "loan_itself"): 7251.72,  # "cost if you never leave"
    ("cost", "job_loss"): 6312.20,
    ("cost", "total"): 13563.91,
    ("cost", "present_value"): 2517.11,
}
# EXAMPLES.md "Job loss": "With outside rates equal to the return and taxes paid in the month
# of separation, job_loss is 2,778.02."
JOB_LOSS_EQUAL = {"liquidity_rate_pct": 7, "outside_tax_drag_pct": 0, "offset_tax_timing": "separation"}
JOB_LOSS_EQUAL_FIGURE = 2778.02


@pytest.fixture(scope="module")
def true_cost():
    return loan401k.analyze(TRUE_COST).model_dump(mode="json")


@pytest.fixture(scope="module")
def job_loss():
    return loan401k.analyze(JOB_LOSS).model_dump(mode="json")


@pytest.mark.parametrize(("section", "figure"), list(TRUE_COST_FIGURES))
def test_examples_true_cost(true_cost, section, figure):
    assert true_cost[section][figure] == pytest.approx(TRUE_COST_FIGURES[(section, figure)], abs=1.0)


def test_examples_true_cost_outside_rates_equal_to_the_return():
    cost = loan401k.analyze({**TRUE_COST, **TRUE_COST_EQUAL}).cost
    for part, value in TRUE_COST_EQUAL_FIGURES.items():
        assert f(getattr(cost, part)) == pytest.approx(value, abs=1.0), part


@pytest.mark.parametrize(("section", "figure"), list(JOB_LOSS_FIGURES))
def test_examples_job_loss(job_loss, section, figure):
    assert job_loss[section][figure] == pytest.approx(JOB_LOSS_FIGURES[(section, figure)], abs=1.0)


def test_examples_job_loss_outside_rates_equal_to_the_return():
    cost = loan401k.analyze({**JOB_LOSS, **JOB_LOSS_EQUAL}).cost
    assert f(cost.job_loss) == pytest.approx(JOB_LOSS_EQUAL_FIGURE, abs=1.0)


def test_reference_model_reproduces_every_examples_figure():
    """The reference model is anchored to EXAMPLES.md before it judges anything else."""
    m = ref.model(TRUE_COST)
    for (_, figure), value in TRUE_COST_FIGURES.items():
        assert m[figure] == pytest.approx(value, abs=1.0), figure
    m = ref.model({**TRUE_COST, **TRUE_COST_EQUAL})
    for part, value in TRUE_COST_EQUAL_FIGURES.items():
        assert m[part] == pytest.approx(value, abs=1.0), part
    m = ref.model(JOB_LOSS)
    for (_, figure), value in JOB_LOSS_FIGURES.items():
        assert m[figure] == pytest.approx(value, abs=1.0), figure
    m = ref.model({**JOB_LOSS, **JOB_LOSS_EQUAL})
    assert m["job_loss"] == pytest.approx(JOB_LOSS_EQUAL_FIGURE, abs=1.0)


def test_default_outside_rates_are_the_examples_ones():
    # EXAMPLES.md: liquidity 3.2838 % (4.21 % × 0.78) and drag 10 % are the defaults
    explicit = {**TRUE_COST, "liquidity_rate_pct": 3.2838, "outside_tax_drag_pct": 10}
    assert f(loan401k.analyze(explicit).cost.total) == pytest.approx(52013.54, abs=1.0)


def test_cli_analyze_json_reproduces_the_example(tmp_path):
    path = tmp_path / "loan.json"
    path.write_text(json.dumps(TRUE_COST))
    exe = ROOT / ".venv" / "bin" / "loan401k"
    out = subprocess.run(
        [str(exe), "analyze", "--json", "--input", str(path)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    body = json.loads(out.stdout)
    assert body["cost"]["total"] == pytest.approx(52013.54, abs=1.0)  # EXAMPLES.md "True cost"
    assert body["cost"]["contributions"] == pytest.approx(32212.52, abs=1.0)
    assert sum(body["cost"][p] for p in PARTS) == pytest.approx(body["cost"]["total"], abs=0.005)


# --------------------------------------------------------------------------- the reference table

BASE = {"start_date": "2026-01-15", "job_loss_annual_pct": 0}
SCENARIOS = {
    # a match lost on a percent-of-salary cut, salary growth, a lower retirement rate
    "match_cut": dict(
        age=40,
        retirement_age=67,
        vested_balance=90000,
        amount=20000,
        annual_rate_pct=8.5,
        term_months=48,
        salary=80000,
        contribution_pct=10,
        contribution_during_loan_pct=4,
        match_rate_pct=50,
        match_limit_pct=6,
        salary_growth_pct=3,
        annual_return_pct=6.5,
        marginal_rate_pct=24,
        retirement_tax_rate_pct=15,
        liquidity_rate_pct=4,
        job_loss_annual_pct=6,
    ),
    # biweekly payments, origination and annual fees, a bigger drag
    "fees_biweekly": dict(
        age=45,
        vested_balance=50000,
        amount=15000,
        annual_rate_pct=6,
        frequency="biweekly",
        origination_fee=75,
        annual_fee=25,
        contribution_monthly=600,
        outside_tax_drag_pct=15,
        job_loss_annual_pct=8,
    ),
    # job risk with cash to roll over, a July start (other tax due months), a cut
    "job_cash": dict(
        age=28,
        vested_balance=70000,
        amount=25000,
        annual_rate_pct=9,
        job_loss_annual_pct=20,
        cash_on_separation=5000,
        start_date="2026-07-01",
        contribution_monthly=300,
        contribution_during_loan_monthly=100,
        liquidity_rate_pct=2,
    ),
    # a Roth source: w = 1, offsets taxed on the earnings share only
    "roth": dict(
        age=33,
        vested_balance=40000,
        amount=10000,
        annual_rate_pct=7,
        source="roth",
        roth_earnings_pct=30,
        job_loss_annual_pct=15,
        annual_return_pct=8,
        contribution_monthly=500,
    ),
    # over the §1 limit (max 20,000): 6,000 deemed distributed at month 0, a March start
    "excess": dict(
        age=38,
        vested_balance=40000,
        amount=26000,
        annual_rate_pct=7.5,
        start_date="2026-03-10",
        contribution_monthly=400,
    ),
    # the same with job risk: a later offset taxes only the permitted share (1 − s) × O_j
    "excess_job_loss": dict(
        age=38,
        vested_balance=40000,
        amount=26000,
        annual_rate_pct=7.5,
        start_date="2026-03-10",
        contribution_monthly=400,
        job_loss_annual_pct=14,
    ),
    # the term runs past retirement: offset at 65 (no penalty), job risk before
    "past_retirement": dict(
        age=62,
        retirement_age=65,
        vested_balance=120000,
        amount=20000,
        annual_rate_pct=7,
        job_loss_annual_pct=8,
        contribution_monthly=800,
    ),
    # past an early retirement at 53: the offset at retirement is penalised (under 55)
    "past_retirement_penalty": dict(
        age=50,
        retirement_age=53,
        vested_balance=80000,
        amount=20000,
        annual_rate_pct=7,
        contribution_monthly=500,
    ),
    # past 55: offsets on separation are free of the additional tax; high job risk
    "older_55": dict(
        age=56,
        retirement_age=66,
        vested_balance=100000,
        amount=30000,
        annual_rate_pct=8,
        term_months=36,
        job_loss_annual_pct=25,
        retirement_tax_rate_pct=12,
        contribution_monthly=700,
        start_date="2026-05-31",
    ),
    # outside_return_pct replaces both outside rates; nominal return, effective quarterly loan
    "outside_return": dict(
        age=35,
        vested_balance=60000,
        amount=12000,
        annual_rate_pct=7,
        rate_convention="effective",
        frequency="quarterly",
        return_convention="nominal",
        annual_return_pct=7,
        outside_return_pct=5,
        job_loss_annual_pct=10,
        contribution_monthly=300,
    ),
    # a state tax, taxes paid at separation, a November start, inflation given
    "state_separation_timing": dict(
        age=42,
        vested_balance=60000,
        amount=18000,
        annual_rate_pct=8,
        marginal_rate_pct=22,
        state_rate_pct=5,
        job_loss_annual_pct=10,
        offset_tax_timing="separation",
        start_date="2026-11-20",
        contribution_monthly=450,
        contribution_during_loan_monthly=300,
        inflation_pct=3,
    ),
    # a 15-year residence loan that outlives a retirement at 60 (offset then, age 60: no penalty)
    "residence_past_retirement": dict(
        age=50,
        retirement_age=60,
        vested_balance=100000,
        amount=40000,
        annual_rate_pct=6.5,
        term_months=180,
        purpose="residence",
        job_loss_annual_pct=5,
        contribution_monthly=1000,
    ),
}
SCENARIOS = {name: {**BASE, **s} for name, s in SCENARIOS.items()}


@pytest.fixture(scope="module")
def runs():
    return {name: (loan401k.analyze(s), ref.model(s), ref.Scenario(s)) for name, s in SCENARIOS.items()}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_parts_match_the_reference_model(runs, name):
    result, m, _ = runs[name]
    cost = result.cost
    for part in PARTS:
        assert f(getattr(cost, part)) == pytest.approx(m[part], abs=1.0), part
    assert close(cost.total, m["total"]), (f(cost.total), m["total"])
    assert close(cost.job_loss, m["job_loss"]), (f(cost.job_loss), m["job_loss"])
    assert close(cost.present_value, m["present_value"])
    assert f(cost.loan_itself) == pytest.approx(m["loan_itself"], abs=1.0)
    assert f(cost.per_dollar) == pytest.approx(m["per_dollar"], abs=0.006)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_pretax_figures_and_balances_match_the_reference_model(runs, name):
    result, m, _ = runs[name]
    cost = result.cost
    assert close(cost.growth_missed, m["growth_missed"])
    assert close(cost.interest_to_self, m["interest_to_self"])
    assert close(cost.contribution_cut, m["contribution_cut"])
    assert f(cost.lost_growth) == pytest.approx(m["growth_missed"] - m["interest_to_self"], abs=1.0)
    assert close(result.balances.no_loan, m["no_loan"])
    assert close(result.balances.with_loan, m["with_loan"])
    assert close(result.account_view.plan_no_loan, m["plan_no_loan"])
    assert close(result.account_view.money_itself, m["money_itself"])
    assert f(result.loan.payment) == pytest.approx(m["payment"], abs=0.005)


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_job_loss_table_matches_the_reference_model(runs, name):
    result, _, sc = runs[name]
    table = {row.month: row for row in result.job_loss_table}
    owed = [j for j in range(1, sc.win + 1) if sc.outstanding(j) > 0]
    assert set(table) <= set(range(1, sc.win + 1))
    assert owed[-1] in table  # the last month owed (for a loan past retirement: T) is shown
    if len(owed) <= 60:
        assert set(owed) <= set(table), "every month with a balance owed has a row"
    months = sorted(table)
    for j in months[:: max(1, len(months) // 7)] + months[-1:]:
        row = table[j]
        outstanding, rolled, _, tax, penalty = sc.offset(j)
        assert f(row.outstanding) == pytest.approx(outstanding, abs=0.005), j
        assert f(row.rolled_over) == pytest.approx(rolled, abs=0.005), j
        assert f(row.tax) == pytest.approx(tax, abs=0.02), j
        assert f(row.penalty) == pytest.approx(penalty, abs=0.02), j
        assert f(row.total) == pytest.approx(tax + penalty, abs=0.03), j
        assert f(row.net_cost) == pytest.approx(sc.delta(j), abs=1.0), j
        if row.tax_due_date is not None and sc.timing == "due_date":
            assert row.tax_due_date.month == 4, j
            calendar_year = sc.start.year + (sc.start.month - 1 + j) // 12
            assert row.tax_due_date.year == calendar_year + 1, j


def test_job_loss_table_probabilities():
    # P_j = (1 − q)^(j−1) q with q = 1 − (1 − p)^(1/12) (METHOD §6); retiring at T takes the rest
    s = SCENARIOS["past_retirement"]
    table = loan401k.analyze(s).job_loss_table
    q = 1 - (1 - 0.08) ** (1 / 12)
    by_month = {row.month: row.probability_pct for row in table}
    assert by_month[1] == pytest.approx(100 * q, abs=1e-3)
    assert by_month[10] == pytest.approx(100 * (1 - q) ** 9 * q, abs=1e-3)
    T = 36
    assert by_month[T] == pytest.approx(100 * (1 - q) ** (T - 1), abs=1e-3)  # separation at T, certain


def test_total_today_is_the_total_in_todays_dollars(runs):
    for name, infl in (("state_separation_timing", 0.03), ("match_cut", 0.025)):
        result, m, sc = runs[name]
        expected = f(result.cost.total) / (1 + infl) ** (sc.T / 12)
        assert f(result.cost.total_today) == pytest.approx(expected, abs=0.01), name


# --------------------------------------------------------------------------- §8 alternatives

ALTERNATIVES = [
    {"kind": "credit_card", "apr_pct": 22},
    {"kind": "personal_loan", "apr_pct": 12, "term_months": 36},
    {"kind": "hardship_withdrawal"},
]


@pytest.mark.parametrize("name", ["job_cash", "match_cut", "outside_return"])
def test_alternatives_match_the_reference_model(name):
    s = {**SCENARIOS[name], "alternatives": ALTERNATIVES}
    sc = ref.Scenario(s)
    options = {o.kind: o for o in loan401k.compare(s).options}
    assert f(options["credit_card"].cost) == pytest.approx(sc.loan_alternative(22), abs=1.0)
    assert f(options["personal_loan"].cost) == pytest.approx(sc.loan_alternative(12, 36), abs=1.0)
    assert f(options["hardship_withdrawal"].cost) == pytest.approx(sc.hardship(), abs=1.0)
    costs = [o.cost for o in loan401k.compare(s).options]
    assert costs == sorted(costs)


@pytest.mark.parametrize("name", ["job_cash", "roth", "excess", "past_retirement", "fees_biweekly"])
def test_comparison_401k_row_is_the_analysis_total(runs, name):
    s = {**SCENARIOS[name], "alternatives": [{"kind": "credit_card", "apr_pct": 22, "term_months": 24}]}
    options = {o.kind: o for o in loan401k.compare(s).options}
    assert options["401k_loan"].cost == loan401k.analyze(s).cost.total


# --------------------------------------------------------------------------- identities (§4, §6)

# both outside rates equal to the return, no match, fees or job risk, t_now = t_ret
EQUAL = {
    "age": 40,
    "retirement_age": 65,
    "vested_balance": 80000,
    "amount": 25000,
    "annual_rate_pct": 9,
    "term_months": 60,
    "annual_return_pct": 7,
    "liquidity_rate_pct": 7,
    "outside_tax_drag_pct": 0,
    "marginal_rate_pct": 24,
    "contribution_monthly": 600,
    "job_loss_annual_pct": 0,
    "start_date": "2026-01-15",
}


def test_identity_roth_loan_costs_nothing():
    cost = loan401k.analyze({**EQUAL, "source": "roth", "roth_earnings_pct": 25}).cost
    assert abs(f(cost.price_of_credit)) > 100  # the parts are not trivially zero ...
    assert f(cost.total) == pytest.approx(0, abs=0.05)  # ... they cancel


def test_identity_pretax_loan_at_the_return_costs_nothing():
    s = {
        **EQUAL,
        "annual_rate_pct": 7,
        "rate_convention": "nominal",
        "return_convention": "nominal",
        "source": "pretax",
    }
    cost = loan401k.analyze(s).cost
    assert f(cost.total) == pytest.approx(0, abs=0.05)
    assert f(cost.growth_missed) > 1000 and f(cost.interest_to_self) > 1000
    # and not at a different loan rate
    assert abs(f(loan401k.analyze({**s, "annual_rate_pct": 8}).cost.total)) > 100


def test_identity_cutting_contributions_costs_nothing():
    s = {**EQUAL, "contribution_during_loan_monthly": 100}
    cost = loan401k.analyze(s).cost
    assert f(cost.contribution_cut) > 1000  # the pre-tax account does lose the cut ...
    assert f(cost.contributions) == pytest.approx(0, abs=0.01)  # ... but the take-home kept pays it back
    # not so with the default outside rates (the shelter is worth something)
    default = {k: v for k, v in s.items() if k not in ("liquidity_rate_pct", "outside_tax_drag_pct")}
    assert f(loan401k.analyze(default).cost.contributions) > 100


RICH = {  # every part in play but the excess (which grows at the outside rate too)
    "age": 38,
    "vested_balance": 70000,
    "amount": 30000,
    "annual_rate_pct": 8,
    "term_months": 60,
    "salary": 70000,
    "contribution_pct": 8,
    "contribution_during_loan_pct": 3,
    "match_rate_pct": 100,
    "match_limit_pct": 4,
    "origination_fee": 50,
    "annual_fee": 30,
    "job_loss_annual_pct": 15,
    "cash_on_separation": 2000,
    "start_date": "2026-04-01",
}


@pytest.mark.parametrize(
    "change",
    [
        {"liquidity_rate_pct": 1},
        {"liquidity_rate_pct": 6.5},
        {"outside_tax_drag_pct": 0},
        {"outside_tax_drag_pct": 30},
        {"liquidity_rate_pct": 0, "outside_tax_drag_pct": 25},
    ],
)
def test_outside_rates_leave_plan_difference_and_move_only_their_parts(change):
    before = loan401k.analyze(RICH).cost
    after = loan401k.analyze({**RICH, **change}).cost
    assert after.plan_difference == before.plan_difference
    assert after.fees == before.fees
    assert after.excess == before.excess
    moved = (after.price_of_credit - before.price_of_credit) + (after.contributions - before.contributions)
    moved += after.job_loss - before.job_loss
    assert after.total - before.total == moved
    assert after.total != before.total  # the change does reach the total


@pytest.mark.parametrize("name", list(SCENARIOS) + ["RICH"])
def test_parts_add_up_to_the_total_to_the_cent(runs, name):
    cost = loan401k.analyze(RICH).cost if name == "RICH" else runs[name][0].cost
    assert sum(getattr(cost, p) for p in PARTS) == cost.total
    assert cost.loan_itself == cost.price_of_credit + cost.plan_difference


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_account_view_adds_up_to_the_total(runs, name):
    result = runs[name][0]
    av = result.account_view
    seen = av.plan_no_loan - av.plan_with_loan - av.outside_with_loan - av.money_itself
    assert abs(seen - result.cost.total) <= Decimal("0.05")


def test_job_loss_with_rates_equal_is_the_expected_penalty_grown():
    """METHOD §6: outside rates = return, taxes at separation, t_now = t_ret, loan rate =
    return → job_loss is Σ_j P_j × 10 % × O_j × G(j → T)."""
    p = 0.18
    s = {
        **EQUAL,
        "annual_rate_pct": 7,
        "rate_convention": "nominal",
        "return_convention": "nominal",
        "job_loss_annual_pct": 18,
        "offset_tax_timing": "separation",
        "cash_on_separation": 0,
    }
    rows = ref.amortize(25000, 7, 60)  # Decimal schedule (METHOD §2)
    owed = {r[1]: float(r[5]) for r in rows}
    g = 0.07 / 12
    T = 12 * (65 - 40)
    q = 1 - (1 - p) ** (1 / 12)
    expected = sum((1 - q) ** (j - 1) * q * 0.10 * owed[j] * (1 + g) ** (T - j) for j in range(1, 61))
    cost = loan401k.analyze(s).cost
    assert f(cost.job_loss) == pytest.approx(expected, abs=1.0)
    assert expected > 500


def test_an_amount_over_the_limit_costs_at_least_the_penalty_grown():
    over = SCENARIOS["excess"]  # vested 40,000: limit 20,000, amount 26,000
    within = {**over, "vested_balance": 60000}  # limit 30,000; the same loan otherwise
    a, b = loan401k.analyze(over), loan401k.analyze(within)
    assert a.limit.excess == Decimal("6000")
    assert b.limit.excess == 0 and b.cost.excess == 0
    sc = ref.Scenario(over)
    due = (12 - 3) + 4  # a March start: the tax falls due in April of the next year
    grown = sc.Io[sc.T] / sc.Io[due]
    assert f(a.cost.total - b.cost.total) >= 0.10 * 6000 * grown
    assert a.cost.total - b.cost.total == a.cost.excess  # the rest of the loan is unchanged


def test_a_loan_still_owed_at_retirement_is_offset_then_with_that_ages_penalty_rules():
    early = loan401k.analyze(SCENARIOS["past_retirement_penalty"])  # retires at 53
    late = loan401k.analyze({**SCENARIOS["past_retirement_penalty"], "age": 60, "retirement_age": 63})
    owed = early.job_loss_table[-1]
    assert owed.month == 36 and f(owed.outstanding) > 5000
    assert f(owed.penalty) == pytest.approx(0.10 * f(owed.outstanding), abs=0.01)  # under 55
    assert late.job_loss_table[-1].penalty == 0  # 63: past 59½
    assert f(early.cost.job_loss) > 0.10 * f(owed.outstanding)


# --------------------------------------------------------------------------- §7 markets


def test_lognormal_without_volatility_is_the_deterministic_answer():
    s = {**SCENARIOS["job_cash"], "model": "lognormal", "mean_pct": 7, "vol_pct": 0, "paths": 200}
    total = f(loan401k.analyze(SCENARIOS["job_cash"]).cost.total)
    mc = loan401k.montecarlo(s)
    for name in ("min", "p10", "p25", "p50", "p75", "p90", "max"):
        assert f(getattr(mc.percentiles, name)) == pytest.approx(total, abs=1.0), name
        assert f(getattr(mc.per_dollar, name)) == pytest.approx(total / 25000, abs=0.006), name


BACKTEST = {**SCENARIOS["match_cut"], "job_loss_annual_pct": 12.4, "cash_on_separation": 1000}


@pytest.fixture(scope="module")
def backtest():
    return loan401k.backtest(BACKTEST)


def test_backtest_rows_add_up(backtest):
    assert len(backtest.by_start_year) > 20
    for row in backtest.by_start_year:
        assert sum(getattr(row, p) for p in PARTS) == row.total, row.start_year
    totals = sorted(f(r.total) for r in backtest.by_start_year)
    assert f(backtest.percentiles.min) == pytest.approx(totals[0], abs=0.005)
    assert f(backtest.percentiles.max) == pytest.approx(totals[-1], abs=0.005)
    share = 100 * sum(t < 0 for t in totals) / len(totals)
    assert backtest.share_loan_cheaper == pytest.approx(share, abs=0.01)


def test_backtest_start_years_match_the_reference_model(backtest):
    """METHOD §7: that year's 80/20 return spread over its months; the window's liquidity the
    year's T-bill × (1 − t_now) unless given (this scenario gives 4 %), then × (1 − drag)."""
    with open(ROOT / "src" / "loan401k" / "data" / "returns_us_annual.csv") as fh:
        data = {int(r["year"]): r for r in csv.DictReader(fh)}
    years = 67 - 40
    by_year = {row.start_year: row for row in backtest.by_start_year}
    for scenario in (BACKTEST, {k: v for k, v in BACKTEST.items() if k != "liquidity_rate_pct"}):
        if scenario is BACKTEST:
            rows = by_year
        else:
            rows = {r.start_year: r for r in loan401k.backtest(scenario).by_start_year}
        for year in (1929, 1966, 1981, min(rows) + 40):
            ret = [
                0.8 * float(data[year + i]["stocks"]) + 0.2 * float(data[year + i]["bonds"])
                for i in range(years)
            ]
            bills = [float(data[year + i]["bills"]) for i in range(years)]
            m = ref.model(scenario, ret, bills)
            row = rows[year]
            for part in PARTS:
                assert f(getattr(row, part)) == pytest.approx(m[part], abs=1.0), (year, part)
            assert close(row.total, m["total"]), year
            assert math.isfinite(m["total"])
