"""The calculator page and its downloads: server-rendered, whole without JavaScript.

GET /            the page (a query string carries the inputs: the share link)
POST /           the same page from a form post
GET /s/{id}      the page with a saved scenario loaded (loan401k.store)
POST /save       save without JavaScript, then go to /s/{id}
GET /fragment    the charts and sections below the headline, for app.js's live update
GET /report.pdf, /schedule.csv, /projection.csv   downloads for the same query

Links that leave the page (the share link, the saved link, the redirect after a save) are
built from LOAN401K_PUBLIC_URL or are relative: never from the request's Host header. The
form's save is refused from other sites (web/csrf.py) and counted by the same rate limit
as the API's (loan401k.throttle); PDF renders are bounded and cached (web/pdf.py). Errors
on these routes are HTML pages (web/errors.py).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from .. import cache, i18n, service, throttle
from ..models import InputError
from ..service.plans import profile_for
from ..settings import Settings
from . import csrf, view
from . import embed as embedding
from .errors import html_error
from .pdf import PdfReports
from .templating import templates

router = APIRouter(include_in_schema=False)
_store: Any = None


def _query(request: Request) -> dict[str, str]:
    return {key: value for key, value in request.query_params.items()}


def share_query(values: dict[str, str]) -> str:
    return urlencode({k: v for k, v in values.items() if v != ""})


def with_lang(query: str) -> str:
    """A page's query with its language when that is not English (`&lang=es`), so the share
    link, the downloads and the fragment keep it; an English page's links are as before."""
    language = i18n.current()
    if language == i18n.DEFAULT:
        return query
    return f"{query}&lang={language}" if query else f"lang={language}"


def page_queries(values: dict[str, str]) -> dict[str, str]:
    """`query`: the scenario for the page's links, in the page's language; `switch_query`: the
    same without the language, for the language switch (base.html) to add its own."""
    plain = share_query(values)
    return {"query": with_lang(plain), "switch_query": plain}


def settings_of(request: Request) -> Settings:
    return getattr(request.app.state, "settings", None) or Settings()


#: Where the visitor's token goes in a kept page (the rest of the page is the same for all):
#: the form's hidden field, whose exact text no escaped input value can contain.
_TOKEN_SLOT = "csrf-token-slot"
_TOKEN_FIELD = f'name="{csrf.FIELD}" value="{{}}"'


def _page_context(
    request: Request,
    page: view.Page,
    values: dict[str, str],
    *,
    token: str,
    saved_id: str | None,
    embed: bool,
) -> dict[str, Any]:
    """What page.html reads: the page, its charts, its links, the form's token."""
    return {
        "page": page,
        "result": page.result,
        "charts": view.chart_set(page),
        **page_queries(values),
        "saved_id": saved_id,
        "public_url": settings_of(request).public_url,  # "" → relative links
        "csrf_token": token,
        "embed": embed,
    }


def render_page(
    request: Request,
    values: dict[str, str],
    *,
    saved_id: str | None = None,
    status_code: int = 200,
    page: view.Page | None = None,
    embed: bool = False,
) -> HTMLResponse:
    complete = page is not None and (page.result is None or bool(page.extras))
    page = page if page is not None and complete else view.analyze_page(values)
    token, new = csrf.page_token(request)
    context = _page_context(request, page, values, token=token, saved_id=saved_id, embed=embed)
    response = templates.TemplateResponse(request, "page.html", context, status_code=status_code)
    return _finish(response, token if new else None, embed=embed, secure=settings_of(request).secure)


def _finish(response: HTMLResponse, new_token: str | None, *, embed: bool, secure: bool) -> HTMLResponse:
    if embed:
        response.headers.update(embedding.headers())
    if new_token is not None:
        csrf.set_cookie(response, new_token, secure=secure)
    return response


def kept_page(request: Request, *, embed: bool) -> HTMLResponse:
    """GET / and /embed: the page for the query's inputs, rendered once per input and day and
    kept (loan401k.cache); each visitor's token is put into the kept page. The history and
    simulation section is left for app.js to fetch once the page is shown (or for the
    no-JS link `history=1` to include): computed only when asked."""
    query = _query(request)
    market = query.get("history") == "1"
    values = view.form_values(query)
    token, new = csrf.page_token(request)
    pages = getattr(request.app.state, "pages", None)
    # cache.context() carries the day and the language (i18n.current()): one copy per language
    key = ("page", embed, market, tuple(sorted(values.items())), *cache.context())
    body = pages.get(key) if pages is not None else None
    if body is None:
        page = view.analyze_page(values, market=market)
        context = _page_context(request, page, values, token=_TOKEN_SLOT, saved_id=None, embed=embed)
        body = bytes(templates.TemplateResponse(request, "page.html", context).body)
        if pages is not None:
            pages.put(key, body)
    field = _TOKEN_FIELD.format(_TOKEN_SLOT).encode()
    response = HTMLResponse(body.replace(field, _TOKEN_FIELD.format(token).encode(), 1))
    return _finish(response, token if new else None, embed=embed, secure=settings_of(request).secure)


@router.get("/", response_class=HTMLResponse)
def calculator(request: Request) -> HTMLResponse:
    return kept_page(request, embed=False)


@router.get("/embed", response_class=HTMLResponse)
def embedded(request: Request) -> HTMLResponse:
    """The calculator without the page chrome, for an iframe (docs/embed.md)."""
    return kept_page(request, embed=True)


@router.get("/embed/theme.css")
def embed_theme(request: Request) -> Response:
    """The plan's accent colour (`?plan=ID`), as a stylesheet."""
    plan = request.query_params.get("plan", "")
    accent = None
    try:
        accent = profile_for(plan).accent_color if plan else None
    except InputError:  # an unknown plan keeps the default accent
        accent = None
    return Response(embedding.theme_css(accent), media_type="text/css")


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
        **page_queries(values),
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
        raise HTTPException(
            status_code=404,
            detail="There is no saved scenario at this address. The link may be mistyped or cut short, "
            "or the scenario was saved on another server.",
        )
    return render_page(request, view.from_input(data), saved_id=scenario_id)


@router.post("/save")
async def save(request: Request) -> Response:
    form = await request.form()
    # the page's language travels in the form (its hidden `lang`) as well as in the query:
    # the refusal, the page with its errors and the saved page's address follow it
    with i18n.use_locale(i18n.supported(str(form.get("lang", ""))) or i18n.current()):
        return await _save(request, form)


async def _save(request: Request, form: Any) -> Response:
    settings = settings_of(request)
    refused = csrf.refusal(request, form, settings.origin)
    if refused is not None:
        return html_error(403, refused)
    values = view.form_values({key: str(value) for key, value in form.items()})
    # only a scenario the page can price is saved (the API's save checks the same)

    def priced() -> view.Page:
        return view.analyze_page(values, details=False)

    workload = getattr(request.app.state, "workload", None)
    page = await (workload.run(priced) if workload is not None else anyio.to_thread.run_sync(priced))
    if page.result is None:
        return render_page(request, values, status_code=422, page=page)
    scenario_id = await throttle.save_scenario(request, view.to_input(values), scenario_store(request))
    lang = "" if i18n.current() == i18n.DEFAULT else f"?lang={i18n.current()}"
    return RedirectResponse(f"{settings.public_url}/s/{scenario_id}{lang}", status_code=303)


def _page_or_422(values: dict[str, str]) -> view.Page:
    page = view.analyze_page(values)
    if page.result is None:
        detail = [{"field": name, "message": message} for name, message in page.errors.items()]
        raise HTTPException(status_code=422, detail=detail)
    return page


def pdf_reports(request: Request) -> PdfReports:
    """The app's bounded PDF renderer (one per app: its slots are per worker process)."""
    reports = getattr(request.app.state, "pdf_reports", None)
    if reports is None:
        reports = request.app.state.pdf_reports = PdfReports(slots=settings_of(request).pdf_slots)
    return reports


@router.get("/report.pdf")
async def report_pdf(request: Request) -> Response:
    values = view.form_values(_query(request))
    # the report prints the day, the defaults (rates, the law) follow it, its words the language
    key = (json.dumps(view.to_input(values), sort_keys=True), *cache.context())

    def render() -> bytes:
        from .report import render_pdf

        page = _page_or_422(values)
        return render_pdf(page, view.chart_set(page), share_query(page.values))

    pdf = await pdf_reports(request).get(key, render)
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
    page = _page_or_422(view.form_values(_query(request)))
    schedule = page.extras["schedule"]
    header = service.schedule_columns()  # in the page's language (figures and ISO dates as they are)
    rows: list[list[Any]] = [header]
    rows += [[r.n, r.date.isoformat(), r.payment, r.interest, r.principal, r.balance] for r in schedule.rows]
    return _csv(rows, "schedule.csv")


@router.get("/projection.csv")
def projection_csv(request: Request) -> Response:
    page = _page_or_422(view.form_values(_query(request)))
    from ..i18n import pgettext

    assert page.result is not None
    # the columns' names in the page's language (the figures stay as they are)
    header = [
        pgettext("CSV column", "age"),
        pgettext("CSV column", "no_loan"),
        pgettext("CSV column", "with_loan"),
    ]
    rows: list[list[Any]] = [header]
    rows += [[y.age, y.no_loan, y.with_loan] for y in page.result.balances.by_year]
    return _csv(rows, "projection.csv")
