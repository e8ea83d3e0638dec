"""The true cost, decomposed (METHOD §4), as flow vectors evaluated on a return path.

By linearity each component is the value at retirement of its own flow vector:
    growth_missed     = A0 - A1p : the loan at month 0 less the principal repaid
    interest_to_self  = A1 - A1p : the interest part of each payment
    contribution_cut  = A1 - A2  : contributions and match not made while repaying
    fees              : fees charged to the account
    job_loss          : P_j x (tax + penalty)_j at each month of repayment
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..money import ZERO, cents, cents_of
from .loan import Loan
from .projection import Contributions

COMPONENTS = ("no_loan", "growth_missed", "interest_to_self", "contribution_cut", "fees", "job_loss")


@dataclass(frozen=True)
class CostFlows:
    months: int
    matrix: np.ndarray  # (len(COMPONENTS), months + 1)

    def row(self, name: str) -> np.ndarray:
        return self.matrix[COMPONENTS.index(name)]


def cost_flows(
    loan: Loan,
    contributions: Contributions,
    start_balance: float,
    months: int,
    job_loss: np.ndarray,
) -> CostFlows:
    matrix = np.zeros((len(COMPONENTS), months + 1))
    no_loan, missed, interest, cut, fees, _ = range(len(COMPONENTS))
    employee, match = contributions.normal(months)
    matrix[no_loan, 0] = start_balance
    matrix[no_loan, 1:] = employee + match
    matrix[missed, 0] = float(loan.terms.amount)
    schedule = loan.schedule
    for month, principal, paid_interest in zip(
        loan.months, schedule.principal, schedule.interest, strict=True
    ):
        matrix[missed, month] -= float(principal)
        matrix[interest, month] += float(paid_interest)
    during_employee, during_match = contributions.during_loan(months)
    last = loan.last_month
    matrix[cut, 1 : last + 1] = (employee + match - during_employee - during_match)[:last]
    for month, fee in loan.fees:
        matrix[fees, month] += float(fee)
    matrix[COMPONENTS.index("job_loss")] = job_loss
    return CostFlows(months, matrix)


@dataclass(frozen=True)
class Decomposition:
    """The components in exact cents; `total` is their sum, so they add up to the cent."""

    growth_missed: Decimal
    interest_to_self: Decimal
    lost_growth: Decimal
    double_tax: Decimal
    contribution_cut: Decimal
    fees: Decimal
    job_loss: Decimal
    total: Decimal
    total_today: Decimal
    per_dollar: Decimal
    pretax_wages_for_interest: Decimal


def decompose(
    values: dict[str, float],
    *,
    amount: Decimal,
    retirement_tax_rate: Decimal,
    roth: bool,
    inflation: Decimal,
    years: Decimal,
    total_interest: Decimal,
    current_tax_rate: Decimal,
) -> Decomposition:
    growth_missed = cents_of(values["growth_missed"])
    interest_to_self = cents_of(values["interest_to_self"])
    lost_growth = growth_missed - interest_to_self
    # Only the interest is taxed twice (paid from taxed pay into a pre-tax account); the
    # principal was received tax-free. A Roth source is never taxed again.
    double_tax = ZERO if roth else cents(retirement_tax_rate * interest_to_self)
    contribution_cut = cents_of(values["contribution_cut"])
    fees = cents_of(values["fees"])
    job_loss = cents_of(values["job_loss"])
    total = lost_growth + double_tax + contribution_cut + fees + job_loss
    deflator = (1 + inflation) ** years
    keep = 1 - current_tax_rate
    return Decomposition(
        growth_missed=growth_missed,
        interest_to_self=interest_to_self,
        lost_growth=lost_growth,
        double_tax=double_tax,
        contribution_cut=contribution_cut,
        fees=fees,
        job_loss=job_loss,
        total=total,
        total_today=cents(total / deflator),
        per_dollar=cents(total / amount),
        pretax_wages_for_interest=cents(total_interest / keep) if keep > 0 else ZERO,
    )


def totals(values: np.ndarray, retirement_tax_rate: float, roth: bool) -> np.ndarray:
    """cost.total for many paths at once: values (P, len(COMPONENTS)) -> (P,)."""
    column = {name: values[:, i] for i, name in enumerate(COMPONENTS)}
    double = 0.0 if roth else retirement_tax_rate
    return (
        column["growth_missed"]
        - (1.0 - double) * column["interest_to_self"]
        + column["contribution_cut"]
        + column["fees"]
        + column["job_loss"]
    )
