"""The loans file's cells (`loan401k batch --servicing`): which columns exist, and each cell
parsed and checked, in the API's words for a bad one. Money is the limits batch's own cell
parser (`cells`); the percent keeps its digits, so the servicing arithmetic can take the
rate exactly as written."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import get_args

import polars as pl

from ..models import PCT_MAX_PLACES, LoanInput, field_bounds, range_text
from . import cells
from .cells import NOT_NUMBER, OUT_OF_RANGE, TOO_PRECISE, BatchError

ID_COLUMN = "loan_id"
REQUIRED = ("amount", "annual_rate_pct", "term_months", "start_date", "payments_made")
INPUT_COLUMNS = (
    ID_COLUMN,
    "amount",
    "annual_rate_pct",
    "term_months",
    "frequency",
    "start_date",
    "as_of",
    "payments_made",
    "rate_convention",
    "cure_period_days",
    "source",
    "birth_date",
)
OUTPUT_COLUMNS = (
    "payment",
    "status",
    "installments_due",
    "arrears",
    "oldest_missed_due",
    "cure_deadline",
    "balance",
    "deemed_date",
    "deemed_amount",
    "form_1099r_code",
    "note",
    "error",
)
WHAT = {
    "amount": "the loan's amount when made",
    "annual_rate_pct": "the loan's annual rate in percent",
    "term_months": "the loan's term in months",
    "start_date": "the day the loan was made, YYYY-MM-DD",
    "payments_made": "how many installments were paid so far",
}
INTEGERS = {  # name -> (low, high): the input model's range, or the batch's own
    "term_months": field_bounds(LoanInput, "term_months")[:2],  # type: ignore[index]
    "cure_period_days": field_bounds(LoanInput, "cure_period_days")[:2],  # type: ignore[index]
    "payments_made": (0, 2_080),  # weekly for 40 years
}
RATE_RANGE = field_bounds(LoanInput, "annual_rate_pct")[:2]  # type: ignore[index]
CHOICES = {
    name: get_args(LoanInput.model_fields[name].annotation)
    for name in ("frequency", "rate_convention", "source")
}
DEFAULTS = {"frequency": "monthly", "rate_convention": "nominal", "source": "pretax"}
DATES = ("start_date", "as_of", "birth_date")
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(9899, 12, 31)  # 40-year terms stay in the calendar
NOT_CHOICE, NOT_DATE, NOT_WHOLE, MISSING = "choice", "date", "whole", "missing"
PERCENT = r"^[+-]?(?<int>\d*)(?:\.(?<frac>\d*))?(?:[eE](?<exp>[+-]?\d+))?$"
EXACT_DIGITS = 15  # a percent's digits that still fit an int64 with room


def check_columns(names: list[str]) -> None:
    """Unknown columns and missing required ones are errors naming them."""
    lines = []
    for name in names:
        if name not in INPUT_COLUMNS:
            close = difflib.get_close_matches(name, INPUT_COLUMNS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            known = ", ".join(INPUT_COLUMNS)
            lines.append(f"column {name!r}: unknown column{hint} (servicing columns: {known})")
    for name in REQUIRED:
        if name not in names:
            lines.append(f"column {name!r}: required ({WHAT[name]})")
    if lines:
        raise BatchError(lines)


# --------------------------------------------------------------------------- one cell


def _text(name: str) -> pl.Expr:
    """The cell as trimmed text, null when empty."""
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text != "").then(text)


def _integer_stages(name: str) -> list[dict[str, pl.Expr]]:
    t, c, k = f"_t_{name}", f"_c_{name}", f"_k_{name}"
    low, high = INTEGERS[name]
    whole = pl.col(t).str.contains(r"^[+-]?\d{1,12}(\.0*)?$")
    value = pl.col(t).str.replace(r"\.0*$", "").cast(pl.Int64, strict=False)
    return [
        {t: _text(name)},
        {c: pl.when(whole).then(value)},
        {
            k: pl.when(pl.col(t).is_not_null() & pl.col(c).is_null())
            .then(pl.lit(NOT_WHOLE))
            .when((pl.col(c) < low) | (pl.col(c) > high))
            .then(pl.lit(OUT_OF_RANGE))
        },
    ]


def _choice_stages(name: str) -> list[dict[str, pl.Expr]]:
    t, c, k = f"_t_{name}", f"_c_{name}", f"_k_{name}"
    words = pl.col(t).str.to_lowercase()
    return [
        {t: _text(name)},
        {c: pl.when(words.is_in(CHOICES[name])).then(words)},
        {k: pl.when(pl.col(t).is_not_null() & pl.col(c).is_null()).then(pl.lit(NOT_CHOICE))},
    ]


def _date_stages(name: str, dtype: pl.DataType) -> list[dict[str, pl.Expr]]:
    t, c, k = f"_t_{name}", f"_c_{name}", f"_k_{name}"
    if dtype == pl.Date:
        value = pl.col(name)
    elif isinstance(dtype, pl.Datetime):
        value = pl.col(name).dt.date()
    else:
        value = pl.col(t).str.to_date("%Y-%m-%d", strict=False)
    return [
        {t: _text(name)},
        {c: value},
        {
            k: pl.when(pl.col(t).is_not_null() & pl.col(c).is_null())
            .then(pl.lit(NOT_DATE))
            .when((pl.col(c) < EARLIEST) | (pl.col(c) > LATEST))
            .then(pl.lit(OUT_OF_RANGE))
        },
    ]


def _percent_stages(name: str) -> list[dict[str, pl.Expr]]:
    """`_c_` the value (a double), `_rate_text` as written (for Decimal), and its digits and
    scale (8.75 -> 875, 2; scale -1 when the digits do not fit the exact path)."""
    t, c, k, g = f"_t_{name}", f"_c_{name}", f"_k_{name}", f"_g_{name}"
    low, high = RATE_RANGE
    frac = pl.col(g).struct.field("frac").fill_null("").str.strip_chars_end("0")
    digits = pl.concat_str(pl.col(g).struct.field("int"), frac).str.strip_chars_start("0")
    scale = frac.str.len_chars().cast(pl.Int64) - pl.col(g).struct.field("exp").cast(pl.Int64).fill_null(0)
    fits = (scale >= 0) & (digits.str.len_chars() <= EXACT_DIGITS)
    number = pl.col(t).str.contains(r"\d") & pl.col(g).struct.field("int").is_not_null()
    return [
        {t: _text(name)},
        {g: pl.col(t).str.extract_groups(PERCENT)},
        {
            c: pl.when(number).then(pl.col(t).cast(pl.Float64, strict=False)),
            "_rate_text": pl.col(t),
            "_rate_digits": pl.when(number & fits)
            .then(pl.when(digits == "").then(pl.lit("0")).otherwise(digits).cast(pl.Int64, strict=False))
            .otherwise(0),
            "_rate_scale": pl.when(number & fits).then(scale).otherwise(-1),
        },
        {
            k: pl.when(pl.col(t).is_not_null() & pl.col(c).is_null())
            .then(pl.lit(NOT_NUMBER))
            .when(pl.col(g).struct.field("frac").str.len_chars() > PCT_MAX_PLACES)
            .then(pl.lit(TOO_PRECISE))
            .when((pl.col(c) < low) | (pl.col(c) > high))
            .then(pl.lit(OUT_OF_RANGE))
        },
    ]


def _allowed(name: str) -> str:
    if name in INTEGERS:
        return range_text(*INTEGERS[name])
    if name == "annual_rate_pct":
        return range_text(*RATE_RANGE)
    if name == "amount":
        return range_text(*field_bounds(LoanInput, "amount"))  # type: ignore[misc]
    if name in DATES:
        return f"allowed range: {EARLIEST} to {LATEST}"
    values = [f"'{v}'" for v in CHOICES[name]]
    return f"allowed: {', '.join(values[:-1])} or {values[-1]}"


# the API's words (models.py) for each kind of problem; `{}` is the cell as written
WORDS = {
    NOT_NUMBER: "'{}' is not a number",
    NOT_WHOLE: "'{}' is not a whole number",
    TOO_PRECISE: "'{}' has more decimal places than allowed",
    OUT_OF_RANGE: "{} is out of range",
    NOT_CHOICE: "'{}' is not one of the choices",
    NOT_DATE: "'{}' is not a date",
}


def _cell_message(name: str) -> pl.Expr:
    """The API's words for the problem in column `name` (null where there is none)."""
    kind, shown = pl.col(f"_k_{name}"), pl.col(f"_t_{name}")
    if name == "amount":  # the limits batch's money cell: its text before "$" and "," go
        shown = pl.col(name).cast(pl.String).str.strip_chars()
    required = pl.lit(f"{name}: required ({WHAT.get(name, '')})")
    allowed = _allowed(name)
    message: pl.Expr = pl.lit(None, pl.String)
    for problem, words in reversed(WORDS.items()):
        where = "allowed: a date written YYYY-MM-DD" if problem == NOT_DATE else allowed
        text = pl.format(f"{name}: {words}; {where}", shown)
        message = pl.when(kind == problem).then(text).otherwise(message)
    return pl.when(kind == MISSING).then(required).otherwise(message)


# --------------------------------------------------------------------------- the row


def _stages(name: str, dtype: pl.DataType) -> list[dict[str, pl.Expr]]:
    if name == "amount":
        return cells._money_stages(name, dtype)
    if name == "annual_rate_pct":
        return _percent_stages(name)
    if name in INTEGERS:
        return _integer_stages(name)
    if name in DATES:
        return _date_stages(name, dtype)
    return _choice_stages(name)


def parse(frame: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """Adds the typed columns the servicing reads (`_amount` in cents, `_start`, ...) and
    `error`, the row's problems in the API's words (null for a good row). `as_of` fills the
    rows without their own."""
    present = [name for name in INPUT_COLUMNS[1:] if name in frame.schema]
    plans = [_stages(name, frame.schema[name]) for name in present]
    typed = frame
    for depth in range(max((len(plan) for plan in plans), default=0)):
        stage = {key: expr for plan in plans if depth < len(plan) for key, expr in plan[depth].items()}
        if stage:
            typed = typed.with_columns(**stage)
    typed = typed.with_columns(  # an empty required cell
        **{
            f"_k_{name}": pl.when(pl.col(f"_c_{name}").is_null() & pl.col(f"_k_{name}").is_null())
            .then(pl.lit(MISSING))
            .otherwise(pl.col(f"_k_{name}"))
            for name in REQUIRED
            if name in present
        }
    )

    def cell(
        name: str, default: object = None, dtype: pl.DataType | type[pl.DataType] | None = None
    ) -> pl.Expr:
        value = pl.col(f"_c_{name}") if name in present else pl.lit(None, dtype)
        return value if default is None else value.fill_null(pl.lit(default, dtype))

    typed = typed.with_columns(
        _amount=cell("amount"),
        _rate=cell("annual_rate_pct"),
        _term=cell("term_months"),
        _frequency=cell("frequency", DEFAULTS["frequency"], pl.String),
        _effective=cell("rate_convention", DEFAULTS["rate_convention"], pl.String) == "effective",
        _start=cell("start_date"),
        _as_of=cell("as_of", as_of, pl.Date),
        _paid=cell("payments_made"),
        _cure=cell("cure_period_days", -1, pl.Int64),
        _roth=cell("source", DEFAULTS["source"], pl.String) == "roth",
        _birth=cell("birth_date", None, pl.Date),
    )
    start, day, birth = pl.col("_start"), pl.col("_as_of"), pl.col("_birth")
    inconsistent = [day < start, birth >= start]
    bad = (
        typed.select(
            pl.any_horizontal(*(pl.col(f"_k_{name}").is_not_null() for name in present), *inconsistent)
        )
        .to_series()
        .fill_null(False)
    )
    error = pl.Series("error", [None] * typed.height, dtype=pl.String)
    if bad.any():  # the words are built only for the rows that have a problem
        error = error.scatter(bad.arg_true(), _row_errors(typed.filter(bad), present))
    return typed.with_columns(error)


def _row_errors(rows: pl.DataFrame, present: list[str]) -> pl.Series:
    """The cells' problems; else the rules that tie the dates together."""
    text = pl.concat_str([_cell_message(name) for name in present], separator="; ", ignore_nulls=True)
    start, day, birth = pl.col("_start"), pl.col("_as_of"), pl.col("_birth")
    consistency = pl.concat_str(
        [
            pl.when(day < start).then(pl.format("as_of: {} is before start_date {}", day, start)),
            pl.when(birth >= start).then(
                pl.format("birth_date: {} is not before start_date {}", birth, start)
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return rows.select(pl.when(text != "").then(text).otherwise(consistency).alias("error")).to_series()


__all__ = ["ID_COLUMN", "INPUT_COLUMNS", "OUTPUT_COLUMNS", "REQUIRED", "check_columns", "parse"]
