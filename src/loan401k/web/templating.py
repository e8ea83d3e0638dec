"""The page's Jinja2 environment: templates, filters and globals, shared by the page and the
PDF report (which renders the same templates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from .. import __version__
from . import view

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def usd(value: Any, cents: bool = False) -> str:
    if value is None:
        return "–"
    number = float(value)
    text = f"${abs(number):,.2f}" if cents else f"${abs(number):,.0f}"
    return ("−" if number < 0 and text not in ("$0", "$0.00") else "") + text


def usd_auto(value: Any) -> str:
    """Cents only where they matter: under $100."""
    return usd(value, cents=abs(float(value)) < 100)


templates.env.filters["usd"] = usd
templates.env.filters["usd_auto"] = usd_auto
templates.env.filters["cite"] = view.plain_citation
templates.env.globals.update(view=view, version=__version__)
