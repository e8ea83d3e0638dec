"""Batch (PRODUCT F13): limits for 1,000,000 participants, CSV in, Parquet out.

The participants file is generated once into a temporary directory at import, outside
the timing. Timed: `batch.run` streaming the file in 100,000-row batches (parse every
cell, METHOD §1 over columns, write Parquet) against the least any batch must do - read
the same CSV and write it back as Parquet with polars. The peak memory is measured on
one run of the real console script in a child process (its own max RSS from wait4).
"""

from __future__ import annotations

import atexit
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
from loan401k import batch

ROWS = 1_000_000
WORK = Path(tempfile.mkdtemp(prefix="loan401k-bench-batch-"))
atexit.register(shutil.rmtree, WORK, ignore_errors=True)
SOURCE = WORK / "participants.csv"


def generate(path: Path, rows: int, seed: int = 401) -> None:
    """Participants like a plan's: balances to $300,000, a third with loans, some look-back."""
    rng = np.random.default_rng(seed)
    vested = rng.integers(0, 30_000_000, rows)
    outstanding = (vested * rng.random(rows) * 0.5).astype(np.int64) * (rng.random(rows) < 0.3)
    highest = outstanding + rng.integers(0, 2_000_000, rows) * (rng.random(rows) < 0.2)
    pl.DataFrame(
        {
            "participant_id": pl.int_range(rows, eager=True).cast(pl.String).str.pad_start(7, "0"),
            "vested_balance": vested / 100,
            "outstanding_loan_balance": outstanding / 100,
            "highest_loan_balance_12m": highest / 100,
            "existing_loans": (outstanding > 0).astype(np.int64),
            "amount": rng.integers(100_000, 6_000_000, rows) / 100,
        }
    ).with_columns(  # half of them ask for an amount
        amount=pl.when(pl.Series(rng.random(rows) < 0.5)).then(pl.col("amount"))
    ).write_csv(path)


generate(SOURCE, ROWS)


def batch_to_parquet() -> batch.Summary:
    with batch.open_output(str(WORK / "limits.parquet"), "parquet") as writer:
        return batch.run(str(SOURCE), writer)


def csv_to_parquet() -> None:
    """The baseline: the same file read and written back as Parquet, nothing computed."""
    pl.scan_csv(SOURCE, infer_schema=False).sink_parquet(WORK / "copy.parquet")


def console_script_run() -> str:
    """One `loan401k batch` in a child process: its wall time and its own peak RSS."""
    script = Path(sys.executable).with_name("loan401k")
    started = time.perf_counter()
    child = subprocess.Popen(
        [str(script), "batch", str(SOURCE), "-o", str(WORK / "cli.parquet")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    if child.returncode != 0:
        return f"console script failed with exit {child.returncode}"
    return (
        f"`loan401k batch` in a child process: {seconds:.2f} s wall, peak RSS "
        f"{usage.ru_maxrss / 1024:.0f} MiB (budgets: 10 s, 2 GB); {ROWS:,} rows CSV -> Parquet"
    )


NOTE = console_script_run()

CASES = [
    Case(
        "batch 1,000,000 participants CSV -> Parquet",
        batch_to_parquet,
        baseline=csv_to_parquet,
        budget_us=10_000_000,
        note=NOTE,
    ),
]
