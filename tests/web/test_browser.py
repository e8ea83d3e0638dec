"""The real page in Chromium: live recompute, no-JS form, share/save, phone width, axe, screenshots."""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from urllib.request import Request, urlopen

import pytest

from loan401k.web.templating import usd

from .conftest import AXE

ROOT = Path(__file__).resolve().parents[2]
# The README's screenshots and docs/performance.md are refreshed by `make docs-shots`
# (LOAN401K_WRITE_DOCS=1); an ordinary test run writes its copies to a temp folder so it
# never dirties the work tree.
DOCS = (
    ROOT / "docs" if os.environ.get("LOAN401K_WRITE_DOCS") else Path(tempfile.gettempdir()) / "loan401k-docs"
)
SHOTS = DOCS / "screenshots"


def api_analysis(base_url: str, body: dict) -> dict:
    request = Request(
        f"{base_url}/api/v1/analysis",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urlopen(request, timeout=10) as response:
        return json.load(response)


def headline(page) -> dict[str, str]:
    return {
        key: page.locator(f'#answer [data-bind="{key}"]').first.inner_text()
        for key in ("loan.amount", "loan.payment", "limit.max_loan", "cost.per_dollar")
    } | {
        "total": page.locator('#answer [data-bind="cost.total"][data-fmt="abs"]').inner_text(),
        "today": page.locator('#answer [data-bind="cost.total_today"]').inner_text(),
    }


def expected_headline(result: dict) -> dict[str, str]:
    return {
        "loan.amount": usd(result["loan"]["amount"]),
        "loan.payment": usd(result["loan"]["payment"], True),
        "limit.max_loan": usd(result["limit"]["max_loan"]),
        "cost.per_dollar": usd(result["cost"]["per_dollar"], True),
        "total": usd(abs(result["cost"]["total"])),
        "today": usd(abs(result["cost"]["total_today"])),
    }


def wait_until(page, expression: str, timeout: float = 10.0) -> None:
    """Poll from Python: the page's CSP forbids the eval that wait_for_function needs."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(20)


def wait_recomputed(page, before: int) -> None:
    wait_until(page, f"() => Number(document.documentElement.dataset.recomputed || 0) > {before}")


def count(page, name: str = "recomputed") -> int:
    return int(page.evaluate(f"Number(document.documentElement.dataset.{name} || 0)"))


def wait_counter(page, name: str, before: int) -> None:
    wait_until(page, f"() => Number(document.documentElement.dataset.{name} || 0) > {before}")


def test_typing_a_new_amount_updates_numbers_and_chart(page, base_url, errors):
    page.goto(base_url + "/")
    chart_before = page.locator("#answer-charts .balance svg").inner_html()
    before, charts_before = count(page), count(page, "charts")
    page.fill("#f-amount", "$25,000")
    wait_recomputed(page, before)
    wait_counter(page, "charts", charts_before)  # the charts follow the numbers
    result = api_analysis(
        base_url,
        {
            "amount": "25000",
            "vested_balance": "60000",
            "age": "35",
            "contribution_monthly": "400",
            "contribution_during_loan_monthly": "400",
            "term_months": "60",
            "frequency": "monthly",
            "filing_status": "single",
            "source": "pretax",
            "purpose": "general",
        },
    )
    assert headline(page) == expected_headline(result)
    assert page.locator("#answer-charts .balance svg").inner_html() != chart_before
    assert "amount=%2425%2C000" in page.url or "amount=$25,000" in page.url or "25%2C000" in page.url
    assert errors == []


def test_error_beside_the_field_then_recovers(page, base_url, errors):
    page.goto(base_url + "/")
    before = count(page)
    page.fill("#f-age", "eleven")
    wait_until(page, "() => document.getElementById('err-age').textContent.length > 0")
    assert "is not a whole number" in page.inner_text("#err-age")
    page.fill("#f-age", "36")
    wait_recomputed(page, before)
    assert page.inner_text("#err-age") == ""
    assert [e for e in errors if "status of 422" not in e] == []  # the 422 itself is logged


def test_no_javascript_form_shows_the_answer(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/")
    page.fill("#f-amount", "12,000")
    page.click("button[type=submit].primary")
    page.wait_for_load_state()
    body = {
        "amount": "12,000",
        "vested_balance": "60000",
        "age": "35",
        "contribution_monthly": "400",
        "contribution_during_loan_monthly": "400",
    }
    assert headline(page) == expected_headline(api_analysis(base_url, body))
    context.close()


def test_share_link_round_trip(page, base_url, errors):
    page.goto(base_url + "/")
    before = count(page)
    page.fill("#f-vested_balance", "120000")
    wait_recomputed(page, before)
    numbers = headline(page)
    shared = page.input_value("#share-link")
    other = page.context.new_page()
    other.goto(shared)
    assert headline(other) == numbers
    assert other.input_value("#f-vested_balance") == "120000"
    assert errors == []


def test_save_then_open_saved_scenario(page, base_url, errors):
    page.goto(base_url + "/?amount=18000&vested_balance=70000&age=44&contribution_monthly=300")
    numbers = headline(page)
    page.click("#save")
    link = page.locator("#saved a")
    link.wait_for()
    page.goto(link.get_attribute("href"))
    assert page.url.startswith(base_url + "/s/")
    assert page.input_value("#f-amount") == "18000"
    assert page.input_value("#f-age") == "44"
    assert headline(page) == numbers
    assert errors == []


def test_pdf_downloads(page, base_url):
    page.goto(base_url + "/")
    with page.expect_download() as info:
        page.click("#pdf-link")
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF")
    from .test_pages_http import page_count

    assert page_count(data) >= 2


def test_phone_width_no_horizontal_scroll(browser, base_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.goto(base_url + "/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.locator("#answer .headline").scroll_into_view_if_needed()
    assert page.locator("#answer .headline").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone.png"))
    context.close()


def test_desktop_screenshot_two_columns(browser, base_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base_url + "/")
    inputs = page.locator("#calc").bounding_box()
    answer = page.locator("#answer").bounding_box()
    assert answer["x"] > inputs["x"] + inputs["width"] - 1  # side by side
    assert answer["y"] < 900 and page.locator("#answer .headline").is_visible()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "desktop.png"))
    context.close()


@pytest.mark.parametrize("path", ["/", "/?amount=abc&age=35&vested_balance=60000"])
def test_axe_finds_no_wcag_a_or_aa_violations(page, base_url, path):
    page.add_init_script(path=str(AXE))
    page.goto(base_url + path)
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    violations = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}))"
        ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    assert violations == []


START, END = "<!-- page-recompute:start -->", "<!-- page-recompute:end -->"


def write_section(path: Path, section: str) -> None:
    """Replace only the page-recompute section of performance.md (other sections, such as the
    API's load figures, belong to other tests and stay as they are)."""
    text = path.read_text() if path.exists() else "# Performance\n"
    block = f"{START}\n{section.strip()}\n{END}"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def test_write_section_keeps_other_sections(tmp_path):
    path = tmp_path / "performance.md"
    path.write_text(f"# Performance\n\n{START}\nold\n{END}\n\n## API under load\n\nkept\n")
    write_section(path, "new")
    assert path.read_text() == f"# Performance\n\n{START}\nnew\n{END}\n\n## API under load\n\nkept\n"


def test_recompute_time_is_measured(page, base_url):
    """Input change → numbers on screen, measured in the page (written to docs/performance.md)."""
    page.goto(base_url + "/")
    wait_counter(page, "market", 0)  # the page's own history section, asked for once it is shown
    numbers, charts, market = [], [], []
    for amount in range(10_000, 22_000, 1_000):
        before = {name: count(page, name) for name in ("recomputed", "charts", "market")}
        page.fill("#f-amount", str(amount))
        wait_recomputed(page, before["recomputed"])
        wait_counter(page, "charts", before["charts"])
        wait_counter(page, "market", before["market"])
        stats = page.evaluate("({...document.documentElement.dataset})")
        numbers.append(float(stats["recomputeMs"]))
        charts.append(float(stats["chartsMs"]))
        market.append(float(stats["marketMs"]))
        assert page.locator("#history-sec.stale").count() == 0  # the history section caught up
    assert len(numbers) == 12 and all(ms > 0 for ms in numbers)
    rows = [
        ("numbers (the headline, limit, verdict)", numbers),
        ("charts and tables below", charts),
        ("history and simulations (after a 700 ms pause)", market),
    ]
    table = "\n".join(f"| {name} | {statistics.median(ms):.0f} | {max(ms):.0f} |" for name, ms in rows)
    DOCS.mkdir(parents=True, exist_ok=True)
    write_section(
        DOCS / "performance.md",
        f"""
## Page recompute

Time from an input change to updated numbers on the page, measured in headless Chromium by
`tests/web/test_browser.py::test_recompute_time_is_measured`: 12 edits of the loan amount,
`performance.now()` from the input event to the end of each DOM update. Each figure includes
the 90 ms debounce. The numbers are rendered from `POST /api/v1/analysis` as soon as it
answers; the charts and tables (`/fragment?part=core`) follow; the history and Monte Carlo
section (`/fragment?part=market`, about 20 ms of computing) waits until typing has paused for
700 ms (or the reader asks for it), so it is not redone on every keystroke.

| from an input change to | median ms | slowest ms |
|---|---|---|
{table}

Target (issue 6): numbers ≤ 200 ms for the deterministic part. Machine: the project's 2-core
Debian 12 box; one uvicorn worker in the test process, browser and server on localhost.
Regenerated on every browser-test run (into docs/ only with `make docs-shots`); tests never
assert on time.
""",
    )
