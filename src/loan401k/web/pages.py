"""The calculator page and its downloads: server-rendered, whole without JavaScript.

GET /            the page (a query string carries the inputs: the share link)
POST /           the same page from a form post
GET /s/{id}      the page with a saved scenario loaded (loan401k.store)
POST /save       save without JavaScript, then go to /s/{id}
GET /fragment    the charts and sections below the headline, for app.js's live update
GET /report.pdf, /schedule.csv, /projection.csv   downloads for the same query
"""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import service
from ..models import InputError
from . import view
from .templating import templates

router = APIRouter(include_in_schema=False)
_store: Any = None


def _query(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items()}


def share_query(values: dict[str, str]) -> str:
    return urlencode({k: v for k, v in values.items() if v != ""})


def render_page(
    request: Request, values: dict[str, str], *, saved_id: str | None = None, status_code: int = 200
) -> HTMLResponse:
    page = view.analyze_page(values)
    context = {
        "page": page,
        "result": page.result,
        "charts": view.chart_set(page),
        "query": share_query(values),
        "saved_id": saved_id,
    }
    return templates.TemplateResponse(request, "page.html", context, status_code=status_code)


@router.get("/", response_class=HTMLResponse)
def calculator(request: Request) -> HTMLResponse:
    return render_page(request, view.form_values(_query(request)))


@router.post("/", response_class=HTMLResponse)
async def calculator_post(request: Request) -> HTMLResponse:
    form = await request.form()
    values = view.form_values({key: str(value) for key, value in form.items()})
    return render_page(request, values)


@router.get("/fragment", response_class=HTMLResponse)
def fragment(request: Request) -> HTMLResponse:
    """The sections below the headline for app.js. `part=core` leaves out the history and
    simulation section (the slow part, fetched when the typing pauses); `part=market` is only it."""
    query = _query(request)
    part = query.pop("part", "all")
    values = view.form_values(query)
    page = view.analyze_page(values, details=part != "market", market=part == "all")
    if part == "market" and page.scenario is not None:
        page.extras = view.market_sections(page.scenario) | {"market": True}
    context = {
        "page": page,
        "result": page.result,
        "charts": view.chart_set(page),
        "query": share_query(values),
    }
    name = "_history.html" if part == "market" else "fragment.html"
    return templates.TemplateResponse(request, name, context)


def scenario_store(request: Request) -> Any:
    global _store
    store = getattr(request.app.state, "store", None)
    if store is not None:
        return store
    if _store is None:
        from ..store import ScenarioStore

        _store = ScenarioStore()
    return _store


@router.get("/s/{scenario_id}", response_class=HTMLResponse)
def saved(request: Request, scenario_id: str) -> HTMLResponse:
    data = scenario_store(request).load(scenario_id)
    if data is None:
        raise HTTPException(status_code=404, detail="unknown scenario")
    return render_page(request, view.from_input(data), saved_id=scenario_id)


@router.post("/save")
async def save(request: Request) -> Response:
    form = await request.form()
    values = view.form_values({key: str(value) for key, value in form.items()})
    try:
        service.build_scenario(view.to_input(values))  # only a scenario we can price is saved
    except InputError:
        return render_page(request, values, status_code=422)
    scenario_id = scenario_store(request).save(view.to_input(values))
    return RedirectResponse(f"/s/{scenario_id}", status_code=303)


def _page_or_422(request: Request) -> view.Page:
    page = view.analyze_page(view.form_values(_query(request)))
    if page.result is None:
        detail = [{"field": name, "message": message} for name, message in page.errors.items()]
        raise HTTPException(status_code=422, detail=detail)
    return page


@router.get("/report.pdf")
def report_pdf(request: Request) -> Response:
    from .report import render_pdf

    page = _page_or_422(request)
    pdf = render_pdf(page, view.chart_set(page), share_query(page.values))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="401k-loan-report.pdf"'},
    )


def _csv(rows: list[list[Any]], name: str) -> Response:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/schedule.csv")
def schedule_csv(request: Request) -> Response:
    page = _page_or_422(request)
    schedule = page.extras["schedule"]
    rows: list[list[Any]] = [["n", "date", "payment", "interest", "principal", "balance"]]
    rows += [[r.n, r.date.isoformat(), r.payment, r.interest, r.principal, r.balance] for r in schedule.rows]
    return _csv(rows, "schedule.csv")


@router.get("/projection.csv")
def projection_csv(request: Request) -> Response:
    page = _page_or_422(request)
    assert page.result is not None
    rows: list[list[Any]] = [["age", "no_loan", "with_loan"]]
    rows += [[y.age, y.no_loan, y.with_loan] for y in page.result.balances.by_year]
    return _csv(rows, "projection.csv")
