"""One caller cannot starve the others (issue 7): Monte Carlo work has a budget (paths × years,
a 422 naming `paths` and the range for that horizon), a few slots per process (503 with
Retry-After past them, never an unbounded queue), and calculations run off the event loop
(/healthz and /api/v1/analysis answer while a 100,000-path simulation runs).

These tests drive a real uvicorn server (uvloop + httptools, as `loan401k serve`) on a free
127.0.0.1 port. They assert on order of events, never on durations."""

from __future__ import annotations

import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from loan401k import service
from loan401k.api import MAX_PATH_YEARS, MAX_PATHS, Workload, paths_allowed
from loan401k.app import create_app

with warnings.catch_warnings():  # Starlette's notice that it prefers httpx2; httpx works
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

BODY: dict[str, Any] = {
    "age": 30,
    "retirement_age": 65,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "start_date": "2026-01-01",
    "paths": 200,
}
WAIT = 30.0  # upper bound on any wait below; reached only when the property under test fails


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[Any, str]]:
    """(app, base URL) of the app served by uvicorn in a thread; stopped afterwards."""
    app = create_app(f"sqlite:///{tmp_path / 'scenarios.db'}")
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host="127.0.0.1",
            port=_free_port(),
            loop="uvloop",
            http="httptools",
            log_level="warning",
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield app, f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(WAIT)


def _in_background(function: Callable[[], Any]) -> tuple[threading.Thread, dict[str, Any]]:
    out: dict[str, Any] = {}

    def run() -> None:
        try:
            out["value"] = function()
        except BaseException as exc:  # surfaced by the test's assertions
            out["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, out


# --------------------------------------------------------------------------- the budget


def test_paths_allowed_follows_the_horizon():
    assert paths_allowed(35) == MAX_PATHS  # a usual horizon: the field's own cap binds
    assert paths_allowed(84) == MAX_PATH_YEARS // 84 == 59_523
    assert paths_allowed(84) * 84 <= MAX_PATH_YEARS < (paths_allowed(84) + 1) * 84


def test_monte_carlo_over_the_budget_is_422_naming_paths_and_its_range(tmp_path):
    with TestClient(create_app(f"sqlite:///{tmp_path / 'db.sqlite'}")) as client:
        body = {**BODY, "age": 16, "retirement_age": 100, "paths": 59_524}
        response = client.post("/api/v1/montecarlo", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["detail"] == [
            {
                "field": "paths",
                "loc": ["paths"],
                "message": "Simulated markets: 59524 is out of range for a 84-year horizon (age 16 to 100); "
                "allowed range: 1 to 59,523 (at most 5,000,000 path-years a request)",
            }
        ]
        # the field's own bound still speaks first, in the usual words
        response = client.post("/api/v1/montecarlo", json={**BODY, "paths": 100_001})
        assert response.status_code == 422
        assert response.json()["detail"][0]["message"] == (
            "Simulated markets: 100001 is out of range; allowed range: 1 to 100,000"
        )
        # within the budget: computed, not clamped
        response = client.post("/api/v1/montecarlo", json={**body, "paths": 500})
        assert response.status_code == 200, response.text
        assert response.json()["paths"] == 500


# --------------------------------------------------------------------------- slots


@pytest.fixture
def held_simulation(monkeypatch) -> dict[str, threading.Event]:
    """service.montecarlo, instrumented: it signals `entered`, computes for real, then holds
    its slot until `release` is set (or WAIT passes)."""
    events = {name: threading.Event() for name in ("entered", "release", "released_in_time")}
    real = service.montecarlo

    def montecarlo(data: Any, progress: Any = None) -> Any:
        events["entered"].set()
        result = real(data, progress)
        if events["release"].wait(WAIT):
            events["released_in_time"].set()
        return result

    monkeypatch.setattr(service, "montecarlo", montecarlo)
    return events


def test_a_second_simulation_waits_briefly_then_gets_503_with_retry_after(served, held_simulation):
    app, url = served
    app.state.workload = Workload(heavy_slots=1, heavy_queue=1, heavy_wait=0.3)
    with httpx.Client(base_url=url, timeout=WAIT * 2) as client:
        first, first_out = _in_background(lambda: client.post("/api/v1/montecarlo", json=BODY))
        assert held_simulation["entered"].wait(WAIT)
        second = client.post("/api/v1/montecarlo", json=BODY)
        assert second.status_code == 503, second.text
        assert second.headers["retry-after"] == "1"
        assert second.json()["detail"][0]["field"] == "request"
        assert "retry" in second.json()["detail"][0]["message"]
        assert not first_out  # the first is still running, it was not displaced
        held_simulation["release"].set()
        first.join(WAIT)
        assert first_out["value"].status_code == 200
        # the slot is free again (another seed: the same body would be answered from memory)
        assert client.post("/api/v1/montecarlo", json={**BODY, "seed": 8}).status_code == 200


def test_past_the_queue_a_simulation_is_refused_at_once(served, held_simulation):
    app, url = served
    # no waiting room: refused without waiting, whatever heavy_wait says
    app.state.workload = Workload(heavy_slots=1, heavy_queue=0, heavy_wait=WAIT * 10)
    with httpx.Client(base_url=url, timeout=WAIT * 2) as client:
        first, first_out = _in_background(lambda: client.post("/api/v1/montecarlo", json=BODY))
        assert held_simulation["entered"].wait(WAIT)
        refused = client.post("/api/v1/montecarlo", json=BODY)
        assert refused.status_code == 503
        assert not held_simulation["release"].is_set() and not first_out
        held_simulation["release"].set()
        first.join(WAIT)
        assert first_out["value"].status_code == 200


def test_a_waiting_simulation_gets_the_slot_when_it_frees(served, held_simulation):
    app, url = served
    app.state.workload = Workload(heavy_slots=1, heavy_queue=2, heavy_wait=WAIT)
    with httpx.Client(base_url=url, timeout=WAIT * 2) as client:
        first, first_out = _in_background(lambda: client.post("/api/v1/montecarlo", json=BODY))
        assert held_simulation["entered"].wait(WAIT)
        held_simulation["entered"].clear()
        second_body = {**BODY, "seed": 7}
        second, second_out = _in_background(lambda: client.post("/api/v1/montecarlo", json=second_body))
        assert not held_simulation["entered"].wait(0.2)  # queued: not computing yet
        held_simulation["release"].set()
        for thread in (first, second):
            thread.join(WAIT * 2)
        assert first_out["value"].status_code == 200
        assert second_out["value"].status_code == 200 and second_out["value"].json()["seed"] == 7


def test_a_burst_of_default_simulations_queues_and_every_one_is_answered(served):
    """Issue 16: no request of a default size is refused while the machine has capacity. 24
    default-size simulations (10,000 paths; each its own seed, so none is answered from
    memory) sent at once to one worker with the app's own workload: all answered, in turn."""
    _app, url = served
    body = {key: value for key, value in BODY.items() if key != "paths"}
    with httpx.Client(base_url=url, timeout=WAIT * 2, limits=httpx.Limits(max_connections=24)) as client:
        runs = [
            _in_background(lambda seed=seed: client.post("/api/v1/montecarlo", json={**body, "seed": seed}))
            for seed in range(24)
        ]
        for thread, _out in runs:
            thread.join(WAIT * 2)
    answers = [out["value"] for _thread, out in runs]
    assert [answer.status_code for answer in answers] == [200] * 24
    assert {answer.json()["paths"] for answer in answers} == {10_000}
    assert len({answer.json()["percentiles"]["p50"] for answer in answers}) > 20  # each simulated


# --------------------------------------------------------------------------- off the event loop


def test_healthz_and_analysis_answer_while_a_100k_path_simulation_runs(served, held_simulation):
    _app, url = served
    body = {**BODY, "paths": 100_000}  # a 35-year horizon: the largest simulation allowed
    with httpx.Client(base_url=url, timeout=WAIT * 2) as client:
        simulation, simulation_out = _in_background(lambda: client.post("/api/v1/montecarlo", json=body))
        assert held_simulation["entered"].wait(WAIT)
        # The simulation's response cannot come before `release`: if the event loop were
        # blocked by it, these requests could only be answered after WAIT, with the
        # simulation's response already sent.
        health = client.get("/healthz")
        analysis = client.post("/api/v1/analysis", json=BODY)
        assert not simulation_out, "the simulation finished before the other requests were answered"
        held_simulation["release"].set()
        simulation.join(WAIT * 2)
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    assert analysis.status_code == 200
    assert held_simulation["released_in_time"].is_set()
    assert simulation_out["value"].status_code == 200
    assert simulation_out["value"].json()["paths"] == 100_000
