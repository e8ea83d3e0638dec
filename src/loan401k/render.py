"""Terminal rendering for the CLI: Rich tables on a terminal, plain text when piped."""

from __future__ import annotations

import csv
import sys
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from .models import DistributionResult, LimitResult, ScheduleResult

console = Console(highlight=False)


def usd(value: Decimal | float | int | None, whole: bool = False) -> str:
    if value is None:
        return "-"
    return f"${value:,.0f}" if whole else f"${value:,.2f}"


def _steps(steps: list[Any]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Step")
    table.add_column("Figure", justify="right")
    table.add_column("Law", style="dim")
    for step in steps:
        table.add_row(step.text, usd(step.value) if step.value is not None else "", step.citation)
    return table


def _warnings(warnings: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {warning}")


def limit(result: LimitResult) -> None:
    if result.eligible:
        console.print(f"[bold]You can borrow up to {usd(result.max_loan)}[/] "
                      f"(binding rule: {result.binding_rule}).")
    else:
        console.print(f"[bold]Not eligible for a new loan[/] (binding rule: {result.binding_rule}).")
    if result.excess:
        console.print(f"[bold]{usd(result.excess)}[/] of the {usd(result.requested)} asked for is "
                      "over the limit and would be a taxable deemed distribution.")
    console.print(_steps(result.steps))
    _warnings(result.warnings)


def schedule(result: ScheduleResult) -> None:
    console.print(
        f"[bold]{usd(result.payment)} {result.frequency}[/] for {result.periods} payments on "
        f"{usd(result.amount)} at {result.annual_rate_pct:.4g}% ({result.rate_convention}); "
        f"total interest {usd(result.total_interest)}, paid off {result.payoff_date}."
    )
    if result.fees:
        console.print(f"Fees charged to the account: {usd(result.fees)}.")
    table = Table(box=None, header_style="bold")
    for name in ("#", "Date", "Payment", "Interest", "Principal", "Balance"):
        table.add_column(name, justify="right")
    for row in result.rows:
        table.add_row(str(row.n), row.date.isoformat(), usd(row.payment), usd(row.interest),
                      usd(row.principal), usd(row.balance))
    table.add_row("", "Total", usd(result.total_paid), usd(result.total_interest),
                  usd(result.amount), "", style="bold")
    console.print(table)
    _warnings(result.warnings)


def schedule_csv(result: ScheduleResult) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["n", "date", "payment", "interest", "principal", "balance"])
    for row in result.rows:
        writer.writerow([row.n, row.date.isoformat(), row.payment, row.interest, row.principal,
                         row.balance])


def distribution(result: DistributionResult) -> None:
    console.print(f"[bold]A {usd(result.amount)} distribution costs {usd(result.total)}[/] in tax "
                  f"and penalty; you keep {usd(result.net)}.")
    table = Table(box=None, show_header=False)
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in (("Federal income tax", result.federal_tax), ("State income tax",
                         result.state_tax), ("10% additional tax", result.penalty),
                         ("Total", result.total), ("You keep", result.net)):
        table.add_row(label, usd(value))
    console.print(table)
    console.print(_steps(result.steps))
    _warnings(result.warnings)
