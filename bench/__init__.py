"""Benchmarks: `make bench` (or `python -m bench`) times every case and prints one table.

Each `bench/case_*.py` file exposes `CASES = [Case(...)]`. A case is a function of no
arguments; its optional baseline is timed in the same process and run, so the ratio
is meaningful on any machine. Budgets are reported, never enforced: tests do not
assert on time (STYLE.md), and this runner always exits 0.
"""

from __future__ import annotations

import importlib
import pkgutil
import timeit
from collections.abc import Callable
from dataclasses import dataclass

REPEATS = 5


@dataclass(frozen=True)
class Case:
    name: str
    fn: Callable[[], object]
    baseline: Callable[[], object] | None = None
    budget_us: float | None = None
    note: str = ""


@dataclass(frozen=True)
class Timing:
    case: Case
    seconds: float | None  # best time per call; None if the case raised
    baseline_seconds: float | None
    error: str = ""

    @property
    def ratio(self) -> float | None:
        if self.seconds is None or not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds

    @property
    def within_budget(self) -> bool | None:
        if self.seconds is None or self.case.budget_us is None:
            return None
        return self.seconds * 1e6 <= self.case.budget_us


def discover() -> list[Case]:
    """Every CASES list of the `case_*` modules in this package, in file-name order."""
    cases: list[Case] = []
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("case_"):
            cases.extend(importlib.import_module(f"{__name__}.{module.name}").CASES)
    return cases


def best_per_call(fn: Callable[[], object], repeats: int = REPEATS) -> float:
    """Seconds per call: autorange picks the loop count, the best of `repeats` runs wins."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=repeats, number=number)) / number


def time_case(case: Case) -> Timing:
    try:
        seconds = best_per_call(case.fn)
        baseline = best_per_call(case.baseline) if case.baseline is not None else None
    except Exception as exc:  # a broken case is reported in its row; the others still run
        return Timing(case, None, None, error=f"{type(exc).__name__}: {exc}")
    return Timing(case, seconds, baseline)


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def table(timings: list[Timing]) -> str:
    header = ("case", "time/call", "budget", "baseline", "ratio", "within budget")
    rows = [header]
    for t in timings:
        budget = "-" if t.case.budget_us is None else duration(t.case.budget_us / 1e6)
        ratio = "-" if t.ratio is None else f"{t.ratio:.2f}x"
        within = {None: "-", True: "yes", False: "no"}[t.within_budget]
        rows.append(
            (
                t.case.name,
                "error" if t.error else duration(t.seconds),
                budget,
                duration(t.baseline_seconds),
                ratio,
                within,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    notes = [f"  {t.case.name}: {t.error or t.case.note}" for t in timings if t.error or t.case.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(lines)
