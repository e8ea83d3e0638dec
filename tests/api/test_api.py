"""The JSON API (CONTRACT.md "HTTP"): same bodies as the library, one error shape, no 5xx."""

from __future__ import annotations

import json
import re
import warnings
from typing import Any

import pytest

import loan401k
from loan401k.app import MAX_BODY_BYTES, create_app

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

# EXAMPLES.md "True cost": age 30, retire 65, $30,000 at 6.5 % for 60 months, 7 % return,
# $500 a month ($200 while repaying), 22 % now and later, no job-loss risk. A fixed start
# date so the library call and the API call see the same law and the same dates.
BASE: dict[str, Any] = {
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
    "job_loss_annual_pct": 0,
    "start_date": "2026-01-01",
    "paths": 200,
    "alternatives": [{"kind": "credit_card", "apr_pct": 22}, {"kind": "personal_loan", "apr_pct": 12}],
}

# path -> library function (CONTRACT.md "Python" and "HTTP")
ENDPOINTS = {
    "limit": "limit",
    "schedule": "schedule",
    "distribution": "distribution",
    "analysis": "analyze",
    "comparison": "compare",
    "backtest": "backtest",
    "montecarlo": "montecarlo",
}
CSP = re.compile(r"content-security-policy", re.I)


@pytest.fixture
def app(tmp_path):
    return create_app(f"sqlite:///{tmp_path / 'scenarios.db'}")


@pytest.fixture
def client(app):
    with TestClient(app) as test_client:
        yield test_client


def problems(response) -> dict[str, str]:
    body = response.json()
    assert set(body) == {"detail"}, body
    for item in body["detail"]:
        assert set(item) == {"field", "message", "loc"}, item
    return {item["field"]: item["message"] for item in body["detail"]}


# --------------------------------------------------------------------------- same bodies


@pytest.mark.parametrize("path, function", ENDPOINTS.items())
def test_body_equals_the_library_result(client, path, function):
    response = client.post(f"/api/v1/{path}", json=BASE)
    assert response.status_code == 200, response.text
    assert response.json() == getattr(loan401k, function)(BASE).model_dump(mode="json")


def test_body_equals_cli_json(client):
    from click.testing import CliRunner

    from loan401k.cli import main

    data = {"vested_balance": 80000, "outstanding_loan_balance": 18000, "highest_loan_balance_12m": 27000}
    cli = CliRunner().invoke(
        main,
        [
            "limit",
            "--json",
            "--vested-balance",
            "80000",
            "--outstanding-loan-balance",
            "18000",
            "--highest-loan-balance-12m",
            "27000",
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert client.post("/api/v1/limit", json=data).json() == json.loads(cli.output)


# --------------------------------------------------------------------------- EXAMPLES.md


@pytest.mark.parametrize(
    "vested, outstanding, highest, floor, max_loan, binding",
    [
        (80_000, 0, 0, False, 40_000, "half_vested"),  # IRS "Retirement Topics – Loans"
        (120_000, 0, 0, False, 50_000, "dollar_cap"),
        (80_000, 18_000, 27_000, False, 22_000, "half_vested"),  # IRS plan-loan FAQ (second loan)
        (15_000, 0, 0, True, 10_000, "ten_thousand_floor"),  # §72(p)(2)(A)(ii)
        (1_500, 0, 0, False, 0, "plan_minimum"),  # DOL $1,000 minimum
    ],
)
def test_limit_examples(client, vested, outstanding, highest, floor, max_loan, binding):
    body = client.post(
        "/api/v1/limit",
        json={
            "vested_balance": vested,
            "outstanding_loan_balance": outstanding,
            "highest_loan_balance_12m": highest,
            "allow_10k_floor": floor,
        },
    ).json()
    assert (body["max_loan"], body["binding_rule"]) == (max_loan, binding)


@pytest.mark.parametrize(
    "amount, rate, frequency, convention, payment, periods, interest",
    [
        (25_000, 6.5, "monthly", "nominal", 489.15, 60, 4349.20),
        (15_000, 6, "biweekly", "nominal", 133.69, 130, 2379.51),
        (10_000, 5, "quarterly", "effective", 566.92, 20, 1338.29),
    ],
)
def test_schedule_examples(client, amount, rate, frequency, convention, payment, periods, interest):
    body = client.post(
        "/api/v1/schedule",
        json={
            "amount": amount,
            "annual_rate_pct": rate,
            "term_months": 60,
            "frequency": frequency,
            "rate_convention": convention,
        },
    ).json()
    assert (body["payment"], body["periods"], body["total_interest"]) == (payment, periods, interest)
    assert len(body["rows"]) == periods


def test_analysis_example_total(client):
    cost = client.post("/api/v1/analysis", json=BASE).json()["cost"]
    assert cost["total"] == pytest.approx(52_013.54, abs=1)  # EXAMPLES.md (ledger v2), ± $1


# --------------------------------------------------------------------------- bad input


def test_each_bad_field_is_named_with_its_range(client):
    response = client.post("/api/v1/limit", json={"age": 5, "vested_balance": -1, "term_months": 999})
    assert response.status_code == 422
    found = problems(response)
    assert found == {
        "age": "Your age: 5 is out of range; allowed range: 16 to 100 years",
        "vested_balance": "Vested balance: -1 is out of range; allowed range: $0 to $100,000,000",
        "term_months": "Time to repay: 999 is out of range; allowed range: 1 to 480 months",
    }
    locations = [item["loc"] for item in response.json()["detail"]]
    assert locations == [["age"], ["vested_balance"], ["term_months"]]


def test_messages_match_the_cli(client):
    from click.testing import CliRunner

    from loan401k.cli import main

    cli = CliRunner().invoke(main, ["limit", "--vested-balance", "-1", "--age", "5"])
    assert cli.exit_code == 2
    api = client.post("/api/v1/limit", json={"vested_balance": -1, "age": 5})
    lines = sorted(f"error: {field}: {message}" for field, message in problems(api).items())
    assert lines == sorted(line for line in cli.output.splitlines() if line.startswith("error:"))


def test_nested_field_is_named(client):
    bad = {**BASE, "alternatives": [{"kind": "heloc", "apr_pct": 500}]}
    response = client.post("/api/v1/comparison", json=bad)
    assert response.status_code == 422
    found = problems(response)
    assert list(found) == ["alternatives.0.apr_pct"]
    message = found["alternatives.0.apr_pct"]
    assert message.startswith("Alternative 1, APR: 500 is out of range") and "100%" in message
    assert response.json()["detail"][0]["loc"] == ["alternatives", 0, "apr_pct"]


def test_service_rule_errors_use_the_same_shape(client):
    response = client.post("/api/v1/limit", json={"age": 40})
    assert response.status_code == 422
    assert "vested_balance" in problems(response)


def test_unknown_field_is_an_error(client):
    response = client.post("/api/v1/limit", json={"vested_balance": 80000, "vested_balanse": 1})
    assert response.status_code == 422
    assert problems(response) == {"vested_balanse": "unknown field; did you mean “Vested balance”?"}


@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"{bad json", "application/json"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'"text"', "application/json"),
        (b"null", "application/json"),
        (b'{"vested_balance": NaN}', "application/json"),
        (b'{"vested_balance": 1e999}', "application/json"),
        (b'{"seed": 1' + b"0" * 5000 + b"}", "application/json"),  # past Python's int digits limit
        (b"[" * 20_000 + b"]" * 20_000, "application/json"),  # nested past the recursion limit
        (b'{"vested_balance": 80000}', "text/plain"),
        (b"vested_balance=80000", "application/x-www-form-urlencoded"),
        (b"\xff\xfe\x00", "application/json"),
    ],
)
def test_malformed_bodies_are_4xx_with_a_message(client, body, content_type):
    response = client.post("/api/v1/limit", content=body, headers={"content-type": content_type})
    assert 400 <= response.status_code < 500, response.text
    assert problems(response)  # the one error shape, with a message


@pytest.mark.parametrize("value", [True, "abc", [], {}, "1e5000", "-0", 12.345, None, "Infinity"])
def test_odd_values_never_500(client, value):
    for field in ("vested_balance", "age", "term_months", "filing_status", "start_date", "criteria"):
        response = client.post("/api/v1/analysis", json={**BASE, field: value})
        assert response.status_code in (200, 422), (field, value, response.text)


def test_body_over_64_kib_is_413(client):
    padding = "x" * (MAX_BODY_BYTES + 1)
    response = client.post("/api/v1/limit", json={"vested_balance": 80000, "label": padding})
    assert response.status_code == 413
    assert problems(response) == {"input": "request body is over 64 KiB"}


def test_streamed_body_over_64_kib_is_413(client):
    def chunks():  # no Content-Length: the bytes themselves are counted
        for _ in range(70):
            yield b" " * 1024

    response = client.post("/api/v1/limit", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert response.headers["x-content-type-options"] == "nosniff"


def test_body_just_under_the_cap_is_read(client):
    body = b'{"vested_balance": 80000}' + b" " * (MAX_BODY_BYTES - 40)
    response = client.post("/api/v1/limit", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200


# --------------------------------------------------------------------------- headers, meta


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/healthz"),
        ("POST", "/api/v1/limit"),
        ("GET", "/api/v1/scenarios/unknown-id"),
        ("GET", "/docs"),
        ("GET", "/openapi.json"),
        ("GET", "/no-such-page"),
    ],
)
def test_security_headers_on_every_response(client, method, path):
    response = client.request(method, path, json={"vested_balance": 80000} if method == "POST" else None)
    policy = response.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src 'self'" in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"


def test_healthz(client):
    response = client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_openapi_lists_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    paths = schema["paths"]
    for path in ENDPOINTS:
        assert "post" in paths[f"/api/v1/{path}"], path
        request = paths[f"/api/v1/{path}"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert request["$ref"].split("/")[-1].startswith("LoanInput")
        assert "ErrorBody" in str(paths[f"/api/v1/{path}"]["post"]["responses"]["422"])
    assert "post" in paths["/api/v1/scenarios"]
    assert "get" in paths["/api/v1/scenarios/{scenario_id}"]
    input_schema = next(v for k, v in schema["components"]["schemas"].items() if k.startswith("LoanInput"))
    assert "vested_balance" in input_schema["properties"]


def test_docs_use_vendored_assets_only(client):
    page = client.get("/docs").text
    assert "/static/vendor/swagger/swagger-ui-bundle.js" in page
    assert "http://" not in page and "https://" not in page and "<script>" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "docs-init.js"):
        assert client.get(f"/static/vendor/swagger/{asset}").status_code == 200


def test_unknown_route_and_method_use_the_error_shape(client):
    assert client.get("/api/v1/nothing").status_code == 404
    response = client.get("/api/v1/limit")
    assert response.status_code == 405
    assert problems(response)


# --------------------------------------------------------------------------- scenarios


def test_scenario_round_trip(client):
    sent = {
        "vested_balance": "$80,000",
        "amount": 20000,
        "age": 40,
        "criteria": {"stable_job": True},
        "alternatives": [{"kind": "heloc", "apr_pct": 8.25}],
    }
    saved = client.post("/api/v1/scenarios", json=sent)
    assert saved.status_code == 201
    scenario_id = saved.json()["id"]
    assert saved.headers["location"] == f"/api/v1/scenarios/{scenario_id}"
    loaded = client.get(f"/api/v1/scenarios/{scenario_id}")
    assert loaded.status_code == 200
    # The fields as sent, normalised ("$80,000" -> 80000); no defaults filled in.
    assert loaded.json() == {
        "vested_balance": 80000,
        "amount": 20000,
        "age": 40,
        "criteria": {"stable_job": True},
        "alternatives": [{"kind": "heloc", "apr_pct": 8.25}],
    }
    # and it computes to the same result as the original
    assert (
        client.post("/api/v1/limit", json=loaded.json()).json()
        == client.post("/api/v1/limit", json=sent).json()
    )


def test_invalid_scenario_is_not_saved(client, app):
    response = client.post("/api/v1/scenarios", json={"vested_balance": -5})
    assert response.status_code == 422
    assert app.state.store.count() == 0


@pytest.mark.parametrize(
    "scenario_id",
    [
        "A" * 22,
        "unknown",
        "..%2F..%2Fetc%2Fpasswd",
        "%00",
        "x" * 500,
        "' OR 1=1 --",
        "😀" * 22,
        "a b",
    ],
)
def test_unknown_or_malformed_id_is_404(client, scenario_id):
    response = client.get(f"/api/v1/scenarios/{scenario_id}")
    assert response.status_code == 404
    assert len(problems(response)) == 1


SAVABLE = {"age": 40, "vested_balance": 80000, "amount": 10000}  # a scenario the page can price


def test_ids_are_long_url_safe_and_distinct(client):
    ids = [client.post("/api/v1/scenarios", json=SAVABLE).json()["id"] for _ in range(20)]
    assert len(set(ids)) == 20
    for scenario_id in ids:
        assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", scenario_id)


def test_only_the_inputs_are_stored(client, app):
    saved = client.post("/api/v1/scenarios", json=SAVABLE, headers={"user-agent": "secret-agent"})
    assert saved.status_code == 201, saved.text
    with app.state.store.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT * FROM scenarios").all()
    assert len(rows) == 1
    assert "secret-agent" not in str(rows) and "testclient" not in str(rows)
    assert set(rows[0]._mapping) == {"id", "created_at", "input_json"}


def test_saves_are_rate_limited_per_client(client, app):
    limit = app.state.save_limiter.limit
    statuses = [client.post("/api/v1/scenarios", json=SAVABLE).status_code for _ in range(limit)]
    assert statuses == [201] * limit
    refused = client.post("/api/v1/scenarios", json=SAVABLE)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "request" in problems(refused)
    # loading is not limited, and calculations are not either
    assert client.post("/api/v1/limit", json={"vested_balance": 80000}).status_code == 200


def test_rate_limiter_window_slides(tmp_path):
    """The per-client count slides: a minute after a burst, the client may save again."""
    from loan401k.store import ScenarioStore
    from loan401k.throttle import SaveQuota, SaveRefused

    now = [600.0]
    quota = SaveQuota(limit=2, total=100, clock=lambda: now[0])
    store = ScenarioStore(f"sqlite:///{tmp_path / 'window.db'}")

    def save(address: str) -> int | None:
        try:
            store.save({"age": 40}, charge=lambda connection: quota.charge(connection, address))
        except SaveRefused as refused:
            return refused.retry_after
        return None

    try:
        assert save("10.0.0.1") is None and save("10.0.0.1") is None
        # the next minute counts this one's two as spread over it: half of them are out 90 s on
        assert save("10.0.0.1") == 90
        assert save("10.0.0.2") is None  # per client
        now[0] += 60.5
        assert save("10.0.0.1") == 30  # 2 × 59.5/60 + 1 is still over 2
        now[0] += 30
        assert save("10.0.0.1") is None
        assert store.count() == 4  # refused saves are not stored
    finally:
        store.close()


def test_unexpected_error_is_500_json_without_traceback(app, monkeypatch):
    from loan401k import service

    def broken(_inputs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(service, "limit", broken)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        response = test_client.post("/api/v1/limit", json={"vested_balance": 1000})
    assert response.status_code == 500
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert problems(response) == {"request": "internal error; it has been logged"}
    assert response.headers["x-frame-options"] == "DENY"
