"""The embeddable calculator (`/embed?plan=ID`): the page without its chrome, for an iframe on
a benefits site. Which sites may frame it is the deployment's choice, nothing by default:
`LOAN401K_EMBED_ORIGINS` lists the allowed parent origins ("https://benefits.example.com
https://hr.example.org"), sent as the CSP `frame-ancestors` (docs/embed.md)."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

EMBED_ORIGINS_ENV = "LOAN401K_EMBED_ORIGINS"
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors {ancestors}"
)
_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def allowed_origins() -> tuple[str, ...]:
    """The configured parent origins, each scheme://host[:port]; a bad one is an error."""
    origins = []
    for part in os.environ.get(EMBED_ORIGINS_ENV, "").replace(",", " ").split():
        parts = urlsplit(part)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
            raise ValueError(
                f"{EMBED_ORIGINS_ENV}: {part!r} is not an origin such as https://benefits.example.com"
            )
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return tuple(origins)


def headers() -> dict[str, str]:
    """The embed's own security headers: framing allowed only from the configured origins."""
    origins = allowed_origins()
    ancestors = " ".join(origins) if origins else "'none'"
    # frame-ancestors decides in every browser that reads CSP; X-Frame-Options, for the
    # others, allows no cross-origin framing at all
    return {
        "content-security-policy": PAGE_POLICY.format(ancestors=ancestors),
        "x-frame-options": "SAMEORIGIN",
    }


def theme_css(accent: str | None) -> str:
    """The plan's accent colour as a stylesheet (the CSP allows no inline style)."""
    colour = accent if accent and _COLOUR.fullmatch(accent) else None
    if colour is None:
        return "/* the default accent */\n"
    return f":root {{ --accent: {colour}; }}\n"
