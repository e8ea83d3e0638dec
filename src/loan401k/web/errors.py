"""HTML error pages for the page routes (the API keeps its JSON error shape).

A person who follows a mistyped /s/{id} link, or whose save is refused, gets a page in the
calculator's own look with what happened and a way back, not a JSON body.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import HTMLResponse

from ..i18n import N_, gettext

#: Paths whose errors stay JSON: the API, its schema, the health check, static files.
JSON_PREFIXES = ("/api/", "/openapi.json", "/healthz", "/static/", "/docs")

# English msgids (N_: in the catalogue), translated when the page is shown (html_error).
TITLES = {
    400: N_("That request could not be read"),
    403: N_("That save was refused"),
    404: N_("Page not found"),
    405: N_("That is not something this page does"),
    413: N_("That request is too large"),
    415: N_("That request is not UTF-8"),
    422: N_("Some fields need fixing"),
    429: N_("Too many saves"),
    500: N_("Something went wrong on our side"),
    503: N_("The calculator is busy"),
}
DEFAULT_TITLE = N_("Something went wrong")
MESSAGES = {
    404: N_("There is nothing at this address. The link may be mistyped or cut short."),
    405: N_("This address does not take that kind of request."),
    500: N_("The error has been logged. Please try again in a moment."),
    503: N_("Too many people are asking at once. Please try again in a few seconds."),
}
#: Messages other modules pass to html_error, in the catalogue until their own module marks
#: them (issue 15, phase 2: then this entry goes). A message is looked up in the catalogue
#: when shown, so an English msgid from anywhere is shown in the reader's language.
PASSED_IN = (
    # web/pages.py, saved(): a /s/{id} with no scenario
    N_(
        "There is no saved scenario at this address. The link may be mistyped or cut short, "
        "or the scenario was saved on another server."
    ),
)


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


def _shown(text: str) -> str:
    return gettext(text) if text else ""  # gettext("") is the catalogue's header


def html_error(
    status: int,
    message: str | None = None,
    problems: list[Mapping[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HTMLResponse:
    from .templating import templates

    # Shown in the request's language (i18n's ContextVar): the titles and messages above, and
    # any passed-in text that is a msgid of the catalogue (an already translated text, or one
    # not in the catalogue, is shown as it is).
    body = templates.env.get_template("error.html").render(
        title=gettext(TITLES.get(status, DEFAULT_TITLE)),
        message=_shown(message or MESSAGES.get(status, "")),
        problems=[{**p, "message": _shown(str(p.get("message", "")))} for p in problems or []],
    )
    return HTMLResponse(body, status_code=status, headers=dict(headers or {}))
