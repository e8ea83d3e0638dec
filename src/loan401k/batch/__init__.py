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
    "PlanDefaults",
    "Summary",
    "Writer",
    "check_columns",
    "compute",
    "file_kind",
    "law_on",
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
            with partial.open(
                "wb" if kind == "csv" else "w", encoding=None if kind == "csv" else "utf-8"
            ) as handle:
                yield Writer(kind, handle)
        os.replace(partial, final)
    except OSError as exc:
        raise BatchError([f"output: cannot write {path}: {exc.strerror or exc}"]) from None
    finally:
        partial.unlink(missing_ok=True)


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
    frame = scan(path)
    law, snapshot = law_on(day)
    defaults = defaults or PlanDefaults()
    total = count_rows(frame) if progress is not None else 0
    chunks = batches(frame, batch_rows)
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
    writer.close(compute(frame.head(0).collect(), law, defaults))
    return summary
