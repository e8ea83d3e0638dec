"""Servicing for a whole plan (`loan401k batch --servicing`, issue 12): one loan a row with
how many installments were paid, and what that makes of it on `as_of` - current,
delinquent (with the cure deadline), deemed distributed (the amount, the date and the Form
1099-R code), or paid off - streamed like the limits batch, a million loans in seconds.

Convention: the balance is computed as if the payments made were made on their due dates.
Payments go to the oldest missed installment first (CCA 201736022), so `payments_made`
covers the first installments, and a loan behind by some is the dated engine's loan that
stopped paying after `payments_made` installments. The figures come from
`service.servicing` (exact cents over columns; tests hold each row equal to `loan401k.events`);
this face parses the cells (`servicing_cells`) and renders the columns.

A bad cell fails only its row (its `error` names the field in the API's words, its results
are empty), as does a CSV line that cannot be read ("line 17: ..."); problems with the file
itself are `BatchError` (the CLI exits 2). Reading (`batch.scan`, `lines.py`), batching and
writing (`Writer`, `open_output`: CSV safe for spreadsheets) are the limits batch's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import polars as pl

from ..models import PAYMENTS_PER_YEAR
from ..service.servicing import DEEMED, DELINQUENT, FREQUENCIES, STATUSES, LoanColumns, law_of, servicing
from . import BATCH_ROWS, Writer, _as_money, scan
from .lines import LINE_PROBLEM
from .servicing_cells import ID_COLUMN, INPUT_COLUMNS, OUTPUT_COLUMNS, REQUIRED, check_columns, parse

__all__ = ["ID_COLUMN", "INPUT_COLUMNS", "OUTPUT_COLUMNS", "REQUIRED", "Summary", "compute", "run"]

MONEY = ("payment", "arrears", "balance", "deemed_amount")
NO_BIRTH_DATE = (
    "birth_date not given: the age code is missing (1L before 59½ on the deemed date, 7L from 59½)"
)


# --------------------------------------------------------------------------- one batch


def _loans(good: pl.DataFrame) -> LoanColumns:
    def ints(name: str) -> np.ndarray:
        return good[name].cast(pl.Int64).to_numpy()

    codes = {name: i for i, name in enumerate(FREQUENCIES)}
    return LoanColumns(
        amount=ints("_amount"),
        rate_text=good["_rate_text"].to_numpy().astype(object),
        rate_digits=ints("_rate_digits"),
        rate_scale=ints("_rate_scale"),
        annual_rate=good["_rate"].to_numpy() / 100,
        term_months=ints("_term"),
        frequency=good["_frequency"].replace_strict(codes, return_dtype=pl.Int64).to_numpy(),
        effective=good["_effective"].to_numpy(),
        start=ints("_start"),
        as_of=ints("_as_of"),
        paid=ints("_paid"),
        cure_days=ints("_cure"),
    )


def _problem_words(
    good: pl.DataFrame, problems: dict[str, np.ndarray], scheduled: np.ndarray
) -> dict[int, str]:
    """The rows (of `good`) whose schedule cannot hold what they say, with the reason."""
    words: dict[int, str] = {}
    for row in np.flatnonzero(problems["too_short"]).tolist():
        frequency, term = good["_frequency"][row], good["_term"][row]
        shortest = max(1, 12 // PAYMENTS_PER_YEAR[frequency])
        words[row] = (
            f"term_months: {term} is shorter than one {frequency} payment period; "
            f'allowed: at least {shortest} with frequency "{frequency}"'
        )
    for row in np.flatnonzero(problems["overpaid"]).tolist():
        paid, day = good["_paid"][row], good["_as_of"][row]
        words[row] = (
            f"payments_made: {paid} is more than the {scheduled[row]} installments due by as_of {day}"
        )
    return words


def compute(frame: pl.DataFrame, as_of: dt.date, law_day: dt.date | None = None) -> pl.DataFrame:
    """The per-batch function: the input rows, unchanged, with the result columns (`as_of`
    for the rows without one; the law for the 1099-R age code in force on `law_day`, default
    today). A LINE_PROBLEM column (a CSV line that could not be read, batch/lines.py) is that
    row's error."""
    line_problem = frame[LINE_PROBLEM] if LINE_PROBLEM in frame.columns else None
    if line_problem is not None:
        frame = frame.drop(LINE_PROBLEM)
    parsed = parse(frame, as_of)
    if line_problem is not None:
        parsed = parsed.with_columns(error=pl.coalesce(line_problem, pl.col("error")))
    ok = parsed["error"].is_null().to_numpy()
    rows = np.flatnonzero(ok)
    good = parsed.filter(pl.Series(ok))
    birth, known = (
        good["_birth"].cast(pl.Int64).fill_null(0).to_numpy(),
        good["_birth"].is_not_null().to_numpy(),
    )
    served = servicing(_loans(good), birth, known, good["_roth"].to_numpy(), law_day or dt.date.today())
    result = served.columns
    size = parsed.height

    def spread(values: np.ndarray, fill: Any = 0) -> np.ndarray:
        out = np.full(size, fill, dtype=values.dtype)
        out[rows] = values
        return out

    status = spread(result.status, -1)
    late = (status == DELINQUENT) | (status == DEEMED)
    deemed = status == DEEMED
    error = parsed["error"]
    problems = _problem_words(good, result.problems, result.scheduled)
    if problems:
        error = error.scatter(rows[list(problems)], list(problems.values()))
    columns = pl.DataFrame(
        {
            "_payment": spread(result.payment),
            "_status": status,
            "_due": spread(result.installments_due),
            "_arrears": spread(result.arrears),
            "_oldest": spread(result.oldest_missed),
            "_deadline": spread(result.cure_deadline),
            "_balance": spread(result.balance),
            "_deemed_date": spread(result.deemed_date),
            "_deemed_amount": spread(result.deemed_amount),
            "_code": pl.Series(spread(served.form_1099r_code, None).tolist(), dtype=pl.String),
            "_note": spread(served.age_unknown, False),
            "_ok": status >= 0,
            "_late": late,
            "_deemed": deemed,
        }
    )
    valid, is_late, is_deemed = pl.col("_ok"), pl.col("_late"), pl.col("_deemed")

    def day(name: str) -> pl.Expr:
        return pl.col(name).cast(pl.Int32).cast(pl.Date)

    return pl.concat([frame, columns], how="horizontal").select(
        *frame.columns,
        payment=pl.when(valid).then(_as_money(pl.col("_payment"))),
        status=pl.when(valid).then(pl.col("_status").replace_strict(dict(enumerate(STATUSES)), default=None)),
        installments_due=pl.when(valid).then(pl.col("_due")),
        arrears=pl.when(valid).then(_as_money(pl.col("_arrears"))),
        oldest_missed_due=pl.when(is_late).then(day("_oldest")),
        cure_deadline=pl.when(is_late).then(day("_deadline")),
        balance=pl.when(valid).then(_as_money(pl.col("_balance"))),
        deemed_date=pl.when(is_deemed).then(day("_deemed_date")),
        deemed_amount=pl.when(is_deemed).then(_as_money(pl.col("_deemed_amount"))),
        form_1099r_code=pl.col("_code"),
        note=pl.when(pl.col("_note")).then(pl.lit(NO_BIRTH_DATE)).otherwise(pl.lit(None, pl.String)),
        error=error,
    )


# --------------------------------------------------------------------------- summary


@dataclass
class Summary:
    rows: int = 0
    current: int = 0
    delinquent: int = 0
    deemed: int = 0
    paid_off: int = 0
    rows_with_errors: int = 0
    total_arrears: Decimal = Decimal("0.00")
    total_deemed: Decimal = Decimal("0.00")
    as_of: str = ""
    law_date: str = ""
    warnings: list[str] = field(default_factory=list)

    def add(self, out: pl.DataFrame) -> None:
        self.rows += out.height
        for name, count in out["status"].drop_nulls().value_counts().iter_rows():
            setattr(self, name, getattr(self, name) + count)
        behind = out.filter(pl.col("status") == "delinquent")  # what can still be made up
        self.total_arrears += Decimal(behind["arrears"].sum() or 0)
        self.total_deemed += Decimal(out["deemed_amount"].sum() or 0)
        self.rows_with_errors += int(out["error"].is_not_null().sum())

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


# --------------------------------------------------------------------------- streaming


def _write(writer: Writer, out: pl.DataFrame) -> None:
    """The limits batch's writer; for JSON rows the money goes out as numbers, as there."""
    if writer.kind != "json":
        writer.write(out)
        return
    rows = out.with_columns(pl.col(name).cast(pl.Float64) for name in MONEY).write_json().strip()[1:-1]
    writer.target.write(('{"rows": [' if writer.first else ",") + rows)
    writer.first = False


def run(
    path: str,
    writer: Writer,
    *,
    day: dt.date | None = None,
    batch_rows: int = BATCH_ROWS,
    progress: Callable[[int, int], None] | None = None,
) -> Summary:
    """Every loan of `path` on its `as_of` (`day`, default today, where the cell is empty)."""
    source = scan(path, check_columns)  # the limits batch's reader: a bad CSV line fails alone
    today = dt.date.today()
    as_of = day or today
    law_date, warnings = law_of(today)  # for the 1099-R age code (59½): the law in force today
    total = source.count() if progress is not None else 0
    summary = Summary(as_of=as_of.isoformat(), law_date=law_date.isoformat(), warnings=warnings)
    # one batch is written (on a thread) while the next computes, as in the limits batch
    with ThreadPoolExecutor(max_workers=1) as pool:
        writing: Future[None] | None = None
        for chunk in source.batches(batch_rows):
            out = compute(chunk, as_of, today)
            summary.add(out)
            if writing is not None:
                writing.result()
            writing = pool.submit(_write, writer, out)
            if progress is not None:
                progress(summary.rows, total)
        if writing is not None:
            writing.result()
    writer.close(compute(source.empty(), as_of, today))
    return summary
