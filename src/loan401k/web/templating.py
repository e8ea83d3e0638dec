"""The page's Jinja2 environment: templates, filters and globals, shared by the page and the
PDF report (which renders the same templates)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.support import LazyProxy
from fastapi.templating import Jinja2Templates

from .. import __version__, i18n
from . import view

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))


def usd(value: Any, cents: bool = False) -> str:
    """Dollars in the current language (i18n.currency), with a true minus sign: "−$1,234"."""
    if value is None:
        return "–"
    text = i18n.currency(float(value), whole=not cents)
    return "−" + text[1:] if text.startswith("-") else text


def usd_auto(value: Any) -> str:
    """Cents only where they matter: under $100."""
    return usd(value, cents=abs(float(value)) < 100)


def first_of_each_year(rows: Any) -> list[Any]:
    """The first row listed in each year of the loan (rows with a `month`, 1 = the first):
    a month-by-month table summed up for paper, whether every month is listed or a sample."""
    out, seen = [], set()
    for row in rows:
        year = (int(row.month) - 1) // 12
        if year not in seen:
            seen.add(year)
            out.append(row)
    return out


templates.env.filters["usd"] = usd
templates.env.filters["first_of_each_year"] = first_of_each_year
templates.env.filters["usd_auto"] = usd_auto
templates.env.filters["cite"] = view.plain_citation
templates.env.globals.update(view=view, version=__version__)

# The catalogue (docs/i18n.md): `{% trans %}…{% endtrans %}` and `_("…")` in the templates
# read the request's language (i18n's ContextVar) at render time. Newstyle: `%(name)s`
# placeholders filled and escaped by Jinja, so a literal percent sign is written `%%`.
# Trimmed, as babel.cfg extracts them, so the msgids match.
templates.env.add_extension("jinja2.ext.i18n")
templates.env.policies["ext.i18n.trimmed"] = True
templates.env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
    gettext=i18n.gettext,
    ngettext=i18n.ngettext,
    pgettext=i18n.pgettext,
    npgettext=i18n.npgettext,
    newstyle=True,
)
templates.env.filters.update(
    money=i18n.currency,  # {{ x|money }}, {{ x|money(whole=True) }}: i18n.currency's own format
    percent=i18n.percent,  # {{ 6.75|percent }} -> "6.75%"
    number=i18n.decimal,
    date_long=i18n.date_long,  # "March 1, 2027" / "1 de marzo de 2027"
    date_short=i18n.date_short,  # "Mar 1, 2027" / "1 mar 2027"
    month_year=i18n.month_year,  # "March 2027" / "marzo de 2027"
)
# `{{ lang }}`: the current language ("en", "es"), read at each render (`<html lang>`).
templates.env.globals["lang"] = LazyProxy(i18n.current, enable_cache=False)
