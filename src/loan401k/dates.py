"""Calendar arithmetic every layer shares: months added with the day clamped to the month's
end, and whole months between two dates (the projection month of a dated flow)."""

from __future__ import annotations

import calendar
import datetime as dt


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day `months` later, clamped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def month_index(start: dt.date, day: dt.date) -> int:
    """The projection month (1 = the first month after `start`) that a flow on `day` falls in:
    the number of month boundaries (same day of the month as `start`) up to and including it."""
    months = (day.year - start.year) * 12 + day.month - start.month
    if add_months(start, months) < day:
        months += 1
    return max(months, 0)


def quarter_end(day: dt.date, quarters_after: int = 0) -> dt.date:
    """The last day of the calendar quarter of `day`, or of the one `quarters_after` later."""
    index = (day.month - 1) // 3 + quarters_after
    year, quarter = day.year + index // 4, index % 4
    month = 3 * quarter + 3
    return dt.date(year, month, calendar.monthrange(year, month)[1])
