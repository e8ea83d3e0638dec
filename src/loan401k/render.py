"""Terminal rendering for the CLI: Rich tables on a terminal, plain text when piped."""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.table import Table

from . import money, service
from .models import DistributionResult, LimitResult, ScheduleResult

console = Console(highlight=False)


def usd(value: Decimal | float | int | None, whole: bool = False) -> str:
    return "-" if value is None else money.usd(value, whole=whole)


def _steps(steps: list[Any]) -> Table:
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("Step")
    table.add_column("Figure", justify="right")
    table.add_column("Law", style="dim")
    for step in steps:
        table.add_row(step.text, usd(step.value) if step.value is not None else "", step.citation)
    return table


def _assumptions(items: list[Any]) -> Table:
    table = Table(title="Assumptions", title_justify="left", box=None, header_style="bold")
    table.add_column("Input")
    table.add_column("Value")
    table.add_column("Source", style="dim")
    for item in items:
        table.add_row(item.name, item.value, item.source)
    return table


def _warnings(warnings: list[str]) -> None:
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {warning}")


#: The limit's binding rule in words (its code is for programs: `--json`).
BINDING = {
    "dollar_cap": "the $50,000 cap",
    "half_vested": "half the vested balance",
    "ten_thousand_floor": "the $10,000 floor",
    "vested_balance": "the vested balance",
    "plan_minimum": "the plan's smallest loan",
    "loan_count": "the plan's number of loans",
}


def limit(result: LimitResult) -> None:
    rule = BINDING.get(result.binding_rule, result.binding_rule)
    if result.eligible:
        console.print(f"[bold]You can borrow up to {usd(result.max_loan)}[/] (the limit: {rule}).")
    else:
        console.print(f"[bold]Not eligible for a new loan[/] (because of {rule}).")
    if result.excess:
        console.print(
            f"[bold]{usd(result.excess)}[/] of the {usd(result.requested)} asked for is "
            "over the limit and would be a taxable deemed distribution."
        )
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
        table.add_row(
            str(row.n),
            row.date.isoformat(),
            usd(row.payment),
            usd(row.interest),
            usd(row.principal),
            usd(row.balance),
        )
    table.add_row(
        "", "Total", usd(result.total_paid), usd(result.total_interest), usd(result.amount), "", style="bold"
    )
    console.print(table)
    _warnings(result.warnings)


def schedule_csv(result: ScheduleResult) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    header = service.schedule_columns()  # in the command's language (English unless told otherwise)
    writer.writerow(header)
    for row in result.rows:
        writer.writerow([row.n, row.date.isoformat(), row.payment, row.interest, row.principal, row.balance])


def rows_csv(header: list[str], rows: list[Any]) -> None:
    """Result rows (models) as CSV on standard output: one column per name in `header`."""
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([getattr(row, name) for name in header])


def distribution(result: DistributionResult) -> None:
    console.print(
        f"[bold]A {usd(result.amount)} distribution costs {usd(result.total)}[/] in tax "
        f"and penalty; you keep {usd(result.net)}."
    )
    table = Table(box=None, show_header=False)
    table.add_column("")
    table.add_column("", justify="right")
    for label, value in (
        ("Federal income tax", result.federal_tax),
        ("State income tax", result.state_tax),
        ("10% additional tax", result.penalty),
        ("Total", result.total),
        ("You keep", result.net),
    ):
        table.add_row(label, usd(value))
    console.print(table)
    console.print(_steps(result.steps))
    _warnings(result.warnings)


LEVEL_STYLE = {"reasonable": "bold cyan", "caution": "bold yellow", "avoid": "bold magenta"}


#: The parts of the cost (METHOD v2 §4), in the order a person reads them, as every face names them.
COST_PARTS = (
    ("price_of_credit", "The price of the credit (as from any lender at this rate)"),
    ("plan_difference", "Borrowing from your 401(k) instead of a lender"),
    ("contributions", "Contributing less while repaying"),
    ("fees", "Loan fees"),
    ("job_loss", "If you leave your job before it is repaid"),
    ("excess", "Over the limit: taxed now"),
)


def analysis(result: Any, explain: bool = False) -> None:
    """The terminal report: headline, breakdown, verdict, assumptions."""
    cost, loan, inputs = result.cost, result.loan, result.inputs
    age = inputs.retirement_age
    years = loan.payoff_month / 12
    verb = "costs you about" if cost.total >= 0 else "leaves you ahead by about"
    console.print(
        f"[bold]Borrowing {usd(loan.amount, whole=True)} {verb} {usd(abs(cost.total), whole=True)} "
        f"at {age}[/] beyond the money itself — {usd(abs(cost.total_today), whole=True)} in today's "
        f"dollars, {usd(cost.per_dollar)} for each dollar borrowed."
    )
    console.print(
        f"You'll repay {usd(loan.payment)} {loan.frequency} for {years:g} years "
        f"(total interest {usd(loan.total_interest)}, paid to your own account)."
    )
    limit = result.limit
    rule = BINDING.get(limit.binding_rule, limit.binding_rule)
    if limit.eligible:
        console.print(f"You can borrow up to {usd(limit.max_loan, whole=True)} (the limit: {rule}).")
    else:
        console.print(f"Not eligible for a new loan (because of {rule}).")
    table = Table(title="How the cost adds up", title_justify="left", box=None, header_style="bold")
    table.add_column("Part")
    table.add_column(f"At {age}", justify="right")
    for name, label in COST_PARTS:
        value = getattr(cost, name)
        if name == "excess" and not value:
            continue
        table.add_row(label, usd(value))
    table.add_row("Total, beyond the money itself", usd(cost.total), style="bold")
    table.add_row("  worth today, at what your money outside earns", usd(cost.present_value), style="dim")
    console.print(table)
    sentences = {step.rule: step.text for step in result.steps}
    for name, _ in COST_PARTS:
        if name in sentences and (name != "excess" or cost.excess):
            console.print(f"  • {sentences[name]}")
    view = result.account_view
    console.print(
        f"Balance at {age}, before tax: {usd(result.balances.no_loan, whole=True)} without the loan, "
        f"{usd(result.balances.with_loan, whole=True)} with it. After tax, with what you pay and keep "
        f"outside: 401(k) {usd(view.plan_no_loan, whole=True)} without, "
        f"{usd(view.plan_with_loan, whole=True)} with; money outside "
        f"{usd(view.outside_with_loan, whole=True)}."
    )
    verdict = result.verdict
    console.print(f"Verdict: [{LEVEL_STYLE[verdict.level]}]{verdict.level.upper()}[/]")
    for reason in verdict.reasons:
        console.print(f"  • {reason}")
    console.print(f"[dim]{verdict.note}[/]")
    if explain:
        console.print(_steps(result.steps))
        console.print(_steps(result.limit.steps))
    console.print(_assumptions(result.assumptions))
    _warnings(result.warnings)


def comparison(result: Any) -> None:
    """The options ranked on one scale, their risks, and the payoff-speed table."""
    cheapest = result.options[0]
    console.print(
        f"[bold]For {usd(result.amount, whole=True)} today, the cheapest listed option is "
        f"{cheapest.label}[/]: it costs {usd(cheapest.cost, whole=True)} at retirement beyond the "
        "money itself (after-tax net worth, compared with receiving the cash as a gift)."
    )
    table = Table(title="Options, cheapest first", title_justify="left", box=None, header_style="bold")
    for name, justify in (
        ("#", "right"),
        ("Option", "left"),
        ("Cost at retirement", "right"),
        ("Payment", "right"),
        ("Interest", "right"),
        ("Fees", "right"),
        ("Tax", "right"),
        ("Penalty", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for rank, option in enumerate(result.options, start=1):
        table.add_row(
            str(rank),
            option.label,
            usd(option.cost),
            usd(option.payment),
            usd(option.interest),
            usd(option.fees),
            usd(option.taxes),
            usd(option.penalties),
            style="bold" if option.kind == "401k_loan" else None,
        )
    console.print(table)
    for option in result.options:
        console.print(f"[bold]{option.label}[/]: {option.formula}")
        for risk in option.risks:
            console.print(f"  • {risk}")
    if result.payoff_speed:
        speed = Table(
            title="The 401(k) loan repaid faster or slower",
            title_justify="left",
            box=None,
            header_style="bold",
        )
        for name in ("Term", "Payment", "Interest", "Cost at retirement"):
            speed.add_column(name, justify="right")
        for row in result.payoff_speed:
            speed.add_row(
                f"{row.term_months} months", usd(row.payment), usd(row.total_interest), usd(row.cost.total)
            )
        console.print(speed)
    console.print(_assumptions(result.assumptions))
    console.print("[dim]Education, not advice: every figure shows its formula; the choice is yours.[/]")
    _warnings(result.warnings)


# --------------------------------------------------------------------------- markets (F7)


@contextmanager
def progress(
    label: str, enabled: bool = True, stderr: bool = False
) -> Iterator[Callable[[int, int], None] | None]:
    """A Rich progress bar fed by (chunks done, total); only on a terminal, never when piped.

    `stderr`: draw on standard error (batch, whose rows may be flowing on standard output)."""
    stream = sys.stderr if stderr else sys.stdout
    if not enabled or not stream.isatty():
        yield None
        return
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeElapsedColumn

    with Progress(
        f"[bold]{label}[/]",
        BarColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True) if stderr else console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def report(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield report


def _percentile_table(result: Any) -> Table:
    table = Table(box=None, header_style="bold")
    names = ("min", "p10", "p25", "p50", "p75", "p90", "max")
    table.add_column("")
    for name in names:
        table.add_column(name, justify="right")
    figures, per_dollar = result.percentiles, result.per_dollar
    table.add_row("cost", *(usd(getattr(figures, name), whole=True) for name in names))
    table.add_row("per $", *(usd(getattr(per_dollar, name)) for name in names), style="dim")
    return table


def _fan_table(result: Any) -> Table:
    table = Table(box=None, header_style="bold", title="With-loan balance")
    for name in ("Age", "p10", "p50", "p90"):
        table.add_column(name, justify="right")
    points = result.fan
    step = max(1, len(points) // 8)
    shown = sorted({*range(step - 1, len(points), step), len(points) - 1})  # and retirement
    for point in (points[i] for i in shown):
        table.add_row(
            str(point.age), usd(point.p10, whole=True), usd(point.p50, whole=True), usd(point.p90, whole=True)
        )
    return table


def backtest(result: Any) -> None:
    first, last = result.years
    console.print(
        f"[bold]True cost of the loan for every start year {first}-{last}[/] "
        f"({result.stock_pct:g}% stocks, rebalanced yearly)."
    )
    console.print(_percentile_table(result))
    console.print(
        f"The loan cost less than nothing (better than borrowing at what your money outside "
        f"earns) in [bold]{result.share_loan_cheaper:.1f}%[/] of start years."
    )
    console.print(result.sign_note)
    # compact: start year and total, four pairs across (components are in --json)
    table = Table(box=None, header_style="bold", title="Cost by start year")
    across = 4
    for _ in range(across):
        table.add_column("Start", justify="right", style="dim")
        table.add_column("Total", justify="right")
    rows = result.by_start_year
    height = -(-len(rows) // across)
    for line in range(height):
        cells: list[str] = []
        for column in range(across):
            index = column * height + line
            row = rows[index] if index < len(rows) else None
            cells += [str(row.start_year), usd(row.total, whole=True)] if row else ["", ""]
        table.add_row(*cells)
    console.print(table)
    console.print(_fan_table(result))
    console.print("[dim]Education, not advice: past markets are not a forecast.[/]")
    _warnings(result.warnings)


def montecarlo(result: Any) -> None:
    detail = (
        "whole historical years drawn with replacement"
        if result.model == "bootstrap"
        else f"lognormal, mean {result.mean_pct:g}%, volatility {result.vol_pct:g}%"
    )
    console.print(
        f"[bold]True cost of the loan over {result.paths:,} random markets[/] "
        f"({detail}; {result.stock_pct:g}% stocks; seed {result.seed})."
    )
    console.print(_percentile_table(result))
    console.print(
        f"The loan cost less than nothing (better than borrowing at what your money outside "
        f"earns) on [bold]{result.share_loan_cheaper:.1f}%[/] of paths."
    )
    console.print(result.sign_note)
    console.print(_fan_table(result))
    console.print("[dim]Education, not advice: a model of markets, not a forecast.[/]")
    _warnings(result.warnings)


def batch_summary(summary: dict[str, Any], target: str) -> None:
    """The end of a batch run, on standard error (the rows may be on standard output)."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(
        f"[bold]{summary['rows']:,} participants[/]: {summary['eligible']:,} eligible, "
        f"total capacity {usd(summary['total_capacity'])}, "
        f"{summary['rows_with_errors']:,} row(s) with errors (see the error column); "
        f"law as of {summary['law_date']}; rows written to {target}."
    )
    for warning in summary["warnings"]:
        err.print(f"[yellow]warning:[/] {warning}")


def servicing_summary(summary: dict[str, Any], target: str) -> None:
    """The end of a `batch --servicing` run, on standard error."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    err.print(
        f"[bold]{summary['rows']:,} loans[/]: {summary['current']:,} current, "
        f"{summary['delinquent']:,} delinquent ({usd(summary['total_arrears'])} in arrears), "
        f"{summary['deemed']:,} deemed distributed ({usd(summary['total_deemed'])}), "
        f"{summary['paid_off']:,} paid off, {summary['rows_with_errors']:,} row(s) with errors "
        f"(see the error column); as of {summary['as_of']} where a row has no as_of; "
        f"rows written to {target}."
    )
    for warning in summary["warnings"]:
        err.print(f"[yellow]warning:[/] {warning}")


# --------------------------------------------------------------------------- events


def events(result: Any) -> None:
    """The loan's life: the verdict in a sentence, what happened when, the distributions."""
    console.print(f"[bold]{result.cost_text}[/]")
    for note in result.events:
        console.print(f"  • {note.date:%b %-d, %Y}: {note.text} [dim]({note.citation})[/]")
    for item in result.distributions:
        what = (
            "A qualified plan loan offset"
            if item.qualified
            else ("A plan loan offset" if item.kind == "offset" else "A deemed distribution")
        )
        rollover = (
            f"roll it over by {item.rollover_deadline:%B %-d, %Y}"
            if item.rollover_deadline
            else "it cannot be rolled over"
        )
        console.print(
            f"[bold]{what}[/] on {item.date:%B %-d, %Y}: {usd(item.amount)}; tax {usd(item.tax)} + 10% "
            f"{usd(item.penalty)} = {usd(item.total)} due by {item.tax_due_date:%B %-d, %Y}; {rollover}. "
            f"Form 1099-R code {item.form_1099r_code}. [dim]({item.citation})[/]"
        )
    timeline = Table(title="Installments", title_justify="left", box=None, header_style="bold")
    for name in ("#", "Date", "Due", "Paid", "Interest", "Balance", "Status"):
        timeline.add_column(name, justify="left" if name in ("Date", "Status") else "right")
    rows = result.timeline
    shown = rows if len(rows) <= 24 else [r for r in rows if r.status != "paid"] + rows[-1:]
    for row in shown:
        timeline.add_row(
            str(row.n),
            f"{row.date}",
            usd(row.due),
            usd(row.paid),
            usd(row.interest),
            usd(row.balance),
            row.status,
        )
    console.print(timeline)
    if len(shown) < len(rows):
        console.print(f"[dim]{len(rows) - len(shown)} regular installments not shown (--csv lists all).[/]")
    if result.payment_after is not None:
        console.print(f"Payment after the change: {usd(result.payment_after)}.")
    console.print("[dim]Education, not advice: check your plan's loan policy; the figures follow the law.[/]")
    _warnings(result.warnings)
