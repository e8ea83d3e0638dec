"""Limits for a whole plan: one participant a row, streamed (PRODUCT F13, CONTRACT "batch").

The rule is METHOD §1 - the one `rules.limits.max_new_loan` applies with Decimals and steps -
written over columns of integer cents, so a million participants take seconds, not minutes.
Integer cents are exact: half the vested balance is `cents * 1 // 2`, which rounds down to
the cent exactly as `max_new_loan` does (a limit is a ceiling). Tests hold the two equal row
by row.

A bad cell is reported in that row's `error` column (naming the field and the allowed range,
in the same words as the API), and the row's results are left empty; the other rows compute.
Problems with the file itself (an unknown column, no `vested_balance` column, a file that
cannot be read) are `BatchError`: the CLI prints them and exits 2.

`compute(frame, law)` is the per-partition function: the local engine calls it on each
batch as it streams through; the Dask engine ships the same batches to workers.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from .params import Snapshot, parameters
from .rules.limit_columns import LawCents, limit_columns

ID_COLUMN = "participant_id"
MONEY_COLUMNS = ("vested_balance", "outstanding_loan_balance", "highest_loan_balance_12m", "min_loan",
                 "amount")
COUNT_COLUMNS = ("existing_loans", "max_loans")
FLAG_COLUMNS = ("allow_10k_floor", "disaster_loan")
INPUT_COLUMNS = (ID_COLUMN, *MONEY_COLUMNS, *COUNT_COLUMNS, *FLAG_COLUMNS)
PLAN_OPTIONS = ("allow_10k_floor", "min_loan", "max_loans", "disaster_loan")
OUTPUT_COLUMNS = ("max_loan", "eligible", "binding_rule", "excess", "error")
BATCH_ROWS = 100_000

# The input model's ranges (models.LoanInput), in cents for money: (low, high, low is strict).
MAX_MONEY_CENTS = 100_000_000 * 100
RANGES: dict[str, tuple[int, int, bool]] = {
    "vested_balance": (0, MAX_MONEY_CENTS, False),
    "outstanding_loan_balance": (0, MAX_MONEY_CENTS, False),
    "highest_loan_balance_12m": (0, MAX_MONEY_CENTS, False),
    "min_loan": (0, 1000 * 100, False),
    "amount": (0, MAX_MONEY_CENTS, True),
    "existing_loans": (0, 50, False),
    "max_loans": (1, 50, False),
}
TRUE_WORDS = ("true", "t", "yes", "y", "on", "1")
FALSE_WORDS = ("false", "f", "no", "n", "off", "0")
BINDING_RULES = ("dollar_cap", "half_vested", "ten_thousand_floor", "vested_balance", "plan_minimum",
                 "loan_count")


class BatchError(ValueError):
    """The file as a whole cannot be processed: one line per problem."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("; ".join(lines))


EARLIEST_START = parameters().first_date  # as service.core (not imported: its package is heavy)


def law_on(day: dt.date | None = None) -> tuple[LawCents, Snapshot]:
    """The law on `day` (default today, as `loan401k.limit` without a start_date)."""
    snapshot = parameters().in_force(day or dt.date.today())
    return LawCents.from_snapshot(snapshot), snapshot


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
            from .models import LoanInput

            close = difflib.get_close_matches(name, INPUT_COLUMNS, n=1)
            what = ("an input field the limit does not use" if name in LoanInput.model_fields
                    else "unknown column")
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
    if strict:
        return f"allowed: more than {low:,} and up to {high:,}"
    return f"allowed range: {low:,} to {high:,}"


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
            {t: pl.when(pl.col(t) == "").then(None).when(pl.col(t).str.contains(THOUSANDS)).then(
                pl.col(t).str.replace_all(",", "", literal=True)).otherwise(pl.col(t))},
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
    stages.append({k: pl.when(not_number).then(pl.lit(NOT_NUMBER))
                   .when(too_precise).then(pl.lit(TOO_PRECISE))
                   .when(pl.col(f).is_not_null() & (~fits | _out_of_range(pl.col(c), name)))
                   .then(pl.lit(OUT_OF_RANGE))})
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
            {f: source.cast(pl.Float64, strict=False)}]
        given = source.is_not_null()
    whole = pl.col(f).is_finite() & (pl.col(f) == pl.col(f).round(0)) & (pl.col(f).abs() < 1e15)
    stages.append({c: pl.when(whole).then(pl.col(f).cast(pl.Int64))})
    stages.append({k: pl.when(given & ~whole.fill_null(False)).then(pl.lit(NOT_NUMBER))
                   .when(_out_of_range(pl.col(c), name)).then(pl.lit(OUT_OF_RANGE))})
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
    what = "a valid integer" if name in COUNT_COLUMNS else "a valid decimal"
    return (
        pl.when(kind == NOT_NUMBER).then(pl.format(f"{name}: '{{}}' is not valid: input should be {what}; "
                                                   f"{allowed}", shown))
        .when(kind == TOO_PRECISE).then(pl.format(
            f"{name}: '{{}}' is not valid: decimal input should have no more than 2 decimal places; "
            f"{allowed}", shown))
        .when(kind == OUT_OF_RANGE).then(pl.format(f"{name}: {{}} is out of range; {allowed}", shown))
        .when(kind == NOT_FLAG).then(pl.format(
            f"{name}: '{{}}' is not allowed; input should be true or false (also yes/no, 1/0)", shown))
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
    consistency = pl.concat_str([
        pl.when(h.is_not_null() & (h < o)).then(pl.format(
            "highest_loan_balance_12m: {} is below outstanding_loan_balance ({}); the highest balance "
            "of the last 12 months includes today's", _dollars(h), _dollars(o))),
        pl.when(v.is_not_null() & (o > v)).then(pl.format(
            "outstanding_loan_balance: {} is above vested_balance ({}); the vested balance includes "
            "outstanding loans", _dollars(o), _dollars(v))),
    ], separator="; ", ignore_nulls=True)
    return rows.select(
        pl.when(cells != "").then(cells)
        .when(v.is_null()).then(pl.lit("vested_balance: required for limit"))
        .otherwise(consistency).alias("error")
    ).to_series()


_KINDS = {**dict.fromkeys(MONEY_COLUMNS, _money_stages), **dict.fromkeys(COUNT_COLUMNS, _count_stages),
          **dict.fromkeys(FLAG_COLUMNS, _flag_stages)}
# in the input model's field order, so a row's problems read as the API lists them
PARSERS = {name: _KINDS[name] for name in ("vested_balance", "outstanding_loan_balance",
                                            "highest_loan_balance_12m", "existing_loans", "allow_10k_floor",
                                            "min_loan", "max_loans", "disaster_loan", "amount")}


def parse(frame: pl.DataFrame, defaults: PlanDefaults) -> pl.DataFrame:
    """Adds the typed columns the rule reads (`_v`, `_o`, `_h`, ... in cents) and `error`."""
    present = [name for name in PARSERS if name in frame.schema]
    plans = [PARSERS[name](name, frame.schema[name]) for name in present]
    typed = frame
    for depth in range(max((len(plan) for plan in plans), default=0)):
        stage = {key: expr for plan in plans if depth < len(plan) for key, expr in plan[depth].items()}
        if stage:
            typed = typed.with_columns(**stage)

    def cell(name: str, dtype: pl.DataType) -> pl.Expr:
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
    bad = typed.select(pl.any_horizontal(
        *(pl.col(f"_k_{name}").is_not_null() for name in present),
        pl.col("_v").is_null(),
        pl.col("_h_given").is_not_null() & (pl.col("_h_given") < pl.col("_o")),
        pl.col("_o") > pl.col("_v"),
    )).to_series().fill_null(False)
    error = pl.Series("error", [None] * typed.height, dtype=pl.String)
    if bad.any():
        error = error.scatter(bad.arg_true(), _row_errors(typed.filter(bad), present))
    return typed.with_columns(error)


# --------------------------------------------------------------------------- the rule


MONEY_OUT = pl.Decimal(18, 2)


def _as_money(cents: pl.Expr) -> pl.Expr:
    return (cents.cast(MONEY_OUT) / pl.lit(100, pl.Decimal(18, 0))).cast(MONEY_OUT)


def compute(frame: pl.DataFrame, law: LawCents, defaults: PlanDefaults | None = None) -> pl.DataFrame:
    """The per-partition function: the input rows, unchanged, with the five result columns."""
    parsed = parse(frame, defaults or PlanDefaults())
    ok = pl.col("error").is_null()
    result = parsed
    for stage in limit_columns(law):
        result = result.with_columns(**stage)
    outputs = result.select(
        *frame.columns,
        max_loan=pl.when(ok).then(_as_money(pl.col("_max_loan"))),
        eligible=pl.when(ok).then(pl.col("_eligible")),
        binding_rule=pl.when(ok).then(pl.col("_binding")),
        excess=pl.when(ok).then(_as_money(pl.col("_excess"))),
        error=pl.col("error"),
    )
    return outputs


# --------------------------------------------------------------------------- summary


@dataclass
class Summary:
    rows: int = 0
    eligible: int = 0
    total_capacity: Decimal = Decimal("0.00")
    rows_with_errors: int = 0
    law_date: str = ""
    warnings: list[str] = field(default_factory=list)

    def add(self, out: pl.DataFrame) -> None:
        eligible = out.filter(pl.col("eligible").fill_null(False))
        self.rows += out.height
        self.eligible += eligible.height
        capacity = eligible["max_loan"].sum() if eligible.height else None
        self.total_capacity += Decimal(capacity or 0)
        self.rows_with_errors += out["error"].is_not_null().sum()

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "eligible": self.eligible,
            "total_capacity": self.total_capacity,
            "rows_with_errors": self.rows_with_errors,
            "law_date": self.law_date,
            "warnings": self.warnings,
        }


# --------------------------------------------------------------------------- reading


def file_kind(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".csv", ".txt", ".tsv") or path == "-":
        return "csv"
    raise BatchError([f"{path}: unknown file type {suffix or '(none)'!r}; allowed: .csv or .parquet"])


def scan(path: str) -> pl.LazyFrame:
    """The participants file, lazily; CSV cells stay text so a bad cell fails only its row."""
    if not Path(path).is_file():
        raise BatchError([f"{path}: no such file"])
    try:
        if file_kind(path) == "parquet":
            frame = pl.scan_parquet(path)
        else:
            frame = pl.scan_csv(path, infer_schema=False, separator="\t" if path.endswith(".tsv") else ",")
        names = frame.collect_schema().names()
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BatchError([f"{path}: cannot read: {str(exc).splitlines()[0]}"]) from None
    check_columns(names)
    return frame


def count_rows(frame: pl.LazyFrame) -> int:
    return int(frame.select(pl.len()).collect().item())


def batches(frame: pl.LazyFrame, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
    """The file in order, `rows` at a time (memory bounded by the batch, not the file)."""
    try:
        for chunk in frame.collect_batches(chunk_size=rows):
            if chunk.height:
                yield chunk
    except pl.exceptions.PolarsError as exc:
        raise BatchError([f"cannot read the participants: {str(exc).splitlines()[0]}"]) from None


# --------------------------------------------------------------------------- writing


class Writer:
    """Rows out as they come: CSV (to a binary stream), Parquet (to a path), or JSON text
    (`{"rows": [...` - the caller closes the object after the summary)."""

    def __init__(self, kind: str, target: Any):
        self.kind, self.target, self.first = kind, target, True
        self._parquet: Any = None

    def write(self, out: pl.DataFrame) -> None:
        if self.kind == "csv":
            out.write_csv(self.target, include_header=self.first)
        elif self.kind == "parquet":
            import pyarrow.parquet as pq

            table = out.to_arrow()
            if self._parquet is None:
                self._parquet = pq.ParquetWriter(self.target, table.schema)
            self._parquet.write_table(table)
        else:
            money = [pl.col(name).cast(pl.Float64) for name in ("max_loan", "excess")]
            rows = out.with_columns(money).write_json().strip()[1:-1]
            self.target.write(('{"rows": [' if self.first else ",") + rows)
        self.first = False

    def close(self, empty: pl.DataFrame) -> None:
        """Finish the output; `empty` (the output's columns, no rows) when nothing was written."""
        if self.first and self.kind != "json":
            self.write(empty)
        if self.kind == "parquet" and self._parquet is not None:
            self._parquet.close()
        elif self.kind == "json":
            self.target.write(('{"rows": [' if self.first else "") + "]")
            self.target.flush()
        elif self.kind == "csv":
            self.target.flush()


@contextmanager
def open_output(path: str | None, kind: str) -> Iterator[Writer]:
    """A writer to `path` (written whole or not at all: a temporary name, renamed at the end),
    or to standard output when `path` is None."""
    if path is None:
        yield Writer(kind, sys.stdout if kind == "json" else sys.stdout.buffer)
        return
    final = Path(path)
    partial = final.with_name(f".{final.name}.partial")
    try:
        if kind == "parquet":
            yield Writer(kind, str(partial))
        else:
            with partial.open("wb" if kind == "csv" else "w", encoding=None if kind == "csv" else "utf-8") \
                    as handle:
                yield Writer(kind, handle)
        os.replace(partial, final)
    except OSError as exc:
        raise BatchError([f"output: cannot write {path}: {exc.strerror or exc}"]) from None
    finally:
        partial.unlink(missing_ok=True)


# --------------------------------------------------------------------------- engines


Progress = Callable[[int, int], None] | None


def local_engine(chunks: Iterator[pl.DataFrame], law: LawCents,
                 defaults: PlanDefaults) -> Iterator[pl.DataFrame]:
    for chunk in chunks:
        yield compute(chunk, law, defaults)


def dask_engine(chunks: Iterator[pl.DataFrame], law: LawCents, defaults: PlanDefaults,
                scheduler: str | None) -> Iterator[pl.DataFrame]:
    """The same `compute` on a Dask cluster: batches are scattered to the workers a window at
    a time and come back in order, so memory stays bounded on the client too.

    Without `scheduler`, a two-process LocalCluster is started for the run.
    """
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise BatchError(["engine: dask is not installed; pip install 'loan401k[dask]'"]) from None
    cluster = None
    try:
        if scheduler is None:
            cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                   dashboard_address="127.0.0.1:0", env={"POLARS_MAX_THREADS": "1"})
            scheduler = cluster.scheduler_address
        try:
            client = Client(scheduler)  # waits distributed.comm.timeouts.connect (30 s default)
        except (OSError, TimeoutError) as exc:
            raise BatchError([f"scheduler: cannot reach {scheduler}: {exc}"]) from None
        with client:
            window = 2 * max(1, len(client.scheduler_info().get("workers", {})))
            group: list[pl.DataFrame] = []
            for chunk in chunks:
                group.append(chunk)
                if len(group) == window:
                    yield from _on_cluster(client, group, law, defaults)
                    group = []
            if group:
                yield from _on_cluster(client, group, law, defaults)
    finally:
        if cluster is not None:
            cluster.close()


def _on_cluster(client: Any, group: list[pl.DataFrame], law: LawCents,
                defaults: PlanDefaults) -> Iterator[pl.DataFrame]:
    scattered = client.scatter(group)
    futures = client.map(compute, scattered, law=law, defaults=defaults)
    for future in futures:
        yield future.result()


def run(path: str, writer: Writer, *, engine: str = "local", scheduler: str | None = None,
        defaults: PlanDefaults | None = None, batch_rows: int = BATCH_ROWS,
        progress: Progress = None, day: dt.date | None = None) -> Summary:
    """Limits for every row of `path`, written through `writer`; returns the summary."""
    frame = scan(path)
    law, snapshot = law_on(day)
    defaults = defaults or PlanDefaults()
    total = count_rows(frame) if progress is not None else 0
    chunks = batches(frame, batch_rows)
    results = (dask_engine(chunks, law, defaults, scheduler) if engine == "dask"
               else local_engine(chunks, law, defaults))
    summary = Summary(law_date=law.day.isoformat(), warnings=snapshot.stale_warnings())
    # one batch is written (on a thread: polars and pyarrow release the GIL) while the next
    # computes; never more than two batches of results in memory
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing: Future[None] | None = None
        for out in results:
            summary.add(out)
            if writing is not None:
                writing.result()
            writing = pool.submit(writer.write, out)
            if progress is not None:
                progress(summary.rows, total)
        if writing is not None:
            writing.result()
    writer.close(compute(frame.head(0).collect(), law, defaults))
    return summary
