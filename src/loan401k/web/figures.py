"""The page's charts from the service's result: which figures go on which chart, in what
words (the drawing is web/charts.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..models import AnalysisResult
from . import charts
from .answer import Page

#: The parts of the cost (METHOD v2 §4), short labels for the chart and the page.
COST_PARTS = (
    ("price_of_credit", "Price of the credit"),
    ("plan_difference", "401(k) difference"),
    ("contributions", "Contributing less"),
    ("job_loss", "Leaving your job"),
    ("fees", "Fees"),
    ("excess", "Over the limit"),
)


def cost_parts(result: AnalysisResult) -> list[tuple[str, str, Decimal, str]]:
    values = [getattr(result.cost, key) for key, _ in COST_PARTS]
    classes = charts.bar_legend_classes(values)
    return [
        (key, label, value, cls) for (key, label), value, cls in zip(COST_PARTS, values, classes, strict=True)
    ]


def chart_set(page: Page) -> dict[str, str]:
    result = page.result
    if result is None:
        return {}
    out = {
        "breakdown": charts.breakdown_bar(
            [(label, value) for _, label, value, _ in cost_parts(result)],
            "How the cost splits: "
            + "; ".join(f"{label} {charts.usd_short(value)}" for _, label, value, _ in cost_parts(result)),
        ),
    }
    years = result.balances.by_year
    if years:
        out["balance"] = charts.line_chart(
            [y.age for y in years],
            [
                ("Without the loan", [y.no_loan for y in years], charts.COOL, False),
                ("With the loan", [y.with_loan for y in years], charts.WARM, True),
            ],
            f"Balance by age: {charts.usd_short(result.balances.no_loan)} without the loan, "
            f"{charts.usd_short(result.balances.with_loan)} with it at {result.inputs.retirement_age}",
            "age",
        )
    table = result.job_loss_table
    if table:
        out["job_loss"] = charts.line_chart(
            [row.month for row in table],
            [("Tax + penalty", [row.total for row in table], charts.WARM, False)],
            f"Tax and penalty if you leave your job: {charts.usd_short(table[0].total)} in month "
            f"{table[0].month}, falling to {charts.usd_short(table[-1].total)} by month {table[-1].month}",
            "month you leave",
        )
    schedule = page.extras.get("schedule")
    if schedule is not None and schedule.rows:
        out["schedule"] = schedule_chart(schedule)
    comparison = page.extras.get("comparison")
    if comparison is not None and getattr(comparison, "options", None):
        out["comparison"] = charts.hbars(
            [(option.label, option.cost) for option in comparison.options], "Your options ranked by cost"
        )
    backtest = page.extras.get("backtest")
    if backtest is not None and getattr(backtest, "by_start_year", None):
        rows = backtest.by_start_year
        out["backtest"] = charts.signed_bars(
            [row.start_year for row in rows],
            [row.total for row in rows],
            f"Cost of the loan by the year it started, {rows[0].start_year} to {rows[-1].start_year}: "
            f"from {charts.usd_short(backtest.percentiles.min)} "
            f"to {charts.usd_short(backtest.percentiles.max)}; "
            f"bars below the zero line are start years where the loan came out cheaper",
            "start year",
        )
    montecarlo = page.extras.get("montecarlo")
    if montecarlo is not None and getattr(montecarlo, "fan", None):
        fan = montecarlo.fan
        out["montecarlo"] = charts.line_chart(
            [row.age for row in fan],
            [
                (label, [getattr(row, key) for row in fan], colour, dashed)
                for key, label, colour, dashed, _ in FAN_LINES
            ],
            "Balance with the loan across simulated markets by age: "
            + "; ".join(
                f"{label} {charts.usd_short(getattr(fan[-1], key))} at {fan[-1].age}"
                for key, label, _, _, _ in FAN_LINES
            ),
            "age",
        )
    return out


#: The Monte Carlo fan's lines: (field, label, colour, dashed, legend class).
FAN_LINES = (
    ("p90", "90th percentile", charts.COOL, True, "cool dashed"),
    ("p50", "Median", charts.INK, False, "ink"),
    ("p10", "10th percentile", charts.WARM, True, "warm dashed"),
)


@dataclass(frozen=True)
class ScheduleYear:
    year: int  # of the loan: 1 is its first twelve months
    payments: int
    interest: Decimal
    principal: Decimal
    balance: Decimal


def schedule_years(schedule: Any) -> list[ScheduleYear]:
    """The schedule's rows grouped by year of the loan (the chart's bars and the report's table)."""
    per_year = schedule.payments_per_year
    rows = schedule.rows
    return [
        ScheduleYear(
            year=start // per_year + 1,
            payments=len(chunk),
            interest=sum((r.interest for r in chunk), Decimal(0)),
            principal=sum((r.principal for r in chunk), Decimal(0)),
            balance=chunk[-1].balance,
        )
        for start in range(0, len(rows), per_year)
        if (chunk := rows[start : start + per_year])
    ]


def schedule_chart(schedule: Any) -> str:
    rows = schedule.rows
    if len(rows) <= 60:
        xs = [row.n for row in rows]
        principal = [row.principal for row in rows]
        interest = [row.interest for row in rows]
        x_label = "payment"
    else:  # by year, so the bars stay readable
        years = schedule_years(schedule)
        xs = [y.year for y in years]
        principal = [y.principal for y in years]
        interest = [y.interest for y in years]
        x_label = "year"
    return charts.stacked_bars(
        xs,
        [("Principal", principal, charts.COOL), ("Interest", interest, charts.WARM)],
        f"Each payment split into principal and interest; total interest "
        f"{charts.usd_short(schedule.total_interest)}",
        x_label,
    )
