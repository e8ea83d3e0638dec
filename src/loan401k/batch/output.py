"""Where a batch's rows go: CSV (safe to open in a spreadsheet), Parquet or JSON, to a file
written whole or not at all, or to standard output."""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl

#: A cell a spreadsheet would run as a formula (OWASP "CSV injection")...
FORMULA_START = r"^[=+\-@\t\r]"
#: ...unless it is a number as the cells take it: "-5", "+1.5", "-$15,000", "-1e3".
PLAIN_NUMBER = r"^[+-]?[$ ]*(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def neutralized(frame: pl.DataFrame) -> pl.DataFrame:
    """Text cells that would start a formula, with a leading apostrophe (shown as text)."""
    text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if not text:
        return frame
    return frame.with_columns(
        pl.when(pl.col(name).str.contains(FORMULA_START) & ~pl.col(name).str.contains(PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(name))
        .otherwise(pl.col(name))
        .alias(name)
        for name in text
    )


class Writer:
    """Rows out as they come: CSV (to a binary stream), Parquet (to a path), or JSON text
    (`{"rows": [...` - the caller closes the object after the summary)."""

    def __init__(self, kind: str, target: Any):
        self.kind, self.target, self.first = kind, target, True
        self._parquet: Any = None

    def write(self, out: pl.DataFrame) -> None:
        if self.kind == "csv":
            neutralized(out).write_csv(self.target, include_header=self.first)
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


def _reason(exc: OSError) -> str:
    """The OS's words (polars raises OSError("No space left on device (os error 28)"))."""
    return exc.strerror or str(exc).split(" (os error")[0]


class OutputError(Exception):
    """The output cannot be written (a full disk, no permission): the CLI exits 1."""

    environment = True  # the machine's problem, not the input's (the CLI's exit status 1)

    def __init__(self, lines: list[str]):
        self.lines = lines
        super().__init__("; ".join(lines))


@contextmanager
def open_output(path: str | None, kind: str) -> Iterator[Writer]:
    """A writer to `path` (written whole or not at all: a temporary name, renamed at the end),
    or to standard output when `path` is None. A path that is not a regular file (/dev/null,
    /dev/stdout, a pipe) is written to directly: renaming over it would replace the device."""
    if path is None:
        yield Writer(kind, sys.stdout if kind == "json" else sys.stdout.buffer)
        return
    final = Path(path)
    try:
        special = final.exists() and not stat.S_ISREG(final.stat().st_mode)
    except OSError:
        special = False
    if special:
        if kind == "parquet":
            raise OutputError([f"output: {path} is not a regular file; Parquet needs one (or use --csv)"])
        encoding = None if kind == "csv" else "utf-8"
        try:
            with final.open("wb" if kind == "csv" else "w", encoding=encoding) as handle:
                yield Writer(kind, handle)
        except OSError as exc:
            raise OutputError([f"output: cannot write {path}: {_reason(exc)}"]) from None
        return
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
        raise OutputError([f"output: cannot write {path}: {_reason(exc)}"]) from None
    finally:
        partial.unlink(missing_ok=True)
