"""The PDF report (issue 13: under 2 s): the default scenario's and a weekly 25-year home loan's,
each rendered from scratch (the page's analysis, its charts, WeasyPrint), beside the analysis
alone so the ratio shows what the PDF itself costs."""

from __future__ import annotations

from loan401k.web import view
from loan401k.web.report import render_pdf

from . import Case

DEFAULT = dict(view.STARTER)
WEEKLY_25 = DEFAULT | {
    "amount": "40000",
    "vested_balance": "200000",
    "purpose": "residence",
    "term_months": "300",
    "frequency": "weekly",
}


def page_of(values: dict[str, str]) -> view.Page:
    return view.analyze_page(dict(values))


def report(values: dict[str, str]) -> bytes:
    page = page_of(values)
    return render_pdf(page, view.chart_set(page), "")


CASES = [
    Case(
        "PDF report: the default scenario",
        lambda: report(DEFAULT),
        baseline=lambda: page_of(DEFAULT),
        budget_us=2_000_000,
        note="baseline: the page's analysis alone (scenario, sections, history, simulation)",
    ),
    Case(
        "PDF report: weekly payments over 25 years",
        lambda: report(WEEKLY_25),
        baseline=lambda: page_of(WEEKLY_25),
        budget_us=2_000_000,
        note="1,300 payments: the tables are summarized by year",
    ),
]
