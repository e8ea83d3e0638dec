"""Plan profiles (issue "Your plan's own rules"): the strict loader, a profile's rules as the
defaults on every face, plan types and the tax rules that came with them."""

from __future__ import annotations

import json
import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import loan401k
from loan401k.app import create_app
from loan401k.cli import main
from loan401k.models import InputError
from loan401k.params import parameters
from loan401k.service import plans
from loan401k.service.plans import SHIPPED, PlanError, load_profile

BASE = {"age": 40, "vested_balance": 80000, "start_date": "2026-03-01", "contribution_monthly": 400}
ACME = str(SHIPPED / "acme-401k.yaml")


def write(tmp_path: Path, text: str, name: str = "p.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_shipped_profiles_load():
    ids = {load_profile(path).id for path in SHIPPED.glob("*.yaml")}
    assert {"typical", "acme-401k", "state-457b"} <= ids


def test_a_plans_minimum_makes_a_smaller_loan_not_eligible_on_every_face(tmp_path):
    data = {**BASE, "amount": 2000, "plan": "acme-401k"}  # the profile's minimum is $2,500
    limit = loan401k.limit(data)
    assert not limit.eligible and limit.binding_rule == "plan_minimum"
    assert not loan401k.analyze(data).limit.eligible
    with TestClient(create_app(f"sqlite:///{tmp_path / 's.db'}")) as client:
        body = client.post("/api/v1/limit", json=data).json()
        assert body["eligible"] is False and body["binding_rule"] == "plan_minimum"
        unknown = client.post("/api/v1/limit", json={**data, "plan": "no-such-plan"})
        assert unknown.status_code == 422 and "plan" in unknown.text and "acme-401k" in unknown.text
        page = client.get("/", params={**{k: str(v) for k, v in data.items()}}).text
        assert "Not eligible" in page and "Acme Corp 401(k) Savings Plan" in page
    flags = ["limit", "--vested-balance", "80000", "--amount", "2000", "--plan", ACME, "--json"]
    out = CliRunner().invoke(main, flags)
    assert out.exit_code == 0 and json.loads(out.output)["eligible"] is False


def test_the_profiles_rate_rule_and_fees_are_the_inputs_defaults():
    result = loan401k.analyze({**BASE, "amount": 10000, "plan": "acme-401k"})
    prime = parameters().in_force(result.inputs.start_date)["prime_rate"] * 100
    assert result.inputs.annual_rate_pct == prime + 2  # "prime + 2%" (Loan Policy §4.1)
    assert (result.inputs.origination_fee, result.inputs.annual_fee) == (75, 25)
    assert result.inputs.frequency == "biweekly" and result.inputs.separation_policy == "continue"
    assert result.loan.fees >= 75 + 25
    assert result.plan is not None and ("Set-up fee", "$75") in [(r.rule, r.value) for r in result.plan.rules]
    # what the person enters wins over the profile
    own = loan401k.analyze({**BASE, "amount": 10000, "plan": "acme-401k", "annual_rate_pct": 7})
    assert own.inputs.annual_rate_pct == 7
    assert next(a for a in own.assumptions if a.name == "annual_rate_pct").source == "you entered it"


def test_a_profile_refuses_what_the_plan_does_not_offer():
    with pytest.raises(InputError) as caught:
        loan401k.analyze(
            {**BASE, "amount": 10000, "plan": "acme-401k", "frequency": "monthly", "source": "roth"}
        )
    assert {p.field for p in caught.value.problems} == {"frequency", "source"}
    with pytest.raises(InputError) as caught:
        loan401k.analyze(
            {**BASE, "amount": 10000, "plan": "state-457b", "purpose": "residence", "term_months": 120}
        )
    assert "purpose" in {p.field for p in caught.value.problems}


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            """\
            id: x
            name: X
            plan_type: 401k
            document: d
            rules:
              min_loan: {value: 500, source: s}
              colour: {value: 1, source: s}
            """,
            "line 7: unknown rule 'colour'",
        ),
        (
            """\
            id: x
            name: X
            plan_type: 401k
            document: d
            rules:
              min_loan: {value: 500}
            """,
            "line 6: min_loan: every rule needs its source",
        ),
        (
            """\
            id: x
            name: X
            plan_type: 401k
            plan_type: 403b
            document: d
            rules: {}
            """,
            "line 4: 'plan_type' appears twice",
        ),
        (
            """\
            id: x
            name: X
            plan_type: 401k
            document: d
            rules:
              separation_policy: {value: sometimes, source: s}
            """,
            "line 6: separation_policy: 'sometimes' is not one of offset, continue",
        ),
        (
            """\
            id: x
            name: X
            plan_type: 401k
            document: d
            extra: 1
            rules: {}
            """,
            "line 5: unknown key 'extra'",
        ),
    ],
)
def test_the_loader_names_the_file_the_key_and_the_line(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(PlanError) as caught:
        load_profile(path)
    assert str(path) in str(caught.value) and words in str(caught.value)


def test_the_servers_plans_directory(tmp_path, monkeypatch):
    write(
        tmp_path,
        """\
        id: mine
        name: My Plan
        plan_type: 403b
        document: "My 403(b) loan policy"
        rules:
          min_loan: {value: 3000, source: "Policy §1"}
        """,
        "mine.yaml",
    )
    monkeypatch.setenv("LOAN401K_PLANS_DIR", str(tmp_path))
    monkeypatch.setattr(plans, "_REGISTERED", {})  # files registered by a CLI run in this process
    result = loan401k.limit({**BASE, "amount": 2500, "plan": "mine"})
    assert not result.eligible
    with pytest.raises(InputError):
        loan401k.limit({**BASE, "plan": "acme-401k"})  # only the configured directory


def test_governmental_457b_offsets_carry_no_10_percent():
    data = {**BASE, "age": 45, "amount": 20000, "job_loss_annual_pct": 20}
    plain = loan401k.analyze(data)
    governmental = loan401k.analyze({**data, "plan_type": "governmental_457b"})
    assert any(row.penalty > 0 for row in plain.job_loss_table)
    assert all(row.penalty == 0 for row in governmental.job_loss_table)
    offset = loan401k.distribution({"age": 45, "amount": 10000, "plan_type": "governmental_457b"})
    assert offset.penalty == 0 and offset.exemption == "governmental_457b"


def test_public_safety_after_25_years_of_service_pays_no_10_percent():
    # IRC §72(t)(10) as amended by SECURE 2.0 §329: separated at 47 with 25 years of service
    person = {"age": 47, "amount": 10000, "separated_from_service": True, "separation_year_age": 47}
    exempt = loan401k.distribution({**person, "public_safety_employee": True, "years_of_service": 25})
    assert exempt.penalty == 0
    short = loan401k.distribution({**person, "public_safety_employee": True, "years_of_service": 24})
    assert short.penalty == Decimal("1000.00")


def test_the_age_60_to_63_catch_up_is_allowed():
    # 2026: $24,500 + the $11,250 catch-up for ages 60-63 (IRC §414(v)(2)(E)) = $35,750
    data = {**BASE, "age": 61, "retirement_age": 67, "amount": 20000, "contribution_monthly": 2900}
    assert not [w for w in loan401k.analyze(data).warnings if "402(g)" in w]  # $34,800 a year
    older = loan401k.analyze({**data, "age": 64})  # $24,500 + $8,000 = $32,500
    assert [w for w in older.warnings if "402(g)" in w]


def test_a_separation_age_above_todays_age_is_an_error():
    with pytest.raises(InputError) as caught:
        loan401k.distribution(
            {"age": 40, "amount": 1000, "separated_from_service": True, "separation_year_age": 45}
        )
    assert [p.field for p in caught.value.problems] == ["separation_year_age"]
