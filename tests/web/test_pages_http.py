"""The page's server side without a browser: no-JS answers, downloads, saved scenarios."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

import loan401k
from loan401k.app import create_app
from loan401k.web import view
from loan401k.web.pages import usd

QUERY = {"amount": "$20,000", "vested_balance": "90,000", "age": "40", "contribution_monthly": "500"}


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    database = tmp_path_factory.mktemp("pages") / "s.db"
    with TestClient(create_app(f"sqlite:///{database}")) as test_client:
        yield test_client


def page_count(pdf: bytes) -> int:
    try:
        import pypdf
    except ImportError:
        pdfinfo = shutil.which("pdfinfo")
        if pdfinfo is None:
            pytest.skip("neither pypdf nor pdfinfo (poppler-utils) is installed")
        out = subprocess.run([pdfinfo, "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        return int(re.search(r"Pages:\s+(\d+)", out).group(1))
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def expected(query=QUERY):
    return loan401k.analyze(view.to_input(query))


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_get_with_query_shows_the_engine_answer(client):
    result = expected()
    page = text_of(client.get("/", params=QUERY).text)
    assert f"Borrowing {usd(result.loan.amount)} costs you about {usd(result.cost.total)}" in page
    assert f"{usd(result.cost.per_dollar, cents=True)} for each dollar borrowed" in page
    assert f"You'll repay {usd(result.loan.payment, cents=True)} a month" in page
    assert f"You can borrow up to {usd(result.limit.max_loan)}" in page


def test_form_post_without_javascript_gives_the_same_answer(client):
    result = expected()
    page = text_of(client.post("/", data=QUERY).text)
    assert f"costs you about {usd(result.cost.total)}" in page


def test_bad_field_error_appears_beside_it(client):
    response = client.get("/", params={**QUERY, "age": "eleven"})
    assert response.status_code == 200
    match = re.search(r'id="err-age"[^>]*>([^<]+)<', response.text)
    assert match and "not valid" in match.group(1)
    assert 'data-state="error"' in response.text


def test_every_default_is_shown_with_its_source(client):
    page = text_of(client.get("/").text)
    for assumption in expected(view.STARTER).assumptions:
        if assumption.name in view.BY_NAME:
            assert assumption.source in page.replace("&#34;", '"').replace("&#39;", "'")


def test_schedule_csv_matches_the_schedule(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/schedule.csv", params=QUERY).text)))
    schedule = loan401k.schedule(view.to_input(QUERY))
    assert len(rows) == schedule.periods
    assert rows[0]["payment"] == f"{schedule.rows[0].payment}"
    assert rows[-1]["balance"] in ("0", "0.00")


def test_projection_csv_matches_the_balances(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/projection.csv", params=QUERY).text)))
    last = expected().balances.by_year[-1]
    assert rows[-1] == {"age": str(last.age), "no_loan": f"{last.no_loan}", "with_loan": f"{last.with_loan}"}


def test_downloads_refuse_bad_input(client):
    assert client.get("/schedule.csv", params={"amount": "-5"}).status_code == 422


def test_pdf_report_has_pages(client):
    response = client.get("/report.pdf", params=QUERY)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert page_count(response.content) >= 2


def test_save_without_javascript_then_load(client):
    response = client.post("/save", data=QUERY, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/s/")
    page = client.get(location).text
    assert re.search(r'name="amount"[^>]*value="\$20,000"', page)
    assert f"costs you about {usd(expected().cost.total)}" in text_of(page)


def test_unknown_scenario_is_404(client):
    assert client.get("/s/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_form_mapping_round_trips():
    values = {**QUERY, "alt_kind": "credit_card", "alt_apr_pct": "24", "crit_stable_job": "yes",
              "allow_10k_floor": "on"}
    body = view.to_input(values)
    assert body["alternatives"] == [{"kind": "credit_card", "apr_pct": "24"}]
    assert body["criteria"] == {"stable_job": True}
    assert body["allow_10k_floor"] is True
    assert view.to_input(view.from_input(body)) == body
