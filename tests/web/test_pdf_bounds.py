"""PDF reports are bounded (issue 17): one render at a time per worker, a short queue, 503
with Retry-After past it, a cache per input, and one render for identical requests at once.
Driven through a real uvicorn server; assertions on outcomes and counts, not durations.

And in pages (issue 13): the default scenario's report is US Letter in at most 4 pages, a
weekly 25-year loan's under 8, each with every "Repay faster?" term, 4 years included."""

from __future__ import annotations

import concurrent.futures
import re
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn

from loan401k.app import create_app
from loan401k.web import report, view
from loan401k.web.pdf import QUEUE

QUERY = {"age": "40", "vested_balance": "90000", "contribution_monthly": "500"}
WAIT = 60.0  # upper bound on any wait below; reached only when the property under test fails


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[Any, str]]:
    app = create_app(f"sqlite:///{tmp_path / 'scenarios.db'}")
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=_free_port(), log_level="warning", lifespan="on")
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


@pytest.fixture
def counted(monkeypatch) -> dict[str, int]:
    """report.render_pdf, counting renders and the most at once."""
    counts = {"renders": 0, "now": 0, "most": 0}
    lock = threading.Lock()
    real = report.render_pdf

    def render_pdf(*args: Any, **kwargs: Any) -> bytes:
        with lock:
            counts["renders"] += 1
            counts["now"] += 1
            counts["most"] = max(counts["most"], counts["now"])
        try:
            return real(*args, **kwargs)
        finally:
            with lock:
                counts["now"] -= 1

    monkeypatch.setattr(report, "render_pdf", render_pdf)
    return counts


def test_sixteen_at_once_each_get_a_report_or_503_with_retry_after(served, counted):
    _, url = served

    def fetch(n: int) -> httpx.Response:
        with httpx.Client(base_url=url, timeout=WAIT) as http:
            return http.get("/report.pdf", params={**QUERY, "amount": str(10_000 + n)})

    with concurrent.futures.ThreadPoolExecutor(max_workers=16) as pool:
        responses = list(pool.map(fetch, range(16)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {200, 503}, statuses
    assert counted["most"] == 1  # one render at a time in this worker
    # one rendering, QUEUE waiting for it (served, or refused when their wait runs out), the
    # rest refused at once
    assert 1 <= statuses.count(200) <= 1 + QUEUE, statuses
    assert counted["renders"] == statuses.count(200)
    for response in responses:
        if response.status_code == 200:
            assert response.content.startswith(b"%PDF")
        else:
            assert int(response.headers["retry-after"]) >= 1
            assert response.headers["content-type"].startswith(
                "application/json"
            )  # a download, from a program
            assert "busy" in response.json()["detail"][0]["message"]


def test_the_same_report_is_rendered_once(served, counted):
    _, url = served
    params = {**QUERY, "amount": "12345"}
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(
            pool.map(lambda _: httpx.get(f"{url}/report.pdf", params=params, timeout=WAIT), range(4))
        )
    assert [r.status_code for r in responses] == [200] * 4
    assert len({r.content for r in responses}) == 1
    again = httpx.get(f"{url}/report.pdf", params=params, timeout=WAIT)
    assert again.status_code == 200 and again.content == responses[0].content
    other = httpx.get(f"{url}/report.pdf", params={**params, "amount": "12346"}, timeout=WAIT)
    assert other.status_code == 200 and other.content != again.content
    assert counted["renders"] == 2  # four at once and one later: one render; another input: one more


def test_a_report_for_bad_input_is_422_and_not_cached(served, counted):
    _, url = served
    for _ in range(2):
        response = httpx.get(f"{url}/report.pdf", params={**QUERY, "amount": "-5"}, timeout=WAIT)
        assert response.status_code == 422
        assert response.json()["detail"][0]["field"] == "amount"
    assert counted["renders"] == 0


#: A weekly 25-year home loan: 1,300 payments (the bench's case, bench/case_report.py).
WEEKLY_25 = view.STARTER | {
    "amount": "40000",
    "vested_balance": "200000",
    "purpose": "residence",
    "term_months": "300",
    "frequency": "weekly",
}


def report_of(values: dict[str, str]) -> tuple[int, str, str]:
    """(pages, page size, text) of the report for these form values, rendered as the server does."""
    page = view.analyze_page(dict(values))
    pdf = report.render_pdf(page, view.chart_set(page), "")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return pages, re.search(r"Page size:\s+(.*)", info).group(1), text.stdout.decode()


def repay_faster_terms(text: str) -> list[str]:
    """The first column of the "Repay faster?" table: each term in words."""
    table = text.split("Repay faster?", 1)[1].split("Repay over", 1)[1]
    rows = []
    for line in table.splitlines()[1:]:
        if not line.strip():
            if rows:
                break
            continue
        term = re.match(r"\s*(\d+ years?(?: \(yours\))?)\s+\$", line)
        if term is None:
            break
        rows.append(term.group(1))
    return rows


def test_the_default_report_is_letter_in_at_most_4_pages_with_every_payoff_term():
    pages, size, text = report_of(view.STARTER)
    assert size.startswith("612 x 792") and pages <= 4, (pages, size)
    # the default loan runs 60 months: repaid over each whole year up to it, 4 years included
    assert repay_faster_terms(text) == ["1 year", "2 years", "3 years", "4 years", "5 years (yours)"]


def test_a_weekly_25_year_report_stays_under_8_pages_with_every_payoff_term():
    pages, size, text = report_of(WEEKLY_25)
    assert size.startswith("612 x 792") and pages < 8, (pages, size)
    terms = repay_faster_terms(text)
    assert (
        terms[:5] == ["1 year", "2 years", "3 years", "4 years", "5 years"]
        and terms[-1] == "25 years (yours)"
    )
