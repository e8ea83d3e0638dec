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
from loan401k.web.templating import usd

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


def test_the_headline_and_the_options_table_show_one_price(client):
    """One ledger, one number: the 401(k) row of "Your options" is the headline's figure,
    with typical alternatives and with the user's own."""
    for query in (QUERY, {**QUERY, "alt_kind_0": "heloc", "alt_apr_pct_0": "8.5"}):
        html = client.get("/", params=query).text
        headline = re.search(r'data-bind="cost.total" data-fmt="abs">([^<]+)<', html).group(1)
        row = re.search(r'<tr data-kind="401k_loan"><td>[^<]*</td><td data-label="Cost">([^<]+)<', html)
        assert row is not None and row.group(1) == headline
        assert headline == usd(abs(expected(query).cost.total))


def test_form_post_without_javascript_gives_the_same_answer(client):
    result = expected()
    page = text_of(client.post("/", data=QUERY).text)
    assert f"costs you about {usd(result.cost.total)}" in page


def test_bad_field_error_appears_beside_it(client):
    response = client.get("/", params={**QUERY, "age": "eleven"})
    assert response.status_code == 200
    match = re.search(r'id="err-age"[^>]*>([^<]+)<', response.text)
    assert match and "is not a whole number" in match.group(1)
    assert 'data-state="error"' in response.text


def test_every_default_is_shown_with_its_source(client):
    page = text_of(client.get("/").text)
    for assumption in expected(view.STARTER).assumptions:
        if assumption.name in view.BY_NAME:
            assert view.plain_citation(assumption.source) in page.replace("&#34;", '"').replace("&#39;", "'")


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


def page_token(client, params=QUERY) -> str:
    """The save token of the page as a browser loads it (its cookie stays in the client)."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/", params=params).text).group(1)


def test_save_without_javascript_then_load(client):
    response = client.post("/save", data={**QUERY, "csrf_token": page_token(client)}, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    assert location.startswith("/s/")
    page = client.get(location).text
    assert re.search(r'name="amount"[^>]*value="\$20,000"', page)
    assert f"costs you about {usd(expected().cost.total)}" in text_of(page)


def test_unknown_scenario_is_404(client):
    assert client.get("/s/AAAAAAAAAAAAAAAAAAAAAA").status_code == 404


def test_form_mapping_round_trips():
    values = {
        **QUERY,
        "alt_kind_0": "credit_card",
        "alt_apr_pct_0": "24",
        "alt_kind_2": "personal_loan",
        "alt_apr_pct_2": "11",
        "alt_term_months_2": "24",
        "crit_stable_job": "yes",
        "crit_other_savings": "no",
        "allow_10k_floor": "on",
    }
    body = view.to_input(values)
    assert body["alternatives"] == [
        {"kind": "credit_card", "apr_pct": "24"},
        {"kind": "personal_loan", "apr_pct": "11", "term_months": "24"},
    ]
    assert body["criteria"] == {"stable_job": True, "other_savings": False}
    assert body["allow_10k_floor"] is True
    assert view.to_input(view.from_input(body)) == body


def test_old_share_links_with_one_alternative_still_work():
    values = view.form_values({**QUERY, "alt_kind": "credit_card", "alt_apr_pct": "24"})
    assert view.to_input(values)["alternatives"] == [{"kind": "credit_card", "apr_pct": "24"}]


#: Every kind of LoanInput field the form has no control for, plus alternatives and criteria.
FULL = {
    "amount": 12000,
    "vested_balance": 80000,
    "age": 41,
    "retirement_age": 67,
    "filing_status": "married_joint",
    "taxable_income": 95000,
    "state_rate_pct": 4.5,
    "tax_year": 2026,
    "source": "pretax",
    "annual_rate_pct": 8.25,
    "term_months": 48,
    "frequency": "biweekly",
    "rate_convention": "effective",
    "start_date": "2026-03-01",
    "extra_payment": 25,
    "min_loan": 500,
    "max_loans": 2,
    "salary": 70000,
    "contribution_pct": 6,
    "contribution_during_loan_pct": 3,
    "match_rate_pct": 50,
    "match_limit_pct": 6,
    "annual_return_pct": 6.5,
    "return_convention": "nominal",
    "inflation_pct": 2.7,
    "outside_tax_drag_pct": 10,
    "job_loss_annual_pct": 8,
    "stock_pct": 60,
    "paths": 3000,
    "seed": 7,
    "model": "lognormal",
    "mean_pct": 6,
    "vol_pct": 12,
    "separated_from_service": False,
    "alternatives": [
        {"kind": "credit_card", "apr_pct": 19.9, "label": "My card"},
        {"kind": "personal_loan", "apr_pct": 10.5, "term_months": 36, "fee": 150},
        {"kind": "balance_transfer", "apr_pct": 24, "fee_pct": 3, "promo_months": 12, "promo_apr_pct": 1.5},
    ],
    "criteria": {"stable_job": True, "prevents_catastrophe": False, "other_savings": True},
}


def test_every_input_field_round_trips_through_the_form():
    values = view.from_input(FULL)
    assert view.to_input(values) == view.to_input(view.form_values(values))  # the query reads them all
    assert loan401k.models.parse_input(view.to_input(values)) == loan401k.models.parse_input(FULL)


def test_saved_scenario_with_fields_the_form_lacks(client):
    saved = client.post("/api/v1/scenarios", json=FULL)
    assert saved.status_code == 201
    page = client.get(f"/s/{saved.json()['id']}").text
    for name in (
        "tax_year",
        "rate_convention",
        "min_loan",
        "paths",
        "seed",
        "model",
        "alt_label_0",
        "alt_fee_1",
        "alt_promo_apr_pct_2",
    ):
        assert re.search(rf'type="hidden" name="{name}" value="[^"]+"', page), name
    assert re.search(r'name="start_date"[^>]*value="2026-03-01"', page)
    expected_result = loan401k.analyze(FULL)
    assert f"{usd(expected_result.cost.total)} at 67" in text_of(page)
    assert usd(expected_result.loan.payment, cents=True) in page
    # and submitting that page's form (no JavaScript) saves the same scenario again
    form = {
        name: value
        for tag, name, value in re.findall(r'(<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"[^>]*>)', page)
        if 'type="checkbox"' not in tag or " checked" in tag
    }
    form.update(
        re.findall(
            r'<select[^>]*name="([^"]+)"[^>]*>(?:(?!</select>).)*?<option value="([^"]*)" selected',
            page,
            flags=re.S,
        )
    )
    form.pop("share-link", None)
    again = client.post("/save", data=form, follow_redirects=False)
    assert again.status_code == 303
    second = client.get("/api/v1/scenarios/" + again.headers["location"].split("/")[-1]).json()
    assert loan401k.models.parse_input(second) == loan401k.models.parse_input(FULL)


def test_typical_alternatives_are_cited_parameters(client):
    from loan401k.params import parameters

    page = text_of(client.get("/", params=QUERY).text)
    assert "typical rates — change them under More" in page
    for name in (
        "credit_card_apr",
        "personal_loan_apr",
        "balance_transfer_fee",
        "balance_transfer_promo_months",
    ):
        assert parameters()[name].citation in page.replace("&#39;", "'")
    law = parameters().in_force(expected().inputs.start_date)
    body = {
        **view.to_input(QUERY),
        "alternatives": [
            t.alternative.model_dump(exclude_none=True) for t in loan401k.service.typical_alternatives(law)
        ],
    }
    for option in loan401k.compare(body).options:
        assert f"{option.label} {usd(option.cost)}" in page


def test_user_alternatives_replace_the_typical_ones(client):
    page = client.get("/", params={**QUERY, "alt_kind_0": "heloc", "alt_apr_pct_0": "8.5"}).text
    assert "typical rates" not in page.split('id="options"')[1]
    assert "HELOC" in page


def test_risks_are_a_list_not_joined_sentences(client):
    page = client.get("/", params=QUERY).text
    assert ".; " not in page
    assert page.count('<ul class="risks">') >= 5


def test_backtest_draws_cheaper_years_below_zero(client):
    query = {
        **QUERY,
        "stock_pct": "100",
        "contribution_monthly": "400",
        "contribution_during_loan_monthly": "400",
    }
    page = client.get("/", params=query | {"history": "1"}).text  # the no-JS link's page
    backtest = loan401k.backtest(view.to_input(query))
    cheaper = sum(1 for row in backtest.by_start_year if row.total < 0)
    assert cheaper > 0
    history = page.split('id="history-sec"')[1].split("</section>")[0]
    assert history.count('class="gain"') == cheaper
    assert history.count('class="cost"') == len(backtest.by_start_year) - cheaper


def test_the_page_leaves_history_for_later_and_the_no_js_link_brings_it(client):
    """GET / computes no history or simulation (app.js asks for them once the page is shown);
    without JavaScript, the section's link reloads the page with them."""
    first = client.get("/", params=QUERY).text
    section = first.split('id="history-sec"')[1].split("</section>")[0]
    assert 'data-deferred="1"' in section and "90th percentile" not in section
    link = section.split('href="')[1].split('"')[0].replace("&amp;", "&")
    assert "history=1" in link
    again = client.get("/" + link.split("#")[0]).text
    history = again.split('id="history-sec"')[1].split("</section>")[0]
    assert "data-deferred" not in history and "90th percentile" in history


def test_fragment_parts(client):
    core = client.get("/fragment", params={**QUERY, "part": "core"}).text
    assert 'data-deferred="1"' in core and "Your options" in core
    market = client.get("/fragment", params={**QUERY, "part": "market"}).text
    assert market.strip().startswith('<section class="sec history" id="history-sec"')
    assert "90th percentile" in market and "Your options" not in market
