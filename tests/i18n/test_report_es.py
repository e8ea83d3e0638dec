"""The PDF report in Spanish (issue 15): `/report.pdf?…&lang=es` (the Spanish page's download
link) and `Accept-Language: es` give the report in Spanish, with the same figures as the
English one, `<html lang="es">` (WeasyPrint's hyphenation follows it), a Spanish footer, no
raw codes, and still US Letter in at most 4 pages for the default scenario. The English report
is as before. The PDF cache is per language: the Spanish report after the English one for the
same inputs is rendered, not the cached English one."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from fastapi.testclient import TestClient

from loan401k import i18n
from loan401k.app import create_app
from loan401k.web import report, view

pytestmark = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="pdftotext and pdfinfo (poppler-utils) are needed to read the PDF",
)

#: The default scenario, as the page's download link sends it.
QUERY = dict(view.STARTER)
#: Codes that must never reach a reader: the form's values and the spec's name.
RAW = ("biweekly", "pretax", "residence", "METHOD")


def text_of(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return re.sub(r"\s+", " ", out.decode())


def info_of(pdf: bytes) -> tuple[int, str]:
    """(pages, page size)."""
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(re.search(r"Pages:\s+(\d+)", out).group(1)), re.search(r"Page size:\s+(.*)", out).group(1)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The app, and the default scenario's report in English, then in Spanish, then in Spanish
    again by the Accept-Language header: (app, {"en": bytes, "es": bytes, "header": bytes},
    renders after each)."""
    app = create_app(f"sqlite:///{tmp_path_factory.mktemp('report-es') / 's.db'}")
    with TestClient(app) as client:
        pdfs, renders = {}, {}
        for name, params, headers in (
            ("en", QUERY, {}),
            ("es", {**QUERY, "lang": "es"}, {}),
            ("header", QUERY, {"Accept-Language": "es-US,es;q=0.9,en;q=0.5"}),
        ):
            response = client.get("/report.pdf", params=params, headers=headers)
            assert response.status_code == 200, response.text
            assert response.headers["content-type"] == "application/pdf"
            pdfs[name] = response.content
            renders[name] = app.state.pdf_reports.renders
        yield app, pdfs, renders


def headline_figure(text: str, verb: str) -> str:
    found = re.search(re.escape(verb) + r" (\$[\d,]+)", text)
    assert found, (verb, text[:400])
    return found.group(1)


def test_the_spanish_report_speaks_spanish(served):
    _, pdfs, _ = served
    text = text_of(pdfs["es"])
    for heading in (
        "Lo que realmente le cuesta este préstamo de su plan 401(k)",
        "Preparado el ",
        "Información educativa, no asesoría financiera.",
        "Pedir prestado $15,000 le cuesta unos",
        "Como ingreso en la jubilación, son unos",
        "Usted puede pedir prestado hasta $30,000.",
        "Respuesta: PRECAUCIÓN",
        "Sus datos",
        "sin el préstamo:",
        "(línea discontinua):",
        "así que no aparecen en la barra:",
    ):
        assert heading in text, heading
    # the footer, on every page
    pages, _ = info_of(pdfs["es"])
    for number in range(1, pages + 1):
        assert f"página {number} de {pages}" in text
    # the report's own English is gone
    for english in (
        "What this 401(k) loan really costs",
        "Prepared ",
        "Education, not advice",
        "costs you about",
        "Verdict",
        "The inputs",
        "without the loan",
        "so not in the bar",
        "page 1 of",
    ):
        assert english not in text, english
    for code in RAW:
        assert code not in text, code


def test_the_spanish_report_has_the_english_figures_and_fits_in_4_letter_pages(served):
    _, pdfs, _ = served
    english, spanish = text_of(pdfs["en"]), text_of(pdfs["es"])
    figure = headline_figure(english, "costs you about")
    assert headline_figure(spanish, "le cuesta unos") == figure
    page = view.analyze_page(dict(QUERY))
    assert figure == i18n.currency(page.result.cost.total, whole=True)
    pages, size = info_of(pdfs["es"])
    assert size.startswith("612 x 792") and pages <= 4, (pages, size)


def test_the_english_report_is_as_before(served):
    _, pdfs, _ = served
    text = text_of(pdfs["en"])
    for sentence in (
        "What this 401(k) loan really costs",
        "Prepared ",
        " with loan401k ",
        ". Education, not advice.",
        "Borrowing $15,000 costs you about $20,431 at 65 — $9,740 in today's dollars, $1.36 for each "
        "dollar borrowed.",
        "As retirement income, that is about $32 a month in today's dollars (drawing 4% of savings a "
        "year, the usual rule).",
        "You'll repay $302.35 a month for 5 years. You can borrow up to $30,000.",
        "Verdict: CAUTION",
        "The inputs",
        "Everything not listed uses the defaults shown with their sources under “Assumptions” at the end.",
        "without the loan: $924,516 at 65",
        "the loan (dashed): $927,165",  # pdftotext reads the caption's "with" from the line above
        "(a gain)",
        "$0 each, so not in the bar:",
        "What this 401(k) loan really costs · education, not advice",
        "page 1 of",
    ):
        assert sentence in text, sentence
    assert "Pedir prestado" not in text and "página" not in text
    pages, size = info_of(pdfs["en"])
    assert size.startswith("612 x 792") and pages <= 4, (pages, size)


def test_the_cache_keeps_a_report_per_language(served):
    app, pdfs, renders = served
    # the Spanish report after the English one for the same inputs is a render of its own
    assert renders["en"] == 1 and renders["es"] == 2
    assert pdfs["es"] != pdfs["en"]
    # the header's Spanish is the same language: the Spanish report, from the cache
    assert renders["header"] == 2 and pdfs["header"] == pdfs["es"]
    with TestClient(app) as client:
        again = client.get("/report.pdf", params=QUERY)
    assert again.content == pdfs["en"] and app.state.pdf_reports.renders == 2


def test_the_report_html_follows_the_language():
    page = view.analyze_page(dict(QUERY))
    charts = view.chart_set(page)
    assert report.report_html(page, charts, "").startswith('<!doctype html>\n<html lang="en">')
    with i18n.use_locale("es"):
        html = report.report_html(page, charts, "")
        css = report.report_css()
    assert html.startswith('<!doctype html>\n<html lang="es">')
    assert "<title>Informe sobre el préstamo de su plan 401(k)</title>" in html
    assert 'content: "página " counter(page) " de " counter(pages);' in css
    assert 'content: "page " counter(page) " of " counter(pages);' in report.report_css()


def test_a_biweekly_home_loan_report_in_spanish_shows_no_codes():
    values = QUERY | {"frequency": "biweekly", "purpose": "residence", "term_months": "120"}
    with i18n.use_locale("es"):
        page = view.analyze_page(dict(values))
        assert page.result is not None, page.errors
        text = text_of(report.render_pdf(page, view.chart_set(page), ""))
    assert "cada dos semanas" in text
    for code in RAW:
        assert code not in text, code


def test_the_market_history_tooltips_are_translated():
    from loan401k.web import charts

    with i18n.use_locale("es"):
        svg = charts.signed_bars([1930, 1931], [-1200, 3400], "history")
    assert "<title>1930: $1,200 más barato</title>" in svg
    assert "<title>1931: costó $3,400</title>" in svg
    svg = charts.signed_bars([1930, 1931], [-1200, 3400], "history")
    assert "<title>1930: cheaper by $1,200</title>" in svg and "<title>1931: cost $3,400</title>" in svg
