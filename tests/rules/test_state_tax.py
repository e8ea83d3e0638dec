"""State tax on a distribution (rules.state_tax, params/states): for every state a figure
worked by hand from the cited schedule or rate, the no-income-tax states at zero, the
Illinois and Pennsylvania exclusions, California's 2.5 % exactly where the federal 10 % is,
the unknown state and the state-with-rate errors on every face, and the job-loss table.

Every expected figure below is computed in the comment next to it from the source named
there, never copied from the program's output. Where taxable income is given, the state's
taxable income is taken to be the federal one (the documented approximation)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st

import loan401k
from loan401k import cli
from loan401k.models import InputError
from loan401k.params import parameters
from loan401k.rules.distributions import Person
from loan401k.rules.state_tax import implied_income, state_tax, supported_states

REQUIRED = {"CA", "TX", "FL", "NY", "PA", "IL", "OH", "GA", "NC", "MI", "NJ", "VA", "WA", "AZ", "MA"}


def on(code: str, year: int, amount, income, status: str = "single", person: Person | None = None) -> Decimal:
    """The state's tax, in cents, on `amount` added to taxable `income` in `year`."""
    federal = parameters()["federal_brackets"].at(dt.date(min(year, 2026), 12, 31))
    law, _ = state_tax(code, year, status, Decimal(income), Decimal("0.22"), federal[status])
    return law.tax(Decimal(amount), person).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")


def test_the_fifteen_states_have_files():
    assert REQUIRED <= set(supported_states())


# --------------------------------------------------------------------------- one figure per state

CASES = [
    # (state, year, status, taxable income, distribution, expected, how)
    # FTB 2025 Schedule X (single): 8 % from $57,542, 9.3 % from $72,724.
    # (72,724 - 60,000) x 8 % = 1,017.92; (80,000 - 72,724) x 9.3 % = 676.668 -> 1,694.59
    ("CA", 2025, "single", 60_000, 20_000, "1694.59"),
    # FTB 2025 Schedule Y (joint): 8 % from $115,084, 9.3 % from $145,448.
    # 5,448 x 8 % = 435.84; 4,552 x 9.3 % = 423.336 -> 859.18
    ("CA", 2025, "married_joint", 140_000, 10_000, "859.18"),
    # Schedule X 12.3 % from $742,953, plus §17043's 1 % over $1,000,000:
    # 10,000 x 12.3 % + 10,000 x 13.3 % = 1,230 + 1,330 = 2,560.00
    ("CA", 2025, "single", 990_000, 20_000, "2560.00"),
    # NY Tax Law §601(c) as cut for 2026 (L. 2025 ch. 59): single 5.4 % from $13,900 to $80,650,
    # 5.9 % from $80,650 to $215,400. 5,650 x 5.4 % = 305.10; 4,350 x 5.9 % = 256.65 -> 561.75
    ("NY", 2026, "single", 75_000, 10_000, "561.75"),
    # 2025 rates (IT-201-I): 5,650 x 5.5 % = 310.75; 4,350 x 6 % = 261.00 -> 571.75
    ("NY", 2025, "single", 75_000, 10_000, "571.75"),
    # §601(a) joint 2026: 5.4 % from $27,900 to $161,550, 5.9 % to $323,200.
    # 11,550 x 5.4 % = 623.70; 8,450 x 5.9 % = 498.55 -> 1,122.25
    ("NY", 2026, "married_joint", 150_000, 20_000, "1122.25"),
    # 72 P.S. §7302: 3.07 % flat. 10,000 x 3.07 % = 307.00
    ("PA", 2026, "single", 50_000, 10_000, "307.00"),
    # Ohio R.C. §5747.02 (H.B. 96) 2026: nothing to $26,050, then $332 + 2.75 % of the excess.
    # From 20,000 to 30,000 crosses it: 332 + 3,950 x 2.75 % = 332 + 108.625 -> 440.63
    ("OH", 2026, "single", 20_000, 10_000, "440.63"),
    # above the threshold: 10,000 x 2.75 % = 275.00
    ("OH", 2026, "married_joint", 30_000, 10_000, "275.00"),
    # 2025: 2.75 % to $100,000, 3.125 % above: 10,000 x 2.75 % + 10,000 x 3.125 % = 587.50
    ("OH", 2025, "single", 90_000, 20_000, "587.50"),
    # 2025 crossing: $342 + 3,950 x 2.75 % = 342 + 108.625 -> 450.63
    ("OH", 2025, "single", 10_000, 20_000, "450.63"),
    # O.C.G.A. §48-7-20(a.1): 5.19 % for 2025, 4.99 % from 2026
    ("GA", 2025, "single", 50_000, 10_000, "519.00"),
    ("GA", 2026, "head_of_household", 50_000, 10_000, "499.00"),
    # N.C.G.S. §105-153.7: 4.25 % for 2025, 3.99 % from 2026
    ("NC", 2025, "single", 50_000, 10_000, "425.00"),
    ("NC", 2026, "married_joint", 50_000, 10_000, "399.00"),
    # MCL 206.51, Treasury notice for 2026: 4.25 %
    ("MI", 2026, "single", 50_000, 10_000, "425.00"),
    # N.J.S.A. 54A:2-1(b) schedule A (single): 1.75 % to $35,000, 3.5 % to $40,000, 5.525 % to
    # $75,000. 5,000 x 1.75 % = 87.50; 5,000 x 3.5 % = 175; 10,000 x 5.525 % = 552.50 -> 815.00
    ("NJ", 2026, "single", 30_000, 20_000, "815.00"),
    # schedule B (joint): 2.45 % to $70,000, 3.5 % to $80,000, 5.525 % to $150,000.
    # 10,000 x 2.45 % = 245; 10,000 x 3.5 % = 350; 10,000 x 5.525 % = 552.50 -> 1,147.50
    ("NJ", 2026, "married_joint", 60_000, 30_000, "1147.50"),
    # Va. Code §58.1-320: 2 % to $3,000, 3 % to $5,000, 5 % to $17,000, 5.75 % above.
    # 1,000 x 2 % + 2,000 x 3 % + 2,000 x 5 % = 20 + 60 + 100 = 180.00
    ("VA", 2026, "single", 2_000, 5_000, "180.00"),
    ("VA", 2026, "married_joint", 40_000, 5_000, "287.50"),  # 5,000 x 5.75 %
    # A.R.S. §43-1011: 2.5 % flat
    ("AZ", 2026, "single", 50_000, 10_000, "250.00"),
    # M.G.L. c. 62 §4(b), (d): 5 %, plus 4 % over $1,083,150 (2025).
    ("MA", 2025, "single", 50_000, 10_000, "500.00"),
    # 3,150 x 5 % = 157.50; 6,850 x 9 % = 616.50 -> 774.00
    ("MA", 2025, "married_joint", 1_080_000, 10_000, "774.00"),
    # no personal income tax: Tex. Const. art. VIII §24-a; Fla. Const. art. VII §5(a); Washington
    ("TX", 2026, "single", 50_000, 10_000, "0.00"),
    ("FL", 2026, "single", 50_000, 10_000, "0.00"),
    ("WA", 2026, "single", 50_000, 10_000, "0.00"),
    # Illinois: 35 ILCS 5/203(a)(2)(F) subtracts 401(k) distributions at any age
    ("IL", 2026, "single", 50_000, 10_000, "0.00"),
]


@pytest.mark.parametrize("code, year, status, income, amount, expected", CASES)
def test_state_tax_by_hand(code, year, status, income, amount, expected):
    assert on(code, year, amount, income, status) == Decimal(expected)


def test_every_state_has_a_hand_figure():
    assert {case[0] for case in CASES} == REQUIRED


def test_the_same_figures_through_the_library():
    """`loan401k.distribution` with `state` gives the state tax of the table (California,
    2025, single, $60,000 taxable, $20,000 at 40): federal 2025 22 % bracket from $48,475 to
    $103,350 -> 4,400.00; California 1,694.59 (above); 10 % = 2,000 and §17085(c)'s 2.5 % = 500."""
    result = loan401k.distribution(
        {"age": 40, "amount": 20_000, "state": "CA", "taxable_income": 60_000, "tax_year": 2025}
    )
    assert result.federal_tax == Decimal("4400.00")
    assert result.state_tax == Decimal("1694.59")
    assert result.penalty == Decimal("2500.00")
    assert result.state_penalty == Decimal("500.00")
    assert result.total == Decimal("8594.59")
    assert result.net == Decimal("11405.41")
    rules = {step.rule: step for step in result.steps}
    assert rules["additional_tax"].value == Decimal("2000.00")
    assert rules["state_additional_tax"].value == Decimal("500.00")
    assert "17085" in rules["state_additional_tax"].citation
    assert "17041" in rules["state_tax"].citation


def test_lower_case_codes_work():
    upper = loan401k.distribution({"age": 40, "amount": 5_000, "state": "NJ", "taxable_income": 30_000})
    lower = loan401k.distribution({"age": 40, "amount": 5_000, "state": "nj", "taxable_income": 30_000})
    assert upper.state_tax == lower.state_tax > 0


# --------------------------------------------------------------------------- without taxable income


def test_without_taxable_income_the_rate_where_the_federal_bracket_starts():
    """22 % federal, single, 2026 (Rev. Proc. 2025-32): the bracket starts at $50,400; the
    2025 Schedule X puts $50,400 in the 6 % bracket ($41,452-$57,542): 10,000 x 6 % = 600.00,
    linear like the federal figure; warnings name the rate and the stale 2026 schedule."""
    result = loan401k.distribution({"age": 40, "amount": 10_000, "state": "CA", "tax_year": 2026})
    assert result.state_tax == Decimal("600.00")
    assert any("$50,400.00" in w and "6%" in w for w in result.warnings)
    assert any("for 2026 are not in the parameter files" in w and "2025" in w for w in result.warnings)


def test_implied_income_follows_the_federal_brackets():
    table = parameters()["federal_brackets"].at(dt.date(2026, 12, 31))["single"]
    assert implied_income(table, Decimal("0.22")) == 50_400
    assert implied_income(table, Decimal("0.25")) == 105_700  # between brackets: the 24 % one
    assert implied_income(table, Decimal("0.05")) == 0


def test_flat_states_need_no_taxable_income_and_warn_nothing():
    result = loan401k.distribution({"age": 40, "amount": 10_000, "state": "NC", "tax_year": 2026})
    assert result.state_tax == Decimal("399.00")
    assert not any("North Carolina" in w for w in result.warnings)


# --------------------------------------------------------------------------- exclusions


def test_pennsylvania_taxes_early_distributions_not_those_after_retiring():
    """61 Pa. Code §101.6: taxable before retirement; after separating at 59½ or later not."""
    early = Person(age=Decimal(45), separated_from_service=True)
    retired = Person(age=Decimal(62), separated_from_service=True, separation_year_age=Decimal(60))
    still_working = Person(age=Decimal(62))
    left_at_57 = Person(age=Decimal(60), separated_from_service=True, separation_year_age=Decimal(57))
    assert on("PA", 2026, 10_000, 50_000, person=early) == Decimal("307.00")
    assert on("PA", 2026, 10_000, 50_000, person=retired) == 0
    assert on("PA", 2026, 10_000, 50_000, person=still_working) == Decimal("307.00")
    assert on("PA", 2026, 10_000, 50_000, person=left_at_57) == Decimal("307.00")


def test_illinois_taxes_no_distribution_but_its_rate_counts_for_wages():
    from loan401k.service.scenario import build_scenario

    scenario = build_scenario(
        {"age": 40, "vested_balance": 100_000, "amount": 20_000, "state": "IL", "start_date": "2026-02-01"}
    )
    # t_now: 22 % federal + 4.95 % Illinois on wages (35 ILCS 5/201(b)(5.4))
    assert scenario.current_tax_rate == Decimal("0.2695")
    # distributions in retirement are excluded too: the retirement rate is the federal 22 % alone
    assert scenario.inputs.retirement_tax_rate_pct == Decimal(22)


def test_retirement_rate_default_adds_the_state_rate_where_retirement_is_taxed():
    base = {"age": 40, "vested_balance": 100_000, "amount": 20_000, "start_date": "2026-02-01"}
    # California at $50,400 (the 22 % bracket's start): 6 % -> 22 + 6 = 28
    assert loan401k.analyze({**base, "state": "CA"}).inputs.retirement_tax_rate_pct == 28
    # Pennsylvania exempts distributions after retiring (at 65, past 59½): 22 alone
    assert loan401k.analyze({**base, "state": "PA"}).inputs.retirement_tax_rate_pct == 22
    assert loan401k.analyze({**base, "state": "TX"}).inputs.retirement_tax_rate_pct == 22


# --------------------------------------------------------------------------- California's 2.5 %


def test_california_early_offset_pays_the_2_5_percent():
    """§17085(c): 2.5 % of the taxable amount where §72(t)'s 10 % applies: $10,000 at 40
    pays 1,000 + 250 = 1,250."""
    result = loan401k.distribution(
        {"age": 40, "amount": 10_000, "state": "CA", "separated_from_service": True}
    )
    assert result.penalty == Decimal("1250.00")
    assert result.state_penalty == Decimal("250.00")
    assert not result.penalty_exempt


@pytest.mark.parametrize(
    "extra",
    [
        {"age": 60},  # 59½ (§72(t)(2)(A)(i))
        {"age": 56, "separated_from_service": True},  # left in or after the year of turning 55
        {"age": 57, "separated_from_service": True, "separation_year_age": 55},
    ],
)
def test_no_california_2_5_percent_where_the_10_percent_is_excused(extra):
    result = loan401k.distribution({"amount": 10_000, "state": "CA", **extra})
    assert result.penalty_exempt
    assert result.penalty == 0 and result.state_penalty == 0
    assert "state_additional_tax" not in {step.rule for step in result.steps}


def test_no_other_state_has_an_early_distribution_tax():
    for code in REQUIRED - {"CA"}:
        result = loan401k.distribution({"age": 40, "amount": 10_000, "state": code, "taxable_income": 50_000})
        assert result.penalty == Decimal("1000.00") and result.state_penalty == 0, code


def test_net_to_gross_with_the_california_tax_and_brackets():
    """$10,000 net, California, single, $60,000 taxable (2025): every rate on the way is
    22 % federal + 8 % California + 12.5 % = 42.5 % below $72,724, so W = 10,000 / 0.575 =
    17,391.30..., which passes $72,724 - $60,000 = $12,724: from there 9.3 %, keep
    1 - 0.22 - 0.093 - 0.125 = 56.2 %. Net at 12,724: 12,724 x 0.575 = 7,316.30; the rest
    2,683.70 / 0.562 = 4,775.27 more, W = 17,499.27 (then settled to the cent)."""
    result = loan401k.distribution(
        {"age": 40, "net": 10_000, "state": "CA", "taxable_income": 60_000, "tax_year": 2025}
    )
    assert result.net == Decimal("10000.00")
    assert abs(result.amount - Decimal("17499.27")) <= Decimal("0.02")


@settings(max_examples=60, deadline=None)
@given(
    code=st.sampled_from(["CA", "OH", "NY", "NJ", "PA", "IL", "MA"]),
    income=st.integers(min_value=0, max_value=400_000),
    net=st.integers(min_value=1, max_value=200_000),
)
def test_net_to_gross_is_the_smallest_gross_reaching_the_net(code, income, net):
    from loan401k.rules.distributions import tax_on

    body = {"age": 40, "net": net, "state": code, "taxable_income": income, "tax_year": 2026}
    result = loan401k.distribution(body)
    assert result.net >= net
    from loan401k.service.core import parse_input, tax_profile

    profile = tax_profile(parse_input(body))
    below = tax_on(result.amount - Decimal("0.01"), profile, Decimal("0.10"))
    assert below.net < net  # a cent less does not reach it


# --------------------------------------------------------------------------- errors, every face


def test_unknown_state_lists_the_supported_ones():
    with pytest.raises(InputError) as caught:
        loan401k.distribution({"age": 40, "amount": 1_000, "state": "ZZ"})
    [problem] = caught.value.problems
    assert problem.field == "state"
    assert all(code in problem.message for code in REQUIRED)
    assert "state tax rate" in problem.message and "state_rate_pct" not in problem.message  # words


def test_state_and_a_state_rate_together_is_an_error_naming_both():
    with pytest.raises(InputError) as caught:
        loan401k.distribution({"age": 40, "amount": 1_000, "state": "CA", "state_rate_pct": 5})
    [problem] = caught.value.problems
    assert problem.field == "state_rate_pct" and "state (CA)" in problem.message


def test_a_state_rate_alone_still_works():
    result = loan401k.distribution({"age": 40, "amount": 10_000, "state_rate_pct": 5})
    assert result.state_tax == Decimal("500.00") and result.state_penalty == 0


def test_unknown_state_is_a_422_from_the_api(tmp_path):
    from loan401k.app import create_app

    with TestClient(create_app(f"sqlite:///{tmp_path / 's.db'}")) as client:
        response = client.post("/api/v1/distribution", json={"age": 40, "amount": 1000, "state": "ZZ"})
        assert response.status_code == 422
        detail = {item["field"]: item["message"] for item in response.json()["detail"]}
        assert set(detail) == {"state"} and "CA" in detail["state"] and "WA" in detail["state"]
        good = client.post("/api/v1/distribution", json={"age": 40, "amount": 10000, "state": "CA"})
        assert good.status_code == 200
        assert Decimal(str(good.json()["state_penalty"])) == 250


def test_unknown_state_exits_2_from_the_cli():
    from click.testing import CliRunner

    result = CliRunner().invoke(
        cli.main, ["distribution", "--age", "40", "--amount", "1000", "--state", "ZZ"]
    )
    assert result.exit_code == 2
    assert "state" in result.stderr and "CA" in result.stderr
    ok = CliRunner().invoke(
        cli.main, ["distribution", "--age", "40", "--amount", "10000", "--state", "CA", "--json"]
    )
    assert ok.exit_code == 0, ok.output
    assert Decimal(str(json.loads(ok.output)["state_penalty"])) == 250


# --------------------------------------------------------------------------- the job-loss table


def test_job_loss_table_carries_the_state_tax_and_the_2_5_percent():
    """Leaving in month 1 of a $20,000 loan at 40, California, 2026, no taxable income given:
    the offset O is taxed 22 % federal and 6 % California (the 2025 Schedule X rate at $50,400,
    where the 22 % federal bracket starts) and pays 10 % + 2.5 %, each rounded to the cent."""
    base = {"age": 40, "vested_balance": 100_000, "amount": 20_000, "start_date": "2026-01-15"}
    with_state = loan401k.analyze({**base, "state": "CA"}).job_loss_table
    without = loan401k.analyze(base).job_loss_table
    cent = Decimal("0.01")
    for row, plain in zip(with_state[:24], without[:24], strict=True):
        taxable = row.outstanding - row.rolled_over
        federal = (taxable * Decimal("0.22")).quantize(cent, rounding="ROUND_HALF_UP")
        state = (taxable * Decimal("0.06")).quantize(cent, rounding="ROUND_HALF_UP")
        ten = (taxable * Decimal("0.10")).quantize(cent, rounding="ROUND_HALF_UP")
        two_and_a_half = (taxable * Decimal("0.025")).quantize(cent, rounding="ROUND_HALF_UP")
        assert row.tax == federal + state
        assert row.penalty == ten + two_and_a_half
        assert plain.tax == federal and plain.penalty == ten


def test_job_loss_in_texas_pays_no_state_tax():
    base = {"age": 40, "vested_balance": 100_000, "amount": 20_000, "start_date": "2026-01-15"}
    texas = loan401k.analyze({**base, "state": "TX"}).job_loss_table
    plain = loan401k.analyze(base).job_loss_table
    assert [(r.tax, r.penalty) for r in texas] == [(r.tax, r.penalty) for r in plain]
