"""The "What if…" panel in Chromium at phone width: "I leave my job in month 10" answered in
one sentence with the date and the cash needed, the same as POST /api/v1/events, with and
without JavaScript."""

from __future__ import annotations

import datetime as dt
import json
import re
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from loan401k.web import view
from loan401k.web.templating import usd

from .test_browser import wait_until

PHONE = {"width": 390, "height": 844}
START = {
    "amount": "15000",
    "vested_balance": "60000",
    "age": "35",
    "contribution_monthly": "400",
    "start_date": "2026-03-01",
}


def expected_offset(base_url: str) -> dict:
    """The API's answer for the same loan with a separation just after the 10th payment."""
    body = {**view.to_input(START), "events": [{"kind": "separation", "date": "2027-01-02"}]}
    request = Request(
        f"{base_url}/api/v1/events",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=20) as response:
        return json.load(response)["offset"]


def sentence(text: str, offset: dict) -> str:
    """The one sentence of the answer that names the cash and its date."""
    due = dt.date.fromisoformat(offset["tax_due_date"]).strftime("%B %-d, %Y")
    found = [s for s in re.split(r"(?<=\.)\s+", " ".join(text.split())) if usd(offset["total"]) in s]
    assert found, text
    assert due in found[0], found[0]
    return found[0]


def test_leave_my_job_in_month_10_with_javascript(browser, base_url):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START))
    wait_until(page, "() => document.documentElement.dataset.busy !== '1'")
    hidden = page.locator(".field-whatif_month").is_visible()
    page.select_option("#f-whatif", "leave_job")
    assert not hidden and page.locator(".field-whatif_month").is_visible()  # its fields appear
    assert not page.locator(".field-whatif_amount").is_visible()  # not a refinance
    page.fill("#f-whatif_month", "10")
    page.wait_for_timeout(150)
    wait_until(page, "() => document.documentElement.dataset.busy === '0'")
    wait_until(page, "() => document.querySelector('#whatif-answer .whatif-answer') !== null")
    offset = expected_offset(base_url)
    text = page.inner_text("#whatif-answer")
    found = sentence(text, offset)
    assert "I leave my job in month 10" in text
    assert usd(offset["amount"], cents=True) in text
    assert "whatif=leave_job" in page.url and "whatif_month=10" in page.url  # the share link keeps it
    # the panel's fields are the page's own: the analysis still answers (no "unknown field")
    assert page.inner_text("#answer .headline").startswith("Borrowing")
    assert found.count("$") >= 1
    context.close()


def test_leave_my_job_in_month_10_without_javascript(browser, base_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(START))
    page.select_option("#f-whatif", "leave_job")
    page.fill("#f-whatif_month", "10")
    page.click("#whatif button[type=submit]")  # the panel's own button submits the main form
    page.wait_for_load_state()
    assert "whatif=leave_job" in page.url
    offset = expected_offset(base_url)
    sentence(page.inner_text("#whatif-answer"), offset)
    context.close()


def test_a_month_past_the_loan_is_an_error_in_words_not_a_clamp(browser, base_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode({**START, "whatif": "leave_job", "whatif_month": "99"}))
    text = page.inner_text("#whatif-answer")
    assert "allowed range: 1 to 60" in text and "99" in text
    context.close()
