"""Limits for a whole plan: one participant a row, streamed (PRODUCT F13, CONTRACT "batch").

The rule is METHOD §1 - the one `rules.limits.max_new_loan` applies with Decimals and steps -
written over columns of integer cents, so a million participants take seconds, not minutes.
Integer cents are exact: half the vested balance is `cents * 1 // 2`, which rounds down to
the cent exactly as `max_new_loan` does (a limit is a ceiling). Tests hold the two equal row
by row.

A bad cell is reported in that row's `error` column (naming the field and the allowed range,
in the same words as the API), and the row's results are left empty; the other rows compute.
So is a bad line of a CSV file (`lines.py`: an unquoted comma, a stray quote, a byte that is
not UTF-8: "line 17: ..."); blank lines are skipped. Problems with the file itself (an
unknown column, no `vested_balance` column, a header that cannot be read, a Parquet column
of lists or bytes) are `BatchError`: the CLI prints them and exits 2. An output that cannot
be written (a full disk) is `OutputError`: exit 1.

CSV output is safe to open in a spreadsheet: a text cell that starts with `=`, `+`, `-`, `@`,
a tab or a carriage return and is not a plain number gets a leading `'` (OWASP "CSV
injection"), so "-5" stays -5 and "=HYPERLINK(...)" stays text.

`compute(frame, law)` is the per-partition function: the local engine calls it on each
batch as it streams through; the Dask engine ships the same batches to workers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl

from ..params import Snapshot, parameters
from ..rules.limit_columns import LawCents, limit_columns
from .cells import (
    BATCH_ROWS,
    BINDING_RULES,
    COUNT_COLUMNS,
    FLAG_COLUMNS,
    ID_COLUMN,
    INPUT_COLUMNS,
    MONEY_COLUMNS,
    OUTPUT_COLUMNS,
    PLAN_OPTIONS,
    BatchError,
    PlanDefaults,
    check_columns,
    parse,
)
from .lines import LINE_PROBLEM, HeaderError, count_lines, read_header
from .lines import batches as line_batches
from .output import OutputError, Writer, neutralized, open_output

__all__ = [
    "BATCH_ROWS",
    "BINDING_RULES",
    "COUNT_COLUMNS",
    "EARLIEST_START",
    "FLAG_COLUMNS",
    "ID_COLUMN",
    "INPUT_COLUMNS",
    "MONEY_COLUMNS",
    "OUTPUT_COLUMNS",
    "PLAN_OPTIONS",
    "BatchError",
    "OutputError",
    "PlanDefaults",
    "Summary",
    "Writer",
    "check_columns",
    "compute",
    "file_kind",
    "law_on",
    "neutralized",
    "open_output",
    "parse",
    "run",
]

EARLIEST_START = parameters().first_date  # as service.core (not imported: its package is heavy)


def law_on(day: dt.date | None = None) -> tuple[LawCents, Snapshot]:
    """The law on `day` (default today, as `loan401k.limit` without a start_date)."""
    snapshot = parameters().in_force(day or dt.date.today())
    return LawCents.from_snapshot(snapshot), snapshot


# --------------------------------------------------------------------------- the rule


MONEY_OUT = pl.Decimal(18, 2)


def _as_money(cents: pl.Expr) -> pl.Expr:
    return (cents.cast(MONEY_OUT) / pl.lit(100, pl.Decimal(18, 0))).cast(MONEY_OUT)


def compute(frame: pl.DataFrame, law: LawCents, defaults: PlanDefaults | None = None) -> pl.DataFrame:
    """The per-partition function: the input rows, unchanged, with the five result columns.
    A LINE_PROBLEM column (a CSV line that could not be read) is that row's error."""
    line_problem = frame[LINE_PROBLEM] if LINE_PROBLEM in frame.columns else None
    if line_problem is not None:
        frame = frame.drop(LINE_PROBLEM)
    parsed = parse(frame, defaults or PlanDefaults())
    if line_problem is not None:
        parsed = parsed.with_columns(error=pl.coalesce(line_problem, pl.col("error")))
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
        self.rows_with_errors += int(out["error"].is_not_null().sum())

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


@dataclass
class Source:
    """The participants file: its columns (checked), its rows batch by batch."""

    path: str
    columns: list[str]
    parquet: pl.LazyFrame | None = None  # None: CSV, read line by line (lines.py)
    separator: str = ","

    def batches(self, rows: int = BATCH_ROWS) -> Iterator[pl.DataFrame]:
        if self.parquet is not None:
            yield from batches(self.parquet, rows)
            return
        try:
            yield from line_batches(self.path, self.separator, rows)
        except OSError as exc:
            raise BatchError([f"{self.path}: cannot read: {exc.strerror or exc}"]) from None

    def count(self) -> int:
        return count_rows(self.parquet) if self.parquet is not None else count_lines(self.path)

    def empty(self) -> pl.DataFrame:
        """The input columns with no rows (what the output's header is made of)."""
        if self.parquet is not None:
            return self.parquet.head(0).collect()
        return pl.DataFrame(schema=dict.fromkeys(self.columns, pl.String))


#: Parquet column types a cell can be read from; lists, structs and bytes cannot.
def _readable(dtype: pl.DataType) -> bool:
    return (
        dtype.is_numeric()
        or dtype in (pl.String, pl.Boolean, pl.Null, pl.Categorical)
        or isinstance(dtype, pl.Enum)
        or dtype.is_temporal()
    )


def scan(path: str, check: Callable[[list[str]], None] = check_columns) -> Source:
    """The participants file; CSV cells stay text so a bad cell fails only its row, and a bad
    CSV line only its own row."""
    if not Path(path).is_file():
        raise BatchError([f"{path}: no such file"])
    separator = "\t" if path.endswith(".tsv") else ","
    try:
        if file_kind(path) == "parquet":
            frame = pl.scan_parquet(path)
            schema = frame.collect_schema()
            names = schema.names()
        else:
            with Path(path).open("rb") as handle:
                names = read_header(handle, separator, path)
    except HeaderError as exc:
        raise BatchError([str(exc)]) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise BatchError([f"{path}: cannot read: {str(exc).splitlines()[0]}"]) from None
    check(names)  # the columns of this batch (the servicing batch has its own)
    if file_kind(path) != "parquet":
        return Source(path, names, separator=separator)
    unreadable = [
        f"column {name!r}: a {dtype} column; allowed: text, numbers or true/false"
        for name, dtype in schema.items()
        if not _readable(dtype)
    ]
    if unreadable:
        raise BatchError(unreadable)
    return Source(path, names, parquet=frame)


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


# --------------------------------------------------------------------------- engines


Progress = Callable[[int, int], None] | None


def local_engine(
    chunks: Iterator[pl.DataFrame], law: LawCents, defaults: PlanDefaults
) -> Iterator[pl.DataFrame]:
    for chunk in chunks:
        yield compute(chunk, law, defaults)


def dask_engine(
    chunks: Iterator[pl.DataFrame], law: LawCents, defaults: PlanDefaults, scheduler: str | None
) -> Iterator[pl.DataFrame]:
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
            cluster = LocalCluster(
                n_workers=2,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",
                env={"POLARS_MAX_THREADS": "1"},
            )
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


def _on_cluster(
    client: Any, group: list[pl.DataFrame], law: LawCents, defaults: PlanDefaults
) -> Iterator[pl.DataFrame]:
    scattered = client.scatter(group)
    futures = client.map(compute, scattered, law=law, defaults=defaults)
    for future in futures:
        yield future.result()


def run(
    path: str,
    writer: Writer,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    defaults: PlanDefaults | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Progress = None,
    day: dt.date | None = None,
) -> Summary:
    """Limits for every row of `path`, written through `writer`; returns the summary."""
    source = scan(path)
    law, snapshot = law_on(day)
    defaults = defaults or PlanDefaults()
    total = source.count() if progress is not None else 0
    chunks = source.batches(batch_rows)
    results = (
        dask_engine(chunks, law, defaults, scheduler)
        if engine == "dask"
        else local_engine(chunks, law, defaults)
    )
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
    writer.close(compute(source.empty(), law, defaults))
    return summary
