"""One language per request: which one (`negotiate`), its words (`gettext` and friends, from
the one gettext catalogue in `locale/`), and numbers and dates written the way its readers
write them (Babel, US conventions: dollars stay dollars).

The current language lives in a ContextVar, so every face sets it once (`use_locale`, or
`LocaleMiddleware` for the web app) and every layer below reads it without passing it
around. A ContextVar follows `await`s and `anyio.to_thread.run_sync` (which copies the
context into the worker thread: that is how `api.Workload` and FastAPI's sync routes run),
but not a plain thread or `loop.run_in_executor`: wrap the function with `bind_locale`
there. docs/i18n.md says how to mark a string and how the catalogue is built.

The catalogue: `locale/<lang>/LC_MESSAGES/messages.mo`, compiled from the `.po` by
`make install`. When the `.mo` is missing or older than its `.po` (a checkout without
`make install`, a `.po` just edited), the `.po` is compiled in memory instead, with a
warning; with neither, the language falls back to English with an error in the log.
`catalogue_problems()` lists what is missing or stale (tests/i18n fails on it).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import logging
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any, ParamSpec, TypeVar
from urllib.parse import parse_qsl

from babel.dates import format_date, format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
from babel.support import LazyProxy, NullTranslations, Translations

log = logging.getLogger(__name__)

DEFAULT = "en"
#: The languages the product speaks; the first is the default (the msgids are its text).
LOCALES = ("en", "es")
#: The language's own name, for a language switch.
NAMES = {"en": "English", "es": "Español"}
#: Babel's locale for numbers and dates: US readers in both languages ("$15,000", "10.5%").
FORMAT_LOCALES = {"en": "en_US", "es": "es_US"}
DOMAIN = "messages"
LOCALE_DIR = Path(__file__).parent / "locale"
#: At most this much of an Accept-Language header is read (a header of megabytes is not parsed).
MAX_HEADER = 1024

_current: ContextVar[str] = ContextVar("loan401k_locale", default=DEFAULT)

P = ParamSpec("P")
R = TypeVar("R")


# --------------------------------------------------------------------------- which language


def supported(tag: str | None) -> str | None:
    """The supported language a tag names ("es", "ES", "es-US", "es_MX" -> "es"), or None."""
    if not tag:
        return None
    primary = tag.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LOCALES else None


def parse_accept_language(header: str | None) -> list[tuple[str, float]]:
    """Accept-Language as (tag, q) pairs, most wanted first (RFC 9110 §12.5.4): q from 0 to 1,
    1 when absent; a range with a malformed q is dropped; equal q keep the header's order."""
    ranges: list[tuple[str, float]] = []
    for item in (header or "")[:MAX_HEADER].split(","):
        tag, *parameters = (part.strip() for part in item.split(";"))
        if not tag:
            continue
        q = 1.0
        for parameter in parameters:
            name, _sep, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value.strip())
                except ValueError:
                    q = -1.0
                if not 0.0 <= q <= 1.0:  # also NaN
                    q = -1.0
        if q >= 0.0:
            ranges.append((tag, q))
    return sorted(ranges, key=lambda pair: -pair[1])  # sorted() is stable


def negotiate(query_lang: str | None = None, accept_language: str | None = None) -> str:
    """The language to answer in: an explicit, supported `lang` (a `?lang=` parameter, a CLI
    flag) wins; otherwise the most wanted supported language of the Accept-Language header
    (q=0 refuses one; `*` is any language not refused, English first); otherwise English.
    An unsupported `lang` is ignored, not an error: the header decides."""
    explicit = supported(query_lang)
    if explicit is not None:
        return explicit
    ranges = parse_accept_language(accept_language)
    refused = {supported(tag) for tag, q in ranges if q == 0.0} - {None}
    for tag, q in ranges:
        if q == 0.0:
            continue
        if tag == "*":
            for locale in LOCALES:
                if locale not in refused:
                    return locale
            continue
        match = supported(tag)
        if match is not None and match not in refused:
            return match
    return DEFAULT


def current() -> str:
    """The language of the request (or command) being answered."""
    return _current.get()


@contextmanager
def use_locale(locale: str) -> Iterator[str]:
    """Run the block in `locale` ("es", "es-US"); an unsupported one is a ValueError (negotiate
    first when the language comes from outside)."""
    chosen = supported(locale)
    if chosen is None:
        raise ValueError(f"unsupported locale {locale!r}; supported: {', '.join(LOCALES)}")
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def bind_locale(function: Callable[P, R], locale: str | None = None) -> Callable[P, R]:
    """`function`, run under `locale` (default: the current one, taken now) wherever it is
    called: for a plain thread, a ThreadPoolExecutor or `loop.run_in_executor`, which do not
    copy the context (anyio.to_thread.run_sync does; it needs no wrapper)."""
    chosen = supported(locale) if locale is not None else current()
    if chosen is None:
        raise ValueError(f"unsupported locale {locale!r}; supported: {', '.join(LOCALES)}")

    @functools.wraps(function)
    def in_locale(*args: P.args, **kwargs: P.kwargs) -> R:
        with use_locale(chosen):
            return function(*args, **kwargs)

    return in_locale


# --------------------------------------------------------------------------- the catalogue


def catalogue_paths(locale: str) -> tuple[Path, Path]:
    """The compiled catalogue of `locale` and the .po it is compiled from."""
    folder = LOCALE_DIR / locale / "LC_MESSAGES"
    return folder / f"{DOMAIN}.mo", folder / f"{DOMAIN}.po"


def compile_po(po: Path) -> Translations:
    """The .po's translations, compiled in memory (untranslated and fuzzy entries left out, as
    `pybabel compile` leaves them out)."""
    with po.open("rb") as source:
        catalog = read_po(source, domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


@functools.cache
def translations(locale: str) -> NullTranslations:
    """The translations of `locale`, loaded once a process (English: the msgids themselves)."""
    if locale == DEFAULT:
        return NullTranslations()
    mo, po = catalogue_paths(locale)
    if mo.is_file() and not (po.is_file() and po.stat().st_mtime > mo.stat().st_mtime):
        with mo.open("rb") as compiled:
            return Translations(compiled, domain=DOMAIN)
    if po.is_file():
        log.warning("%s is missing or older than its .po: compiled in memory (run make install)", mo)
        return compile_po(po)
    log.error("no catalogue for %r (%s): its pages are shown in English", locale, po)
    return NullTranslations()


def catalogue_problems() -> list[str]:
    """What would make a language fall back: a .po missing, a .mo missing or older than its .po."""
    problems = []
    for locale in LOCALES:
        if locale == DEFAULT:
            continue
        mo, po = catalogue_paths(locale)
        if not po.is_file():
            problems.append(f"{po} is missing: {locale} would be shown in English")
        elif not mo.is_file():
            problems.append(f"{mo} is missing: run make install (pybabel compile)")
        elif po.stat().st_mtime > mo.stat().st_mtime:
            problems.append(f"{mo} is older than {po.name}: run make install (pybabel compile)")
    return problems


def gettext(message: str) -> str:
    """`message` in the current language. Placeholders are filled after: `_("… {amount} …")
    .format(amount=…)`, never by gluing translated fragments together."""
    return translations(current()).gettext(message)


_ = gettext


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural of the current language for `n` (Spanish, like English, has two
    forms; the catalogue's Plural-Forms header decides)."""
    return translations(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """`message` in the current language, for one `context` where the same English word is
    translated differently ("Term" of a loan, "term" of a plan)."""
    return str(translations(current()).pgettext(context, message))  # typed `object` by Babel


def npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return str(translations(current()).npgettext(context, singular, plural, n))


def N_(message: str) -> str:
    """Marks `message` for the catalogue without translating it: for a table of module-level
    texts translated where they are shown (`_(TITLES[status])`)."""
    return message


def lazy_gettext(message: str) -> LazyProxy:
    """`message`, translated each time it is turned into text, in the language current then:
    for a module-level constant handed around as a string. Prefer `N_` and translating at
    the point of use: a LazyProxy is not a `str` (Pydantic, json and `isinstance` refuse it)."""
    return LazyProxy(gettext, message, enable_cache=False)


# --------------------------------------------------------------------------- numbers and dates


def format_locale(locale: str | None = None) -> str:
    """Babel's locale for numbers and dates in `locale` (default: the current language)."""
    return FORMAT_LOCALES[locale or current()]


def _rounded(value: Decimal | float | int, places: int) -> Decimal:
    # the faces' rounding (money.usd's f-string: correctly rounded floats, Decimals half-even),
    # so a figure reads the same in every language and on every face; no "-$0"
    text = f"{value:.{places}f}"
    number = Decimal(text)
    return abs(number) if number == 0 else number


def currency(value: Decimal | float | int, whole: bool = False, auto: bool = False) -> str:
    """US dollars for the current language's readers: "$1,234.56", "-$2,649.08" in English and
    US Spanish alike (es_US: the dollar sign before the figure, a comma for thousands and a
    point for cents, as US Spanish readers see on their pay stubs and on IRS pages). Same
    arguments as `money.usd`: `whole` drops cents, `auto` drops ".00"."""
    places = 0 if whole else 2
    number = _rounded(value, places)
    if auto and number == number.to_integral_value():
        places = 0
    locale = format_locale()
    if _us_style(locale):  # what Babel writes for this locale, without its per-call parsing
        text = f"${abs(number):,.{places}f}"
        return "-" + text if number < 0 else text
    pattern = "¤#,##0" if places == 0 else "¤#,##0.00"
    return format_currency(number, "USD", format=pattern, locale=locale, currency_digits=False)


@functools.cache
def _us_style(locale: str) -> bool:
    """True when Babel writes dollars in `locale` as "-$1,234.56" (en_US and es_US do): then
    `currency` formats them itself, the same text at a twentieth of the cost (an analysis
    writes about sixty amounts). Checked once per locale on Babel's own output."""
    samples = {
        Decimal("-1234567.89"): "-$1,234,567.89",
        Decimal("0.5"): "$0.50",
        Decimal("1000"): "$1,000.00",
    }
    return all(
        format_currency(value, "USD", format="¤#,##0.00", locale=locale, currency_digits=False) == text
        for value, text in samples.items()
    )


def percent(value: Decimal | float | int, max_digits: int = 2, min_digits: int = 0) -> str:
    """A percent given in percent units (6.75 -> "6.75%", 7 -> "7%"), as IRS Spanish pages
    write it too ("impuesto adicional del 10%"), with at most `max_digits` decimals."""
    decimals = "0" * min_digits + "#" * max(max_digits - min_digits, 0)
    pattern = f"#,##0.{decimals}%" if decimals else "#,##0%"
    locale = format_locale()
    if _us_style(locale):  # the same text as Babel's, without its per-call parsing
        return _fixed(value, max_digits, min_digits) + "%"
    fraction = Decimal(str(value)) / 100 if isinstance(value, float) else Decimal(value) / 100
    return format_percent(fraction, format=pattern, locale=locale, decimal_quantization=True)


def decimal(value: Decimal | float | int, max_digits: int = 2, min_digits: int = 0) -> str:
    """A plain number with the locale's separators ("1,234.5")."""
    decimals = "0" * min_digits + "#" * max(max_digits - min_digits, 0)
    pattern = f"#,##0.{decimals}" if decimals else "#,##0"
    locale = format_locale()
    if _us_style(locale):
        return _fixed(value, max_digits, min_digits)
    return format_decimal(value, format=pattern, locale=locale)


def _fixed(value: Decimal | float | int, max_digits: int, min_digits: int) -> str:
    """What Babel writes for `value` with the pattern "#,##0.0…#" in a US-style locale
    (en_US, es_US: "-1,234.5"): a float read through its shortest repr, rounded half-even
    to `max_digits` decimals, zeros dropped down to `min_digits`, commas for thousands.
    tests/i18n/test_formatting.py compares it with Babel's own output."""
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    number = number.quantize(Decimal(1).scaleb(-max_digits), rounding=ROUND_HALF_EVEN)
    text = f"{abs(number):,f}"
    if max_digits > min_digits and "." in text:
        head, tail = text.split(".")
        tail = tail.rstrip("0").ljust(min_digits, "0")
        text = f"{head}.{tail}" if tail else head
    return "-" + text if number.is_signed() else text  # Babel keeps the sign of a "-0"


def date_long(day: dt.date) -> str:
    """The long date: "March 1, 2027" / "1 de marzo de 2027"."""
    return format_date(day, "long", locale=format_locale())


def date_short(day: dt.date) -> str:
    """The short date: "Mar 1, 2027" / "1 mar 2027". Never all digits: US readers take 1/3/2027 as January 3,
    Spanish-speaking readers as March 1 (CLDR's es_US short date is d/M/y), so a short date
    spells its month."""
    return format_date(day, "medium", locale=format_locale())


def month_year(day: dt.date) -> str:
    """The month: "March 2027" / "marzo de 2027"."""
    return format_skeleton("yMMMM", day, locale=format_locale())


# --------------------------------------------------------------------------- the web app

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def locale_of_scope(scope: Scope) -> tuple[str, bool]:
    """The language an ASGI request asks for, and whether Accept-Language was consulted."""
    query = scope.get("query_string", b"").decode("latin-1")
    explicit = next((value for name, value in parse_qsl(query) if name == "lang"), None)
    if supported(explicit) is not None:
        return negotiate(explicit, None), False
    header = b", ".join(
        value for name, value in scope.get("headers", []) if name.lower() == b"accept-language"
    )
    return negotiate(None, header.decode("latin-1")), True


class LocaleMiddleware:
    """Each HTTP request runs in the language it asks for (`?lang=`, else Accept-Language,
    else English): pages, API error messages, the PDF. A response chosen by the header says
    so (`Vary: Accept-Language`), so a shared cache keeps one copy per language.

    Plain ASGI, added outermost in `app.create_app` (`app.add_middleware(LocaleMiddleware)`
    after `Guard`), so Guard's own error pages are in the request's language too."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        locale, by_header = locale_of_scope(scope)

        async def send_with_vary(message: Message) -> None:
            if by_header and message["type"] == "http.response.start":
                headers = [(name, value) for name, value in message.get("headers", [])]
                varies = [value for name, value in headers if name.lower() == b"vary"]
                if not any(b"accept-language" in value.lower() or value.strip() == b"*" for value in varies):
                    headers.append((b"vary", b"Accept-Language"))
                message = {**message, "headers": headers}
            await send(message)

        token = _current.set(locale)
        try:
            await self.app(scope, receive, send_with_vary)
        finally:
            _current.reset(token)


def extract_citations(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor for the parameter files (babel.cfg): each file's `citation:` line, the
    source a default is shown with ("Default 7.75%: Wall Street Journal prime rate …"). The
    faces translate it where they show it (web/words.plain_citation); the law's own references
    (IRC §72(p)(2)(B)) read the same in Spanish, and their msgstr repeats them."""
    import yaml

    for lineno, raw in enumerate(fileobj, 1):
        line = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        if line.startswith("citation:"):
            text = yaml.safe_load(line)["citation"]
            if text:
                yield (
                    lineno,
                    "_",
                    str(text),
                    ["TRANSLATORS: the source of a default; keep the law's references as they are"],
                )
