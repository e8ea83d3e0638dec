"""The form's save (POST /save) only from the calculator page itself (issue 17).

Two independent checks, both needing no server secret (so every worker agrees):

- the browser's word: `Sec-Fetch-Site` must be `same-origin` (or `none`, typed by the user),
  else `Origin`, when sent, must be this site (LOAN401K_PUBLIC_URL's origin when set, else
  the host the request was addressed to);
- a token: every page sets a random token in a `SameSite=Lax`, HttpOnly cookie and in a
  hidden `csrf_token` field of its form; a save must carry both, equal. Another site can
  make a browser post the form, but cannot read the token, and the browser does not send a
  Lax cookie with a cross-site post. (Lax, not Strict: a visitor who arrives from a link on
  another site keeps the token of the tab they already have open.)

The JSON API's save needs no token: a cross-site page cannot send `application/json`
without a CORS preflight, which this app never grants; it still refuses a browser that says
the request is cross-site.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from ..i18n import _
from ..throttle import cross_site

COOKIE = "loan401k_csrf"
FIELD = "csrf_token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def page_token(request: Request) -> tuple[str, bool]:
    """The token for a page: the browser's own (from its cookie), or a new one (True)."""
    existing = request.cookies.get(COOKIE, "")
    if _TOKEN.fullmatch(existing):
        return existing, False
    return secrets.token_urlsafe(32), True


def set_cookie(response: Response, token: str, *, secure: bool) -> None:
    response.set_cookie(COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")


def refusal(request: Request, form: Mapping[str, Any], origin: str = "") -> str | None:
    """Why this form post is refused, or None when it comes from the page itself."""
    if cross_site(request, origin):
        return _("This form can only be saved from the calculator page itself, not from another site.")
    cookie, field = request.cookies.get(COOKIE, ""), str(form.get(FIELD, ""))
    if not (_TOKEN.fullmatch(cookie) and secrets.compare_digest(cookie, field)):
        return _(
            "This save did not come with the page's token (the page may be old, or cookies are off). "
            "Reload the calculator page and save again."
        )
    return None
