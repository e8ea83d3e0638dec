"""Job loss during repayment (METHOD §6): the loan offset at separation, the part rolled
over with cash the person can find (a qualified plan loan offset, IRC §402(c)(3)(C)),
tax and the 10 % on the rest, and the expected cost from an annual separation probability."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..money import ZERO, cents
from ..rules.distributions import Person, penalty_exemption
from ..rules.tax import TaxProfile
from .amortization import add_months
from .loan import Loan


@dataclass(frozen=True)
class SeparationCost:
    month: int
    outstanding: Decimal
    rolled_over: Decimal
    taxable: Decimal
    tax: Decimal  # federal + state
    penalty: Decimal
    probability: float  # of separating in this month (and not before)
    rollover_deadline: dt.date

    @property
    def total(self) -> Decimal:
        return self.tax + self.penalty


def monthly_hazard(annual_probability: float) -> float:
    """q = 1 - (1 - p)^(1/12): the same chance every month, compounding to p over a year."""
    if annual_probability >= 1:
        return 1.0
    return 1.0 - (1.0 - annual_probability) ** (1.0 / 12.0)


def rollover_deadline(separation: dt.date) -> dt.date:
    """A QPLO can be rolled over until the return's due date with extensions: October 15
    of the year after the offset (Treas. Reg. §1.402(c)-3; TD 9937)."""
    return dt.date(separation.year + 1, 10, 15)


def separation_costs(
    loan: Loan,
    *,
    annual_probability: float,
    cash_on_separation: Decimal,
    age: int,
    tax: TaxProfile,
    person_at: Callable[[Decimal], Person],
    law: object,
) -> list[SeparationCost]:
    """For each month j of repayment: the offset O_j, the part cash can roll over, the tax
    and penalty on the rest (age a_j = age + j/12), and P_j = (1 - q)^(j-1) q."""
    q = monthly_hazard(annual_probability)
    additional = law["additional_tax_rate"]  # type: ignore[index]
    rows = []
    for month, outstanding in enumerate(loan.outstanding_after_month(), start=1):
        rolled = min(outstanding, cash_on_separation)
        taxable = outstanding - rolled
        person = person_at(Decimal(age) + Decimal(month) / 12)
        exempt = penalty_exemption(person, law)  # type: ignore[arg-type]
        federal_and_state = tax.federal(taxable) + tax.state(taxable)
        penalty = ZERO if exempt else cents(taxable * additional)
        rows.append(
            SeparationCost(
                month=month,
                outstanding=outstanding,
                rolled_over=rolled,
                taxable=taxable,
                tax=federal_and_state,
                penalty=penalty,
                probability=(1.0 - q) ** (month - 1) * q,
                rollover_deadline=rollover_deadline(add_months(loan.terms.start_date, month)),
            )
        )
    return rows


def expected_flows(costs: list[SeparationCost], months: int) -> np.ndarray:
    """P_j x cost_j at month j: grown on the path, these sum to the expected job-loss cost."""
    flows = np.zeros(months + 1)
    for row in costs:
        flows[row.month] += row.probability * float(row.total)
    return flows
