"""compare(): the 401(k) loan and the listed alternatives on one scale (METHOD §8), the
payoff-speed table (PRODUCT F9), the verdict's use of it (§9), and bad input."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

import loan401k
from loan401k.cli import main
from loan401k.models import InputError

BASE = {
    "age": 40,
    "retirement_age": 65,
    "vested_balance": 80000,
    "amount": 10000,
    "annual_rate_pct": 7.5,
    "term_months": 36,
    "annual_return_pct": 7,
    "marginal_rate_pct": 22,
    "state_rate_pct": 5,
    "retirement_tax_rate_pct": 22,
    "job_loss_annual_pct": 0,
    "start_date": "2026-01-15",
}


def scenario(**changes: object) -> dict:
    return {**BASE, **changes}


def option(result, kind: str):
    return next(o for o in result.options if o.kind == kind)


def test_loan_always_included_and_options_ranked_by_cost():
    result = loan401k.compare(
        scenario(
            alternatives=[
                {"kind": "credit_card", "apr_pct": 24},
                {"kind": "heloc", "apr_pct": 8},
                {"kind": "hardship_withdrawal"},
                {"kind": "personal_loan", "apr_pct": 11, "fee_pct": 4},
            ]
        )
    )
    kinds = [o.kind for o in result.options]
    assert sorted(kinds) == sorted(
        ["401k_loan", "credit_card", "heloc", "hardship_withdrawal", "personal_loan"]
    )
    costs = [o.cost for o in result.options]
    assert costs == sorted(costs)
    assert all(o.risks for o in result.options)
    assert result.amount == Decimal("10000")
    assert loan401k.compare(scenario()).options[0].kind == "401k_loan"


EQUAL_OUTSIDE = {"liquidity_rate_pct": 7, "outside_tax_drag_pct": 0}  # money outside earns the return


def test_closed_form_loan_with_no_retirement_tax_equal_returns_and_no_job_risk():
    """t_ret = 0, the same return inside and out, no job risk, no contribution cut or fees:
    every payment leaves your pocket and enters the account at the same growth, so whatever
    the loan's rate it costs nothing beyond the money itself (METHOD v2 §4): 0."""
    for rate in (3, 7.5, 12):
        result = loan401k.compare(scenario(retirement_tax_rate_pct=0, annual_rate_pct=rate, **EQUAL_OUTSIDE))
        assert abs(float(option(result, "401k_loan").cost)) < 0.02


def test_roth_account_difference_is_untaxed():
    """A Roth source is never taxed at retirement: with equal returns and no job risk the
    loan costs 0 beyond the money itself (METHOD v2 §4 identity), whatever
    retirement_tax_rate_pct says; a taxed pre-tax account differs."""
    roth = option(
        loan401k.compare(scenario(source="roth", retirement_tax_rate_pct=30, **EQUAL_OUTSIDE)), "401k_loan"
    )
    assert abs(float(roth.cost)) < 0.02
    taxed = option(loan401k.compare(scenario(retirement_tax_rate_pct=30, **EQUAL_OUTSIDE)), "401k_loan")
    assert taxed.cost != roth.cost


def test_safe_job_makes_the_loan_cheaper_than_a_hardship_withdrawal():
    result = loan401k.compare(scenario(job_loss_annual_pct=0, alternatives=[{"kind": "hardship_withdrawal"}]))
    assert option(result, "401k_loan").cost < option(result, "hardship_withdrawal").cost
    assert result.options[0].kind == "401k_loan"


def test_more_job_loss_risk_raises_the_loans_cost():
    costs = [
        option(loan401k.compare(scenario(job_loss_annual_pct=p)), "401k_loan").cost
        for p in (0, 1, 3, 8, 20, 50)
    ]
    assert all(a < b for a, b in zip(costs, costs[1:], strict=False))


def test_hardship_gross_up_matches_the_distribution_service():
    result = loan401k.compare(scenario(alternatives=[{"kind": "hardship_withdrawal"}]))
    hardship = option(result, "hardship_withdrawal")
    # 22 % + 5 % + 10 %: 10,000 / 0.63 -> 15,873.01 (see tests/engine/test_alternatives.py)
    assert hardship.amount == Decimal("15873.01")
    assert hardship.taxes + hardship.penalties == Decimal("5873.01")
    assert hardship.penalties == Decimal("1587.30")


def test_hardship_after_59_half_has_no_penalty():
    result = loan401k.compare(scenario(age=60, alternatives=[{"kind": "hardship_withdrawal"}]))
    assert option(result, "hardship_withdrawal").penalties == 0


def test_freed_take_home_pay_offsets_part_of_a_contribution_cut():
    """Cutting contributions costs the account more than the after-tax pay it frees (the
    freed pay is taxed now; the account dollars would have been taxed at the same rate later,
    so at equal returns and t_now = t_ret the two nearly cancel)."""
    kept = option(loan401k.compare(scenario(contribution_monthly=500, **EQUAL_OUTSIDE)), "401k_loan").cost
    cut = option(
        loan401k.compare(
            scenario(contribution_monthly=500, contribution_during_loan_monthly=0, **EQUAL_OUTSIDE)
        ),
        "401k_loan",
    ).cost
    # t_now = 27 % (22 + 5), t_ret = 22 %: each dollar cut loses 0.78 in the account, frees 0.73
    assert cut > kept
    months = 36
    g = 1.07 ** (1 / 12) - 1
    grown = sum(500 * (1 + g) ** (300 - m) for m in range(1, months + 1))
    assert float(cut - kept) == pytest.approx(grown * (0.78 - 0.73), abs=0.05)


def test_payoff_speed_terms_that_fit_before_retirement():
    result = loan401k.compare(scenario(age=62, retirement_age=65, annual_rate_pct=6))
    assert [row.term_months for row in result.payoff_speed] == [12, 24, 36]
    twelve = result.payoff_speed[0]
    r = 0.06 / 12
    assert float(twelve.payment) == pytest.approx(10000 * r / (1 - (1 + r) ** -12), abs=0.005)
    interest = [row.total_interest for row in result.payoff_speed]
    assert interest == sorted(interest)
    for row in result.payoff_speed:
        parts = (
            row.cost.price_of_credit
            + row.cost.plan_difference
            + row.cost.contributions
            + row.cost.fees
            + row.cost.job_loss
            + row.cost.excess
        )
        assert parts == row.cost.total == row.net_worth_cost
    full = loan401k.compare(scenario())
    assert [row.term_months for row in full.payoff_speed] == [12, 24, 36, 48, 60]
    assert full.payoff_speed[2].net_worth_cost == option(full, "401k_loan").cost
    # the comparison's 401(k) row is the analysis's own total (one number on every face)
    assert option(full, "401k_loan").cost == loan401k.analyze(scenario()).cost.total


def test_verdict_names_a_cheaper_listed_alternative():
    cheap = {"kind": "custom", "apr_pct": 0, "label": "Family loan"}
    result = loan401k.analyze(scenario(alternatives=[cheap], retirement_tax_rate_pct=22))
    compared = loan401k.compare(scenario(alternatives=[cheap]))
    difference = option(compared, "401k_loan").cost - option(compared, "custom").cost
    assert difference > 0
    assert any(r.startswith("Family loan costs") for r in result.verdict.reasons)
    assert result.verdict.level == "avoid"  # cheaper, and prevents_catastrophe is not true
    plain = loan401k.analyze(scenario(alternatives=[{"kind": "credit_card", "apr_pct": 29}]))
    assert not any("less than the 401(k) loan" in r for r in plain.verdict.reasons)


@pytest.mark.parametrize(
    ("alternative", "field", "words"),
    [
        ({"kind": "credit_card"}, "alternatives.0.apr_pct", "allowed range: 0 to 100"),
        (
            {"kind": "heloc", "apr_pct": 8, "term_months": 360},
            "alternatives.0.term_months",
            "allowed range: 1 to 300",
        ),
        (
            {"kind": "credit_card", "apr_pct": 20, "promo_months": 6},
            "alternatives.0.promo_months",
            "only used by a balance transfer",
        ),
        (
            {"kind": "personal_loan", "apr_pct": 9, "fee": 100, "fee_pct": 2},
            "alternatives.0.fee_pct",
            "not both",
        ),
        ({"kind": "hardship_withdrawal", "apr_pct": 5}, "alternatives.0.apr_pct", "not used"),
        ({"kind": "credit_card", "apr_pct": 120}, "alternatives.0.apr_pct", "100"),
    ],
)
def test_bad_alternatives_name_the_field(alternative, field, words):
    with pytest.raises(InputError) as caught:
        loan401k.compare(scenario(alternatives=[alternative]))
    assert any(p.field == field and words in p.message for p in caught.value.problems), caught.value


def test_outside_tax_drag_range():
    with pytest.raises(InputError) as caught:
        loan401k.compare(scenario(outside_tax_drag_pct=101))
    assert caught.value.problems[0].field == "outside_tax_drag_pct"
    assert "0 to 100" in caught.value.problems[0].message


def test_cli_compare_json_and_alternative_flag():
    runner = CliRunner()
    args = [
        "compare",
        "--age",
        "40",
        "--vested-balance",
        "80000",
        "--amount",
        "10000",
        "--start-date",
        "2026-01-15",
        "--job-loss-annual-pct",
        "0",
        "--alternative",
        "credit_card:24",
        "--alternative",
        "personal_loan:12:24:5",
        "--json",
    ]
    done = runner.invoke(main, args)
    assert done.exit_code == 0, done.output
    body = json.loads(done.output)
    by_kind = {o["kind"]: o for o in body["options"]}
    assert set(by_kind) == {"401k_loan", "credit_card", "personal_loan"}
    assert by_kind["personal_loan"]["term_months"] == 24
    assert by_kind["personal_loan"]["fees"] == 526.32
    text = runner.invoke(main, args[:-1])
    assert text.exit_code == 0 and "cheapest first" in text.output
    bad = runner.invoke(main, args[:-1] + ["--alternative", "a:b:c:d:e"])
    assert bad.exit_code == 2 and "KIND:APR" in bad.output
