"""schedule() builds its result from the engine's figures without a second validation pass
(issue 16: the public call was 15x a plain Decimal loop). What it builds must be what
validation would have made of the same figures, and the rows must keep their contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import loan401k
from loan401k.models import ScheduleResult, ScheduleRow

CASES = [
    {"amount": 25_000, "annual_rate_pct": "6.5", "start_date": "2026-01-15"},
    {"amount": 10_000, "annual_rate_pct": 5, "term_months": 60, "frequency": "quarterly",
     "rate_convention": "effective", "start_date": "2026-01-31"},
    {"amount": 15_000, "annual_rate_pct": 6, "frequency": "biweekly", "origination_fee": 75,
     "annual_fee": 25, "start_date": "2026-02-28"},
    {"payment": 300, "annual_rate_pct": 0, "term_months": 24, "frequency": "semimonthly",
     "start_date": "2026-03-31"},
]  # fmt: skip


@pytest.mark.parametrize("data", CASES)
def test_the_built_result_is_what_validation_makes_of_it(data):
    result = loan401k.schedule(data)
    validated = ScheduleResult.model_validate(result.model_dump())
    assert validated == result
    assert validated.model_dump(mode="json") == result.model_dump(mode="json")
    for built, checked in zip(result.rows, validated.rows, strict=True):
        assert type(built) is type(checked) is ScheduleRow
        for name in ("payment", "interest", "principal", "balance"):
            value = getattr(built, name)
            assert type(value) is Decimal and value == value.quantize(Decimal("0.01")), (name, value)
        assert type(built.n) is int and type(built.date) is dt.date


def test_rows_keep_the_contract_fields():
    result = loan401k.schedule(CASES[0])
    first = result.model_dump(mode="json")["rows"][0]
    assert list(first) == ["n", "date", "payment", "interest", "principal", "balance"]
    # EXAMPLES.md: $25,000 at 6.5 % for 60 months, first payment 489.15 of which 135.42 interest
    assert first == {
        "n": 1,
        "date": "2026-02-15",
        "payment": 489.15,
        "interest": 135.42,
        "principal": 353.73,
        "balance": 24646.27,
    }
    assert result.model_fields_set >= {"payment", "rows", "warnings", "payoff_date"}


def test_the_schema_of_a_row_is_an_object_of_its_fields():
    schema = ScheduleResult.model_json_schema(mode="serialization")
    row = schema["$defs"]["ScheduleRow"]
    assert row["type"] == "object"
    assert row["required"] == ["n", "date", "payment", "interest", "principal", "balance"]
    assert schema["properties"]["rows"]["items"] == {"$ref": "#/$defs/ScheduleRow"}
