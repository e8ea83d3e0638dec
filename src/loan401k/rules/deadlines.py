"""Tax deadlines for a loan offset or a deemed distribution (METHOD v2 §6, §6a).

- The return for a calendar year is due April 15 of the next year (IRC §6072(a)).
- A qualified plan loan offset (QPLO) can be rolled over until the return's due date,
  extensions included: October 15 of the next year (IRC §402(c)(3)(C); Treas. Reg.
  §1.402(c)-3; the automatic six-month extension of Treas. Reg. §1.6081-4).
- Any other offset: 60 days (IRC §402(c)(3)(A)). A deemed distribution cannot be rolled
  over at all (Treas. Reg. §1.72(p)-1 Q&A-12).
- A deadline on a Saturday, Sunday or legal holiday moves to the next business day
  (IRC §7503). Legal holidays are the federal ones (5 U.S.C. §6103) and, since the IRS sits
  in Washington, D.C. Emancipation Day, April 16 (D.C. Code §1-612.02).
"""

from __future__ import annotations

import calendar
import datetime as dt
from functools import lru_cache

NON_QPLO_ROLLOVER_DAYS = 60  # IRC §402(c)(3)(A)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> dt.date:
    """The n-th `weekday` (Monday 0) of the month; n = -1 for the last one."""
    days = [d for d in calendar.Calendar().itermonthdates(year, month) if d.month == month]
    matching = [d for d in days if d.weekday() == weekday]
    return matching[n if n < 0 else n - 1]


def _observed(day: dt.date) -> dt.date:
    """A fixed-date holiday on a Saturday is observed Friday, on a Sunday Monday (5 U.S.C.
    §6103(b); Executive Order 11582)."""
    if day.weekday() == 5:
        return day - dt.timedelta(days=1)
    if day.weekday() == 6:
        return day + dt.timedelta(days=1)
    return day


@lru_cache(maxsize=256)
def legal_holidays(year: int) -> frozenset[dt.date]:
    """Federal legal holidays (5 U.S.C. §6103(a)) and D.C. Emancipation Day, as observed."""
    fixed = [
        dt.date(year, 1, 1),  # New Year's Day
        dt.date(year, 6, 19),  # Juneteenth (from 2021)
        dt.date(year, 7, 4),
        dt.date(year, 11, 11),  # Veterans Day
        dt.date(year, 12, 25),
        dt.date(year, 4, 16),  # D.C. Emancipation Day
    ]
    if year < 2021:
        fixed.remove(dt.date(year, 6, 19))
    moving = [
        _nth_weekday(year, 1, 0, 3),  # Martin Luther King Jr. Day
        _nth_weekday(year, 2, 0, 3),  # Washington's Birthday
        _nth_weekday(year, 5, 0, -1),  # Memorial Day
        _nth_weekday(year, 9, 0, 1),  # Labor Day
        _nth_weekday(year, 10, 0, 2),  # Columbus Day
        _nth_weekday(year, 11, 3, 4),  # Thanksgiving
    ]
    observed = {_observed(day) for day in fixed}
    # New Year's Day of the next year falling on a Saturday is observed on Dec 31 of this one.
    if dt.date(year + 1, 1, 1).weekday() == 5:
        observed.add(dt.date(year, 12, 31))
    return frozenset(observed | set(moving))


@lru_cache(maxsize=4096)  # a job-loss table asks for the same due dates month after month
def next_business_day(day: dt.date) -> dt.date:
    """`day`, or the first later day that is neither a weekend nor a legal holiday (§7503)."""
    while day.weekday() >= 5 or day in legal_holidays(day.year):
        day += dt.timedelta(days=1)
    return day


def return_due_date(tax_year: int) -> dt.date:
    """When the return for `tax_year` (and the tax on an offset in it) is due."""
    return next_business_day(dt.date(tax_year + 1, 4, 15))


def rollover_deadline(offset: dt.date, qualified: bool = True) -> dt.date:
    """The last day to roll over an offset: a QPLO until the extended due date of the return
    for the year of the offset; any other offset within 60 days."""
    if qualified:
        return next_business_day(dt.date(offset.year + 1, 10, 15))
    return next_business_day(offset + dt.timedelta(days=NON_QPLO_ROLLOVER_DAYS))


def due_month(month: int, start: dt.date) -> int:
    """The projection month of the return's due date for an event at the end of projection
    month `month` (start = month 0): the end of April of the next calendar year,
    `month + (12 - c) + 4` with `c` the calendar month of that event (METHOD v2 §6)."""
    index = start.month - 1 + month
    calendar_month = index % 12 + 1
    return month + (12 - calendar_month) + 4
