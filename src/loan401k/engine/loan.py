"""A loan as the rest of the engine sees it: the schedule with dates, the projection
month of each payment, and the fees charged to the account."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from ..money import ZERO
from .amortization import (
    PAYMENTS_PER_YEAR,
    Amortization,
    amortize,
    last_period_by_month,
    payment_dates,
    payment_month,
    period_rate,
    periods_in_term,
)


@dataclass(frozen=True)
class LoanTerms:
    amount: Decimal
    annual_rate: Decimal  # fraction
    term_months: int
    frequency: str = "monthly"
    convention: str = "nominal"
    start_date: dt.date = dt.date(2026, 1, 1)
    extra_payment: Decimal = ZERO
    payoff_month: int | None = None
    origination_fee: Decimal = ZERO
    annual_fee: Decimal = ZERO

    @property
    def per_year(self) -> int:
        return PAYMENTS_PER_YEAR[self.frequency]

    @property
    def periods(self) -> int:
        """The payments that fall within the term (none: a term shorter than one period)."""
        return periods_in_term(self.term_months, self.frequency, self.start_date)

    @property
    def period_rate(self) -> Decimal:
        return period_rate(self.annual_rate, self.per_year, self.convention)


@dataclass(frozen=True)
class Loan:
    terms: LoanTerms
    schedule: Amortization
    dates: tuple[dt.date, ...]
    months: tuple[int, ...]  # projection month each payment is credited in
    fees: tuple[tuple[int, Decimal], ...]  # (projection month, fee charged to the account)

    @property
    def last_month(self) -> int:
        return self.months[-1]

    @property
    def total_fees(self) -> Decimal:
        return sum((fee for _, fee in self.fees), ZERO)

    def outstanding_after_month(self) -> list[Decimal]:
        """Balance owed at the end of each month 1..last_month."""
        owed: list[Decimal] = []
        balance, paid = self.terms.amount, 0
        for month in range(1, self.last_month + 1):
            while paid < len(self.months) and self.months[paid] == month:
                balance = self.schedule.balance[paid]
                paid += 1
            owed.append(balance)
        return owed


def build_loan(terms: LoanTerms) -> Loan:
    payoff_period = None
    if terms.payoff_month is not None:
        payoff_period = max(1, last_period_by_month(terms.payoff_month, terms.per_year))
    schedule = amortize(terms.amount, terms.period_rate, terms.periods, terms.extra_payment, payoff_period)
    count = schedule.periods
    per_year = terms.per_year
    months = (
        tuple(range(1, count + 1))
        if per_year == 12
        else tuple(payment_month(i, per_year) for i in range(1, count + 1))
    )
    dates = tuple(payment_dates(terms.start_date, terms.frequency, count))
    fees: list[tuple[int, Decimal]] = []
    if terms.origination_fee:
        fees.append((0, terms.origination_fee))
    if terms.annual_fee:
        # charged at the start of each loan year begun while a balance is owed
        for year in range(math.ceil(months[-1] / 12)):
            fees.append((12 * year, terms.annual_fee))
    return Loan(terms, schedule, dates, months, tuple(fees))
