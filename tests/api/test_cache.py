"""Answers kept per input (issue 16, loan401k.cache): the same question asked again is
answered from memory, with the same bytes; anything that changes the answer (another input,
another day, another language) computes again; each visitor still gets their own form token."""

from __future__ import annotations

import datetime as dt
import re
import threading
import warnings
from typing import Any

import httpx
import pytest

from loan401k import cache, service
from loan401k.app import create_app
from loan401k.cache import Answers
from loan401k.web import view

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BODY: dict[str, Any] = {
    "age": 30,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "start_date": "2026-01-01",
}


@pytest.fixture
def client(tmp_path):
    with TestClient(create_app(f"sqlite:///{tmp_path / 'scenarios.db'}")) as test_client:
        yield test_client


def counting(monkeypatch, module: Any, name: str) -> list[int]:
    calls: list[int] = []
    original = getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return calls


def test_the_same_analysis_twice_is_computed_once_with_the_same_bytes(client, monkeypatch):
    calls = counting(monkeypatch, service, "analyze")
    first = client.post("/api/v1/analysis", json=BODY)
    again = client.post("/api/v1/analysis", json=dict(reversed(BODY.items())))  # same fields
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and len(calls) == 1
    # a field given is another question than the same field left out: the service reads
    # which fields were given (a retirement age given is checked, one left out follows the age)
    older = {key: value for key, value in BODY.items() if key != "age"} | {"age": 70}
    assert client.post("/api/v1/analysis", json=older).status_code == 200
    assert client.post("/api/v1/analysis", json=older | {"retirement_age": 65}).status_code == 422
    assert len(calls) == 3
    other = client.post("/api/v1/analysis", json=BODY | {"amount": 30001})
    assert len(calls) == 4 and other.json()["loan"]["amount"] != first.json()["loan"]["amount"]


def test_another_day_or_another_language_computes_again(client, monkeypatch):
    calls = counting(monkeypatch, service, "schedule")
    client.post("/api/v1/schedule", json=BODY)
    client.post("/api/v1/schedule", json=BODY)
    assert len(calls) == 1
    client.post("/api/v1/schedule", json=BODY, headers={"Accept-Language": "es"})
    assert len(calls) == 2
    day, language = cache.context()
    assert (day, language) == (dt.date.today().isoformat(), "en")
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    monkeypatch.setattr(cache, "context", lambda: (tomorrow, "en"))
    client.post("/api/v1/schedule", json=BODY)
    assert len(calls) == 3


def test_a_bad_input_is_never_kept(client, monkeypatch):
    calls = counting(monkeypatch, service, "analyze")
    for _ in range(2):
        response = client.post("/api/v1/analysis", json=BODY | {"term_months": 180})  # the service refuses
        assert response.status_code == 422
    assert len(calls) == 2


def test_each_simulation_seed_is_its_own_answer(client, monkeypatch):
    calls = counting(monkeypatch, service, "montecarlo")
    body = BODY | {"paths": 300}
    one = client.post("/api/v1/montecarlo", json=body | {"seed": 1}).json()
    assert client.post("/api/v1/montecarlo", json=body | {"seed": 1}).json() == one
    two = client.post("/api/v1/montecarlo", json=body | {"seed": 2}).json()
    assert len(calls) == 2 and two["percentiles"] != one["percentiles"]


def test_the_kept_page_carries_each_visitors_own_token(client, monkeypatch):
    calls = counting(monkeypatch, view, "analyze_page")
    query = {"age": "40", "amount": "12000"}
    pages = []
    for _ in range(2):
        client.cookies.clear()  # a new visitor
        response = client.get("/", params=query)
        assert response.status_code == 200
        cookie = response.cookies["loan401k_csrf"]
        field = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
        assert field and field.group(1) == cookie  # the token the save will be checked against
        pages.append((cookie, response.text))
    assert len(calls) == 1  # rendered once, handed to both
    (first_token, first), (second_token, second) = pages
    assert first_token != second_token
    assert first.replace(first_token, "T") == second.replace(second_token, "T")
    # a returning visitor keeps their token
    client.cookies.set("loan401k_csrf", second_token)
    assert f'value="{second_token}"' in client.get("/", params=query).text
    # another input is another page
    client.get("/", params=query | {"amount": "12001"})
    assert len(calls) == 2


def test_caching_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("LOAN401K_CACHE_MB", "0")
    calls = counting(monkeypatch, service, "analyze")
    with TestClient(create_app(f"sqlite:///{tmp_path / 'off.db'}")) as off:
        off.post("/api/v1/analysis", json=BODY)
        off.post("/api/v1/analysis", json=BODY)
    assert len(calls) == 2


def test_a_bad_cache_size_names_the_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("LOAN401K_CACHE_MB", "lots")
    with pytest.raises(ValueError, match="LOAN401K_CACHE_MB must be a whole number, at least 0"):
        create_app(f"sqlite:///{tmp_path / 'bad.db'}")


def test_answers_are_bounded_by_bytes_least_recently_used_first_out():
    answers = Answers(max_bytes=10)
    answers.put("a", b"xxxx")
    answers.put("b", b"yyyy")
    assert answers.get("a") == b"xxxx"  # a is now the most recent
    answers.put("c", b"zzzz")  # 12 bytes > 10: the least recent (b) goes
    assert answers.get("b") is None and answers.get("a") == b"xxxx" and answers.get("c") == b"zzzz"
    assert answers.size == 8 and len(answers) == 2
    answers.put("big", b"0123456789A")  # larger than the whole cache: not kept, nothing dropped
    assert answers.get("big") is None and len(answers) == 2


def test_answers_stay_consistent_across_threads():
    answers = Answers(max_bytes=1000)

    def work(n: int) -> None:
        for i in range(2000):
            answers.put((n, i % 50), bytes(10))
            answers.get((n, (i * 7) % 50))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.size == 10 * len(answers) <= 1000


def test_answers_reach_a_real_server_client_unchanged(client):
    """httpx round trip: a kept answer is served with the JSON media type."""
    first = client.post("/api/v1/limit", json={"vested_balance": 80000})
    again = client.post("/api/v1/limit", json={"vested_balance": 80000})
    assert again.headers["content-type"] == "application/json" and again.json() == first.json()
    assert isinstance(again, httpx.Response)
