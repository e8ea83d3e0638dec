"""The web application: `create_app()` builds it (uvicorn runs it with `factory=True`).

JSON API (api.py) + the calculator pages (web/, when present) + /healthz + /docs.
Every response carries strict security headers (a CSP without 'unsafe-inline'); request
bodies over 64 KiB get 413; every API error has one shape,
`{"detail": [{"field", "message", "loc"}]}`, and no input produces a 500 or a traceback.
Nothing here reaches the network: /docs serves Swagger UI vendored from npm.
"""

from __future__ import annotations

import codecs
import gc
import html
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import OperationalError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import __version__, i18n, openapi
from . import settings as configuration
from .answers import answer as _answer
from .answers import install_limit_handlers
from .answers import page_error as _page_error
from .api import Workload, error_items
from .api import router as api_router
from .cache import Answers
from .gate import Gate
from .i18n import _
from .models import InputError, Problem, parse_input
from .store import ScenarioStore
from .throttle import SaveQuota

log = logging.getLogger("loan401k.app")

MAX_BODY_BYTES = 64 * 1024
SAVES_PER_MINUTE_ENV = configuration.SAVES_PER_MINUTE_ENV
#: Saves running at once per worker (each in the save gate's own threads, never the pool
#: the pages share), and how many more may wait, how long, before a 503.
SAVE_SLOTS, SAVE_QUEUE, SAVE_WAIT_S = 4, 64, 5.0
STATIC_DIR = Path(__file__).parent / "web" / "static"
SWAGGER_DIR = STATIC_DIR / "vendor" / "swagger"
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


# --------------------------------------------------------------------------- middleware


class BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(
            413,
            detail=error_items([Problem(field="input", message=_too_large(MAX_BODY_BYTES))]),
        )


NOT_UTF8 = i18n.N_("the request body must be UTF-8 text (send JSON as UTF-8, with charset utf-8 or none)")


def _too_large(max_body: int) -> str:
    return _("request body is over {size} KiB").format(size=max_body // 1024)


class NotUTF8(HTTPException):
    def __init__(self) -> None:
        super().__init__(415, detail=error_items([Problem(field="input", message=_(NOT_UTF8))]))


def _charset(headers: dict[bytes, bytes]) -> str | None:
    """The charset parameter of the request's Content-Type, lowercased (None if absent)."""
    content_type = headers.get(b"content-type", b"").decode("latin-1")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _json_message(status: int, body: dict[str, Any]) -> tuple[Message, Message]:
    payload = JSONResponse(body, status_code=status)
    start = {"type": "http.response.start", "status": status, "headers": payload.raw_headers}
    return start, {"type": "http.response.body", "body": payload.body}


class Guard:
    """Outermost layer: security headers on every response, the body-size cap (declared
    Content-Length and bytes actually streamed), UTF-8 bodies only (415), HEAD answered as
    GET without the body, and a last-resort 500 without a traceback (an HTML page on the
    page routes)."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES):
        self.app, self.max_body = app, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        head = scope.get("method") == "HEAD"
        if head:  # every GET route answers HEAD: the same status and headers, no body
            scope = dict(scope) | {"method": "GET"}

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(raw=list(message.get("headers", [])))
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:  # a page may set its own, stricter policy
                        headers[name] = value
                message = {**message, "headers": headers.raw}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        async def reply(status: int, field: str, text: str) -> None:
            accept = request_headers.get(b"accept", b"").decode("latin-1")
            page = _page_error(scope.get("path", ""), accept) if status == 500 else None
            start: Message
            body: Message
            if page is not None:
                response = page(500)
                start = {"type": "http.response.start", "status": 500, "headers": response.raw_headers}
                body = {"type": "http.response.body", "body": response.body}
            else:
                detail = error_items([Problem(field=field, message=text)])
                start, body = _json_message(status, {"detail": detail})
            await send_with_headers(start)
            await send_with_headers(body)

        request_headers = dict(scope.get("headers", []))
        if _charset(request_headers) not in (None, "utf-8", "utf8"):
            await reply(415, "input", _(NOT_UTF8))
            return
        declared = request_headers.get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                await reply(400, "request", _("Content-Length is not a number"))
                return
            if int(declared) > self.max_body:
                await reply(413, "input", _too_large(self.max_body))
                return
        received = 0
        utf8 = codecs.getincrementaldecoder("utf-8")()

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                chunk = message.get("body", b"")
                received += len(chunk)
                if received > self.max_body:
                    raise BodyTooLarge()
                try:
                    utf8.decode(chunk, final=not message.get("more_body", False))
                except UnicodeDecodeError:
                    raise NotUTF8() from None
            return message

        try:
            await self.app(scope, counting_receive, send_with_headers)
        except Exception as exc:
            if started:
                raise  # the response is half sent; the server can only close the connection
            if isinstance(exc, BodyTooLarge):
                await reply(413, "input", _too_large(self.max_body))
                return
            if isinstance(exc, NotUTF8):
                await reply(415, "input", _(NOT_UTF8))
                return
            log.exception("unhandled error on %s %s", scope.get("method"), scope.get("path"))
            await reply(500, "request", _("internal error; it has been logged"))


# --------------------------------------------------------------------------- error handlers


def _error_response(
    status: int, problems: list[Problem], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"detail": error_items(problems)}, status_code=status, headers=headers)


NOT_JSON = i18n.N_("send the input fields as a JSON object, with Content-Type: application/json")


def _validation_problems(exc: RequestValidationError) -> list[Problem]:
    """The CLI's own messages: re-validate the raw body with parse_input."""
    errors = exc.errors()
    for error in errors:
        if error.get("type") == "json_invalid":
            # the JSON parser's own reason ("Expecting value") stays as Python's json writes it
            reason = (error.get("ctx") or {}).get("error", "syntax error")
            where = error["loc"][-1] if error.get("loc") else "?"
            message = _("not valid JSON: {reason} (at character {where})").format(reason=reason, where=where)
            return [Problem(field="input", message=message)]
    body = getattr(exc, "body", None)
    if body is None or isinstance(body, bytes | str):
        return [Problem(field="input", message=_(NOT_JSON))]
    try:
        parse_input(body)
    except InputError as input_error:
        return input_error.problems
    # FastAPI saw a problem parse_input did not: report FastAPI's own words.
    return [
        Problem(
            field=".".join(str(p) for p in error.get("loc", ()) if p != "body") or "input",
            message=str(error.get("msg", "invalid")),
        )
        for error in errors
    ]


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InputError)
    async def on_input_error(request: Request, exc: InputError) -> JSONResponse:
        return _error_response(422, exc.problems)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error_response(422, _validation_problems(exc))

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        headers = dict(exc.headers or {})
        if isinstance(exc.detail, list):  # already in the API's shape (api.http_error)
            if _page_error(request.url.path, request.headers.get("accept", "")) is not None:
                items = [(str(i.get("field")), str(i.get("message"))) for i in exc.detail]
                problems = [Problem(field=field, message=message) for field, message in items]
                return _answer(request, exc.status_code, problems, headers)
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)
        if exc.status_code == 400 and request.method == "POST":
            # FastAPI's "error parsing the body": JSON Python cannot load (nested too deeply,
            # an integer of thousands of digits).
            message = _("not valid JSON input; {how}").format(how=_(NOT_JSON))
            return _error_response(400, [Problem(field="input", message=message)])
        return _answer(request, exc.status_code, [Problem(field="request", message=str(exc.detail))], headers)

    @app.exception_handler(OperationalError)
    async def on_store_down(request: Request, exc: OperationalError) -> Response:
        log.error("scenario store unavailable: %s", exc.orig)
        problem = Problem(
            field="request", message=_("storage unavailable; retry in {seconds} s").format(seconds=5)
        )
        return _answer(request, 503, [problem], {"Retry-After": "5"})

    install_limit_handlers(app)  # 429 and 503 with Retry-After (answers.py)


# --------------------------------------------------------------------------- docs


def _docs_page(app: FastAPI) -> str:
    if (SWAGGER_DIR / "swagger-ui-bundle.js").is_file():
        # Swagger UI from the vendored npm package; its start-up call lives in docs-init.js
        # because the CSP forbids inline scripts.
        return (
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f"<title>loan401k API {__version__}</title>"
            '<link rel="stylesheet" href="/static/vendor/swagger/swagger-ui.css"></head>'
            '<body><div id="swagger-ui"></div>'
            '<script src="/static/vendor/swagger/swagger-ui-bundle.js"></script>'
            '<script src="/static/vendor/swagger/docs-init.js"></script></body></html>'
        )
    # Without the vendored assets: a plain list of the endpoints, server-rendered.
    rows = "".join(
        f"<li><code>{html.escape(method.upper())} {html.escape(path)}</code> "
        f"{html.escape(operation.get('summary', ''))}</li>"
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>loan401k API {__version__}</title></head><body><h1>loan401k API</h1>"
        f'<p>Schema: <a href="/openapi.json">/openapi.json</a></p><ul>{rows}</ul></body></html>'
    )


# --------------------------------------------------------------------------- the app


def _include_pages(app: FastAPI) -> None:
    # The calculator pages are built separately in loan401k.web.pages; until that module
    # exists the app serves the API alone. Only its absence is tolerated: an error raised
    # inside the module still fails loudly.
    try:
        from .web.pages import router as pages_router
    except ModuleNotFoundError as exc:
        if exc.name not in ("loan401k.web", "loan401k.web.pages"):
            raise
        return
    app.include_router(pages_router)


_FROZEN = False


def create_app(database_url: str | None = None) -> FastAPI:
    """The app; scenarios in `database_url`, else LOAN401K_DATABASE_URL, else ./var/loan401k.db."""
    store = ScenarioStore(database_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far (modules, parameters, the app) lives as long as the
        # process: move it out of the garbage collector's sight, so a full collection only
        # walks the objects requests create (tens of ms less per collection under load).
        global _FROZEN
        if not _FROZEN:  # once a process (a test run may start many apps)
            gc.collect()
            gc.freeze()
            _FROZEN = True
        store.ensure_schema()
        yield
        store.close()

    app = FastAPI(
        title="loan401k",
        version=__version__,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        description="The true cost of a 401(k) loan. Each body equals `loan401k <command> --json` "
        "for the same input fields. Education, not advice.",
    )
    settings = configuration.from_environment()
    app.state.store = store
    app.state.settings = settings
    app.state.save_limiter = SaveQuota(limit=settings.saves_per_minute, total=settings.saves_per_minute_total)
    busy = "every save slot of this server process is taken"
    app.state.saves = Gate(busy, SAVE_SLOTS, SAVE_QUEUE, SAVE_WAIT_S)
    app.state.workload = Workload(
        heavy_queue=settings.simulation_queue, heavy_wait=settings.simulation_wait_s
    )
    # answers kept per input (loan401k.cache): the API's JSON and the page's HTML
    app.state.answers = Answers(settings.cache_mb * 2**20)
    app.state.pages = Answers(settings.cache_mb * 2**20)
    app.router.redirect_slashes = False  # its redirect would copy the Host header into Location
    _install_error_handlers(app)
    app.add_middleware(Guard)
    # the language of each request (?lang=, else Accept-Language): added last, so it is the
    # outermost layer and Guard's own error page is in the reader's language too
    app.add_middleware(i18n.LocaleMiddleware)

    @app.get("/healthz", tags=["health"], summary="Liveness check")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(_docs_page(app))

    app.include_router(api_router)
    _include_pages(app)
    openapi.install(app)
    if STATIC_DIR.is_dir():
        app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
