"""The PDF report: the whole analysis, its charts as server-drawn inline SVG (WeasyPrint)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from . import words
from .templating import templates
from .view import Page

#: The gains' hatch (the charts' own pattern), so a black-and-white print tells them apart.
HATCH = (
    "<svg xmlns='http://www.w3.org/2000/svg' width='6' height='6'><rect width='6' height='6' "
    "fill='%23dce8f3'/><path d='M0 6L6 0' stroke='%231f5f99' stroke-width='1.6'/></svg>"
)
REPORT_CSS = """
@page { size: letter; margin: 0.5in 0.55in 0.6in;
  @bottom-left { content: "What this 401(k) loan really costs · education, not advice";
                 font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #555; }
  @bottom-right { content: "page " counter(page) " of " counter(pages);
                  font-family: "DejaVu Sans", sans-serif; font-size: 7.5pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #222; line-height: 1.35; }
h1 { font-size: 15pt; margin: 0 0 4pt; } h2 { font-size: 11.5pt; margin: 12pt 0 5pt; break-after: avoid; }
h3 { font-size: 9.5pt; margin: 8pt 0 3pt; break-after: avoid; }
.first { break-after: page; }
.meta, .small, cite { color: #555; font-size: 8pt; font-style: normal; }
.headline { font-size: 12.5pt; line-height: 1.35; } .cost { color: #b4461a; }
.warnings { border: 1.2pt solid #a1260d; color: #a1260d; padding: 4pt 8pt; margin: 6pt 0; }
.warnings ul { margin: 2pt 0 0; padding-left: 12pt; }
.verdict { font-size: 11pt; margin: 6pt 0 2pt; }
.inputs-table th { text-align: left; font-weight: normal; color: #444; width: 45%; }
.inputs-table td { text-align: left; }
svg.chart { width: 44%; height: auto; }
.job-loss svg.chart { display: none; }
.breakdown svg.chart { width: 100%; }
.sec { break-inside: auto; }
.work, .assumptions, .plan-rules { font-size: 7pt; }
.work { columns: 2; column-gap: 14pt; padding-left: 12pt; }
ul.risks { margin: 0; padding-left: 9pt; }
.typical-list, ul.risks, .sentences, .lede, .note { font-size: 7.5pt; }
.typical-list li, .sentences li { margin-bottom: 1pt; }
.assumptions td, .assumptions th { padding: 1pt 3pt; }
figure { margin: 4pt 0; break-inside: avoid; } figcaption { color: #444; font-size: 8pt; }
table { border-collapse: collapse; width: 100%; font-size: 7.5pt; }
th, td { border-bottom: 0.5pt solid #ccc; padding: 1.5pt 4pt; text-align: right; }
th:first-child, td:first-child, td.text, .assumptions td, .assumptions th { text-align: left; }
tr { break-inside: avoid; }
details > summary { font-weight: bold; list-style: none; margin-top: 6pt; }
details > * { display: block; }
.legend { list-style: none; padding: 0; margin: 3pt 0; }
.legend li { display: inline-block; margin-right: 10pt; }
/* keys carry a pattern as well as a colour, so a black-and-white print keeps them apart */
.swatch, .key { display: inline-block; width: 9pt; height: 9pt; margin-right: 3pt; vertical-align: -1pt;
  border: 0.6pt solid #222; }
.swatch.c0 { background: #b4461a; } .swatch.c1 { background: #e9a178; } .swatch.c2 { background: #8a3414; }
.swatch.c3 { background: #d27a4c; } .swatch.c4 { background: #6e2a10; }
.swatch.gain { background: #dce8f3 url("data:image/svg+xml;utf8,HATCH"); }
.swatch.zero { background: #eee; border-color: #999; }
.key { height: 0; border: 0; border-top: 2pt solid #1f5f99; width: 16pt; vertical-align: 2pt; }
.key.warm { border-top-color: #b4461a; } .key.dashed { border-top-style: dashed; }
.key.ink { border-top-color: #2b2b2b; }
.pending, button, a[data-href-base], .problems, .sign-note { display: none; }
.sentences { padding-left: 12pt; } .sentences li { margin-bottom: 3pt; }
.work li { margin-bottom: 2pt; }
"""


def render_pdf(page: Page, charts: dict[str, str], query: str) -> bytes:
    from weasyprint import CSS, HTML

    template = templates.env.get_template("report.html")
    html = template.render(
        page=page,
        result=page.result,
        charts=charts,
        query=query,
        report=True,
        public_url="",
        generated=words.date(dt.date.today()),
    )
    css = CSS(string=REPORT_CSS.replace("HATCH", HATCH))
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[css])
    return pdf


def context(page: Page) -> dict[str, Any]:  # pragma: no cover - kept for callers wanting the HTML
    return {"page": page, "result": page.result}
