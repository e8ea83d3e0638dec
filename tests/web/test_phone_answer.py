"""Issue 13 in Chromium: the answer stays with the person on a phone, errors lead to their
field, a stale answer says so, plain words on the page and in the PDF, dark mode. Every figure
is compared with the API's for the same input."""

from __future__ import annotations

import json
import re
import subprocess
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

import pytest

import loan401k
from loan401k.models import InputError, in_words
from loan401k.web import view
from loan401k.web.templating import usd

from .conftest import AXE
from .test_browser import api_analysis, count, wait_recomputed, wait_until

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Developer words that must never reach a person: pydantic's, the spec's, field and rule codes.
RAW = (
    "Input should",
    "input should",
    "valid decimal",
    "valid integer",
    "required for analyze",
    "METHOD",
    "_pct",
    "plan_minimum",
    "half_vested",
    "biweekly",
    "pretax",
    "residence",
    "term_months",
    "retirement_age",
)


def in_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and page.locator(selector).is_visible()
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"]
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"]
    )


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    yield context.new_page()
    context.close()


def test_after_editing_the_amount_on_a_phone_the_cost_and_payment_are_in_view(phone, base_url):
    phone.goto(base_url + "/")
    before = count(phone)
    phone.locator("#f-amount").fill("21000")
    wait_recomputed(phone, before)
    result = api_analysis(base_url, view.to_input(view.STARTER | {"amount": "21000"}))
    cost = '#summary [data-bind="cost.total"]'
    payment = '#summary [data-bind="loan.payment"]'
    assert in_viewport(phone, cost) and in_viewport(phone, payment)
    assert in_viewport(phone, "#f-amount")  # the field being edited stays in view as well
    assert phone.inner_text(cost) == usd(result["cost"]["total"])
    assert phone.inner_text(payment) == usd(result["loan"]["payment"], True)
    assert phone.inner_text('#summary [data-bind="limit.max_loan"]') == usd(result["limit"]["max_loan"])
    assert phone.inner_text('#summary [data-bind="verdict.level"]') == result["verdict"]["level"].upper()
    phone.click("#summary .summary-jump")
    wait_until(phone, "() => document.querySelector('#answer .headline').getBoundingClientRect().top < 844")


def test_the_summary_bar_is_for_phones_only(browser, base_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(base_url + "/")
    assert not page.locator("#summary").is_visible()
    context.close()


def test_a_70_year_old_gets_an_answer(phone, base_url):
    phone.goto(base_url + "/")
    before = count(phone)
    phone.locator("#f-age").fill("70")
    wait_recomputed(phone, before)
    result = api_analysis(base_url, view.to_input(view.STARTER | {"age": "70"}))
    assert result["inputs"]["retirement_age"] > 70
    assert phone.locator("#answer").get_attribute("data-state") == "ok"
    assert in_viewport(phone, '#summary [data-bind="cost.total"]')
    assert phone.inner_text('#summary [data-bind="cost.total"]') == usd(result["cost"]["total"])
    assert phone.inner_text('#answer [data-bind="inputs.retirement_age"]') == str(
        result["inputs"]["retirement_age"]
    )


def test_an_error_in_a_closed_section_is_in_view_and_its_link_focuses_the_field(phone, base_url):
    phone.goto(base_url + "/?" + urlencode(view.STARTER | {"retirement_age": "65"}))
    before = count(phone)
    phone.locator("#f-age").fill("70")
    wait_until(phone, "() => document.getElementById('answer').dataset.state === 'error'")
    assert count(phone) == before
    link = "#summary-fix"
    assert in_viewport(phone, link)
    assert "Retire at" in phone.inner_text(link)
    phone.evaluate("document.querySelector('details.more').open = false")
    phone.click(link)
    assert phone.evaluate("document.activeElement.id") == "f-retirement_age"
    assert phone.evaluate("document.querySelector('details.more').open")
    assert in_viewport(phone, "#f-retirement_age")
    # the same problem is listed beside the answer, with a link to the field
    assert phone.locator('#problem-list a[data-focus="retirement_age"]').count() == 1


def test_an_invalid_value_marks_the_answer_as_not_updated(browser, base_url):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(base_url + "/")
    headline = page.inner_text("#answer .headline")
    assert not page.locator("#problems").is_visible()
    page.locator("#f-vested_balance").fill("lots")
    wait_until(page, "() => document.getElementById('answer').dataset.state === 'error'")
    assert page.locator("#problems").is_visible()
    assert "Not updated" in page.inner_text("#problems")
    assert "Vested balance" in page.inner_text("#problem-list")
    assert page.inner_text("#answer .headline") == headline  # the old figures, marked as old
    dimmed = page.evaluate("getComputedStyle(document.querySelector('#answer .headline strong')).color")
    page.locator("#f-vested_balance").fill("60000")
    wait_until(page, "() => document.getElementById('answer').dataset.state === 'ok'")
    fresh = page.evaluate("getComputedStyle(document.querySelector('#answer .headline strong')).color")
    assert dimmed != fresh
    assert not page.locator("#problems").is_visible()
    context.close()


def test_term_choices_follow_the_purpose(page, base_url):
    page.goto(base_url + "/")
    long_terms = page.locator("#f-term_months option[data-home]")
    assert long_terms.count() > 0
    assert all(long_terms.nth(i).get_attribute("disabled") is not None for i in range(long_terms.count()))
    before = count(page)
    page.select_option("#f-purpose", "residence")
    page.select_option("#f-term_months", "180")
    wait_recomputed(page, before)
    wait_until(page, "() => document.getElementById('answer').dataset.state === 'ok'")
    result = api_analysis(
        base_url, view.to_input(view.STARTER | {"purpose": "residence", "term_months": "180"})
    )
    assert page.inner_text('#answer [data-bind="loan.payment"]') == usd(result["loan"]["payment"], True)
    assert page.inner_text('#answer [data-bind="inputs.term_months"]') == "15 years"
    page.select_option("#f-purpose", "general")
    assert page.input_value("#f-term_months") == "60"


def test_a_general_loan_over_five_years_is_explained_in_years():
    with pytest.raises(InputError) as caught:  # the service's own words, as the page gets them
        loan401k.analyze(view.to_input(view.STARTER | {"term_months": "180"}))
    (problem,) = caught.value.problems
    message = view.plain_message("term_months", in_words(problem, label=False))
    assert message.startswith("15 years") and "buying my main home" in message
    assert not any(word in message for word in RAW)


def test_the_headline_cost_is_the_401k_row_of_the_options(page, base_url):
    page.goto(base_url + "/")
    row = page.locator('#options-sec tr[data-kind="401k_loan"] td').nth(1).inner_text()
    result = api_analysis(base_url, view.to_input(view.STARTER))
    assert row == usd(result["cost"]["total"])
    assert page.inner_text('#answer [data-bind="cost.total"][data-fmt="abs"]') == usd(
        abs(result["cost"]["total"])
    )


def test_an_unknown_saved_scenario_is_an_html_404(base_url):
    with pytest.raises(HTTPError) as caught:
        urlopen(base_url + "/s/doesnotexist", timeout=10)
    assert caught.value.code == 404
    assert caught.value.headers["content-type"].startswith("text/html")
    body = caught.value.read().decode()
    assert "<html" in body and "no saved scenario" in body.lower()


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_axe_with_every_section_open(browser, base_url, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.add_init_script(path=str(AXE))
    page.goto(
        base_url + "/?" + urlencode(view.STARTER | {"alt_kind_0": "credit_card", "alt_apr_pct_0": "24"})
    )
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}))"
        ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    assert violations == []
    if viewport is PHONE:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()


def test_phone_tables_do_not_scroll_sideways_and_chart_text_is_at_least_12px(phone, base_url):
    phone.goto(base_url + "/")
    phone.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    wide = phone.evaluate(
        "[...document.querySelectorAll('.sec table, .sec details')]"
        ".filter(t => t.scrollWidth > t.clientWidth + 1).length"
    )
    assert wide == 0
    smallest = phone.evaluate(
        "Math.min(...[...document.querySelectorAll('svg.chart text')]"
        ".filter(t => t.getBoundingClientRect().height > 0)"
        ".map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a))"
    )
    assert smallest >= 12


def test_dark_mode_changes_the_background(browser, base_url):
    colours = {}
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport=DESKTOP, color_scheme=scheme)
        page = context.new_page()
        page.goto(base_url + "/")
        colours[scheme] = page.evaluate("getComputedStyle(document.body).backgroundColor")
        context.close()
    assert colours["light"] != colours["dark"]
    dark = [int(n) for n in re.findall(r"\d+", colours["dark"])[:3]]
    assert sum(dark) < 3 * 80


def page_text(page) -> str:
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    return page.inner_text("body")


def test_no_developer_words_on_the_page(page, base_url):
    query = view.STARTER | {
        "frequency": "biweekly",
        "purpose": "residence",
        "term_months": "120",
        "alt_kind_0": "personal_loan",
        "alt_apr_pct_0": "12",
        "salary": "80000",
        "match_rate_pct": "50",
        "match_limit_pct": "6",
    }
    page.goto(base_url + "/?" + urlencode(query))
    text = page_text(page)
    assert [word for word in RAW if word in text] == []
    page.goto(base_url + "/?" + urlencode(view.STARTER | {"plan": "acme-401k"}))  # a plan's rules
    # the plan document's own sentences ("a principal residence") are quoted as its source
    page.evaluate("document.querySelectorAll('.plan-rules td:last-child').forEach(td => td.remove())")
    text = page_text(page)
    assert "Repaid every two weeks" in " ".join(text.split())
    assert [word for word in RAW if word in text] == []
    # and the errors, with JavaScript and without
    page.goto(base_url + "/?" + urlencode(view.STARTER | {"age": "abc", "match_rate_pct": "50"}))
    text = page_text(page)
    assert "Your age" in page.inner_text("#problem-list")
    assert [word for word in RAW if word in text] == []
    before = count(page)
    page.locator("#f-age").fill("35")
    page.locator("#f-amount").fill("many")
    wait_until(page, "() => document.getElementById('problem-list').textContent.includes('Loan amount')")
    assert count(page) == before
    assert [word for word in RAW if word in page_text(page)] == []


def pdf_of(base_url: str, values: dict[str, str]) -> tuple[int, str, str]:
    with urlopen(f"{base_url}/report.pdf?{urlencode(values)}", timeout=60) as response:
        data = response.read()
    info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    return pages, re.search(r"Page size:\s+(.*)", info).group(1), text


@pytest.fixture
def poppler():
    import shutil

    if not (shutil.which("pdfinfo") and shutil.which("pdftotext")):
        pytest.skip("poppler-utils (pdfinfo, pdftotext) is not installed")


def test_the_default_pdf_is_letter_four_pages_in_words(base_url, poppler):
    pages, size, text = pdf_of(base_url, view.STARTER)
    assert "letter" in size and pages <= 4
    assert [word for word in RAW if word in text] == []
    result = api_analysis(base_url, view.to_input(view.STARTER))
    first_page = text.split("\f")[0]
    for figure in (
        usd(result["cost"]["total"]),
        usd(result["loan"]["payment"], True),
        usd(result["limit"]["max_loan"]),
    ):
        assert figure in first_page
    assert result["verdict"]["level"].upper() in first_page and "The inputs" in first_page


def test_a_weekly_25_year_pdf_stays_short_and_puts_warnings_first(base_url, poppler):
    values = view.STARTER | {
        "frequency": "weekly",
        "purpose": "residence",
        "term_months": "300",
        "amount": "45000",  # over the limit of $30,000: the warning belongs on page 1
    }
    pages, size, text = pdf_of(base_url, values)
    assert "letter" in size and pages < 8
    result = api_analysis(base_url, view.to_input(values))
    assert result["warnings"]
    assert result["warnings"][0][:40] in text.split("\f")[0].replace("\n", " ")
    assert "a week" in text.split("\f")[0] and "buying my main home" in text.split("\f")[0]
    assert [word for word in RAW if word in text] == []


def test_the_cost_as_retirement_income_follows_the_inputs(page, base_url):
    page.goto(base_url + "/")
    before = count(page)
    page.locator("#f-amount").fill("25000")
    wait_recomputed(page, before)
    result = api_analysis(base_url, view.to_input(view.STARTER | {"amount": "25000"}))
    shown = page.inner_text('#answer [data-bind="cost.income_monthly_today"]')
    assert shown == usd(result["cost"]["income_monthly_today"])
    assert "4%" in page.inner_text("#answer .income")
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    assert "Bengen" in page.inner_text("#work ~ table.assumptions, .assumptions")


def test_what_payment_can_i_afford_gives_the_amount_it_buys(page, base_url):
    page.goto(base_url + "/")
    page.click("details.afford > summary")
    charts = count(page, "charts")
    page.locator("#f-afford_payment").fill("250")
    wait_until(page, f"() => Number(document.documentElement.dataset.charts || 0) > {charts}")
    body = {k: v for k, v in view.to_input(view.STARTER).items() if k != "amount"} | {"payment": "250"}
    request = Request(
        f"{base_url}/api/v1/schedule",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=10) as response:
        expected = json.load(response)["amount"]
    assert page.inner_text("#afford-answer .afford-amount") == usd(expected, True)
    assert "a month" in page.inner_text("#afford-answer")


def test_listed_alternatives_get_one_sentence_beside_the_answer(page, base_url):
    values = view.STARTER | {"alt_kind_0": "credit_card", "alt_apr_pct_0": "24"}
    page.goto(base_url + "/?" + urlencode(values))
    comparison = json.load(
        urlopen(
            Request(
                f"{base_url}/api/v1/comparison",
                data=json.dumps(view.to_input(values)).encode(),
                headers={"Content-Type": "application/json"},
            ),
            timeout=20,
        )
    )
    best = comparison["options"][0]
    sentence = page.inner_text("#answer .cheapest-answer")
    assert usd(best["cost"]) in sentence
    assert ("401(k) loan is the cheapest" in sentence) == (best["kind"] == "401k_loan")
