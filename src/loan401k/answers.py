"""Errors in the shape their route speaks: the API's JSON (`{"detail": [...]}`), or an HTML
page in the calculator's look on the page routes (web/errors.py). And the answers of the
limits (issue 17): 429 for too many saves, 503 for a busy database or a full gate, each with
Retry-After."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import TimeoutError as PoolTimeout

from .api import error_items
from .gate import Busy
from .i18n import N_, _
from .models import Problem
from .store import StoreBusy
from .throttle import SaveRefused


def page_error(path: str, accept: str = "") -> Any:
    """web.errors.html_error when `path` is a page route (and the pages are installed)."""
    try:
        from .web.errors import html_error, is_page
    except ModuleNotFoundError:
        return None
    return html_error if is_page(path, accept) else None


def answer(
    request: Request, status: int, problems: list[Problem], headers: dict[str, str] | None = None
) -> Response:
    """The error as the API's JSON shape, or as an HTML page on the page routes."""
    page = page_error(request.url.path, request.headers.get("accept", ""))
    if page is None:
        # Starlette's own words for a route or method that does not exist, in the reader's language
        problems = [
            p.model_copy(update={"message": _(p.message)}) if p.message in STARLETTE_WORDS else p
            for p in problems
        ]
        return JSONResponse({"detail": error_items(problems)}, status_code=status, headers=headers)
    fields = [p for p in problems if p.field not in ("request", "input")]
    listed = [{"field": p.field, "message": p.message} for p in fields]
    message = None if listed else "; ".join(p.message for p in problems) or None
    if status in (404, 405) and message in ("Not Found", "Method Not Allowed"):
        message = None  # Starlette's words: the page says it in its own
    response: Response = page(status, message, listed, headers)
    return response


#: Starlette's details of a 404 and a 405 (English in every language), for the catalogue.
STARLETTE_WORDS = (N_("Not Found"), N_("Method Not Allowed"))

#: What the scenario store says when it is busy (store.py raises StoreBusy with one of
#: these, in English), for the catalogue: translated in the handler below.
STORE_BUSY = (
    N_("the database is busy: other saves hold it"),
    N_("the database is busy: another writer holds its lock"),
    N_("the database is busy: every connection is in use"),
    N_("the database is busy; the saved scenario cannot be read now"),
)


def install_limit_handlers(app: FastAPI) -> None:
    @app.exception_handler(StoreBusy)
    async def on_store_busy(request: Request, exc: StoreBusy) -> Response:
        message = _("{reason}; retry in {seconds} s").format(reason=_(str(exc)), seconds=exc.retry_after)
        problem = Problem(field="request", message=message)
        return answer(request, 503, [problem], {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(PoolTimeout)
    async def on_pool_timeout(request: Request, exc: PoolTimeout) -> Response:
        message = _("{reason}; retry in {seconds} s").format(
            reason=_("the database is busy: every connection is in use"), seconds=2
        )
        return answer(request, 503, [Problem(field="request", message=message)], {"Retry-After": "2"})

    @app.exception_handler(Busy)
    async def on_busy(request: Request, exc: Busy) -> Response:
        problem = Problem(field="request", message=str(exc))
        return answer(request, 503, [problem], {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(SaveRefused)
    async def on_save_refused(request: Request, exc: SaveRefused) -> Response:
        problem = Problem(field="request", message=str(exc))
        return answer(request, 429, [problem], {"Retry-After": str(exc.retry_after)})
