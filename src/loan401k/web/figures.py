"""The page's charts from the service's result: which figures go on which chart, in what
words (the drawing is web/charts.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..i18n import N_, _, lazy_gettext
from ..models import AnalysisResult
from ..service.by_year import ScheduleYear, schedule_by_year
from . import charts
from .answer import Page

#: The parts of the cost (METHOD v2 §4), short labels for the chart and the page (msgids:
#: `cost_parts` gives them in the request's language).
COST_PARTS = (
    ("price_of_credit", N_("Price of the credit")),
    ("plan_difference", N_("401(k) difference")),
    ("contributions", N_("Contributing less")),
    ("job_loss", N_("Leaving your job")),
    ("fees", N_("Fees")),
    ("excess", N_("Over the limit")),
)


def cost_parts(result: AnalysisResult) -> list[tuple[str, str, Decimal, str]]:
    """(key, label in the request's language, figure, legend class) for each part of the cost."""
    values = [getattr(result.cost, key) for key, _label in COST_PARTS]
    classes = charts.bar_legend_classes(values)
    return [
        (key, _(label), value, cls)
        for (key, label), value, cls in zip(COST_PARTS, values, classes, strict=True)
    ]


def chart_set(page: Page) -> dict[str, str]:
    result = page.result
    if result is None:
        return {}
    parts = cost_parts(result)
    out = {
        "breakdown": charts.breakdown_bar(
            [(label, value) for _key, label, value, _cls in parts],
            # TRANSLATORS: the cost chart's text for screen readers; {parts} lists "Fees $75; …".
            _("How the cost splits: {parts}").format(
                parts="; ".join(f"{label} {charts.usd_short(value)}" for _key, label, value, _cls in parts)
            ),
        ),
    }
    years = result.balances.by_year
    if years:
        out["balance"] = charts.line_chart(
            [y.age for y in years],
            [
                (_("Without the loan"), [y.no_loan for y in years], charts.COOL, False),
                (_("With the loan"), [y.with_loan for y in years], charts.WARM, True),
            ],
            _("Balance by age: {without} without the loan, {with_loan} with it at {age}").format(
                without=charts.usd_short(result.balances.no_loan),
                with_loan=charts.usd_short(result.balances.with_loan),
                age=result.inputs.retirement_age,
            ),
            # TRANSLATORS: a chart's horizontal axis: the person's age.
            _("age"),
        )
    table = result.job_loss_table
    if table:
        out["job_loss"] = charts.line_chart(
            [row.month for row in table],
            # TRANSLATORS: a chart's line: the income tax and the 10% additional tax together.
            [(_("Tax + penalty"), [row.total for row in table], charts.WARM, False)],
            _(
                "Tax and penalty if you leave your job: {first} in month {first_month}, "
                "falling to {last} by month {last_month}"
            ).format(
                first=charts.usd_short(table[0].total),
                first_month=table[0].month,
                last=charts.usd_short(table[-1].total),
                last_month=table[-1].month,
            ),
            # TRANSLATORS: a chart's horizontal axis: the month of the loan the person leaves the job.
            _("month you leave"),
        )
    schedule = page.extras.get("schedule")
    if schedule is not None and schedule.rows:
        out["schedule"] = schedule_chart(schedule, page.extras.get("schedule_years"))
    comparison = page.extras.get("comparison")
    if comparison is not None and getattr(comparison, "options", None):
        out["comparison"] = charts.hbars(
            [(option.label, option.cost) for option in comparison.options], _("Your options ranked by cost")
        )
    backtest = page.extras.get("backtest")
    if backtest is not None and getattr(backtest, "by_start_year", None):
        rows = backtest.by_start_year
        out["backtest"] = charts.signed_bars(
            [row.start_year for row in rows],
            [row.total for row in rows],
            _(
                "Cost of the loan by the year it started, {first} to {last}: from {low} to {high}; "
                "bars below the zero line are start years where the loan came out cheaper"
            ).format(
                first=rows[0].start_year,
                last=rows[-1].start_year,
                low=charts.usd_short(backtest.percentiles.min),
                high=charts.usd_short(backtest.percentiles.max),
            ),
            # TRANSLATORS: a chart's horizontal axis: the year the loan would have started.
            _("start year"),
        )
    montecarlo = page.extras.get("montecarlo")
    if montecarlo is not None and getattr(montecarlo, "fan", None):
        fan = montecarlo.fan
        out["montecarlo"] = charts.line_chart(
            [row.age for row in fan],
            [
                (str(label), [getattr(row, key) for row in fan], colour, dashed)
                for key, label, colour, dashed, _cls in FAN_LINES
            ],
            _("Balance with the loan across simulated markets by age: {lines}").format(
                lines="; ".join(
                    # TRANSLATORS: one line of the simulation chart: "Median $98k at 65".
                    _("{line} {amount} at {age}").format(
                        line=label, amount=charts.usd_short(getattr(fan[-1], key)), age=fan[-1].age
                    )
                    for key, label, *_rest in FAN_LINES
                )
            ),
            _("age"),
        )
    return out


#: The Monte Carlo fan's lines: (field, label, colour, dashed, legend class). The labels are
#: lazy (i18n.lazy_gettext): the template prints them, in the request's language.
FAN_LINES = (
    ("p90", lazy_gettext("90th percentile"), charts.COOL, True, "cool dashed"),
    ("p50", lazy_gettext("Median"), charts.INK, False, "ink"),
    ("p10", lazy_gettext("10th percentile"), charts.WARM, True, "warm dashed"),
)


def schedule_chart(schedule: Any, years: list[ScheduleYear] | None = None) -> str:
    """Each payment's principal and interest; a long loan's by year (the service's sums)."""
    rows = schedule.rows
    if len(rows) <= 60:
        xs = [row.n for row in rows]
        principal = [row.principal for row in rows]
        interest = [row.interest for row in rows]
        # TRANSLATORS: a chart's horizontal axis: the loan's payments, numbered.
        x_label = _("payment")
    else:  # by year, so the bars stay readable
        years = years if years is not None else schedule_by_year(schedule)
        xs = [y.year for y in years]
        principal = [y.principal for y in years]
        interest = [y.interest for y in years]
        # TRANSLATORS: a chart's horizontal axis: the calendar year.
        x_label = _("year")
    return charts.stacked_bars(
        xs,
        [(_("Principal"), principal, charts.COOL), (_("Interest"), interest, charts.WARM)],
        _("Each payment split into principal and interest; total interest {total}").format(
            total=charts.usd_short(schedule.total_interest)
        ),
        x_label,
    )
