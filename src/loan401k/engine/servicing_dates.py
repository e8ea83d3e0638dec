"""The servicing batch's calendar over numpy columns of day numbers (days since 1970-01-01):
`dates.add_months` and `dates.quarter_end`, the payment dates of
`engine.amortization.payment_dates` and `periods_in_term`, and the cure deadline of
`rules.loan_events.cure_deadline`, each for a whole column at once. Tests hold every one
equal to its one-date original on random dates.

A payment schedule is addressed by installment number instead of listed: `due_date(i)` is
the i-th payment date and `dates_through(day)` how many fall on or before `day`, so a
million loans need no per-loan list of dates.
"""

from __future__ import annotations

import numpy as np

from .amortization import PAYMENTS_PER_YEAR

Days = np.ndarray  # int64 day numbers

FREQUENCIES = ("weekly", "biweekly", "semimonthly", "monthly", "quarterly")
WEEKLY, BIWEEKLY, SEMIMONTHLY, MONTHLY, QUARTERLY = range(len(FREQUENCIES))
PER_YEAR = np.array([PAYMENTS_PER_YEAR[name] for name in FREQUENCIES], dtype=np.int64)
STEP_DAYS = np.array([7, 14, 0, 0, 0], dtype=np.int64)  # weekly and biweekly paydays
STEP_MONTHS = np.array([0, 0, 0, 1, 3], dtype=np.int64)  # monthly and quarterly ones


# the first day of every month from 1890 to 9999, so a month's first day is one lookup
_FIRST_MONTH = (1890 - 1970) * 12
_FIRST_DAYS = (
    np.arange(_FIRST_MONTH, (10000 - 1970) * 12 + 2)
    .astype("datetime64[M]")
    .astype("datetime64[D]")
    .astype(np.int64)
)


def month_and_day(days: Days) -> tuple[np.ndarray, np.ndarray]:
    """(months since January 1970, day of the month 1..31)."""
    month = np.asarray(days, dtype=np.int64).view("datetime64[D]").astype("datetime64[M]").view(np.int64)
    return month, days - first_day(month) + 1


def first_day(month: np.ndarray) -> Days:
    days: Days = _FIRST_DAYS[month - _FIRST_MONTH]
    return days


def month_length(month: np.ndarray) -> np.ndarray:
    length: np.ndarray = first_day(month + 1) - first_day(month)
    return length


def add_months(month: np.ndarray, day: np.ndarray, months: np.ndarray | int) -> Days:
    """Same day `months` later, clamped to the month's end (dates.add_months)."""
    target = month + months
    days: Days = first_day(target) + np.minimum(day, month_length(target)) - 1
    return days


def completed_months(since: Days, day: Days) -> np.ndarray:
    """Whole months from `since` to `day` (an age in months: 714 is 59½)."""
    m0, d0 = month_and_day(since)
    m1, _ = month_and_day(day)
    months = m1 - m0
    whole: np.ndarray = months - (add_months(m0, d0, months) > day)
    return whole


def quarter_end(days: Days, quarters_after: int = 0) -> Days:
    """The last day of the calendar quarter of `days`, or of the one `quarters_after` later."""
    month, _ = month_and_day(days)
    last_month = month - month % 3 + 2 + 3 * quarters_after
    return first_day(last_month + 1) - 1


def cure_deadline(due: Days, plan_days: np.ndarray) -> Days:
    """rules.loan_events.cure_deadline: the last day of the calendar quarter after the due
    date's (Treas. Reg. §1.72(p)-1 Q&A-10(a)), or the plan's shorter period (`plan_days`
    >= 0; -1: none)."""
    latest = quarter_end(due, quarters_after=1)
    return np.where(plan_days >= 0, np.minimum(latest, due + plan_days), latest)


def _paydays_through(days: Days) -> np.ndarray:
    """Semimonthly paydays (the 15th and the month's last day) on or before `days`, counted
    from January 1970."""
    month, day = month_and_day(days)
    paydays: np.ndarray = 2 * month + (day >= 15) + (day == month_length(month))
    return paydays


class Schedules:
    """The payment dates of many loans: each one's start date and frequency code."""

    def __init__(self, start: Days, frequency: np.ndarray):
        self.start, self.frequency = start, frequency
        self._month, self._day = month_and_day(start)
        # the first semimonthly payday after the start (payment_dates: strictly after)
        self._first_payday = _paydays_through(start)

    @property
    def per_year(self) -> np.ndarray:
        per_year: np.ndarray = PER_YEAR[self.frequency]
        return per_year

    def _kinds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = self.frequency
        return f <= BIWEEKLY, f == SEMIMONTHLY, f >= MONTHLY

    def due_date(self, number: np.ndarray) -> Days:
        """The date of installment `number` (1 = one period after the start)."""
        by_days, semimonthly, by_months = self._kinds()
        f, start = self.frequency, self.start
        out = np.zeros(len(start), dtype=np.int64)
        out[by_days] = start[by_days] + STEP_DAYS[f[by_days]] * number[by_days]
        m = by_months
        out[m] = add_months(self._month[m], self._day[m], STEP_MONTHS[f[m]] * number[m])
        s = semimonthly
        payday = self._first_payday[s] + number[s] - 1
        month = payday // 2
        out[s] = first_day(month) + np.where(payday % 2 == 0, 14, month_length(month) - 1)
        return out

    def dates_through(self, day: Days) -> np.ndarray:
        """How many payment dates fall on or before `day` (not bounded by the term)."""
        by_days, semimonthly, by_months = self._kinds()
        f, start = self.frequency, self.start
        out = np.zeros(len(start), dtype=np.int64)
        out[by_days] = (day[by_days] - start[by_days]) // STEP_DAYS[f[by_days]]
        m = by_months
        step = STEP_MONTHS[f[m]]
        month, _ = month_and_day(day[m])
        count = (month - self._month[m]) // step
        after = add_months(self._month[m], self._day[m], step * count) > day[m]
        out[m] = count - after
        s = semimonthly
        out[s] = _paydays_through(day[s]) - self._first_payday[s]
        return np.maximum(out, 0)

    def periods_in_term(self, term_months: np.ndarray) -> np.ndarray:
        """amortization.periods_in_term: round_half_up(term x k / 12) payments, less those
        that would fall after the issue date plus the term."""
        count = (term_months * self.per_year + 6) // 12
        end = add_months(self._month, self._day, term_months)
        periods: np.ndarray = np.minimum(count, self.dates_through(end))
        return periods
