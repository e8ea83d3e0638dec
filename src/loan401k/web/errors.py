"""HTML error pages for the page routes (the API keeps its JSON error shape).

A person who follows a mistyped /s/{id} link, or whose save is refused, gets a page in the
calculator's own look with what happened and a way back, not a JSON body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import HTMLResponse

#: Paths whose errors stay JSON: the API, its schema, the health check, static files.
JSON_PREFIXES = ("/api/", "/openapi.json", "/healthz", "/static/", "/docs")

TITLES = {
    400: "That request could not be read",
    403: "That save was refused",
    404: "Page not found",
    405: "That is not something this page does",
    413: "That request is too large",
    415: "That request is not UTF-8",
    422: "Some fields need fixing",
    429: "Too many saves",
    500: "Something went wrong on our side",
    503: "The calculator is busy",
}
MESSAGES = {
    404: "There is nothing at this address. The link may be mistyped or cut short.",
    405: "This address does not take that kind of request.",
    500: "The error has been logged. Please try again in a moment.",
    503: "Too many people are asking at once. Please try again in a few seconds.",
}


#: Downloads: an HTML page for a browser that follows the link, the JSON shape for a
#: program (which asks for anything, `*/*`, and reads `detail`).
DOWNLOADS = ("/report.pdf", "/schedule.csv", "/projection.csv", "/fragment")


def is_page(path: str, accept: str = "") -> bool:
    """Whether an error at `path` is shown as an HTML page (the calculator's routes)."""
    if path.startswith(JSON_PREFIXES):
        return False
    if path in DOWNLOADS:
        return "text/html" in accept
    return True


def html_error(
    status: int,
    message: str | None = None,
    problems: list[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    from .templating import templates

    body = templates.env.get_template("error.html").render(
        title=TITLES.get(status, "Something went wrong"),
        message=message or MESSAGES.get(status, ""),
        problems=problems or [],
    )
    return HTMLResponse(body, status_code=status, headers=dict(headers or {}))
