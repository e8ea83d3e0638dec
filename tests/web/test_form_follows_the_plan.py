"""Issue 13 in Chromium at 390×844 and 1280×900: the term choices follow the purpose up to the
plan's home-loan cap (on the page and in /embed?plan=...), the share card with its Copy
button, the PDF link that says the report is being built, one date format on the page.
Caps come from the plan files and the law's parameter file, read here; figures from the API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlencode
from urllib.request import Request, urlopen

import pytest
import yaml

from loan401k.web import view
from loan401k.web.templating import usd

from .test_browser import count, wait_recomputed, wait_until

ROOT = Path(__file__).resolve().parents[2]
PLANS = ROOT / "src" / "loan401k" / "plans"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
START = {**view.STARTER, "start_date": "2026-03-01"}


def law(name: str) -> int:
    """A parameter's latest value, from its file."""
    values = yaml.safe_load((ROOT / "src" / "loan401k" / "params" / f"{name}.yaml").read_text())["values"]
    return int(values[max(values)])


def plan_rule(plan: str, rule: str):
    found = yaml.safe_load((PLANS / f"{plan}.yaml").read_text())["rules"].get(rule)
    return None if found is None else found["value"]


def analysis(base_url: str, body: dict) -> dict:
    request = Request(
        f"{base_url}/api/v1/analysis",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=20) as response:
        return json.load(response)


def shown_terms(page) -> list[str]:
    return page.evaluate(
        "[...document.querySelectorAll('#f-term_months option')].filter(o => !o.hidden && !o.disabled)"
        ".map(o => o.textContent)"
    )


def years(months: int) -> str:
    return f"{months // 12} year{'s' if months != 12 else ''}"


def expected_terms(home_cap: int | None) -> tuple[list[str], list[str]]:
    """(for any loan, for a home) in the form's words: a year at a time to five, then the home
    terms of 10, 15, 20, 25, 30 years up to the cap (and the cap itself)."""
    general = [years(m) for m in (12, 24, 36, 48, law("loan_max_term_months"))]
    home = sorted(
        {m for m in (120, 180, 240, 300, 360) if home_cap and m <= home_cap} | {home_cap or 0} - {0}
    )
    return general, general + [f"{years(m)} (home only)" for m in home]


@pytest.mark.parametrize(
    ("plan", "path"),
    [
        (None, "/"),
        ("typical", "/"),
        ("acme-401k", "/embed"),
        ("state-457b", "/embed"),
    ],
)
def test_term_choices_follow_the_purpose_up_to_the_plans_home_cap(browser, base_url, plan, path):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    query = START | ({"plan": plan} if plan else {})
    page.goto(base_url + path + "?" + urlencode(query))
    cap = law("residence_term_cap_months")
    if plan is not None:
        own = plan_rule(plan, "residence_max_term_months")
        cap = None if plan_rule(plan, "residence_loans") is False else min(cap, own) if own else cap
    general, home = expected_terms(cap)
    assert shown_terms(page) == general
    purpose = page.locator("#f-purpose option[value=residence]")
    if cap is None:  # the plan makes no home loans: the choice is there, greyed, and says why
        assert purpose.is_disabled() and "not offered" in purpose.inner_text()
        assert "makes no loans to buy a home" in page.inner_text(".field-purpose .hint")
        context.close()
        return
    page.select_option("#f-purpose", "residence")
    assert shown_terms(page) == home
    assert years(cap) in page.inner_text(".field-purpose .hint")
    # the longest choice is priced, as the API prices it, with no error
    before = count(page)
    page.select_option("#f-term_months", str(cap))
    wait_recomputed(page, before)  # this choice's answer, not the one already on screen
    wait_until(page, "() => document.documentElement.dataset.busy === '0'")
    wait_until(page, "() => document.getElementById('answer').dataset.state === 'ok'")
    body = view.to_input(query | {"purpose": "residence", "term_months": str(cap)})
    expected = analysis(base_url, body)
    assert page.inner_text('#answer [data-bind="loan.payment"]') == usd(expected["loan"]["payment"], True)
    assert page.inner_text('#answer [data-bind="inputs.term_months"]') == years(cap)
    # back to any other purpose: the home terms go, the term comes back within five years
    page.select_option("#f-purpose", "general")
    assert shown_terms(page) == general
    assert page.input_value("#f-term_months") == str(law("loan_max_term_months"))
    context.close()


def test_an_embed_with_a_plan_offers_its_pay_frequencies_and_prices_with_them(browser, base_url):
    """The plan's frequencies only (Acme: biweekly), selected, so the live answer is priced
    under the plan instead of refused for the calculator's own default."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(base_url + "/embed?" + urlencode({"plan": "acme-401k"}))  # a first visit
    offered = page.evaluate("[...document.querySelectorAll('#f-frequency option')].map(o => o.value)")
    assert offered == plan_rule("acme-401k", "payroll_frequencies")
    assert page.inner_text("#answer .headline").startswith("Borrowing $15,000")  # the starter, not errors
    page.fill("#f-amount", "12000")
    wait_until(page, "() => document.documentElement.dataset.busy === '0'")
    wait_until(page, "() => document.getElementById('answer').dataset.state === 'ok'")
    expected = analysis(base_url, view.to_input(view.STARTER | {"plan": "acme-401k", "amount": "12000"}))
    assert expected["loan"]["frequency"] == "biweekly"
    assert page.inner_text('#answer [data-bind="loan.payment"]') == usd(expected["loan"]["payment"], True)
    context.close()


def test_a_term_over_the_plans_cap_is_said_in_years_beside_the_field(page, base_url):
    page.goto(
        base_url
        + "/?"
        + urlencode(START | {"plan": "acme-401k", "purpose": "residence", "term_months": "180"})
    )
    text = page.inner_text("#err-term_months")
    cap = years(plan_rule("acme-401k", "residence_max_term_months"))
    assert text.startswith("15 years is too long") and f"at most {cap}" in text, text
    assert "180" not in text and "month" not in text


# --------------------------------------------------------------------------- the share card


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_share_card_fits_and_lines_up(browser, base_url, viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START | {"alt_kind_0": "credit_card", "alt_apr_pct_0": "24"}))
    assert page.evaluate("document.documentElement.scrollWidth") == viewport["width"]  # nothing overflows
    card = page.locator(".actions").bounding_box()
    section = page.locator("#below .sec").first.bounding_box()
    whatif = page.locator("#whatif").bounding_box()
    assert round(card["x"]) == round(section["x"]) == round(whatif["x"])  # the same left edge
    assert round(card["width"]) == round(section["width"]) == round(whatif["width"])
    link, copy = page.locator("#share-link").bounding_box(), page.locator("#copy-link").bounding_box()
    assert copy["x"] + copy["width"] <= card["x"] + card["width"]  # the button inside the card
    assert abs(link["y"] - copy["y"]) < 4 and link["x"] + link["width"] <= copy["x"]  # one row
    # the link is whole, though shown cut to the field's width
    assert page.input_value("#share-link").startswith(base_url + "/?")
    context.close()


def test_copy_puts_the_link_on_the_clipboard_and_says_so(browser, base_url):
    context = browser.new_context(viewport=PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base_url)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START))
    link = page.input_value("#share-link")
    assert page.inner_text("#copy-link") == "Copy link"
    page.focus("#share-link")
    page.keyboard.press("Tab")  # the button is next in the keyboard's order
    assert page.evaluate("document.activeElement.id") == "copy-link"
    page.keyboard.press("Enter")
    wait_until(page, "() => document.getElementById('copy-link').dataset.state === 'copied'")
    assert page.inner_text("#copy-link") == "Copied"
    assert "Copied" in page.inner_text("#copy-status")
    assert page.evaluate("navigator.clipboard.readText()") == link
    # a new input makes a new link: the button is ready to copy again
    page.fill("#f-amount", "12000")
    wait_until(page, "() => document.documentElement.dataset.busy === '0'")
    wait_until(page, "() => !document.getElementById('copy-link').dataset.state")
    assert "amount=12000" in page.input_value("#share-link") and page.inner_text("#copy-link") == "Copy link"
    context.close()


def test_copy_without_the_clipboard_selects_the_link(browser, base_url):
    context = browser.new_context(viewport=PHONE)
    context.add_init_script(
        "Object.defineProperty(navigator, 'clipboard',"
        " {value: {writeText: () => Promise.reject(new Error('refused'))}});"
        "document.execCommand = () => false;"
    )
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START))
    page.click("#copy-link")
    wait_until(page, "() => document.getElementById('copy-link').dataset.state === 'selected'")
    assert page.evaluate("document.activeElement.id") == "share-link"
    selected = page.evaluate(
        "(() => { const f = document.getElementById('share-link');"
        " return f.value.slice(f.selectionStart, f.selectionEnd); })()"
    )
    assert selected == page.input_value("#share-link")
    assert "Ctrl+C" in page.inner_text("#copy-status")
    context.close()


def test_without_javascript_the_share_card_is_the_link_alone(browser, base_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START))
    assert not page.locator("#copy-link").is_visible()
    link = page.input_value("#share-link")
    assert link.startswith("/?") and dict(parse_qsl(link[2:])) == START  # every input, in the link
    context.close()


# --------------------------------------------------------------------------- the PDF link


def test_the_pdf_link_says_the_report_is_being_built_then_downloads_it(browser, base_url):
    context = browser.new_context(viewport=PHONE, accept_downloads=True)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START))
    held = []  # the report's request, held until the page has been looked at
    page.route("**/report.pdf?*", lambda route: held.append(route))
    label = page.inner_text("#pdf-link")
    page.click("#pdf-link")
    for _ in range(500):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(20)
    assert held, "the page fetched the report"
    assert page.get_attribute("#pdf-link", "aria-busy") == "true"
    assert page.inner_text("#pdf-link") == "Preparing your report…"
    assert "Preparing your report" in page.inner_text("#pdf-status")
    with page.expect_download() as download:
        held[0].continue_()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    wait_until(page, "() => !document.getElementById('pdf-link').hasAttribute('aria-busy')")
    assert page.inner_text("#pdf-link") == label
    assert "ready" in page.inner_text("#pdf-status")
    context.close()


def test_without_javascript_the_pdf_link_is_a_plain_download(browser, base_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START))
    assert page.get_attribute("#pdf-link", "href").startswith("/report.pdf?")
    with page.expect_download() as download:
        page.click("#pdf-link")
    assert Path(download.value.path()).read_bytes()[:5] == b"%PDF-"
    context.close()


# --------------------------------------------------------------------------- dates


#: Any date not written "March 1, 2027" (ISO, abbreviated months, day first, slashes).
OTHER_DATES = re.compile(
    r"\b\d{4}-\d{2}-\d{2}\b|\b(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{1,2},|"
    r"\b\d{1,2} (?:January|February|March|April|May|June|July|August|September|October|November|December)\b|"
    r"\b\d{1,2}/\d{1,2}/\d{2,4}\b"
)
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ONE_FORMAT = re.compile(rf"\b(?:{MONTHS}) \d{{1,2}}, \d{{4}}\b")


@pytest.mark.parametrize(
    "whatif",
    [
        {"whatif": "missed", "whatif_month": "10", "whatif_count": "2"},
        {"whatif": "leave", "whatif_month": "10", "whatif_count": "6"},
        {"whatif": "leave_job", "whatif_month": "10"},
        {"whatif": "refinance", "whatif_month": "10", "whatif_amount": "20000"},
    ],
    ids=lambda w: w["whatif"],
)
def test_every_date_on_the_page_is_written_one_way(browser, base_url, whatif):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START | whatif))
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    text = page.inner_text("body")
    assert not OTHER_DATES.findall(text), OTHER_DATES.findall(text)[:5]
    assert len(ONE_FORMAT.findall(text)) > 10  # the schedule, the deadlines, the panel
    question = page.inner_text("#whatif-answer .whatif-question")
    # month 10 of a loan from March 1, 2026: its payment is due January 1, 2027 (by hand)
    expected = {
        "missed": "I miss 2 payments from month 10 (the first due January 1, 2027), then pay as before.",
        "leave": "I go on unpaid leave for 6 months from month 10 (December 2, 2026 to June 1, 2027).",
        "leave_job": "I leave my job in month 10, on January 2, 2027.",
        "refinance": "I refinance in month 10, on January 2, 2027, into a new loan of $20,000 over 5 years.",
    }[whatif["whatif"]]
    assert question == expected
    context.close()
