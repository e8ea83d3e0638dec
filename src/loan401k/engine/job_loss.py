"""Leaving the job before the loan is repaid (METHOD v2 §6): the plan offsets the balance,
the part the person rolls over with cash they find is a qualified plan loan offset
(IRC §402(c)(3)(C)), the rest is taxed, with the 10 % where no exception applies, at the
return's due date. Retiring with a balance still owed is the same event at retirement,
with certainty.

For every month j of repayment this gives the cash a person must find by the deadline and
the probability P_j = (1 - q)^(j-1) q of leaving then (q the monthly hazard of an annual
probability p). What leaving costs on the after-tax ledger is engine.ledger's part.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from ..dates import add_months
from ..money import ONE, ZERO, cents
from ..params import Snapshot
from ..rules.deadlines import due_month, return_due_date, rollover_deadline
from ..rules.distributions import Person, penalty_exemption
from ..rules.tax import TaxProfile
from .loan import Loan


@dataclass(frozen=True)
class SeparationCost:
    """Leaving at the end of projection month `month` (the last one: retiring)."""

    month: int
    outstanding: Decimal
    rolled_over: Decimal
    taxable: Decimal
    tax: Decimal  # federal + state
    penalty: Decimal
    probability: float  # of leaving in this month and not before (retiring: 1 - earlier)
    rollover_deadline: dt.date
    tax_due_month: int  # projection month the tax and penalty are paid in (capped at T)
    tax_due_date: dt.date
    qualified: bool = True
    retirement: bool = False

    @property
    def total(self) -> Decimal:
        """The cash due by the tax deadline."""
        return self.tax + self.penalty


def monthly_hazard(annual_probability: float) -> float:
    """q = 1 - (1 - p)^(1/12): the same chance every month, compounding to p over a year."""
    if annual_probability >= 1:
        return 1.0
    return 1.0 - math.pow(1.0 - annual_probability, 1.0 / 12.0)


@dataclass(frozen=True)
class OffsetTerms:
    """What decides the tax on an offset, the same in every month."""

    annual_probability: float
    cash_on_separation: Decimal
    age: int
    months: int  # T: retirement
    tax: TaxProfile
    person_at: Callable[[Decimal], Person]  # the person separating at that age
    law: Snapshot
    taxable_share: Decimal = ONE  # of the permitted part: Roth earnings share, else 1
    roth: bool = False
    excess_share: Decimal = ZERO  # share of the loan over the limit, already taxed (Q&A-21)
    at_separation: bool = False  # pay the tax in the month of leaving, not at the due date


def separation_costs(loan: Loan, terms: OffsetTerms) -> list[SeparationCost]:
    """Every month j of repayment up to retirement: O_j, the part cash rolls over, tax and
    penalty on the taxable rest at age a_j = age + j/12, and the probability of leaving then.
    A balance still owed at retirement is offset then with the remaining probability."""
    q = monthly_hazard(terms.annual_probability)
    additional = terms.law["additional_tax_rate"]
    start = loan.terms.start_date
    owed = loan.outstanding_after_month()
    last = min(len(owed), terms.months)
    rows = []
    for month in range(1, last + 1):
        outstanding = owed[month - 1]
        retirement = month == terms.months and outstanding > 0
        # Q&A-21: the part over the limit was taxed at the loan date; an offset never taxes it again.
        permitted = cents(outstanding * (ONE - terms.excess_share))
        rolled = min(permitted, terms.cash_on_separation)
        age = Decimal(terms.age) + Decimal(month) / 12
        # IRC §402A(d): a qualified Roth distribution (59½, five years) is not taxed at all;
        # otherwise only its earnings share is (§72(e)(8)).
        share = ZERO if terms.roth and age >= terms.law["age_penalty_free"] else terms.taxable_share
        taxable = cents((permitted - rolled) * share)
        person = terms.person_at(age)
        exempt = penalty_exemption(person, terms.law)
        day = add_months(start, month)
        due = month if terms.at_separation else due_month(month, start)
        rows.append(
            SeparationCost(
                month=month,
                outstanding=outstanding,
                rolled_over=rolled,
                taxable=taxable,
                tax=terms.tax.federal(taxable) + terms.tax.state(taxable, person),
                # the 10 % and a state's early-distribution tax (California's 2.5 %)
                penalty=ZERO if exempt else terms.tax.penalty(taxable, additional),
                probability=(1.0 - q) ** (month - 1) if retirement else (1.0 - q) ** (month - 1) * q,
                rollover_deadline=rollover_deadline(day, qualified=True),
                tax_due_month=min(due, terms.months),
                tax_due_date=day if terms.at_separation else return_due_date(day.year),
                retirement=retirement,
            )
        )
    return rows
