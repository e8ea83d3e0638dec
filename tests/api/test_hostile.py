"""Hostile input never gets a 5xx (issue 7): schemathesis against the app's own /openapi.json,
Hypothesis on the input model through the API, and 422s that name the field and what is
allowed, nested fields included. Bounded: the whole module runs in well under a minute."""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi import checks as openapi_checks

from loan401k.app import create_app
from loan401k.models import Alternative, Criteria, InputError, LoanInput, parse_input

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# A valid analysis body (tests/api/test_api.py BASE, fewer paths): hostile values are laid
# over it, so most requests reach the calculations instead of stopping at "required".
BASE: dict[str, Any] = {
    "age": 30,
    "retirement_age": 65,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "term_months": 60,
    "contribution_monthly": 500,
    "start_date": "2026-01-01",
    "paths": 200,
    "alternatives": [{"kind": "credit_card", "apr_pct": 22}],
}
CALCULATIONS = ["limit", "schedule", "distribution", "analysis", "comparison", "backtest", "montecarlo"]
FIELDS = set(LoanInput.model_fields)
MAX_TEST_PATHS = 1000  # keeps a generated Monte Carlo to milliseconds


def _fuzz_app():
    app = create_app("sqlite:///:memory:")
    app.state.save_limiter.limit = 10**9  # the limiter has its own test; here it would hide bugs
    return app


# --------------------------------------------------------------------------- schemathesis

schema = schemathesis.openapi.from_asgi("/openapi.json", _fuzz_app())

# What the tests assert on every response: no 5xx; the status code, content type, headers
# and body are the ones the schema documents. Not asserted: schemathesis's
# positive_data_acceptance (the schema cannot express the cross-field rules, e.g. `limit`
# needs vested_balance, so a schema-valid body can rightly get 422) and
# negative_data_rejection (the API is deliberately lenient where the docs say so:
# "$15,000" for a number, pydantic's 0/1 for false/true).
CHECKS = [
    not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
]


def _over_base(body: Any) -> Any:
    """The generated fields laid over BASE, so schema-valid values reach the calculations."""
    if not isinstance(body, dict):
        return body
    merged = {**BASE, **{key: value for key, value in body.items() if value is not None}}
    if isinstance(merged.get("paths"), int) and merged["paths"] > MAX_TEST_PATHS:
        merged["paths"] = MAX_TEST_PATHS
    return merged


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_schemathesis_every_operation(case):
    case.call_and_validate(checks=CHECKS)
    if case.method.upper() == "POST" and isinstance(case.body, dict):
        case.body = _over_base(case.body)
        case.call_and_validate(checks=CHECKS)


# --------------------------------------------------------------------------- Hypothesis

NUMBERS = st.one_of(
    st.integers(min_value=-(10**40), max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0, -0.0, 1e-320, 1e308, 2**53 + 1, 2**63, -(2**63) - 1, 0.005, 12.345]),
)
STRINGS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "NaN",
            "nan",
            "-NaN",
            "Infinity",
            "-inf",
            "1e999",
            "1e-999",
            "-0",
            "$15,000",
            "15,000",
            "1,5",
            "$",
            "",
            " ",
            "0x10",
            "1_000",
            "٣٠",
            "３０",
            "①",
            "30\u200b",
            "30\x00",
            "null",
            "true",
            "2026-02-30",
            "0000-01-01",
            "9999-12-31",
            "'; DROP TABLE scenarios; --",
            "<script>alert(1)</script>",
            "\ud800",
        ]
    ),
)
JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), NUMBERS, STRINGS),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
ALTERNATIVE = st.fixed_dictionaries(
    {},
    optional={name: JUNK for name in Alternative.model_fields}
    | {"kind": st.sampled_from(["credit_card", "heloc", "custom", "nope"])},
)
CRITERIA = st.fixed_dictionaries({}, optional={name: JUNK for name in Criteria.model_fields})
FIELD_VALUES = {name: JUNK for name in FIELDS} | {
    "alternatives": st.one_of(JUNK, st.lists(ALTERNATIVE, max_size=3)),
    "criteria": st.one_of(JUNK, CRITERIA),
}
HOSTILE_BODY = st.tuples(
    st.fixed_dictionaries({}, optional=FIELD_VALUES),
    st.dictionaries(st.text(min_size=1, max_size=12), JUNK, max_size=2),  # unknown fields too
    st.booleans(),  # over BASE, or alone
)


def _encode(body: dict[str, Any]) -> bytes:
    # Python's json writes NaN/Infinity literals, which the server's parser also reads: the
    # model must refuse them. Lone surrogates cannot be UTF-8: escape them.
    return json.dumps(body, ensure_ascii=True, allow_nan=True).encode()


@pytest.fixture(scope="module")
def client():
    with TestClient(_fuzz_app()) as test_client:
        yield test_client


def _assert_names_fields(response, body: dict[str, Any]) -> None:
    detail = response.json()["detail"]
    assert detail, response.text
    for item in detail:
        assert set(item) == {"field", "message", "loc"}, item
        head = item["loc"][0]
        assert head in FIELDS | set(body) | {"input"}, item
        assert item["field"] == ".".join(str(part) for part in item["loc"]), item
        assert item["message"] and "Traceback" not in item["message"], item
        assert len(item["message"]) < 600, item  # a bad value is quoted back cut short


@given(case=HOSTILE_BODY, endpoint=st.sampled_from(CALCULATIONS))
@settings(max_examples=250, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_hostile_fields_never_5xx(client, case, endpoint):
    fields, unknown, over_base = case
    body = {**(BASE if over_base else {}), **fields, **unknown}
    if isinstance(body.get("paths"), int) and not isinstance(body["paths"], bool):
        body["paths"] = max(-5, min(body["paths"], MAX_TEST_PATHS))
    response = client.post(
        f"/api/v1/{endpoint}", content=_encode(body), headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 422), (endpoint, body, response.text)
    if response.status_code == 422:
        _assert_names_fields(response, body)
    else:
        assert isinstance(response.json(), dict)


@given(value=JUNK, field=st.sampled_from(sorted(FIELDS)))
@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_one_hostile_field_on_a_valid_analysis(client, value, field):
    body = {**BASE, field: value}
    if field == "paths" and isinstance(value, int) and not isinstance(value, bool):
        body["paths"] = max(-5, min(value, MAX_TEST_PATHS))
    response = client.post(
        "/api/v1/analysis", content=_encode(body), headers={"content-type": "application/json"}
    )
    assert response.status_code in (200, 422), (field, value, response.text)
    if response.status_code == 422:
        _assert_names_fields(response, body)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_literals_are_422(client, value):
    for field in ("vested_balance", "age", "annual_rate_pct", "paths"):
        response = client.post(
            "/api/v1/analysis",
            content=_encode({**BASE, field: value}),
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 422, (field, response.text)
        assert [item["field"] for item in response.json()["detail"]] == [field]


# --------------------------------------------------------------------------- nested messages


@pytest.mark.parametrize(
    "body, field, message",
    [
        (
            {"alternatives": [{"kind": "heloc", "apr_pct": 500}]},
            "alternatives.0.apr_pct",
            "500 is out of range; allowed range: 0 to 100",
        ),
        (
            {"alternatives": [{"kind": "heloc"}, {"kind": "custom", "term_months": 0}]},
            "alternatives.1.term_months",
            "0 is out of range; allowed range: 1 to 360",
        ),
        (
            {"alternatives": [{"kind": "balance_transfer", "promo_months": 61}]},
            "alternatives.0.promo_months",
            "61 is out of range; allowed range: 0 to 60",
        ),
        (
            {"alternatives": [{"kind": "personal_loan", "fee": "abc"}]},
            "alternatives.0.fee",
            "'abc' is not valid: input should be a valid decimal; allowed range: 0 to 1,000,000",
        ),
        (
            {"alternatives": [{"kind": "heloc", "apr": 5}]},
            "alternatives.0.apr",
            "unknown field; did you mean 'apr_pct'?",
        ),
        (
            {"criteria": {"stable_job": "maybe"}},
            "criteria.stable_job",
            "'maybe' is not valid: input should be a valid boolean, unable to interpret input; "
            "allowed: true, false or null (unanswered)",
        ),
        (
            {"criteria": {"stabel_job": True}},
            "criteria.stabel_job",
            "unknown field; did you mean 'stable_job'?",
        ),
        (
            {"public_safety_employee": "x"},
            "public_safety_employee",
            "'x' is not valid: input should be a valid boolean, unable to interpret input; "
            "allowed: true or false",
        ),
    ],
)
def test_nested_fields_name_their_allowed_range(body, field, message):
    with pytest.raises(InputError) as caught:
        parse_input(body)
    assert {p.field: p.message for p in caught.value.problems} == {field: message}


def test_nested_range_through_the_api_matches_top_level_wording(client):
    body = {**BASE, "age": 5, "alternatives": [{"kind": "heloc", "apr_pct": 500, "fee_pct": -1}]}
    response = client.post("/api/v1/comparison", json=body)
    assert response.status_code == 422
    found = {item["field"]: item["message"] for item in response.json()["detail"]}
    assert found == {
        "age": "5 is out of range; allowed range: 16 to 100",
        "alternatives.0.apr_pct": "500 is out of range; allowed range: 0 to 100",
        "alternatives.0.fee_pct": "-1 is out of range; allowed range: 0 to 20",
    }


def test_a_long_bad_value_is_quoted_back_cut_short(client):
    response = client.post("/api/v1/limit", json={"vested_balance": "9" * 20 + "x" * 5000})
    assert response.status_code == 422
    message = response.json()["detail"][0]["message"]
    assert message.startswith("'99999") and "…" in message and len(message) < 300
