"""A generator of hostile input values (issue 16), by class, for every face's tests.

Each class is a list of `Hostile(value, expect)` where `expect` says what the answer must be
whatever the endpoint: "refused" (a 422 that names the field), or "either" (a valid value
that may compute, or a 422 that names a field). The field lists are read off `LoanInput`,
so a field added later gets the number, date or choice classes without an edit here.

    numbers_as_text   huge and tiny exponents, NaN/Infinity, very long digit strings
    numbers_as_json   the same as JSON numbers (floats, big integers, NaN literals)
    foreign_digits    Arabic-Indic, Persian, Devanagari, fullwidth... digits: never a number
    calendar_ends     dates at the calendar's ends and just past the engine's range
    wrong_types       null, booleans, lists, objects, text where a number goes
    text_junk         what a plan id or a state code never is
    nested_junk       alternatives and criteria that are not what they should be
    term_frequency    every term x frequency at the edges, on month-end start dates
"""

from __future__ import annotations

import datetime as dt
import itertools
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from loan401k.models import Alternative, LoanInput
from loan401k.service.core import EARLIEST_START, LATEST_START

Expect = Literal["refused", "either"]


@dataclass(frozen=True)
class Hostile:
    value: Any
    expect: Expect
    note: str = ""


def _base_type(annotation: Any) -> Any:
    """Decimal, int, bool, dt.date, a Literal, list or a model, without Annotated/Optional."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _base_type(args[0])
    if origin in (typing.Union, __import__("types").UnionType) and len(args) == 1:
        return _base_type(args[0])
    return annotation


def fields_of(kind: Any, model: type = LoanInput) -> list[str]:
    """The model's fields of one base type (Decimal, int, dt.date, bool), in order."""
    found = []
    for name, field in model.model_fields.items():
        base = _base_type(field.annotation)
        if base is kind or (kind is Literal and typing.get_origin(base) is Literal):
            found.append(name)
    return found


NUMBER_FIELDS = fields_of(Decimal)  # Money and Pct
INT_FIELDS = fields_of(int)
DATE_FIELDS = fields_of(dt.date)
TEXT_FIELDS = fields_of(str)
BOOL_FIELDS = fields_of(bool)
CHOICE_FIELDS = fields_of(Literal)
ALTERNATIVE_NUMBERS = fields_of(Decimal, Alternative)

# --------------------------------------------------------------------------- classes

_LONG = 5000  # digits: past Python's 4,300-digit int limit, under the 64 KiB body limit

numbers_as_text: list[Hostile] = [
    *(
        Hostile(text, "refused", "exponent")
        for text in ("1e-1000000", "1e999999", "-1e999999", "1E+400", "1e-400", "1e-21", "1e16", "9e15")
    ),
    *(Hostile(text, "refused", "not finite") for text in ("NaN", "-NaN", "sNaN", "Infinity", "-inf", "inf")),
    Hostile("9" * _LONG, "refused", "long digit string"),
    Hostile("0." + "0" * _LONG + "1", "refused", "long fraction"),
    Hostile("1" + "0" * 40, "refused", "40 digits"),
    *(
        Hostile(text, "refused", "not a number")
        for text in ("0x10", "1_000", "1,5", "$", "--1", "1e", "e5", ".")
    ),
    *(Hostile(text, "either", "a number, maybe out of range") for text in ("-0", "+0", "0e-1000000", "0E+5")),
    *(Hostile(text, "either", "plain") for text in (".5", "5.", "1e1", "1E-2", " 12 ", "$1,000")),
]

numbers_as_json: list[Hostile] = [
    *(Hostile(number, "refused", "float edge") for number in (1e308, -1e308, 1e-320, 5e-324, 1e19)),
    *(Hostile(number, "refused", "not finite") for number in (float("nan"), float("inf"), float("-inf"))),
    *(Hostile(number, "refused", "big integer") for number in (2**63, -(2**63) - 1, 10**40, 10**4000)),
    *(Hostile(number, "either", "edge") for number in (-0.0, 0, 2**53 + 1, 0.1 + 0.2, 12.345, 0.005)),
]

#: 30 written in other scripts; Python's Decimal() and int() read most of them as 30.
foreign_digits: list[Hostile] = [
    Hostile(text, "refused", script)
    for text, script in (
        ("٣٠", "Arabic-Indic"),
        ("۳۰", "Persian"),
        ("३०", "Devanagari"),
        ("৩০", "Bengali"),
        ("๓๐", "Thai"),
        ("３０", "fullwidth"),
        ("3٠", "mixed"),
        ("٣٠.٥", "Arabic-Indic with a point"),
        ("١٥,٠٠٠", "Arabic-Indic with a comma"),
        ("３０，０００", "fullwidth comma"),
        ("𝟑𝟎", "mathematical bold"),
        ("³⁰", "superscript"),
        ("①", "circled"),
        ("30\u200b", "zero-width space"),
        ("30\x00", "NUL"),
    )
]

calendar_ends: list[Hostile] = [
    *(
        Hostile(text, "refused", "calendar end")
        for text in ("9999-12-31", "0001-01-01", "0000-01-01", "10000-01-01", "9999-12-32", "2025-02-29")
    ),
    Hostile((LATEST_START + dt.timedelta(days=1)).isoformat(), "refused", "a day after the range"),
    Hostile((EARLIEST_START - dt.timedelta(days=1)).isoformat(), "refused", "a day before the range"),
    Hostile(LATEST_START.isoformat(), "either", "the last start the engine can date"),
    Hostile(EARLIEST_START.isoformat(), "either", "the first start the law covers"),
    Hostile("2028-02-29", "either", "leap day"),
    *(Hostile(text, "refused", "not a date") for text in ("２０２６-01-01", "2026-1-1", "26-01-01", "today")),
    *(Hostile(value, "refused", "a number for a date") for value in (0, -1, 253402300800, 1e20)),
    Hostile("2026-01-01T12:30:00", "refused", "a time of day"),
]

#: for a number, a date or a choice (an integer field reads true as 1, as pydantic does)
wrong_types: list[Hostile] = [
    Hostile(None, "either", "null: the default, or required"),
    Hostile(True, "refused", "boolean"),
    Hostile(False, "refused", "boolean"),
    Hostile([], "refused", "list"),
    Hostile([1], "refused", "list"),
    Hostile({}, "refused", "object"),
    Hostile({"value": 1}, "refused", "object"),
    Hostile("", "either", "empty text: the default, or required"),
    Hostile("   ", "either", "blank text"),
    Hostile("<script>alert(1)</script>", "refused", "markup"),
    Hostile("'; DROP TABLE scenarios; --", "refused", "SQL"),
    Hostile("\ud800", "refused", "lone surrogate"),
    Hostile("x" * _LONG, "refused", "long text"),
]


#: for a free-text field (a plan id, a state code): what no pattern of theirs allows
text_junk: list[Hostile] = [
    *(Hostile(value, "refused", "not text") for value in (True, 5, [], {}, ["NY"])),
    *(Hostile(text, "refused", "no code") for text in ("x" * _LONG, "٣٠", "../../etc/passwd", "a b", "\x00")),
    *(Hostile(text, "either", "maybe unknown") for text in ("ZZ", "nope", "NY", "")),
]

bool_junk: list[Hostile] = [
    Hostile(None, "refused", "null"),
    Hostile(2, "refused", "a number not 0 or 1"),
    Hostile("maybe", "refused", "text"),
    Hostile([], "refused", "list"),
    Hostile({}, "refused", "object"),
    Hostile("١", "refused", "a foreign 1"),
    Hostile("on", "either", "a form's checkbox"),
]


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


nested_junk: list[tuple[str, Hostile]] = [
    *(("alternatives", h) for h in wrong_types if h.value not in ([], None, "")),
    ("alternatives", Hostile([{}], "refused", "no kind")),
    ("alternatives", Hostile([{"kind": "nope"}], "refused", "unknown kind")),
    ("alternatives", Hostile([{"kind": "heloc", "apr_pct": "1e-1000000"}], "refused", "tiny rate")),
    ("alternatives", Hostile([{"kind": "heloc", "apr_pct": "٢٢"}], "refused", "foreign digits")),
    ("alternatives", Hostile([{"kind": "custom", "apr_pct": 5, "term_months": 0}], "refused", "no term")),
    ("alternatives", Hostile([{"kind": "heloc", "apr_pct": 8}] * 21, "refused", "too many")),
    ("alternatives", Hostile([{"kind": "heloc", "apr_pct": 8, "apr": 8}], "refused", "unknown key")),
    ("alternatives", Hostile([{"kind": "heloc", "apr_pct": 8, "label": "x" * 81}], "refused", "long label")),
    ("alternatives", Hostile([{"kind": "heloc", "apr_pct": {"a": [1]}}], "refused", "object for a rate")),
    ("alternatives", Hostile([_deep(40)], "refused", "deep list")),
    (
        "alternatives",
        Hostile(
            [{"kind": "balance_transfer", "apr_pct": "1e-20", "promo_apr_pct": "1e-20"}], "either", "tiny"
        ),
    ),
    ("criteria", Hostile("yes", "refused", "text")),
    ("criteria", Hostile([], "refused", "list")),
    ("criteria", Hostile({"stable_job": {"a": []}}, "refused", "object for a boolean")),
    ("criteria", Hostile({"stabel_job": True}, "refused", "typo")),
    ("criteria", Hostile({"stable_job": "maybe"}, "refused", "not a boolean")),
    ("criteria", Hostile(_deep(40), "refused", "deep list")),
]

FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly", "quarterly")
#: terms at every edge: under one period, around a quarter, a year, the 5-year general cap,
#: the 30-year residence cap and the field's 480 maximum, and outside the field's range
EDGE_TERMS = (-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 59, 60, 61, 359, 360, 361, 480, 481)
#: month ends (the day is clamped), a mid-month day, a leap day
EDGE_STARTS = ("2026-01-31", "2026-02-28", "2026-04-30", "2026-01-15", "2028-02-29")


def term_frequency() -> Iterator[dict[str, Any]]:
    """Every term x frequency x purpose at the edges, on each edge start date."""
    for term, frequency, purpose, start in itertools.product(
        EDGE_TERMS, FREQUENCIES, ("general", "residence"), EDGE_STARTS
    ):
        yield {"term_months": term, "frequency": frequency, "purpose": purpose, "start_date": start}


def number_values() -> list[Hostile]:
    return numbers_as_text + numbers_as_json + foreign_digits


def field_cases() -> Iterator[tuple[str, str, Hostile]]:
    """(class, field, value): each class on the fields it is hostile to. The values of a
    class are dealt to the fields in turn, so every value and every field is used."""
    targets: list[tuple[str, list[Hostile], list[str]]] = [
        ("numbers", number_values(), NUMBER_FIELDS),
        ("numbers", number_values(), INT_FIELDS),
        ("dates", calendar_ends, DATE_FIELDS),
        ("types", wrong_types, NUMBER_FIELDS + DATE_FIELDS + CHOICE_FIELDS),
        ("types", [_lenient(h) for h in wrong_types], INT_FIELDS),
        ("types", bool_junk, BOOL_FIELDS),
        ("types", text_junk, TEXT_FIELDS),
    ]
    for name, values, fields in targets:
        for index in range(max(len(values), len(fields))):
            yield name, fields[index % len(fields)], values[index % len(values)]
    for field, hostile in nested_junk:
        yield "nested", field, hostile
    for index, hostile in enumerate(number_values()):
        field = ALTERNATIVE_NUMBERS[index % len(ALTERNATIVE_NUMBERS)]
        yield "nested", f"alternatives.0.{field}", hostile


def _lenient(hostile: Hostile) -> Hostile:
    """An integer field reads true/false as 1/0 (pydantic's lax mode): maybe in range."""
    if isinstance(hostile.value, bool):
        return Hostile(hostile.value, "either", hostile.note)
    return hostile


def place(body: dict[str, Any], field: str, value: Any) -> dict[str, Any]:
    """A copy of `body` with `value` at the dotted `field` ("alternatives.0.apr_pct")."""
    head, _, rest = field.partition(".")
    out = dict(body)
    if not rest:
        out[head] = value
        return out
    index, _, name = rest.partition(".")
    items = [dict(item) for item in out.get(head) or [{"kind": "custom"}]]
    items[int(index)][name] = value
    out[head] = items
    return out
