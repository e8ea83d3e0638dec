"""The schedule summed by year of the loan: the figures a by-year table or chart shows (the
page's schedule chart for a long loan, the PDF's table), computed once here, never in a face."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import ScheduleResult
from ..money import ZERO


@dataclass(frozen=True)
class ScheduleYear:
    """One year of the loan: 1 is its first twelve months (its first `payments_per_year`
    payments), the last year holds what is left."""

    year: int
    payments: int
    paid: Decimal
    interest: Decimal
    principal: Decimal
    balance: Decimal  # owed after the year's last payment


def schedule_by_year(schedule: ScheduleResult) -> list[ScheduleYear]:
    """The schedule's payments grouped by year of the loan, their amounts summed in cents."""
    per_year = schedule.payments_per_year
    rows = schedule.rows
    return [
        ScheduleYear(
            year=start // per_year + 1,
            payments=len(chunk),
            paid=sum((r.payment for r in chunk), ZERO),
            interest=sum((r.interest for r in chunk), ZERO),
            principal=sum((r.principal for r in chunk), ZERO),
            balance=chunk[-1].balance,
        )
        for start in range(0, len(rows), per_year)
        if (chunk := rows[start : start + per_year])
    ]
