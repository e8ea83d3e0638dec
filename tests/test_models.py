"""The one input model: money parsing, unknown fields, and money written as JSON numbers
(CONTRACT.md "One input object": money is JSON numbers, dollars, at most 2 decimals;
unknown fields are an error)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import loan401k
from loan401k.models import InputError, LoanInput, parse_input


@pytest.mark.parametrize(
    "given, expected",
    [
        (15000, Decimal("15000")),
        ("15000", Decimal("15000")),
        ("15,000", Decimal("15000")),
        ("$15,000", Decimal("15000")),
        (" $15,000.50 ", Decimal("15000.50")),
        ("15000.5", Decimal("15000.5")),
        (15000.25, Decimal("15000.25")),
        ("0", Decimal("0")),
    ],
)
def test_money_accepts_the_forms_people_type(given, expected):
    assert parse_input({"vested_balance": given}).vested_balance == expected


@pytest.mark.parametrize(
    "given",
    [
        pytest.param("15000.001", id="three-decimals-text"),
        pytest.param(15000.125, id="three-decimals-number"),
        pytest.param(-1, id="negative"),
        pytest.param("-15,000", id="negative-text"),
        pytest.param(True, id="true"),
        pytest.param(False, id="false"),
        pytest.param("fifteen", id="words"),
        pytest.param("NaN", id="nan"),
        pytest.param([15000], id="list"),
    ],
)
def test_money_rejects(given):
    with pytest.raises(InputError) as caught:
        parse_input({"vested_balance": given})
    (problem,) = caught.value.problems
    assert problem.field == "vested_balance"
    assert problem.message


def test_negative_money_names_the_allowed_range():
    with pytest.raises(InputError) as caught:
        parse_input({"vested_balance": -1})
    assert "0 to 100,000,000" in caught.value.problems[0].message


def test_three_decimals_is_named_as_such():
    with pytest.raises(InputError) as caught:
        parse_input({"amount": "10.005"})
    assert "more decimal places than allowed" in caught.value.problems[0].message


def test_unknown_fields_are_rejected_with_a_suggestion():
    with pytest.raises(InputError) as caught:
        parse_input({"vested_balanse": 80_000})
    (problem,) = caught.value.problems
    assert problem.field == "vested_balanse"
    assert "unknown field" in problem.message
    assert "“Vested balance”" in problem.message  # the field's label, never its code


def test_unknown_nested_fields_are_rejected():
    with pytest.raises(InputError) as caught:
        parse_input({"criteria": {"stable_jobs": True}})
    assert caught.value.problems[0].field == "criteria.stable_jobs"
    with pytest.raises(InputError):
        parse_input({"alternatives": [{"kind": "credit_card", "apr": 20}]})


def test_every_problem_is_reported_at_once():
    with pytest.raises(InputError) as caught:
        parse_input({"age": 200, "vested_balance": -5, "frequency": "daily"})
    assert sorted(p.field for p in caught.value.problems) == ["age", "frequency", "vested_balance"]


def test_the_input_must_be_an_object():
    with pytest.raises(InputError):
        parse_input([1, 2, 3])  # type: ignore[arg-type]


def test_model_passes_through():
    model = LoanInput(vested_balance=Decimal(80_000))
    assert parse_input(model) is model


def test_money_in_json_output_is_a_number_not_a_string():
    result = loan401k.limit({"vested_balance": "80,000.01", "amount": "45000.50"})
    body = json.loads(result.model_dump_json())
    for key in ("max_loan", "requested", "excess"):
        assert isinstance(body[key], int | float) and not isinstance(body[key], bool), key
    assert body["max_loan"] == 40_000
    assert body["excess"] == 5_000.5
    assert isinstance(body["steps"][0]["value"], int | float)
    assert result.model_dump(mode="json") == body


def test_money_keeps_its_cents_in_json():
    result = loan401k.schedule({"amount": 25_000, "annual_rate_pct": "6.5", "start_date": "2026-01-15"})
    body = result.model_dump(mode="json")
    assert body["payment"] == 489.15
    assert body["total_interest"] == 4349.2
    assert body["rows"][0]["date"] == "2026-02-15"


def test_input_model_round_trips_through_json():
    model = parse_input(
        {"vested_balance": "$80,000.25", "annual_rate_pct": "7.75", "start_date": "2026-01-15"}
    )
    dumped = json.loads(model.model_dump_json(exclude_none=True))
    assert dumped["vested_balance"] == 80000.25
    assert dumped["annual_rate_pct"] == 7.75
    assert parse_input(dumped) == model
