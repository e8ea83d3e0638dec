"""Servicing batch (issue 12): 1,000,000 loans' status, CSV in, Parquet out.

The loans file is generated once into a temporary directory at import, outside the timing:
a plan's book - amounts to $50,000, prime-plus rates, mostly 1-5 year terms (some
residence loans to 25 years), every pay frequency, open (a few just paid off), most
paid up, some behind by an installment or two, some that stopped paying (deemed), some paid
off, a tenth Roth. Timed: `batch.servicing.run` streaming it in 100,000-row batches (parse
every cell, the period loop in int64 cents, write Parquet) against the least any batch must
do - read the same CSV and write it back as Parquet with polars. The wall time and peak
memory of the whole command are measured on one run of the console script in a child
process (its own max RSS from wait4).
"""

from __future__ import annotations

import atexit
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from bench import Case
from loan401k.batch import open_output, servicing
from loan401k.engine.servicing_dates import FREQUENCIES, Schedules

ROWS = 1_000_000
AS_OF = dt.date(2026, 11, 30)
WORK = Path(tempfile.mkdtemp(prefix="loan401k-bench-servicing-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
SOURCE = WORK / "loans.csv"


def generate(path: Path, rows: int, seed: int = 12) -> None:
    rng = np.random.default_rng(seed)
    epoch = dt.date(1970, 1, 1)
    as_of = (AS_OF - epoch).days
    residence = rng.random(rows) < 0.05
    term = np.where(residence, rng.choice([120, 180, 240, 300], rows), rng.choice([12, 24, 36, 48, 60], rows))
    frequency = rng.choice(len(FREQUENCIES), rows, p=[0.15, 0.45, 0.15, 0.24, 0.01])
    start = as_of - (rng.random(rows) * (term * 30.44 + 120)).astype(np.int64)  # a few paid off
    due = np.minimum(
        Schedules(start, frequency).dates_through(np.full(rows, as_of)),
        Schedules(start, frequency).periods_in_term(term),
    )
    pick = rng.random(rows)
    behind = np.where(pick < 0.03, rng.integers(1, 3, rows), 0)  # one or two late
    stopped = np.where((pick >= 0.03) & (pick < 0.08), (due * rng.random(rows)).astype(np.int64), 0)
    paid = np.maximum(0, due - behind - stopped)
    pl.DataFrame(
        {
            "loan_id": pl.int_range(rows, eager=True).cast(pl.String).str.pad_start(7, "0"),
            "amount": rng.integers(100_000, 5_000_001, rows) / 100,
            "annual_rate_pct": rng.choice(["7.75", "8.25", "8.5", "8.75", "9", "9.25", "9.5", "10"], rows),
            "term_months": term,
            "frequency": np.array(FREQUENCIES)[frequency],
            "start_date": pl.Series(start, dtype=pl.Int32).cast(pl.Date),
            "as_of": [AS_OF] * rows,
            "payments_made": paid,
            # most: the regulation's longest (an empty cell: null, so the CSV has no quotes)
            "cure_period_days": pl.Series(np.where(rng.random(rows) < 0.2, 90, -1))
            .cast(pl.String)
            .replace("-1", None),
            "source": np.where(rng.random(rows) < 0.1, "roth", "pretax"),
            "birth_date": pl.Series(start - rng.integers(20 * 365, 60 * 365, rows), dtype=pl.Int32).cast(
                pl.Date
            ),
        }
    ).write_csv(path)


generate(SOURCE, ROWS)


def servicing_to_parquet() -> servicing.Summary:
    with open_output(str(WORK / "servicing.parquet"), "parquet") as writer:
        return servicing.run(str(SOURCE), writer)


def csv_to_parquet() -> None:
    """The baseline: the same file read and written back as Parquet, nothing computed."""
    pl.scan_csv(SOURCE, infer_schema=False).sink_parquet(WORK / "copy.parquet")


def console_script_run() -> str:
    """One `loan401k batch --servicing` in a child process: its wall and CPU time, peak RSS."""
    script = Path(sys.executable).with_name("loan401k")
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(script), "batch", "--servicing", str(SOURCE), "-o", str(WORK / "cli.parquet")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        return f"console script failed with exit {os.waitstatus_to_exitcode(status)}"
    counts = pl.read_parquet(WORK / "cli.parquet", columns=["status"])["status"].value_counts(sort=True)
    mix = ", ".join(f"{name} {count:,}" for name, count in counts.iter_rows())
    cpu = usage.ru_utime + usage.ru_stime  # on a shared machine, wall time is not all ours
    return (
        f"`loan401k batch --servicing` in a child process: {seconds:.2f} s wall ({cpu:.2f} s CPU), "
        f"peak RSS {usage.ru_maxrss / 1024:.0f} MiB (budgets: 20 s, 2 GB); {ROWS:,} loans CSV -> "
        f"Parquet ({mix})"
    )


NOTE = console_script_run()

CASES = [
    Case(
        "batch --servicing 1,000,000 loans CSV -> Parquet",
        servicing_to_parquet,
        baseline=csv_to_parquet,
        budget_us=20_000_000,
        note=NOTE,
    ),
]
