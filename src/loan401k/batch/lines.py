"""The participants CSV, read line by line so that one bad line costs one row (issue 17).

A CSV parser that meets an unquoted comma, a stray quote or a byte that is not UTF-8 gives
up on the whole file (polars did, after 1.3 million rows had been written). Here each
physical line is checked on its own, in batches, with vectorized checks for the common case:

- a line that is not UTF-8, longer than MAX_LINE_BYTES, with a stray or unclosed double
  quote, or with more or fewer cells than the header is a row whose cells are empty and
  whose `LINE_PROBLEM` says which line it is and what is wrong; the other rows compute;
- blank lines are skipped (they still count in the line numbers, as an editor shows them);
- quoted cells follow RFC 4180 ("$15,000", a doubled "" for a quote); a quoted cell cannot
  span lines (participants files hold ids and numbers; such a line is reported, not joined);
- a UTF-8 byte-order mark before the header is dropped; CRLF line ends are read as LF.

Empty cells are null, as polars reads them.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import polars as pl

LINE_PROBLEM = "_line_problem"
MAX_LINE_BYTES = 64 * 1024
BOM = b"\xef\xbb\xbf"
STRAY_QUOTE = 'a stray or unclosed double quote (a cell holding a quote is written "…", the quote doubled)'


class HeaderError(ValueError):
    """The header line cannot be read: the file as a whole cannot be processed."""


def _valid_line_regex(separator: str) -> str:
    """A line of RFC 4180 cells: each unquoted (no quote, no separator) or quoted."""
    sep = re.escape(separator)
    cell = rf'(?:"(?:[^"]|"")*"|[^"{sep}]*)'
    return rf"^{cell}(?:{sep}{cell})*$"


def _cells(lines: list[str], separator: str) -> list[list[str]]:
    """RFC 4180 lines (already checked) as their cells."""
    return list(csv.reader(lines, delimiter=separator, quotechar='"', strict=True))


def read_header(handle: BinaryIO, separator: str, name: str) -> list[str]:
    raw = handle.readline(MAX_LINE_BYTES + 1)
    if raw.startswith(BOM):
        raw = raw[len(BOM) :]
    if not raw.strip():
        raise HeaderError(f"{name}: cannot read: the file is empty (no header line)")
    if len(raw) > MAX_LINE_BYTES:
        raise HeaderError(f"{name}: cannot read: the header line is longer than {MAX_LINE_BYTES:,} bytes")
    try:
        text = raw.rstrip(b"\n").rstrip(b"\r").decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HeaderError(f"{name}: cannot read the header: {_not_utf8(exc)}") from None
    if not re.fullmatch(_valid_line_regex(separator), text):
        raise HeaderError(f"{name}: cannot read the header: a stray or unclosed double quote")
    names = [cell.strip() for cell in _cells([text], separator)[0]]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise HeaderError(f"{name}: column {repeated[0]!r} appears twice in the header")
    return names


def _not_utf8(exc: UnicodeDecodeError) -> str:
    byte = exc.object[exc.start : exc.start + 1].hex()
    return f"not UTF-8 (byte 0x{byte} at byte {exc.start + 1}); save the file as UTF-8"


def _physical_lines(handle: BinaryIO, count: int) -> tuple[list[bytes | None], list[str | None]]:
    """Up to `count` lines: their bytes without the line end (None when too long), and a
    problem for each line too long to read."""
    lines: list[bytes | None] = []
    problems: list[str | None] = []
    while len(lines) < count:
        raw = handle.readline(MAX_LINE_BYTES + 1)
        if not raw:
            break
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line
                raw = handle.readline(MAX_LINE_BYTES)
            lines.append(None)
            problems.append(f"longer than {MAX_LINE_BYTES:,} bytes")
            continue
        lines.append(raw.rstrip(b"\n").rstrip(b"\r"))
        problems.append(None)
    return lines, problems


def _decoded(lines: list[bytes | None], problems: list[str | None]) -> list[str | None]:
    """The lines as text; a line that is not UTF-8 is None, its problem said."""
    if all(line is not None for line in lines):
        try:  # the common case: the whole batch at once
            text: list[str | None] = list(b"\n".join(lines).decode("utf-8").split("\n"))  # type: ignore[arg-type]
            return text
        except UnicodeDecodeError:
            pass
    texts: list[str | None] = []
    for index, line in enumerate(lines):
        if line is None:
            texts.append(None)
            continue
        try:
            texts.append(line.decode("utf-8"))
        except UnicodeDecodeError as exc:
            texts.append(None)
            problems[index] = _not_utf8(exc)
    return texts


def batches(path: str, separator: str, rows: int) -> Iterator[pl.DataFrame]:
    """The data rows of `path`, `rows` physical lines at a time: the header's columns (text,
    null when empty) and LINE_PROBLEM (null for a line that was read)."""
    with Path(path).open("rb") as handle:
        names = read_header(handle, separator, path)
        number = 2  # the header is line 1
        valid = _valid_line_regex(separator)
        while True:
            raw, problems = _physical_lines(handle, rows)
            if not raw:
                return
            texts = _decoded(raw, problems)
            frame = _frame(names, texts, problems, number, separator, valid)
            number += len(raw)
            if frame.height:
                yield frame


def _frame(
    names: list[str],
    texts: list[str | None],
    problems: list[str | None],
    first: int,
    separator: str,
    valid: str,
) -> pl.DataFrame:
    width = len(names)
    lines = pl.DataFrame(
        {
            "_n": pl.int_range(first, first + len(texts), eager=True),
            "_text": pl.Series(texts, dtype=pl.String),
            "_problem": pl.Series(problems, dtype=pl.String),
        }
    )
    text = pl.col("_text")
    lines = lines.filter(text.is_null() | (text.str.strip_chars() != ""))  # blank lines: skipped
    cells = text.str.count_matches(separator, literal=True) + 1
    quoted = text.str.contains('"', literal=True)
    lines = lines.with_columns(
        _quoted=quoted.fill_null(False),
        _problem=pl.when(pl.col("_problem").is_not_null())
        .then(pl.col("_problem"))
        .when(quoted & ~text.str.contains(valid))
        .then(pl.lit(STRAY_QUOTE))
        .when(~quoted & (cells != width))
        .then(
            pl.format(
                f"{{}} cells, the header has {width}"
                + (
                    " (an unquoted comma? put a cell that holds a comma in double quotes)"
                    if separator == ","
                    else ""
                ),
                cells,
            )
        ),
    )
    split = lines.select(
        text.str.split_exact(separator, width - 1).struct.rename_fields(names).alias("_cells")
    ).unnest("_cells")
    columns = {name: split[name] for name in names}
    # quoted lines (RFC 4180, already checked): the csv module splits them
    todo = lines.select(pl.arg_where(pl.col("_quoted") & pl.col("_problem").is_null())).to_series()
    problem = lines["_problem"]
    if len(todo):
        parsed = _cells(lines["_text"].gather(todo).to_list(), separator)
        wrong = [(i, len(c)) for i, c in zip(todo.to_list(), parsed, strict=True) if len(c) != width]
        good = [(i, c) for i, c in zip(todo.to_list(), parsed, strict=True) if len(c) == width]
        if wrong:
            problem = problem.scatter(
                [i for i, _ in wrong], [f"{n} cells, the header has {width}" for _, n in wrong]
            )
        if good:
            at = [i for i, _ in good]
            for position, name in enumerate(names):
                columns[name] = columns[name].scatter(at, [c[position] for _, c in good])
    bad = pl.col("_p").is_not_null()
    out = pl.DataFrame(columns).with_columns(_n=lines["_n"], _p=problem)
    return out.select(
        *(pl.when(~bad & (pl.col(name) != "")).then(pl.col(name)).alias(name) for name in names),
        pl.when(bad).then(pl.format("line {}: {}", pl.col("_n"), pl.col("_p"))).alias(LINE_PROBLEM),
    )


def count_lines(path: str) -> int:
    """Data lines in `path` (blank ones included), for a progress bar: newlines, fast."""
    total = 0
    last = b"\n"
    with Path(path).open("rb") as handle:
        while chunk := handle.read(1 << 20):
            total += chunk.count(b"\n")
            last = chunk[-1:]
    return max(0, total - 1 + (last != b"\n"))
