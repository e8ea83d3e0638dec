"""The PDF report: the whole analysis, its charts as server-drawn inline SVG (WeasyPrint)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .templating import templates
from .view import Page

REPORT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm;
  @bottom-right { content: "page " counter(page) " of " counter(pages);
                  font-family: "DejaVu Sans", sans-serif; font-size: 8pt; color: #555; } }
body { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; color: #222; line-height: 1.45; }
h1 { font-size: 16pt; margin: 0 0 4pt; } h2 { font-size: 12pt; margin: 14pt 0 6pt; }
h3 { font-size: 10pt; margin: 10pt 0 4pt; }
.headline { font-size: 12pt; } .cost { color: #b4461a; }
svg.chart { width: 100%; height: auto; }
figure { margin: 6pt 0; break-inside: avoid; } figcaption { color: #555; font-size: 8.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 8pt; }
th, td { border-bottom: 0.5pt solid #ccc; padding: 2pt 4pt; text-align: right; }
th:first-child, td:first-child, td.text, .assumptions td, .assumptions th { text-align: left; }
details > summary { font-weight: bold; list-style: none; margin-top: 6pt; }
details > * { display: block; }
.legend { list-style: none; padding: 0; } .legend li { display: inline-block; margin-right: 10pt; }
.swatch, .key, .fix-first, a[data-href-base] { display: none; }
cite { color: #555; font-style: normal; }
"""


def render_pdf(page: Page, charts: dict[str, str], query: str) -> bytes:
    from weasyprint import CSS, HTML

    template = templates.env.get_template("report.html")
    html = template.render(
        page=page, result=page.result, charts=charts, query=query, generated=dt.date.today().isoformat()
    )
    pdf: bytes = HTML(string=html).write_pdf(stylesheets=[CSS(string=REPORT_CSS)])
    return pdf


def context(page: Page) -> dict[str, Any]:  # pragma: no cover - kept for callers wanting the HTML
    return {"page": page, "result": page.result}
