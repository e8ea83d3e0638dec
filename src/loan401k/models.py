"""The one request/response schema every face shares (library, CLI, API, web).

Field names follow CONTRACT.md. Money is Decimal (≤ 2 decimals in, cents out) and is
written to JSON as a number; rates are percent and end in `_pct`. Unknown fields are
an error, so a typo never passes silently.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationError,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from .i18n import N_, _, pgettext

_THOUSANDS = re.compile(r"-?\d{1,3}(,\d{3})+(\.\d*)?", re.ASCII)
#: A number as text: ASCII digits only. Python's Decimal() also reads Arabic-Indic or
#: fullwidth digits ("٣٠" is 30): the faces take them for a typo, never for a number.
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
#: No Money or Pct field allows 10^15 or more (money stops at MAX_MONEY): a longer number is
#: out of range before pydantic reads it (it would call "9" * 5000 "not a finite number").
_TOO_LARGE = 15
#: A rate to 20 decimal places of a percent is finer than any plan computes; "1e-1000000"
#: would be a million-digit number in every sentence that quotes it.
PCT_MAX_PLACES = 20


def _number(value: Any, max_places: int | None) -> Any:
    """A Decimal from 15000, "15000", "15,000", "$15,000" or 1.5e3 (the web form sends
    text), or the value as given for pydantic to refuse (lists, NaN); raises on text that is
    no number, true/false, a number out of every range or one with too many decimals."""
    if isinstance(value, str):
        cleaned = value.strip().replace("$", "").replace(" ", "")
        # commas only as thousands separators: "15,000" yes; "1,5" (a decimal comma) is an error
        if "," in cleaned and _THOUSANDS.fullmatch(cleaned):
            cleaned = cleaned.replace(",", "")
        if not cleaned:
            return None
        if not _NUMBER.fullmatch(cleaned):
            if any(char.isdigit() for char in cleaned if not char.isascii()):
                raise PydanticCustomError("decimal_parsing", "is not a number written with the digits 0-9")
            raise PydanticCustomError("decimal_parsing", "is not a number")
        number = Decimal(cleaned)
    elif isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "is a number, not true or false")
    elif isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float) and math.isfinite(value):
        number = Decimal(repr(value))  # the shortest repr: 0.1 is 0.1, not 0.1000000000000000055…
    else:
        return value
    if not number.is_finite():
        return value
    if not number:  # "-0" and "0e-1000000" are plain 0; "0.00" stays as written
        exponent = number.as_tuple().exponent
        assert isinstance(exponent, int)  # finite
        return number if not number.is_signed() and exponent >= -2 else _ZERO
    if number.adjusted() >= _TOO_LARGE:
        raise PydanticCustomError("number_too_large", "is out of range")
    if max_places is not None and _decimal_places(number) > max_places:
        raise PydanticCustomError(
            "decimal_max_places",
            "has more than {decimal_places} decimal places",
            {"decimal_places": max_places},
        )
    return number


def _decimal_places(number: Decimal) -> int:
    """Decimal places that are not trailing zeros: 1.50 has 1, 1E-5 has 5, 1E+3 has 0."""
    _, digits, exponent = number.as_tuple()
    assert isinstance(exponent, int)  # finite
    trailing = len(digits) - len(bytes(digits).rstrip(b"\0"))
    return max(0, -(exponent + trailing))


_ZERO = Decimal(0)


def _parse_money(value: Any) -> Any:
    """Dollars: pydantic then allows at most 2 decimal places (`Field(decimal_places=2)`)."""
    return _number(value, None)


def _parse_pct(value: Any) -> Any:
    """A percent: at most PCT_MAX_PLACES decimal places."""
    return _number(value, PCT_MAX_PLACES)


def _json_number(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)


_MoneyBase = Annotated[
    Decimal,
    BeforeValidator(_parse_money),
    Field(decimal_places=2, allow_inf_nan=False),
    PlainSerializer(_json_number, return_type=int | float, when_used="json"),
]
#: An exact dollar amount (input or output), written to JSON as a number.
Money = _MoneyBase
#: A rate in percent (6.5 means 6.5 %), exact.
Pct = Annotated[
    Decimal,
    BeforeValidator(_parse_pct),
    Field(allow_inf_nan=False),
    PlainSerializer(_json_number, return_type=int | float, when_used="json"),
]

FilingStatus = Literal["single", "married_joint", "married_separate", "head_of_household"]
Frequency = Literal["weekly", "biweekly", "semimonthly", "monthly", "quarterly"]
PAYMENTS_PER_YEAR: dict[str, int] = {
    "weekly": 52,
    "biweekly": 26,
    "semimonthly": 24,
    "monthly": 12,
    "quarterly": 4,
}
MAX_MONEY = 100_000_000


class Alternative(BaseModel):
    """Another way to raise the same cash (METHOD §8)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal[
        "credit_card", "balance_transfer", "personal_loan", "heloc", "hardship_withdrawal", "custom"
    ]
    label: str | None = Field(default=None, max_length=80)
    apr_pct: Annotated[Pct, Ge(0), Le(100)] | None = None
    term_months: Annotated[int, Ge(1), Le(360)] | None = None
    fee_pct: Annotated[Pct, Ge(0), Le(20)] | None = None
    fee: Annotated[Money, Ge(0), Le(1_000_000)] | None = None
    promo_months: Annotated[int, Ge(0), Le(60)] | None = None
    promo_apr_pct: Annotated[Pct, Ge(0), Le(100)] | None = None


class Criteria(BaseModel):
    """The guide's six criteria (METHOD §9): true, false, or unanswered (null)."""

    model_config = ConfigDict(extra="forbid")

    stable_job: bool | None = None
    repay_within_24_months: bool | None = None
    alternatives_exhausted: bool | None = None
    prevents_catastrophe: bool | None = None
    keeps_contributions: bool | None = None
    other_savings: bool | None = None


EventKind = Literal[
    "missed_payments",
    "leave",
    "military",
    "separation",
    "retirement",
    "refinance",
    "extra_payment",
    "payoff",
    "frequency_change",
]


class EventInput(BaseModel):
    """One dated event in the loan's life (`loan401k events`): `date`, or `start` and `end`
    for a leave or military service."""

    model_config = ConfigDict(extra="forbid")

    kind: EventKind
    date: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    count: Annotated[int, Ge(1), Le(60)] = 1  # missed_payments: how many installments in a row
    amount: Annotated[Money, Gt(0), Le(MAX_MONEY)] | None = None  # extra_payment; refinance: new loan
    term_months: Annotated[int, Ge(1), Le(360)] | None = None  # refinance
    annual_rate_pct: Annotated[Pct, Ge(0), Le(30)] | None = None  # refinance
    frequency: Frequency | None = None  # frequency_change; refinance
    structure: Literal["level", "split"] = "level"  # refinance (Treas. Reg. §1.72(p)-1 Q&A-20(a)(2))
    resume: bool = True  # missed_payments: regular payments resume after them (false: they stop)
    made_up_on: dt.date | None = None  # missed_payments: the day the arrears are paid in a lump


class LoanInput(BaseModel):
    """One input object for every face. `None` means "use the documented default"."""

    model_config = ConfigDict(extra="forbid", validate_default=False)

    # you
    age: Annotated[int, Ge(16), Le(100)] | None = None
    retirement_age: Annotated[int, Ge(30), Le(100)] = 65
    filing_status: FilingStatus = "single"
    taxable_income: Annotated[Money, Ge(0), Le(MAX_MONEY)] | None = None
    marginal_rate_pct: Annotated[Pct, Ge(0), Le(60)] = Decimal(22)
    state_rate_pct: Annotated[Pct, Ge(0), Le(20)] = Decimal(0)
    state: Annotated[str, Field(min_length=2, max_length=2, pattern="^[A-Za-z]{2}$")] | None = None
    years_of_service: Annotated[int, Ge(0), Le(70)] | None = None  # with the employer (public safety)
    retirement_tax_rate_pct: Annotated[Pct, Ge(0), Le(60)] | None = None
    tax_year: Annotated[int, Ge(2025), Le(2100)] | None = None
    public_safety_employee: bool = False
    separated_from_service: bool = False
    separation_year_age: Annotated[int, Ge(16), Le(100)] | None = None
    # your account
    vested_balance: Annotated[Money, Ge(0), Le(MAX_MONEY)] | None = None
    outstanding_loan_balance: Annotated[Money, Ge(0), Le(MAX_MONEY)] = Decimal(0)
    highest_loan_balance_12m: Annotated[Money, Ge(0), Le(MAX_MONEY)] | None = None
    existing_loans: Annotated[int, Ge(0), Le(50)] = 0
    source: Literal["pretax", "roth"] = "pretax"
    # plan options
    allow_10k_floor: bool = False
    min_loan: Annotated[Money, Ge(0), Le(10_000)] = Decimal(1000)  # over $1,000: DOL safe harbor warning
    max_loans: Annotated[int, Ge(1), Le(50)] | None = None
    disaster_loan: bool = False
    origination_fee: Annotated[Money, Ge(0), Le(10_000)] = Decimal(0)
    annual_fee: Annotated[Money, Ge(0), Le(10_000)] = Decimal(0)
    # the loan
    amount: Annotated[Money, Gt(0), Le(MAX_MONEY)] | None = None
    net: Annotated[Money, Gt(0), Le(MAX_MONEY)] | None = None
    annual_rate_pct: Annotated[Pct, Ge(0), Le(30)] | None = None
    term_months: Annotated[int, Ge(1), Le(480)] = 60
    frequency: Frequency = "monthly"
    purpose: Literal["general", "residence"] = "general"
    rate_convention: Literal["nominal", "effective"] = "nominal"
    start_date: dt.date | None = None
    extra_payment: Annotated[Money, Ge(0), Le(MAX_MONEY)] = Decimal(0)
    payoff_month: Annotated[int, Ge(1), Le(480)] | None = None
    payment: Annotated[Money, Gt(0), Le(MAX_MONEY)] | None = None
    # your savings
    salary: Annotated[Money, Ge(0), Le(MAX_MONEY)] | None = None
    contribution_monthly: Annotated[Money, Ge(0), Le(1_000_000)] | None = None
    contribution_pct: Annotated[Pct, Ge(0), Le(100)] | None = None
    contribution_during_loan_monthly: Annotated[Money, Ge(0), Le(1_000_000)] | None = None
    contribution_during_loan_pct: Annotated[Pct, Ge(0), Le(100)] | None = None
    match_rate_pct: Annotated[Pct, Ge(0), Le(400)] = Decimal(0)
    match_limit_pct: Annotated[Pct, Ge(0), Le(100)] = Decimal(0)
    salary_growth_pct: Annotated[Pct, Ge(-20), Le(30)] = Decimal(0)
    # market and risk
    annual_return_pct: Annotated[Pct, Ge(-50), Le(50)] | None = None
    return_convention: Literal["effective", "nominal"] = "effective"
    inflation_pct: Annotated[Pct, Ge(-10), Le(30)] | None = None
    # money outside the plan (METHOD v2 §4): what spare cash earns during the repayment window,
    # and the taxable portfolio after it; outside_return_pct replaces both
    liquidity_rate_pct: Annotated[Pct, Ge(-50), Le(100)] | None = None
    carries_card_balance: bool = False  # then the liquidity rate is the card's APR
    outside_tax_drag_pct: Annotated[Pct, Ge(0), Le(100)] | None = None  # return lost to tax outside
    outside_return_pct: Annotated[Pct, Ge(-50), Le(100)] | None = None
    roth_earnings_pct: Annotated[Pct, Ge(0), Le(100)] | None = None  # earnings share of a Roth account
    offset_tax_timing: Literal["due_date", "separation"] = "due_date"
    job_loss_annual_pct: Annotated[Pct, Ge(0), Le(100)] | None = None
    cash_on_separation: Annotated[Money, Ge(0), Le(MAX_MONEY)] = Decimal(0)
    stock_pct: Annotated[Pct, Ge(0), Le(100)] = Decimal(80)
    paths: Annotated[int, Ge(1), Le(100_000)] = 10_000
    seed: Annotated[int, Ge(0), Le(2**63 - 1)] = 401
    model: Literal["bootstrap", "lognormal"] = "bootstrap"
    mean_pct: Annotated[Pct, Ge(-50), Le(50)] | None = None
    vol_pct: Annotated[Pct, Ge(0), Le(100)] | None = None
    # alternatives and the decision
    alternatives: list[Alternative] = Field(default_factory=list, max_length=20)
    criteria: Criteria = Field(default_factory=Criteria)
    # the employer's plan: a profile (its id, or the CLI's --plan FILE) and its type
    plan: Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")] | None = None
    plan_type: Literal["401k", "403b", "governmental_457b"] = "401k"
    # the loan's life (`events` only) and the plan's policy where the law leaves a choice
    events: list[EventInput] = Field(default_factory=list, max_length=50)
    cure_period_days: Annotated[int, Ge(0), Le(184)] | None = None  # None: the regulation's longest
    separation_policy: Literal["offset", "continue"] = "offset"
    separation_offset_days: Annotated[int, Ge(0), Le(365)] = 60
    leave_repayment: Literal["reamortize", "balloon"] = "reamortize"
    leave_reamortize_to: Literal["original_maturity", "latest_permissible"] = "original_maturity"
    deemed_loan_balance: Annotated[Money, Ge(0), Le(MAX_MONEY)] = Decimal(0)  # unrepaid, deemed distributed


# --------------------------------------------------------------------------- errors


class Problem(BaseModel):
    field: str
    message: str
    #: the path as a list when it is not plain `field.split(".")` (an unknown key may hold
    #: dots or digits of any script); None: derive it from `field`
    loc: list[str | int] | None = None


class InputError(ValueError):
    """Bad input: one problem per field, each naming the field and what is allowed."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))


def field_bounds(model: type[BaseModel], name: str) -> tuple[Any, Any, bool] | None:
    """(low, high, low is strict) of a field's range, or None for an unbounded field."""
    field = model.model_fields.get(name)
    if field is None:
        return None
    low: Any = None
    high: Any = None
    strict_low = False
    for meta in _flatten_metadata(field):
        if isinstance(meta, Ge):
            low = meta.ge
        elif isinstance(meta, Gt):
            low, strict_low = meta.gt, True
        elif isinstance(meta, Le):
            high = meta.le
    if low is None and high is None:
        return None
    return low, high, strict_low


def range_text(low: Any, high: Any, strict_low: bool = False) -> str:
    """The allowed range in the words every face uses (in the current language)."""
    if high is None:
        if strict_low:
            return _("allowed: more than {low}").format(low=f"{low:,}")
        return _("allowed: at least {low}").format(low=f"{low:,}")
    if low is None:
        return _("allowed: at most {high}").format(high=f"{high:,}")
    if strict_low:
        return _("allowed: more than {low} and up to {high}").format(low=f"{low:,}", high=f"{high:,}")
    return _("allowed range: {low} to {high}").format(low=f"{low:,}", high=f"{high:,}")


def _field_range(model: type[BaseModel], name: str) -> str:
    bounds = field_bounds(model, name)
    return "" if bounds is None else range_text(*bounds)


def _flatten_metadata(field: Any) -> list[Any]:
    found = list(field.metadata)
    annotation = field.annotation
    for arg in getattr(annotation, "__args__", ()):
        found.extend(getattr(arg, "__metadata__", ()))
    return found


def _shown(value: Any, limit: int = 40) -> str:
    """A bad value as quoted back in a message, cut short (a body may hold 64 KiB of junk)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plain(value: Any, limit: int = 40) -> str:
    """A number as quoted back in a range message ("500"), cut short like `_shown`."""
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: An unknown field's name is quoted back cut to this many characters (no field name is longer).
MAX_KEY_SHOWN = 64


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "input"


def _nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside a field's type: Criteria, list[Alternative], Alternative | None."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _nested_model(arg)
        if found is not None:
            return found
    return None


def _owner(model: type[BaseModel], loc: tuple[Any, ...]) -> tuple[type[BaseModel], str] | None:
    """The model that declares the field at `loc` (list indexes skipped) and its name:
    ("alternatives", 0, "apr_pct") -> (Alternative, "apr_pct")."""
    names = [str(part) for part in loc if not isinstance(part, int) and not str(part).isdigit()]
    current: type[BaseModel] | None = model
    for depth, name in enumerate(names):
        if current is None or name not in current.model_fields:
            return None
        if depth == len(names) - 1:
            return current, name
        current = _nested_model(current.model_fields[name].annotation)
    return None


def _range_at(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    owner = _owner(model, loc)
    if owner is None:
        return ""
    annotation = owner[0].model_fields[owner[1]].annotation
    if annotation is bool:
        return _("allowed: true or false")
    if annotation == bool | None:
        return _("allowed: true, false or null (unanswered)")
    return _field_range(*owner)


def _allowed_at(model: type[BaseModel], loc: tuple[Any, ...]) -> str:
    """What a field allows, for the errors that are not about a number's range."""
    owner = _owner(model, loc)
    if owner is None:
        return ""
    if range_ := _range_at(model, loc):
        return range_
    field = owner[0].model_fields[owner[1]]
    annotation, inner = field.annotation, _nested_model(field.annotation)
    metadata = _flatten_metadata(field)
    metadata += [m for info in metadata if isinstance(info, FieldInfo) for m in info.metadata]
    limit = next((m.max_length for m in metadata if getattr(m, "max_length", None) is not None), None)
    least = next((m.min_length for m in metadata if getattr(m, "min_length", None) is not None), None)
    pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None) is not None), None)
    if annotation in (dt.date, dt.date | None):
        return _("allowed: a date written YYYY-MM-DD")
    if get_origin(annotation) is Literal:
        # the choices are the API's own values: quoted as they are sent, in every language
        *most, last = (repr(value) for value in get_args(annotation))
        if most:
            return _("allowed: {choices} or {last}").format(choices=", ".join(most), last=last)
        return _("allowed: {last}").format(last=last)
    if inner is not None:
        # the fields by their names would be codes: the API's documentation lists them
        if get_origin(annotation) is list and not (loc and isinstance(loc[-1], int)):
            if limit:
                return _(
                    "allowed: a list of up to {limit} objects, "
                    "each of the fields the API's documentation lists"
                ).format(limit=limit)
            return _("allowed: a list of objects, each of the fields the API's documentation lists")
        return _("allowed: an object of the fields the API's documentation lists")
    if limit is not None:
        if least and least != limit:
            text = _("allowed: text of {least} to {limit} characters").format(least=least, limit=limit)
        elif least:
            text = _("allowed: text of {limit} characters").format(limit=limit)
        else:
            text = _("allowed: text of at most {limit} characters").format(limit=limit)
        shown = PATTERN_WORDS.get(pattern, "") if pattern else ""
        return text + (f", {_(shown)}" if shown else "")
    return ""


def _is_date_at(model: type[BaseModel], loc: tuple[Any, ...]) -> bool:
    owner = _owner(model, loc)
    return owner is not None and owner[0].model_fields[owner[1]].annotation in (dt.date, dt.date | None)


#: A text field's pattern in words (a regular expression is no sentence).
PATTERN_WORDS = {
    "^[A-Za-z]{2}$": N_("two letters (the state's postal code)"),
    r"^[A-Za-z0-9_.-]+$": N_("letters, digits, dots, dashes and underscores"),
}

#: What a value that could not be read is, in the words of the person who typed it (never
#: pydantic's own sentence, which names Python types).
NOT_A = {
    "finite_number": "is not a finite number",
    "decimal_max_places": "has more decimal places than allowed",
    "decimal_parsing": "is not a number",
    "decimal_type": "is not a number",
    "float_parsing": "is not a number",
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "int_type": "is not a whole number",
    "bool_parsing": "is not yes or no",
    "bool_type": "is not yes or no",
}
#: The same as whole sentences, for the catalogue: "{value}" is the value quoted back.
NOT_A_SENTENCES = {
    "finite_number": N_("{value} is not a finite number"),
    "decimal_max_places": N_("{value} has more decimal places than allowed"),
    "decimal_parsing": N_("{value} is not a number"),
    "decimal_type": N_("{value} is not a number"),
    "float_parsing": N_("{value} is not a number"),
    "int_parsing": N_("{value} is not a whole number"),
    "int_from_float": N_("{value} is not a whole number"),
    "int_type": N_("{value} is not a whole number"),
    "bool_parsing": N_("{value} is not yes or no"),
    "bool_type": N_("{value} is not yes or no"),
}
assert all(NOT_A_SENTENCES[kind] == "{value} " + words for kind, words in NOT_A.items())


def _with_allowed(message: str, allowed: str) -> str:
    """A problem and, after a semicolon, what the field allows (when there is something to say)."""
    return f"{message}; {allowed}" if allowed else message


def problems_from(exc: ValidationError, model: type[BaseModel] = LoanInput) -> list[Problem]:
    problems: list[Problem] = []
    for error in exc.errors(include_url=False):
        kind = error["type"]
        # An unknown field's own name ends its loc, as sent: never filter it out.
        raw, own = (error["loc"][:-1], error["loc"][-1:]) if kind == "extra_forbidden" else (error["loc"], ())
        loc = tuple(part for part in raw if not str(part).startswith("function-"))
        # drop pydantic's union branch names such as "constrained-decimal"
        loc = tuple(p for p in loc if not (isinstance(p, str) and ("[" in p or p.startswith("constrained"))))
        loc += tuple(own)
        name = _location(loc)
        got = error.get("input")
        if kind == "extra_forbidden":
            parent = _owner(model, loc[:-1]) if len(loc) > 1 else None
            holder = (
                model
                if len(loc) == 1
                else (_nested_model(parent[0].model_fields[parent[1]].annotation) if parent else None)
            )
            known = list(holder.model_fields) if holder else []
            key = str(loc[-1])
            close = difflib.get_close_matches(key, known, n=1) if len(key) <= MAX_KEY_SHOWN else []
            near = label_of(".".join(str(p) for p in (*loc[:-1], close[0]))) if close else ""
            if len(key) > MAX_KEY_SHOWN:  # a 60 KB key must not come back twice in the error
                loc = (*loc[:-1], key[: MAX_KEY_SHOWN - 1] + "…")
                name = _location(loc)
            if not near:
                unknown = pgettext("input error", "unknown field")
            elif near.endswith("?"):  # the label is a question: it brings its own mark
                unknown = _("unknown field; did you mean “{label}”").format(label=near)
            else:
                unknown = _("unknown field; did you mean “{label}”?").format(label=near)
            problems.append(Problem(field=name, message=unknown, loc=list(loc)))
            continue
        message = _("{value} is not valid").format(value=_shown(got))
        if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than", "number_too_large"):
            message = _("{value} is out of range").format(value=_plain(got))
            message = _with_allowed(message, _range_at(model, loc))
        elif kind in NOT_A:
            message = _with_allowed(_(NOT_A_SENTENCES[kind]).format(value=_shown(got)), _range_at(model, loc))
        elif kind == "literal_error":
            message = _("{value} is not one of the choices").format(value=_shown(got))
            message = _with_allowed(message, _allowed_at(model, loc))
        elif kind == "missing":
            message = _with_allowed(pgettext("input error", "required"), _allowed_at(model, loc))
        elif allowed := _allowed_at(model, loc):  # a date, a list, a text, an object...
            if _is_date_at(model, loc):
                message = _("{value} is not a date").format(value=_shown(got))
            message = _with_allowed(message, allowed)
        problems.append(Problem(field=name, message=message, loc=list(loc) or None))
    return problems


# --------------------------------------------------------------------------- messages in words

#: Each input field as a person names it, with the unit its numbers are in ("$", "%" or a
#: word): the API's and the CLI's messages name a field by it, never by its code.
LABELS: dict[str, tuple[str, str]] = {
    "age": (N_("Your age"), "years"),
    "retirement_age": (N_("Retire at"), "years"),
    "filing_status": (N_("Filing status"), ""),
    "taxable_income": (N_("Taxable income"), "$"),
    "marginal_rate_pct": (N_("Tax rate now"), "%"),
    "state_rate_pct": (N_("State tax rate"), "%"),
    "state": (N_("State"), ""),
    "years_of_service": (N_("Years with this employer"), "years"),
    "retirement_tax_rate_pct": (N_("Tax rate in retirement"), "%"),
    "tax_year": (N_("Tax year"), ""),
    "public_safety_employee": (N_("Public-safety employee"), ""),
    "separated_from_service": (N_("Already left this employer"), ""),
    "separation_year_age": (N_("Age in the year you left"), "years"),
    "vested_balance": (N_("Vested balance"), "$"),
    "outstanding_loan_balance": (N_("Loan you owe now"), "$"),
    "highest_loan_balance_12m": (N_("Highest loan balance, last 12 months"), "$"),
    "existing_loans": (N_("Loans you have now"), ""),
    "source": (N_("Money comes from"), ""),
    "allow_10k_floor": (N_("Plan allows the $10,000 floor"), ""),
    "min_loan": (N_("Smallest loan the plan makes"), "$"),
    "max_loans": (N_("Loans the plan allows at a time"), ""),
    "disaster_loan": (N_("Qualified-disaster loan"), ""),
    "origination_fee": (N_("Set-up fee"), "$"),
    "annual_fee": (N_("Yearly fee"), "$"),
    "amount": (N_("Loan amount"), "$"),
    "net": (N_("Cash you need after tax"), "$"),
    "annual_rate_pct": (N_("Loan rate"), "%"),
    "term_months": (N_("Time to repay"), "months"),
    "frequency": (N_("Paid every"), ""),
    "purpose": (N_("The loan is for"), ""),
    "rate_convention": (N_("How the rate compounds"), ""),
    "start_date": (N_("Loan starts on"), ""),
    "extra_payment": (N_("Extra each payment"), "$"),
    "payoff_month": (N_("Pay it all off in month"), ""),
    "payment": (N_("Payment"), "$"),
    "salary": (N_("Salary"), "$"),
    "contribution_monthly": (N_("Contribution now"), "$"),
    "contribution_pct": (N_("Contribution as a share of pay"), "%"),
    "contribution_during_loan_monthly": (N_("Contribution while repaying"), "$"),
    "contribution_during_loan_pct": (N_("Share of pay while repaying"), "%"),
    "match_rate_pct": (N_("Employer match"), "%"),
    "match_limit_pct": (N_("Match up to"), "%"),
    "salary_growth_pct": (N_("Salary growth"), "%"),
    "annual_return_pct": (N_("Yearly return"), "%"),
    "return_convention": (N_("How the return compounds"), ""),
    "inflation_pct": (N_("Inflation"), "%"),
    "liquidity_rate_pct": (N_("Your spare cash earns"), "%"),
    "carries_card_balance": (N_("I carry a card balance"), ""),
    "outside_tax_drag_pct": (N_("Tax drag on investing outside"), "%"),
    "outside_return_pct": (N_("One rate for money outside"), "%"),
    "roth_earnings_pct": (N_("Earnings share of the Roth account"), "%"),
    "offset_tax_timing": (N_("When the tax on an offset is paid"), ""),
    "job_loss_annual_pct": (N_("Chance of losing your job"), "%"),
    "cash_on_separation": (N_("Cash to repay if you leave"), "$"),
    "stock_pct": (N_("Stocks in the account"), "%"),
    "paths": (N_("Simulated markets"), ""),
    "seed": (N_("Simulation seed"), ""),
    "model": (N_("Market model"), ""),
    "mean_pct": (N_("Mean yearly return"), "%"),
    "vol_pct": (N_("Yearly volatility"), "%"),
    "alternatives": (N_("Alternatives"), ""),
    "criteria": (N_("The six questions"), ""),
    "plan": (N_("Plan"), ""),
    "plan_type": (N_("Type of plan"), ""),
    "events": (N_("Events"), ""),
    "cure_period_days": (N_("Time to make up a missed payment"), "days"),
    "separation_policy": (N_("If you leave your job"), ""),
    "separation_offset_days": (N_("Time to repay after leaving"), "days"),
    "leave_repayment": (N_("After an unpaid leave"), ""),
    "leave_reamortize_to": (N_("Re-amortized to"), ""),
    "deemed_loan_balance": (N_("Loans already deemed distributed"), "$"),
}
#: The same for the fields of one alternative ("alternatives.0.apr_pct"), of the six
#: questions ("criteria.stable_job") and of one event ("events.0.date").
ALTERNATIVE_LABELS: dict[str, tuple[str, str]] = {
    "kind": (N_("Kind"), ""),
    "label": (N_("Name"), ""),
    "apr_pct": (N_("APR"), "%"),
    "term_months": (N_("Term"), "months"),
    "fee_pct": (N_("Fee"), "%"),
    "fee": (N_("Fee"), "$"),
    "promo_months": (N_("Months at the promotional rate"), "months"),
    "promo_apr_pct": (N_("Promotional APR"), "%"),
}
CRITERIA_LABELS: dict[str, tuple[str, str]] = {
    "stable_job": (N_("Is your job stable?"), ""),
    "repay_within_24_months": (N_("Will you repay within 12–24 months?"), ""),
    "alternatives_exhausted": (N_("Have you tried cheaper ways?"), ""),
    "prevents_catastrophe": (N_("Does it prevent a catastrophe?"), ""),
    "keeps_contributions": (N_("Will you keep contributing in full?"), ""),
    "other_savings": (N_("Could other savings repay it if you lost your job?"), ""),
}
EVENT_LABELS: dict[str, tuple[str, str]] = {
    "kind": (N_("Kind"), ""),
    "date": (N_("Date"), ""),
    "start": (N_("Start"), ""),
    "end": (N_("End"), ""),
    "count": (N_("Installments missed"), ""),
    "amount": (N_("Amount"), "$"),
    "term_months": (N_("New term"), "months"),
    "annual_rate_pct": (N_("New rate"), "%"),
    "frequency": (N_("New pay frequency"), ""),
    "structure": (N_("How the refinancing is structured"), ""),
    "resume": (N_("Payments resume"), ""),
    "made_up_on": (N_("Made up on"), ""),
}
#: A list's item ("Alternative 2") and one of its fields ("Alternative 2, APR"), and the labels.
_LISTS = {
    "alternatives": (N_("Alternative {number}"), N_("Alternative {number}, {field}"), ALTERNATIVE_LABELS),
    "events": (N_("Event {number}"), N_("Event {number}, {field}"), EVENT_LABELS),
}


def _translated(found: tuple[str, str] | None) -> tuple[str, str] | None:
    return None if found is None else (_(found[0]), found[1])


def _label_and_unit(field: str) -> tuple[str, str] | None:
    """The field's label in the current language and its unit ("$", "%", "years"…, untranslated)."""
    parts = field.split(".")
    if parts[0] in _LISTS and len(parts) == 3 and parts[1].isascii() and parts[1].isdigit():
        _item, item_field, labels = _LISTS[parts[0]]
        found = _translated(labels.get(parts[2]))
        if found is None:
            return None
        name = found[0] if found[0][1:2].isupper() else found[0][:1].lower() + found[0][1:]
        return _(item_field).format(number=int(parts[1]) + 1, field=name), found[1]
    if parts[0] in _LISTS and len(parts) == 2 and parts[1].isascii() and parts[1].isdigit():
        return _(_LISTS[parts[0]][0]).format(number=int(parts[1]) + 1), ""
    if parts[0] == "criteria" and len(parts) == 2:
        return _translated(CRITERIA_LABELS.get(parts[1]))
    return _translated(LABELS.get(field))


def _unit_word(unit: str) -> str:
    """A unit written after a number ("480 months"), in the current language."""
    if unit == "years":
        return pgettext("unit", "years")
    if unit == "months":
        return pgettext("unit", "months")
    if unit == "days":
        return pgettext("unit", "days")
    return unit


def label_of(field: str) -> str:
    """A field's name in the person's words ("alternatives.1.apr_pct" → "Alternative 2:
    APR"); "" for a field the input has no such name for ("input", an unknown key)."""
    found = _label_and_unit(field)
    return found[0] if found else ""


#: A number in the "allowed…" part of a message (not a section of the law: "§72(p)(2)").
_BOUND = re.compile(r"(?<![\w.,§()$-])(-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)(?![\w%(]|\.\d|,\d)")
#: Where a message says what is allowed: "allowed range:", "allowed:", "allowed for a …:"
#: (in Spanish "rango permitido:", "permitido:", "permitido para un …:").
_ALLOWED = re.compile(r"\b(?:allowed|permitido)\b(?=[^;]*:)")


def _with_unit(allowed: str, unit: str) -> str:
    """The bounds of an "allowed" clause in the field's unit: "$0 to $100,000,000",
    "0% to 30%", "1 to 480 months"."""
    clause, stop, rest = _clause(allowed)
    if unit == "$":
        clause = _BOUND.sub(lambda m: re.sub(r"^(-?)", r"\1$", m.group(1)), clause)
    elif unit == "%":
        clause = _BOUND.sub(lambda m: f"{m.group(1)}%", clause)
    else:
        word = _unit_word(unit)
        found = list(_BOUND.finditer(clause))
        # a message may already name it (in either language: one not yet translated says "months")
        if found and not clause[found[-1].end() :].lstrip().startswith((word, unit)):
            end = found[-1].end()
            clause = f"{clause[:end]} {word}{clause[end:]}"
    return clause + stop + rest


def _clause(allowed: str) -> tuple[str, str, str]:
    """("allowed range: 1 to 60 ", "(", "IRC …), or up to 360 …"): the clause up to ";" or "("."""
    match = re.search(r"[;(]", allowed)
    if match is None:
        return allowed, "", ""
    return allowed[: match.start()], allowed[match.start()], allowed[match.end() :]


def in_words(problem: Problem, *, label: bool = True) -> str:
    """A problem as a person reads it: the field's label, then the message with the allowed
    bounds in the field's unit ("Loan rate: 500 is out of range; allowed range: 0% to 30%").
    The message itself (`Problem.message`) stays as the service wrote it."""
    found = _label_and_unit(problem.field)
    message = problem.message
    where = [m.start() for m in _ALLOWED.finditer(message)]
    if found is not None and found[1] and where:
        message = message[: where[-1]] + _with_unit(message[where[-1] :], found[1])
    if label and found is not None:
        return f"{found[0]}{' ' if found[0].endswith('?') else ': '}{message}"
    return message


def parse_input(data: LoanInput | dict[str, Any] | None) -> LoanInput:
    """Validate a dict (or pass through a model) into LoanInput, or raise InputError."""
    if isinstance(data, LoanInput):
        return data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError([Problem(field="input", message=_("must be an object of input fields"))])
    try:
        return LoanInput.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc)) from None


# --------------------------------------------------------------------------- results


class Step(BaseModel):
    """One step of a calculation: the rule, its figure, the law it comes from, in words."""

    rule: str
    value: Money | None = None
    citation: str = ""
    text: str


class LimitResult(BaseModel):
    max_loan: Money
    eligible: bool
    binding_rule: Literal[
        "dollar_cap",
        "half_vested",
        "ten_thousand_floor",
        "vested_balance",
        "plan_minimum",
        "loan_count",
    ]
    requested: Money | None = None
    excess: Money = Decimal(0)
    steps: list[Step]
    warnings: list[str] = Field(default_factory=list)


@dataclass(slots=True)
class ScheduleRow:
    """One payment. A slotted dataclass, not a model: a schedule holds up to 2,080 of them,
    each the engine's own figures in cents, and one is built in a fifth of a model's time;
    pydantic validates and serializes it as it would a model (the same JSON and schema)."""

    n: int
    date: dt.date
    payment: Money
    interest: Money
    principal: Money
    balance: Money


class LoanSummary(BaseModel):
    amount: Money
    annual_rate_pct: Pct
    rate_convention: str
    payment: Money
    periods: int
    frequency: Frequency
    payments_per_year: int
    total_interest: Money
    total_paid: Money
    first_payment_date: dt.date
    payoff_date: dt.date
    payoff_month: int
    fees: Money
    origination_fee: Money
    annual_fees: Money
    warnings: list[str] = Field(default_factory=list)


class ScheduleResult(LoanSummary):
    rows: list[ScheduleRow]


class PaymentCapacityResult(BaseModel):
    """The inverse schedule: the largest amount a payment buys."""

    payment: Money
    amount: Money
    payment_for_amount: Money
    periods: int
    frequency: Frequency
    annual_rate_pct: Pct


class DistributionResult(BaseModel):
    amount: Money
    federal_tax: Money
    state_tax: Money
    penalty: Money  # the federal 10 % and a state's early-distribution tax (`state_penalty`)
    state_penalty: Money = Decimal(0)  # the state's part of `penalty` (California's 2.5 %)
    total: Money
    net: Money
    penalty_exempt: bool
    exemption: str | None = None
    marginal_rate_pct: Pct
    steps: list[Step]
    warnings: list[str] = Field(default_factory=list)


class CostResult(BaseModel):
    """METHOD v2 §4: the cost beyond the money itself, on one after-tax ledger at retirement.

    The six parts add up to `total` to the cent: price_of_credit + plan_difference +
    contributions + fees + job_loss + excess. The pre-tax figures below them are the
    version-1 quantities, kept by name for the guide's readers; they are not added."""

    price_of_credit: Money
    plan_difference: Money
    contributions: Money
    fees: Money
    job_loss: Money
    excess: Money
    total: Money
    loan_itself: Money  # price_of_credit + plan_difference
    total_today: Money  # total / (1 + inflation)^years
    present_value: Money  # total / G_out(0 -> T)
    per_dollar: Money
    #: the cost in today's dollars as retirement income a month, at the safe-withdrawal rate
    #: (the 4 % rule, params/safe_withdrawal_rate.yaml): total_today x rate / 12
    income_monthly_today: Money = Decimal(0)
    growth_missed: Money  # pre-tax, A0 - A1p
    interest_to_self: Money  # pre-tax, A1 - A1p
    lost_growth: Money  # pre-tax, growth_missed - interest_to_self
    double_tax: Money  # t_ret x interest_to_self: inside plan_difference, not added again
    contribution_cut: Money  # pre-tax account difference of contributing less, A1 - A2
    pretax_wages_for_interest: Money


class AccountView(BaseModel):
    """The same total seen pot by pot, after tax, at retirement (METHOD v2 §4):
    total = plan_no_loan - plan_with_loan - outside_with_loan - money_itself."""

    plan_no_loan: Money  # the 401(k) without the loan, after retirement tax
    plan_with_loan: Money  # with the loan, expected over leaving the job, after tax
    outside_with_loan: Money  # money outside with the loan: payments out, take-home kept in, taxes out
    money_itself: Money  # the cash X had it been a gift earning what outside money earns


class BalanceYear(BaseModel):
    age: int
    no_loan: Money
    with_loan: Money


class Balances(BaseModel):
    no_loan: Money  # A0
    with_loan: Money  # A2: the plan as entered
    by_year: list[BalanceYear]


class JobLossRow(BaseModel):
    """Leaving the job at the end of `month` (METHOD v2 §6): the cash a person must find by
    the tax deadline (`total`), and what leaving then costs at retirement, net (`net_cost`)."""

    month: int
    outstanding: Money
    rolled_over: Money
    tax: Money
    penalty: Money
    total: Money
    probability_pct: float
    rollover_deadline: dt.date
    tax_due_date: dt.date | None = None
    qualified: bool = True  # a qualified plan loan offset (IRC §402(c)(3)(C))
    net_cost: Money = Decimal(0)


VERDICT_NOTE = N_("Education, not advice: every figure shows its formula; the choice is yours.")


class VerdictOut(BaseModel):
    level: Literal["reasonable", "caution", "avoid"]
    reasons: list[str]
    criteria: dict[str, bool | None]
    computed: list[str] = Field(default_factory=list)
    # in the request's language (built per answer, never at import)
    note: str = Field(default_factory=lambda: _(VERDICT_NOTE))


class Assumption(BaseModel):
    name: str
    value: str
    source: str


class OutsideRates(BaseModel):
    """What money outside the plan earns in this scenario (METHOD v2 §4), as used."""

    liquidity_rate_pct: Pct  # during the repayment window
    liquidity_source: Literal["t_bill", "card", "given", "outside_return"]
    window_months: int  # the 401(k) loan's repayment window
    outside_tax_drag_pct: Pct  # after the window, share of the portfolio's return lost to tax
    outside_return_pct: Pct | None = None  # when given, replaces both
    summary: str  # one short sentence, for the answer
    text: str  # the same in full words, with where the default comes from


class PlanRuleOut(BaseModel):
    rule: str
    value: str
    source: str


class PlanOut(BaseModel):
    """The employer plan's profile the figures use (docs/plans.md)."""

    id: str
    name: str
    plan_type: str
    document: str
    accent_color: str | None = None
    rules: list[PlanRuleOut]


class AnalysisResult(BaseModel):
    inputs: LoanInput
    plan: PlanOut | None = None
    limit: LimitResult
    loan: LoanSummary
    cost: CostResult
    account_view: AccountView
    outside: OutsideRates
    balances: Balances
    job_loss_table: list[JobLossRow]
    verdict: VerdictOut
    steps: list[Step] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    assumptions: list[Assumption] = Field(default_factory=list)
    version: str


OptionKind = Literal[
    "401k_loan",
    "credit_card",
    "balance_transfer",
    "personal_loan",
    "heloc",
    "hardship_withdrawal",
    "custom",
]


class AlternativeOption(BaseModel):
    """One way to raise the cash, priced on one scale (METHOD v2 §8): `cost` is the cost
    beyond the money itself, after-tax net worth at retirement compared with receiving the
    cash as a gift, less that cash grown at what money outside earns (negative: cheaper
    than a lender charging exactly that)."""

    kind: OptionKind
    label: str
    cost: Money
    interest: Money
    fees: Money
    taxes: Money
    penalties: Money
    payment: Money | None = None  # level payment; none for a withdrawal
    amount: Money  # borrowed (fees financed) or withdrawn (gross)
    term_months: int | None = None
    total_paid: Money
    apr_pct: Pct | None = None
    formula: str = ""
    risks: list[str] = Field(default_factory=list)


class PayoffSpeedRow(BaseModel):
    """The 401(k) loan repaid over one term (METHOD §4 cost; §8 net-worth cost)."""

    term_months: int
    payment: Money
    periods: int
    total_interest: Money
    cost: CostResult
    net_worth_cost: Money


class ComparisonResult(BaseModel):
    amount: Money
    options: list[AlternativeOption]  # sorted by cost, cheapest first
    payoff_speed: list[PayoffSpeedRow]
    assumptions: list[Assumption] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    version: str


# --------------------------------------------------------------------------- markets (METHOD §7)


class Percentiles(BaseModel):
    """Percentiles across start years or paths (linear interpolation)."""

    min: Money
    p10: Money
    p25: Money
    p50: Money
    p75: Money
    p90: Money
    max: Money


class StartYearCost(BaseModel):
    """The true cost with the loan taken at the start of `start_year`: the METHOD v2 §4
    parts add up to `total` to the cent (price_of_credit + plan_difference + contributions
    + fees + job_loss + excess)."""

    start_year: int
    total: Money
    price_of_credit: Money
    plan_difference: Money
    contributions: Money
    fees: Money
    job_loss: Money
    excess: Money
    lost_growth: Money  # pre-tax figures, not added (see CostResult)
    double_tax: Money
    contribution_cut: Money


class FanPoint(BaseModel):
    """The with-loan balance (A2) at the end of a projection year, across paths."""

    age: int
    p10: Money
    p50: Money
    p90: Money


class BacktestResult(BaseModel):
    percentiles: Percentiles
    per_dollar: Percentiles  # of cost.total / amount
    share_loan_cheaper: float  # percent of start years with cost.total < 0
    sign_note: str = ""  # what makes the loan come out cheaper, in words
    by_start_year: list[StartYearCost]
    fan: list[FanPoint]
    stock_pct: Pct
    years: list[int]  # [first start year, last start year]
    warnings: list[str] = Field(default_factory=list)
    version: str


class Interval(BaseModel):
    low: Money
    high: Money


class SamplingError(BaseModel):
    """How far each percentile of a simulation may be from the one unlimited paths would give:
    a distribution-free 95 % interval from the order statistics of the paths drawn
    (engine.market.percentile_intervals). More paths narrow it; it says nothing about the
    model's own assumptions."""

    confidence_pct: int = 95
    p10: Interval
    p25: Interval
    p50: Interval
    p75: Interval
    p90: Interval


class MonteCarloResult(BaseModel):
    percentiles: Percentiles
    sampling_error: SamplingError  # of `percentiles`: rerun with more paths to narrow it
    per_dollar: Percentiles  # of cost.total / amount
    share_loan_cheaper: float  # percent of paths with cost.total < 0
    sign_note: str = ""
    seed: int
    paths: int
    model: Literal["bootstrap", "lognormal"]
    stock_pct: Pct
    mean_pct: Pct  # lognormal: the mean used; bootstrap: the historical mean it draws from
    vol_pct: Pct  # lognormal: the volatility used; bootstrap: the historical volatility
    fan: list[FanPoint]
    warnings: list[str] = Field(default_factory=list)
    version: str


# --------------------------------------------------------------------------- events


class TimelineRow(BaseModel):
    n: int
    date: dt.date
    due: Money
    paid: Money
    interest: Money
    balance: Money
    status: Literal["paid", "missed", "behind", "cured", "suspended"]


class EventNote(BaseModel):
    date: dt.date
    kind: str
    text: str
    citation: str
    deadline: dt.date | None = None  # what must be done by then (a missed installment's cure deadline)


class DistributionOut(BaseModel):
    """A deemed distribution (code L) or a plan loan offset (code M when qualified)."""

    kind: Literal["deemed", "offset"]
    reason: str
    date: dt.date
    amount: Money  # the balance with the interest accrued to that day
    rolled_over: Money = Decimal(0)
    taxable: Money
    tax: Money  # federal + state
    penalty: Money
    total: Money  # cash due by the tax deadline
    tax_due_date: dt.date
    qualified: bool  # a qualified plan loan offset (IRC §402(c)(3)(C))
    rollover_deadline: dt.date | None  # None: cannot be rolled over (a deemed distribution)
    form_1099r_code: str
    exemption: str | None = None
    citation: str


class EventsResult(BaseModel):
    loan: LoanSummary  # as planned
    status: Literal["repaid", "deemed", "offset", "paid_off", "owed_at_retirement"]
    timeline: list[TimelineRow]
    events: list[EventNote]
    distributions: list[DistributionOut]
    deemed_distribution: DistributionOut | None = None  # the first one, if any
    offset: DistributionOut | None = None
    payment_after: Money | None = None  # after a re-amortization
    final_payment_date: dt.date | None = None
    latest_permissible_date: dt.date | None = None  # the law's last day to repay (extended by service)
    cost_vs_plan: Money  # at retirement, on the after-tax ledger (METHOD v2 §4), vs the plan
    cost_text: str
    warnings: list[str] = Field(default_factory=list)
    version: str
