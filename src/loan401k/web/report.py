"""The PDF report: the whole analysis, its charts as server-drawn inline SVG (WeasyPrint).

US Letter. Page 1 is the answer, the warnings, the verdict and the inputs in words; then the
sections, each chart beside its caption (larger charts in less height); long tables by year,
every row in the CSV. The default scenario fits in 4 pages (tests/web/test_pdf_bounds.py).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..i18n import _
from . import charts as drawing
from . import words
from .templating import templates
from .view import Page

#: Chart text in the PDF, in user units of the 600-unit canvas: a chart 56 % of the text
#: width wide (page 1's) prints it at about 8 pt (the charts leave room for up to charts.ROOM);
#: the sections' charts, 50 % wide, print it at about 8 pt too with SECTION_CHART_TEXT.
PDF_CHART_TEXT = 16
SECTION_CHART_TEXT = 18
FIRST_PAGE_CHARTS = ("breakdown", "balance")
REPORT_CSS = """
@page { size: letter; margin: 0.45in 0.55in 0.5in;
  @bottom-left { content: FOOTER;
                 font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #555; }
  @bottom-right { content: PAGE_OF;
                  font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #222; line-height: 1.25; }
p { margin: 0 0 4pt; } ul, ol { margin: 2pt 0 4pt; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 10pt 0 4pt; break-after: avoid; }
h3 { font-size: 9.5pt; margin: 8pt 0 3pt; break-after: avoid; }
.first { break-after: page; }
.meta, .small, cite { color: #555; font-size: 8pt; font-style: normal; }
.headline { font-size: 12.5pt; line-height: 1.35; } .cost { color: #b4461a; }
.warnings { border: 1.2pt solid #a1260d; color: #a1260d; padding: 4pt 8pt; margin: 6pt 0; }
.warnings ul { margin: 2pt 0 0; padding-left: 12pt; }
.verdict { font-size: 11pt; margin: 6pt 0 2pt; }
/* the inputs in two columns, each a label and its value */
.inputs-list { columns: 2; column-gap: 18pt; margin: 0 0 4pt; }
.inputs-list div { break-inside: avoid; border-bottom: 0.5pt solid #ccc; padding: 1.5pt 0; }
.inputs-list dt { display: inline-block; width: 52%; color: #444; vertical-align: top; }
.inputs-list dd { display: inline-block; width: 46%; margin: 0; vertical-align: top; }
/* a chart beside its caption: larger charts in less height (the sections' a little narrower,
   their text a little larger: SECTION_CHART_TEXT, so the longer Spanish report keeps its 4
   pages; their caption's column is a fixed share: with 1fr WeasyPrint broke a caption's line
   early, leaving a word alone) */
figure { margin: 4pt 0; break-inside: avoid; }
.fig { display: grid; grid-template-columns: 56% 1fr; column-gap: 12pt; align-items: center; }
.fig.breakdown { display: block; } .sec .fig { grid-template-columns: 50% 46%; }
svg.chart { width: 100%; height: auto; }
.job-loss svg.chart { display: none; } .fig.job-loss { display: block; }
/* the schedule: its chart on the left, the table by year beside it */
section[aria-labelledby="schedule"] > figure { display: block; float: left; width: 50%; margin: 0; }
section[aria-labelledby="schedule"] > table { float: right; width: 47%; }
section[aria-labelledby="schedule"] > p { clear: both; }
/* short sections stay whole, their heading with them */
section[aria-labelledby="schedule"], section[aria-labelledby="faster"] { break-inside: avoid; }
/* long lists in two columns; the sources get the room they need */
.typical-list { columns: 2; column-gap: 14pt; }
.assumptions th:first-child { width: 16%; } .assumptions th:nth-child(2) { width: 38%; }
figcaption { color: #444; font-size: 8pt; } .balance-note { display: block; margin-top: 3pt; }

.sec { break-inside: auto; }
.work, .assumptions, .plan-rules { font-size: 7pt; }
.work { columns: 2; column-gap: 14pt; padding-left: 12pt; }
ul.risks { margin: 0; padding-left: 9pt; }
.typical-list, ul.risks, .sentences, .lede, .note { font-size: 7.5pt; }
.typical-list li, .sentences li { margin-bottom: 1pt; }
.assumptions td, .assumptions th { padding: 1pt 3pt; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; }
th, td { border-bottom: 0.5pt solid #ccc; padding: 1.5pt 4pt; text-align: right; }
th:first-child, td:first-child, td.text, .assumptions td, .assumptions th { text-align: left; }
tr { break-inside: avoid; }
details > summary { font-weight: bold; list-style: none; margin-top: 6pt; }
details > * { display: block; }
.legend { list-style: none; padding: 0; margin: 3pt 0; }
.legend li { display: inline-block; margin-right: 10pt; }
/* keys carry a pattern as well as a colour, so a black-and-white print keeps them apart: the
   charts' own tiles (charts.swatch_css, charts.key_css) */
.swatch, .key { display: inline-block; width: 9pt; height: 9pt; margin-right: 3pt; vertical-align: -1pt; }
.swatch { border: 0.6pt solid #222; }
SWATCHES
.swatch.zero { background: #eee; border-color: #999; }
.key { width: 20pt; height: 4pt; vertical-align: 1pt; }
KEYS
.pending, button, a[data-href-base], .problems, .sign-note { display: none; }
.sentences { padding-left: 12pt; } .sentences li { margin-bottom: 2pt; }
.work li { margin-bottom: 2pt; }
"""


def css_string(text: str) -> str:
    """Text as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def page_of() -> str:
    """The footer's "page 2 of 4" as CSS content, in the current language."""
    # TRANSLATORS: the PDF's footer, at the right of every page: "page 2 of 4".
    text = _("page {page} of {pages}")
    parts = re.split(r"(\{page\}|\{pages\})", text)
    counters = {"{page}": "counter(page)", "{pages}": "counter(pages)"}
    return " ".join(counters.get(part) or css_string(part) for part in parts if part)


def report_css() -> str:
    """The report's stylesheet; its footer in the current language."""
    # TRANSLATORS: the PDF's footer, at the left of every page.
    footer = _("What this 401(k) loan really costs · education, not advice")
    return (
        REPORT_CSS.replace("FOOTER", css_string(footer))
        .replace("PAGE_OF", page_of())
        .replace("SWATCHES", drawing.swatch_css())
        .replace("KEYS", drawing.key_css())
    )


def report_html(page: Page, charts: dict[str, str], query: str) -> str:
    """The report as HTML in the current language, its charts with their text sized for print
    (PDF_CHART_TEXT, SECTION_CHART_TEXT)."""
    template = templates.env.get_template("report.html")
    return template.render(
        page=page,
        result=page.result,
        charts={
            name: drawing.with_text_size(
                svg, PDF_CHART_TEXT if name in FIRST_PAGE_CHARTS else SECTION_CHART_TEXT
            )
            for name, svg in charts.items()
        },
        query=query,
        report=True,
        public_url="",
        generated=words.date(dt.date.today()),
    )


def render_pdf(page: Page, charts: dict[str, str], query: str) -> bytes:
    from weasyprint import CSS, HTML

    html = report_html(page, charts, query)
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[CSS(string=report_css())])
    return pdf


def context(page: Page) -> dict[str, Any]:  # pragma: no cover - kept for callers wanting the HTML
    return {"page": page, "result": page.result}
