"""The published schema is the contract (issue 17): what it marks required is what each
endpoint needs, its ranges are standard JSON Schema keywords, and schemathesis, given
/openapi.json alone, produces requests the API accepts (2xx on every calculation
endpoint) and never gets a 5xx. Bounded: a few hundred requests, seconds."""

from __future__ import annotations

import collections
import json
import warnings
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.generation.modes import GenerationMode

from loan401k.api import CALCULATIONS
from loan401k.app import create_app
from loan401k.openapi import REQUIRED

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

OPERATIONS = [path for path, _, _ in CALCULATIONS]
FULL = {"age": 40, "vested_balance": 80000, "amount": 10000}
MINIMAL = {"age": 40, "vested_balance": 80000, "amount": 10000, "payment": 200, "net": 5000}
POSITIVE_EXAMPLES = 30  # per endpoint: 270 positive cases in all
NEGATIVE_EXAMPLES = 10  # negative generation is slow; tests/api/test_hostile.py fuzzes more


def _app():
    app = create_app("sqlite:///:memory:")
    app.state.save_limiter.limit = app.state.save_limiter.total = 10**9  # the limits have their own tests
    return app


@pytest.fixture(scope="module")
def client():
    with TestClient(_app()) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def document(client) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def _request_schema(document: dict[str, Any], path: str) -> dict[str, Any]:
    ref = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return document["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _operation(path: str) -> str:
    return "scenario" if path == "/api/v1/scenarios" else path.rsplit("/", 1)[1]


# --------------------------------------------------------------------------- the document


def test_no_private_keywords_anywhere(document):
    text = json.dumps(document)
    for private in ('"ge":', '"le":', '"gt":', '"lt":', '"decimal_places":', '"max_digits":'):
        assert private not in text, private


def test_money_rates_and_counts_use_standard_keywords(document):
    schema = _request_schema(document, "/api/v1/analysis")
    properties = schema["properties"]
    assert properties["vested_balance"] == {
        "type": "number",
        "multipleOf": 0.01,
        "minimum": 0,
        "maximum": 100_000_000,
        "title": "Vested Balance",
    }
    assert properties["amount"]["exclusiveMinimum"] == 0 and "minimum" not in properties["amount"]
    rate = next(b for b in properties["annual_rate_pct"]["anyOf"] if b.get("type") != "null")
    assert (rate["type"], rate["minimum"], rate["maximum"]) == ("number", 0, 30)
    assert properties["seed"]["maximum"] == 2**63 - 1  # exact, not the float 9.223372036854776e18
    assert properties["marginal_rate_pct"]["default"] == 22
    assert properties["filing_status"]["enum"] == [
        "single",
        "married_joint",
        "married_separate",
        "head_of_household",
    ]
    assert properties["age"]["maximum"] == 99  # retirement_age (at most 100) must come after it


@pytest.mark.parametrize("path", [f"/api/v1/{name}" for name in OPERATIONS] + ["/api/v1/scenarios"])
def test_each_endpoint_marks_what_it_requires(document, path):
    needs = REQUIRED[_operation(path)]
    schema = _request_schema(document, path)
    assert schema.get("required", []) == list(needs.fields)
    for name in (*needs.fields, *needs.one_of):
        assert "anyOf" not in schema["properties"][name] or all(
            branch.get("type") != "null" for branch in schema["properties"][name]["anyOf"]
        ), name  # a required field is not nullable
    if needs.one_of:
        assert {"anyOf": [{"required": [name]} for name in needs.one_of]} in schema["allOf"]


# --------------------------------------------------------------------------- honest marks


@pytest.mark.parametrize("path", [f"/api/v1/{name}" for name in OPERATIONS] + ["/api/v1/scenarios"])
def test_what_the_schema_requires_is_what_the_endpoint_needs(client, path):
    """Without a required field: 422 naming it. With only the required fields: accepted."""
    needs = REQUIRED[_operation(path)]
    for name in needs.fields:
        body = {key: MINIMAL[key] for key in needs.fields if key != name}
        if needs.one_of:
            body[needs.one_of[0]] = MINIMAL[needs.one_of[0]]
        response = client.post(path, json=body)
        assert response.status_code == 422, (name, response.text)
        assert name in {item["field"] for item in response.json()["detail"]}, (name, response.text)
    if needs.one_of:
        response = client.post(path, json={key: MINIMAL[key] for key in needs.fields})
        assert response.status_code == 422, response.text
        assert {item["field"] for item in response.json()["detail"]} & set(needs.one_of), response.text
    for pick in needs.one_of or (None,):
        body = {key: MINIMAL[key] for key in needs.fields} | ({pick: MINIMAL[pick]} if pick else {})
        response = client.post(path, json=body)
        assert 200 <= response.status_code < 300, (body, response.text)


# --------------------------------------------------------------------------- schemathesis


def _run(schema: Any, path: str, mode: GenerationMode, examples: int) -> collections.Counter[int]:
    statuses: collections.Counter[int] = collections.Counter()
    failures: list[str] = []

    @given(case=schema[path]["POST"].as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,  # the same requests every run: a failure reproduces
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def call(case: Any) -> None:
        response = case.call()
        statuses[response.status_code] += 1
        if response.status_code >= 500:
            failures.append(
                f"{response.status_code} for {json.dumps(case.body)[:2000]}: {response.text[:300]}"
            )

    call()
    assert not failures, failures[:3]
    return statuses


@pytest.fixture(scope="module")
def schema():
    return schemathesis.openapi.from_asgi("/openapi.json", _app())


def test_schemathesis_from_the_schema_alone_gets_2xx_everywhere_and_no_5xx(schema):
    """Positive cases, as schemathesis makes them from /openapi.json (no hand-made bodies):
    each calculation endpoint and the save answer 2xx to some, and nothing answers 5xx."""
    counts = {}
    for path in [f"/api/v1/{name}" for name in OPERATIONS] + ["/api/v1/scenarios"]:
        counts[path] = _run(schema, path, GenerationMode.POSITIVE, POSITIVE_EXAMPLES)
    print("\npositive cases, status counts:", {path: dict(found) for path, found in counts.items()})
    for path, found in counts.items():
        assert sum(n for status, n in found.items() if 200 <= status < 300) > 0, (path, dict(found))


def test_schemathesis_negative_cases_never_5xx(schema):
    for path in [f"/api/v1/{name}" for name in OPERATIONS] + ["/api/v1/scenarios"]:
        found = _run(schema, path, GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES)
        assert all(status < 500 for status in found), (path, dict(found))
