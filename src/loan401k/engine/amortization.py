"""Level-payment amortization in exact cents (METHOD §2; IRC §72(p)(2)(C)).

The core (`amortize`) works on Decimals only and is kept lean: it is the hot path of
every analysis and is benchmarked against a plain Decimal loop in `bench/`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ..dates import add_months
from ..money import CENT, ONE, ZERO

PAYMENTS_PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12, "quarterly": 4}


def period_count(term_months: int, per_year: int) -> int:
    """n = round_half_up(term_months x k / 12), in integers: floor((2 M k + 12) / 24)."""
    return (2 * term_months * per_year + 12) // 24


def periods_in_term(term_months: int, frequency: str, start: dt.date) -> int:
    """period_count, less the payments that would fall after the term's end (the issue date
    plus `term_months`): a schedule never ends after its term. Monthly payments always fit;
    quarterly ones fit floor(M / 3), none in a term under 3 months; weekly and biweekly ones
    as many whole steps as the term has days (13 weekly payments need 91 days, Feb-Apr has
    89); semimonthly ones by their dates (Feb 28 + 1 month is Mar 28, before the Mar 31
    payday)."""
    count = period_count(term_months, PAYMENTS_PER_YEAR[frequency])
    if frequency == "monthly":
        return count
    if frequency == "quarterly":
        return min(count, term_months // 3)
    end = add_months(start, term_months)
    if frequency == "semimonthly":
        return sum(1 for day in _semimonthly_dates(start, count) if day <= end)
    step = 14 if frequency == "biweekly" else 7
    return min(count, (end - start).days // step)


def period_rate(annual_rate: Decimal, per_year: int, convention: str) -> Decimal:
    """APR / k (nominal, the industry norm) or (1 + APR)^(1/k) - 1 (effective)."""
    if convention == "effective":
        return (ONE + annual_rate) ** (ONE / per_year) - ONE
    return annual_rate / per_year


#: Below this period rate the interest moves no level payment by a cent (the payment is
#: P / n + P r (n + 1) / 2n + ..., and P / n is at least 1 / (200 n) dollars from a rounding
#: boundary: $100,000,000 and 2,080 payments at most), while 1 - (1 + r)^-n keeps too few
#: of its 28 digits (none at all below 1e-28: a division by zero).
NEGLIGIBLE_RATE = Decimal("1e-14")


def level_payment(principal: Decimal, rate: Decimal, periods: int) -> Decimal:
    """round_cents(P r / (1 - (1 + r)^-n)); r = 0 (or negligible): round_cents(P / n)."""
    if rate < NEGLIGIBLE_RATE:
        return (principal / periods).quantize(CENT, rounding=ROUND_HALF_UP)
    return (principal * rate / (ONE - (ONE + rate) ** -periods)).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Amortization:
    """Rows of a schedule as parallel tuples (cents), period 1..len."""

    payment: Decimal  # the level payment
    payments: tuple[Decimal, ...]
    interest: tuple[Decimal, ...]
    principal: tuple[Decimal, ...]
    balance: tuple[Decimal, ...]

    @property
    def periods(self) -> int:
        return len(self.payments)

    @property
    def total_interest(self) -> Decimal:
        return sum(self.interest, ZERO)

    @property
    def total_paid(self) -> Decimal:
        return sum(self.payments, ZERO)


def amortize(
    principal: Decimal,
    rate: Decimal,
    periods: int,
    extra: Decimal = ZERO,
    payoff_period: int | None = None,
) -> Amortization:
    """Each period: interest = round_cents(balance x r), principal = payment - interest
    (+ extra); the last period pays whatever is left with its interest (the true-up)."""
    if periods < 1:
        raise ValueError(f"a schedule needs at least one payment, got {periods} periods")
    payment = level_payment(principal, rate, periods)
    last = periods if payoff_period is None else min(periods, payoff_period)
    quantize, half_up = Decimal.quantize, ROUND_HALF_UP
    payments: list[Decimal] = []
    interests: list[Decimal] = []
    principals: list[Decimal] = []
    balances: list[Decimal] = []
    balance = principal
    level = payment + extra
    for _ in range(last - 1):
        interest = quantize(balance * rate, CENT, half_up)
        paid_down = level - interest
        if paid_down >= balance:  # extra payments finished the loan early
            break
        balance -= paid_down
        payments.append(level)
        interests.append(interest)
        principals.append(paid_down)
        balances.append(balance)
    # the last period pays what is left, with its interest (the final true-up)
    interest = quantize(balance * rate, CENT, half_up)
    payments.append(balance + interest)
    interests.append(interest)
    principals.append(balance)
    balances.append(ZERO.quantize(CENT))  # "0.00", like every other figure in cents
    return Amortization(payment, tuple(payments), tuple(interests), tuple(principals), tuple(balances))


def max_principal_for_payment(payment: Decimal, rate: Decimal, periods: int) -> Decimal:
    """The inverse: the largest amount (in cents) whose level payment is at most `payment`."""
    if rate < NEGLIGIBLE_RATE:
        # round_half_up(P / n) <= payment  <=>  P / n < payment + 0.005
        guess = ((payment + CENT / 2) * periods).quantize(CENT, rounding=ROUND_FLOOR)
    else:
        annuity = (ONE - (ONE + rate) ** -periods) / rate
        guess = ((payment + CENT / 2) * annuity).quantize(CENT, rounding=ROUND_FLOOR)
    while guess > 0 and level_payment(guess, rate, periods) > payment:
        guess -= CENT
    while level_payment(guess + CENT, rate, periods) <= payment:
        guess += CENT
    return guess


# --------------------------------------------------------------------------- dates


def _semimonthly_dates(start: dt.date, count: int) -> list[dt.date]:
    """Paydays on the 15th and the last day of each month, the first one after `start`."""
    dates: list[dt.date] = []
    year, month = start.year, start.month
    while len(dates) < count:
        end = calendar.monthrange(year, month)[1]
        for day in (15, end):
            candidate = dt.date(year, month, day)
            if candidate > start and len(dates) < count:
                dates.append(candidate)
        month += 1
        if month == 13:
            year, month = year + 1, 1
    return dates


def _month_steps(start: dt.date, step: int, count: int) -> list[dt.date]:
    """add_months(start, step x i) for i = 1..count: the same dates, month arithmetic once
    (a schedule's dates are most of what schedule() computes beyond the rows)."""
    if start.day > 28:  # the day may be clamped to a month's end
        return [add_months(start, step * i) for i in range(1, count + 1)]
    date, day, first = dt.date, start.day, start.year * 12 + start.month - 1
    return [
        date(index // 12, index % 12 + 1, day)
        for index in range(first + step, first + step * count + 1, step)
    ]


def payment_dates(start: dt.date, frequency: str, count: int) -> list[dt.date]:
    """The date of each payment: the first one period after the issue date."""
    if frequency == "monthly":
        return _month_steps(start, 1, count)
    if frequency == "quarterly":
        return _month_steps(start, 3, count)
    if frequency == "semimonthly":
        return _semimonthly_dates(start, count)
    step = dt.timedelta(days=14 if frequency == "biweekly" else 7)
    return [start + step * i for i in range(1, count + 1)]


def payment_month(index: int, per_year: int) -> int:
    """Projection month in which payment `index` (1-based) is credited: ceil(i x 12 / k)."""
    return math.ceil(index * 12 / per_year)


def last_period_by_month(month: int, per_year: int) -> int:
    """The last payment credited in or before projection month `month`."""
    return (month * per_year) // 12
