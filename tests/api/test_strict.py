"""Strict input and answers that do not come from the request's own claims (issue 17):
UTF-8 bodies only, unknown field names cut short, links and redirects never built from the
Host header, HEAD answered like GET, HTML error pages on the page routes."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from loan401k.app import create_app

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

QUERY = {"age": "40", "vested_balance": "80000", "amount": "10000"}
EVIL = "evil.example"


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(f"sqlite:///{tmp_path / 'scenarios.db'}"), raise_server_exceptions=False) as c:
        yield c


# --------------------------------------------------------------------------- UTF-8 only


@pytest.mark.parametrize(
    "body, content_type",
    [
        ('{"vested_balance": 80000}'.encode("utf-16"), "application/json"),  # json.loads would read it
        ('{"vested_balance": 80000}'.encode("utf-32"), "application/json"),
        ('{"vested_balance": 80000, "x": "é"}'.encode("latin-1"), "application/json"),
        (b'{"vested_balance": 80000}', "application/json; charset=utf-16"),
        (b'{"vested_balance": 80000}', "application/json; charset=latin-1"),
    ],
)
def test_bodies_that_are_not_utf8_are_415(client, body, content_type):
    response = client.post("/api/v1/limit", content=body, headers={"content-type": content_type})
    assert response.status_code == 415, response.text
    assert response.json()["detail"][0]["field"] == "input"


@pytest.mark.parametrize("charset", ["", "; charset=utf-8", "; charset=UTF-8", '; charset="utf8"'])
def test_utf8_bodies_are_read(client, charset):
    response = client.post(
        "/api/v1/limit",
        content=b'{"vested_balance": 80000}',
        headers={"content-type": "application/json" + charset},
    )
    assert response.status_code == 200, response.text


def test_a_form_post_that_is_not_utf8_is_an_html_415(client):
    response = client.post(
        "/", content=b"age=\xff\xfe", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 415 and response.headers["content-type"].startswith("text/html")


# --------------------------------------------------------------------------- unknown fields


def test_an_unknown_field_name_is_cut_short_in_the_error(client):
    key = "x" * 60_000
    response = client.post("/api/v1/limit", json={"vested_balance": 80000, key: 1})
    assert response.status_code == 422
    assert len(response.content) < 1000
    (item,) = response.json()["detail"]
    assert item["field"].startswith("xxxx") and item["field"].endswith("…") and len(item["field"]) == 64
    assert item["loc"] == [item["field"]] and item["message"] == "unknown field"
    nested = client.post("/api/v1/analysis", json={**QUERY, "criteria": {key: True}})
    assert len(nested.content) < 1000 and nested.json()["detail"][0]["loc"][0] == "criteria"


# --------------------------------------------------------------------------- the Host header


def test_links_and_redirects_never_come_from_the_host_header(client):
    headers = {"host": EVIL}
    page = client.get("/", params=QUERY, headers=headers)
    assert EVIL not in page.text
    assert re.search(r'id="share-link"[^>]*value="/\?', page.text)  # relative without configuration
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    saved = client.post("/save", data={**QUERY, "csrf_token": token}, headers=headers, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].startswith("/s/")
    shown = client.get(saved.headers["location"], headers=headers)
    assert EVIL not in shown.text and EVIL not in json.dumps(dict(shown.headers))
    api = client.post("/api/v1/scenarios", json={**QUERY}, headers=headers)
    assert api.status_code == 201 and api.headers["location"].startswith("/api/v1/scenarios/")
    for path in ("/api/v1/limit/", "/static", "/static/vendor", "/s/", "/docs/"):
        response = client.get(path, headers=headers, follow_redirects=False)
        assert EVIL not in response.headers.get("location", ""), path
        assert EVIL not in response.text, path


def test_configured_public_url_makes_the_links_absolute(tmp_path, monkeypatch):
    monkeypatch.setenv("LOAN401K_PUBLIC_URL", "https://loans.example.org/")
    # over https, as the public URL says: a Secure cookie is sent back only there
    with TestClient(create_app(f"sqlite:///{tmp_path / 's.db'}"), base_url="https://testserver") as client:
        page = client.get("/", params=QUERY, headers={"host": EVIL})
        assert 'value="https://loans.example.org/?' in page.text
        assert "secure" in page.headers["set-cookie"].lower()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        saved = client.post(
            "/save",
            data={**QUERY, "csrf_token": token},
            headers={"host": EVIL, "origin": "https://loans.example.org"},
            follow_redirects=False,
        )
        assert saved.status_code == 303
        assert saved.headers["location"].startswith("https://loans.example.org/s/")


def test_a_bad_public_url_is_an_error_naming_it(tmp_path, monkeypatch):
    monkeypatch.setenv("LOAN401K_PUBLIC_URL", "loans.example.org")
    with pytest.raises(ValueError, match="LOAN401K_PUBLIC_URL"):
        create_app(f"sqlite:///{tmp_path / 's.db'}")


# --------------------------------------------------------------------------- HEAD


@pytest.mark.parametrize(
    "path",
    ["/", "/healthz", "/openapi.json", "/docs", "/schedule.csv?age=40&vested_balance=80000&amount=10000"],
)
def test_head_is_answered_like_get(client, path):
    got, head = client.get(path), client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers["x-content-type-options"] == "nosniff"


def test_head_of_an_unknown_page_is_404(client):
    assert client.head("/s/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert client.head("/api/v1/limit").status_code == 405  # a POST route: still not allowed


# --------------------------------------------------------------------------- error pages


def test_an_unknown_saved_scenario_is_a_friendly_html_page(client):
    response = client.get("/s/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "no saved scenario at this address" in response.text
    assert 'href="/"' in response.text and "<!doctype html>" in response.text.lower()
    assert "detail" not in response.text


def test_unknown_pages_are_html_and_unknown_api_paths_json(client):
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json()["detail"][0]["field"] == "request"


def test_a_crash_on_a_page_is_an_html_500_without_internals(client, monkeypatch):
    from loan401k.web import view

    def broken(*_args, **_kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(view, "analyze_page", broken)
    response = client.get("/", params=QUERY)
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "secret internals" not in response.text and "Traceback" not in response.text
    assert response.headers["x-frame-options"] == "DENY"


def test_a_download_refused_is_html_for_a_browser_and_json_for_a_program(client):
    browser = client.get("/schedule.csv", params={"amount": "-5"}, headers={"accept": "text/html,*/*"})
    assert browser.status_code == 422 and browser.headers["content-type"].startswith("text/html")
    assert "amount" in browser.text
    program = client.get("/schedule.csv", params={"amount": "-5"})
    assert program.status_code == 422 and program.json()["detail"][0]["field"] == "amount"
