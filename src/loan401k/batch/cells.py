"""The participants file's cells: which columns exist, and each cell parsed and checked
(integer cents for money), with the same words as the API's 422 for a bad one."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import get_args

import polars as pl

from ..models import NOT_A, LimitResult, LoanInput, field_bounds, range_text

ID_COLUMN = "participant_id"
MONEY_COLUMNS = (
    "vested_balance",
    "outstanding_loan_balance",
    "highest_loan_balance_12m",
    "min_loan",
    "amount",
)
COUNT_COLUMNS = ("existing_loans", "max_loans")
FLAG_COLUMNS = ("allow_10k_floor", "disaster_loan")
INPUT_COLUMNS = (ID_COLUMN, *MONEY_COLUMNS, *COUNT_COLUMNS, *FLAG_COLUMNS)
PLAN_OPTIONS = ("allow_10k_floor", "min_loan", "max_loans", "disaster_loan")
OUTPUT_COLUMNS = ("max_loan", "eligible", "binding_rule", "excess", "error")
BATCH_ROWS = 100_000


# The input model's ranges (models.LoanInput), in cents for money: (low, high, low is strict).
def _bounds_in_cents(name: str) -> tuple[int, int, bool]:
    """The input model's range for a column (money in cents): one source for every face."""
    bounds = field_bounds(LoanInput, name)
    assert bounds is not None, name
    low, high, strict = bounds
    scale = 100 if name in MONEY_COLUMNS else 1
    return int(low) * scale, int(high) * scale, strict


RANGES: dict[str, tuple[int, int, bool]] = {
    name: _bounds_in_cents(name)
    for name in (
        "vested_balance",
        "outstanding_loan_balance",
        "highest_loan_balance_12m",
        "min_loan",
        "amount",
        "existing_loans",
        "max_loans",
    )
}
TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0")
BINDING_RULES: tuple[str, ...] = get_args(LimitResult.model_fields["binding_rule"].annotation)


class BatchError(ValueError):
    """The file as a whole cannot be processed: one line per problem."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("; ".join(lines))


@dataclass(frozen=True)
class PlanDefaults:
    """Plan options for every row whose own cell is empty (the CLI's plan-wide flags)."""

    allow_10k_floor: bool = False
    min_loan_cents: int = 100_000
    max_loans: int | None = None
    disaster_loan: bool = False


# --------------------------------------------------------------------------- columns


def check_columns(names: list[str]) -> None:
    """Unknown columns and a missing vested_balance are errors naming them."""
    lines = []
    for name in names:
        if name not in INPUT_COLUMNS:
            close = difflib.get_close_matches(name, INPUT_COLUMNS, n=1)
            what = (
                "an input field the limit does not use"
                if name in LoanInput.model_fields
                else "unknown column"
            )
            hint = f"; did you mean {close[0]!r}?" if close else ""
            lines.append(f"column {name!r}: {what}{hint} (batch columns: {', '.join(INPUT_COLUMNS)})")
    if "vested_balance" not in names:
        lines.append("column 'vested_balance': required (the vested balance, including outstanding loans)")
    if lines:
        raise BatchError(lines)


def _range_text(name: str) -> str:
    low, high, strict = RANGES[name]
    if name in MONEY_COLUMNS:
        low, high = low // 100, high // 100
    return range_text(low, high, strict)


# What can be wrong with a cell. The words are built only for the rows that have a problem
# (in the same words as the API's 422), so a clean batch never pays for them.
NOT_NUMBER, TOO_PRECISE, OUT_OF_RANGE, NOT_FLAG = "number", "places", "range", "flag"
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$"


def _out_of_range(value: pl.Expr, name: str) -> pl.Expr:
    low, high, strict = RANGES[name]
    below = (value <= low) if strict else (value < low)
    return value.is_not_null() & (below | (value > high))


def _text_stages(name: str) -> list[dict[str, pl.Expr]]:
    """`_t_name`: the cell as trimmed text, null when empty."""
    t = f"_t_{name}"
    trimmed = pl.col(name).cast(pl.String).str.strip_chars()
    return [{t: trimmed}, {t: pl.when(pl.col(t) != "").then(pl.col(t))}]


def _money_stages(name: str, dtype: pl.DataType) -> list[dict[str, pl.Expr]]:
    """`_c_name` (cents, null when empty or bad) and `_k_name` (the problem, or null)."""
    t, f, c, k = f"_t_{name}", f"_f_{name}", f"_c_{name}", f"_k_{name}"
    if dtype.is_numeric():
        stages: list[dict[str, pl.Expr]] = [{f: pl.col(name).cast(pl.Float64)}, {}]
        not_number = ~pl.col(f).is_finite()
        too_long = pl.lit(False)
    else:
        # "$15,000" and "15,000" as the web form takes them; "1,5" stays an error
        text = pl.col(name).cast(pl.String).str.strip_chars()
        stages = [
            {t: text.str.replace_all("$", "", literal=True).str.replace_all(" ", "", literal=True)},
            {
                t: pl.when(pl.col(t) == "")
                .then(None)
                .when(pl.col(t).str.contains(THOUSANDS))
                .then(pl.col(t).str.replace_all(",", "", literal=True))
                .otherwise(pl.col(t))
            },
            {f: pl.col(t).cast(pl.Float64, strict=False)},
        ]
        not_number = pl.col(t).is_not_null() & (pl.col(f).is_null() | ~pl.col(f).is_finite())
        # a digit other than 0 past the cents (exact, where the double below may round it away)
        too_long = pl.col(t).str.contains(r"\.\d\d0*[1-9]\d*$")
    fits = pl.col(f).is_finite() & (pl.col(f).abs() <= 1e12)
    scaled = (pl.col(f) * 100).round(0)
    stages.append({c: pl.when(fits).then(scaled.cast(pl.Int64))})
    # whole cents: 100 x the double is within a few ulps of a whole number of cents
    off = (pl.col(f) * 100 - scaled).abs() > pl.col(f).abs() * 1e-13 + 1e-9
    too_precise = fits & (off | too_long.fill_null(False))
    stages.append(
        {
            k: pl.when(not_number)
            .then(pl.lit(NOT_NUMBER))
            .when(too_precise)
            .then(pl.lit(TOO_PRECISE))
            .when(pl.col(f).is_not_null() & (~fits | _out_of_range(pl.col(c), name)))
            .then(pl.lit(OUT_OF_RANGE))
        }
    )
    stages.append({c: pl.when(pl.col(k).is_null()).then(pl.col(c))})
    return stages


def _count_stages(name: str, dtype: pl.DataType) -> list[dict[str, pl.Expr]]:
    f, c, k = f"_f_{name}", f"_c_{name}", f"_k_{name}"
    if dtype.is_integer():
        stages: list[dict[str, pl.Expr]] = [{f: pl.col(name).cast(pl.Float64)}]
        given = pl.col(name).is_not_null()
    else:
        t = f"_t_{name}"
        source = pl.col(t) if not dtype.is_numeric() else pl.col(name)
        stages = (_text_stages(name) if not dtype.is_numeric() else []) + [
            {f: source.cast(pl.Float64, strict=False)}
        ]
        given = source.is_not_null()
    whole = pl.col(f).is_finite() & (pl.col(f) == pl.col(f).round(0)) & (pl.col(f).abs() < 1e15)
    stages.append({c: pl.when(whole).then(pl.col(f).cast(pl.Int64))})
    stages.append(
        {
            k: pl.when(given & ~whole.fill_null(False))
            .then(pl.lit(NOT_NUMBER))
            .when(_out_of_range(pl.col(c), name))
            .then(pl.lit(OUT_OF_RANGE))
        }
    )
    stages.append({c: pl.when(pl.col(k).is_null()).then(pl.col(c))})
    return stages


def _flag_stages(name: str, dtype: pl.DataType) -> list[dict[str, pl.Expr]]:
    c, k, t = f"_c_{name}", f"_k_{name}", f"_t_{name}"
    if dtype == pl.Boolean:
        return [{c: pl.col(name), k: pl.lit(None, pl.String)}]
    words = pl.col(t).str.to_lowercase()
    value = pl.when(words.is_in(TRUE_WORDS)).then(True).when(words.is_in(FALSE_WORDS)).then(False)
    return _text_stages(name) + [
        {c: value},
        {k: pl.when(pl.col(t).is_not_null() & pl.col(c).is_null()).then(pl.lit(NOT_FLAG))},
    ]


def _cell_message(name: str) -> pl.Expr:
    """The API's words for the problem in column `name` (null where there is none)."""
    kind, shown = pl.col(f"_k_{name}"), pl.col(name).cast(pl.String).str.strip_chars()
    allowed = _range_text(name) if name in RANGES else ""
    what = NOT_A["int_parsing" if name in COUNT_COLUMNS else "decimal_parsing"]
    precise = NOT_A["decimal_max_places"]
    return (
        pl.when(kind == NOT_NUMBER)
        .then(pl.format(f"{name}: '{{}}' {what}; {allowed}", shown))
        .when(kind == TOO_PRECISE)
        .then(pl.format(f"{name}: '{{}}' {precise}; {allowed}", shown))
        .when(kind == OUT_OF_RANGE)
        .then(pl.format(f"{name}: {{}} is out of range; {allowed}", shown))
        .when(kind == NOT_FLAG)
        .then(pl.format(f"{name}: '{{}}' is not allowed; allowed: true or false (also yes/no, 1/0)", shown))
    )


def _dollars(cents: pl.Expr) -> pl.Expr:
    """Cents as plain dollars for messages: 1800000 -> "18000", 1234 -> "12.34"."""
    whole = (cents // 100).cast(pl.String)
    part = (cents % 100).cast(pl.String).str.pad_start(2, "0")
    return pl.when(cents % 100 == 0).then(whole).otherwise(pl.concat_str(whole, pl.lit("."), part))


def _row_errors(rows: pl.DataFrame, present: list[str]) -> pl.Series:
    """The `error` text of rows known to have a problem: the cells' problems; else a missing
    vested balance; else the rules that tie fields together (service.core's order)."""
    cells = pl.concat_str([_cell_message(name) for name in present], separator="; ", ignore_nulls=True)
    v, o, h = pl.col("_v"), pl.col("_o"), pl.col("_h_given")
    consistency = pl.concat_str(
        [
            pl.when(h.is_not_null() & (h < o)).then(
                pl.format(
                    "highest_loan_balance_12m: {} is below outstanding_loan_balance ({}); "
                    "the highest balance of the last 12 months includes today's",
                    _dollars(h),
                    _dollars(o),
                )
            ),
            pl.when(v.is_not_null() & (o > v)).then(
                pl.format(
                    "outstanding_loan_balance: {} is above vested_balance ({}); the vested balance includes "
                    "outstanding loans",
                    _dollars(o),
                    _dollars(v),
                )
            ),
        ],
        separator="; ",
        ignore_nulls=True,
    )
    return rows.select(
        pl.when(cells != "")
        .then(cells)
        .when(v.is_null())
        .then(pl.lit("vested_balance: required for limit"))
        .otherwise(consistency)
        .alias("error")
    ).to_series()


_KINDS = {
    **dict.fromkeys(MONEY_COLUMNS, _money_stages),
    **dict.fromkeys(COUNT_COLUMNS, _count_stages),
    **dict.fromkeys(FLAG_COLUMNS, _flag_stages),
}
# in the input model's field order, so a row's problems read as the API lists them
PARSERS = {
    name: _KINDS[name]
    for name in (
        "vested_balance",
        "outstanding_loan_balance",
        "highest_loan_balance_12m",
        "existing_loans",
        "allow_10k_floor",
        "min_loan",
        "max_loans",
        "disaster_loan",
        "amount",
    )
}


def parse(frame: pl.DataFrame, defaults: PlanDefaults) -> pl.DataFrame:
    """Adds the typed columns the rule reads (`_v`, `_o`, `_h`, ... in cents) and `error`."""
    present = [name for name in PARSERS if name in frame.schema]
    plans = [PARSERS[name](name, frame.schema[name]) for name in present]
    typed = frame
    for depth in range(max((len(plan) for plan in plans), default=0)):
        stage = {key: expr for plan in plans if depth < len(plan) for key, expr in plan[depth].items()}
        if stage:
            typed = typed.with_columns(**stage)

    def cell(name: str, dtype: pl.DataType | type[pl.DataType]) -> pl.Expr:
        return pl.col(f"_c_{name}") if name in present else pl.lit(None, dtype)

    typed = typed.with_columns(
        _v=cell("vested_balance", pl.Int64),
        _o=cell("outstanding_loan_balance", pl.Int64).fill_null(0),
        _h_given=cell("highest_loan_balance_12m", pl.Int64),
        _n=cell("existing_loans", pl.Int64).fill_null(0),
        _floor=cell("allow_10k_floor", pl.Boolean).fill_null(defaults.allow_10k_floor),
        _min=cell("min_loan", pl.Int64).fill_null(defaults.min_loan_cents),
        _max=cell("max_loans", pl.Int64).fill_null(pl.lit(defaults.max_loans, pl.Int64)),
        _disaster=cell("disaster_loan", pl.Boolean).fill_null(defaults.disaster_loan),
        _amount=cell("amount", pl.Int64),
    ).with_columns(_h=pl.col("_h_given").fill_null(pl.col("_o")))
    bad = (
        typed.select(
            pl.any_horizontal(
                *(pl.col(f"_k_{name}").is_not_null() for name in present),
                pl.col("_v").is_null(),
                pl.col("_h_given").is_not_null() & (pl.col("_h_given") < pl.col("_o")),
                pl.col("_o") > pl.col("_v"),
            )
        )
        .to_series()
        .fill_null(False)
    )
    error = pl.Series("error", [None] * typed.height, dtype=pl.String)
    if bad.any():
        error = error.scatter(bad.arg_true(), _row_errors(typed.filter(bad), present))
    return typed.with_columns(error)
