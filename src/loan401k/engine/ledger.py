"""One after-tax ledger with two pots (METHOD v2 §4), as flow vectors.

The plan account holds pre-tax dollars, worth `keep = 1 - t_ret` each at retirement (a Roth
source: 1); money outside is take-home pay, worth 1. A flow vector has one entry per month
0..T; its value at retirement on a growth index I is I[T] * sum_m f[m] / I[m]
(engine.projection), so every part below is the value of its own flows:

    price_of_credit = outside[payments] - outside[money_itself]
    plan_difference = keep * (account[growth_missed] - account[interest_to_self])
    contributions   = keep * account[contribution_cut] - outside[take_home]
    fees            = keep * account[fees]
    job_loss        = keep * account[job_loss] + outside[job_loss] + nominal[job_loss]
    excess          = outside[excess] + nominal[excess]

Account rows are dollars the account lacks (a cost when positive); outside rows are dollars
paid out of pocket, except `take_home`, which is pay kept. `nominal` holds figures that do
not grow: the after-tax basis that repayments of an amount over the limit create, returned
untaxed at retirement (Treas. Reg. §1.72(p)-1 Q&A-21). The pre-tax account rows no_loan
(A0), growth_missed (A0 - A1p), interest_to_self (A1 - A1p) and contribution_cut (A1 - A2)
are the version-1 figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..money import ZERO, cents_of
from .job_loss import SeparationCost
from .loan import Loan
from .projection import Contributions

ACCOUNT_ROWS = ("no_loan", "growth_missed", "interest_to_self", "contribution_cut", "fees", "job_loss")
OUTSIDE_ROWS = ("payments", "money_itself", "take_home", "job_loss", "excess")
PARTS = ("price_of_credit", "plan_difference", "contributions", "fees", "job_loss", "excess")
_A = {name: i for i, name in enumerate(ACCOUNT_ROWS)}
_O = {name: i for i, name in enumerate(OUTSIDE_ROWS)}
_P = {name: i for i, name in enumerate(PARTS)}


@dataclass(frozen=True)
class Excess:
    """An amount over the §1 limit: a deemed distribution at the loan date (Q&A-4)."""

    share: float  # excess / amount: the share of every payment that is after-tax basis
    cash_due: Decimal  # its tax and 10 %
    due_month: int  # when they are paid: the return's due date for the loan's year
    penalty: Decimal = ZERO  # the 10 % part of cash_due


NO_EXCESS = Excess(0.0, ZERO, 0)


@dataclass(frozen=True)
class Ledger:
    months: int
    window: int  # the repayment window: months 1..window (the last payment month, within T)
    keep: float  # after-tax value of an account dollar at retirement
    retirement_tax_rate: float  # 0 for a Roth source: basis then saves nothing
    account: np.ndarray  # (len(ACCOUNT_ROWS), T + 1)
    outside: np.ndarray  # (len(OUTSIDE_ROWS), T + 1)
    nominal: np.ndarray  # (len(PARTS),) dollars at retirement, not grown
    payments: np.ndarray  # (T + 1,) loan payments credited each month
    take_home: np.ndarray  # (T + 1,) pay kept by contributing less, after tax
    contribution_cut: np.ndarray  # (T + 1,) employee + match given up
    excess: Excess = NO_EXCESS  # the deemed distribution of an amount over the limit

    def account_row(self, name: str) -> np.ndarray:
        row: np.ndarray = self.account[_A[name]]
        return row

    def outside_row(self, name: str) -> np.ndarray:
        row: np.ndarray = self.outside[_O[name]]
        return row

    @property
    def with_loan_flows(self) -> np.ndarray:
        """The account as entered (A2), never leaving the job: no_loan less what it lacks."""
        a = self.account
        flows: np.ndarray = (
            a[_A["no_loan"]]
            - a[_A["growth_missed"]]
            + a[_A["interest_to_self"]]
            - a[_A["contribution_cut"]]
            - a[_A["fees"]]
        )
        return flows

    @property
    def cost_horizon(self) -> int:
        """The last month any cost flow is non-zero (no_loan excluded): later months only grow."""
        rows = np.vstack([self.account[1:], self.outside])
        active = np.flatnonzero(np.any(rows != 0.0, axis=0))
        return int(active[-1]) if active.size else 0


def build_ledger(
    loan: Loan,
    contributions: Contributions,
    start_balance: float,
    months: int,
    separations: list[SeparationCost],
    *,
    keep: float,
    current_tax_rate: float,
    retirement_tax_rate: float,
    roth: bool,
    excess: Excess = NO_EXCESS,
) -> Ledger:
    """Lay out every flow of the 401(k) loan on the two pots, months 0..T."""
    size = months + 1
    account = np.zeros((len(ACCOUNT_ROWS), size))
    outside = np.zeros((len(OUTSIDE_ROWS), size))
    nominal = np.zeros(len(PARTS))
    schedule = loan.schedule
    payments, principal, interest = np.zeros(size), np.zeros(size), np.zeros(size)
    for month, paid, part, owed_interest in zip(
        loan.months, schedule.payments, schedule.principal, schedule.interest, strict=True
    ):
        if month <= months:  # a balance still owed at retirement is offset then (§6)
            payments[month] += float(paid)
            principal[month] += float(part)
            interest[month] += float(owed_interest)
    window = min(loan.last_month, months)
    employee, match = contributions.normal(months)
    during_employee, during_match = contributions.during_loan(months)
    cut = np.zeros(size)
    cut[1 : window + 1] = (employee + match - during_employee - during_match)[:window]
    # Take-home pay kept by contributing less: after current tax for pre-tax contributions.
    take_home = np.zeros(size)
    take_home[1 : window + 1] = (employee - during_employee)[:window] * (
        1.0 if roth else 1.0 - current_tax_rate
    )
    fees = np.zeros(size)
    for month, fee in loan.fees:
        if month <= months:
            fees[month] += float(fee)

    account[_A["no_loan"], 0] = start_balance
    account[_A["no_loan"], 1:] = employee + match
    account[_A["growth_missed"]] = -principal
    account[_A["growth_missed"], 0] += float(loan.terms.amount)
    account[_A["interest_to_self"]] = interest
    account[_A["contribution_cut"]] = cut
    account[_A["fees"]] = fees
    outside[_O["payments"]] = payments
    outside[_O["money_itself"], 0] = float(loan.terms.amount)
    outside[_O["take_home"]] = take_home

    # Leaving at the end of month j (probability P_j): later payments stay outside and never
    # reach the account, contributions are normal again, fees stop, the rollover cash moves
    # into an IRA, and the tax and 10 % on the rest leave the outside pot at the due date.
    probability = np.zeros(size)
    for row in separations:
        probability[row.month] = row.probability
        account[_A["job_loss"], row.month] -= row.probability * float(row.rolled_over)
        outside[_O["job_loss"], row.month] += row.probability * float(row.rolled_over)
        outside[_O["job_loss"], row.tax_due_month] += row.probability * float(row.total)
    left_before = np.concatenate([[0.0], np.cumsum(probability)[:-1]])  # P(left before month m)
    account[_A["job_loss"]] += left_before * (payments - cut - fees)
    outside[_O["job_loss"]] += left_before * (take_home - payments)
    if excess.share:
        outside[_O["excess"], excess.due_month] += float(excess.cash_due)
        # Repayments of the excess are basis: worth 1, not keep, at retirement (Q&A-21).
        basis_rate = retirement_tax_rate * excess.share
        nominal[_P["excess"]] -= basis_rate * float(payments.sum())
        nominal[_P["job_loss"]] += basis_rate * float((left_before * payments).sum())
    return Ledger(
        months=months,
        window=window,
        keep=keep,
        retirement_tax_rate=retirement_tax_rate,
        account=account,
        outside=outside,
        nominal=nominal,
        payments=payments,
        take_home=take_home,
        contribution_cut=cut,
        excess=excess,
    )


def parts(ledger: Ledger, account_values: np.ndarray, outside_values: np.ndarray) -> np.ndarray:
    """The six parts (PARTS order) from the values at retirement of the account rows (P, Ka)
    and the outside rows (P, Ko) on each of P paths: (P, 6), floats."""
    a, o, w = np.atleast_2d(account_values), np.atleast_2d(outside_values), ledger.keep
    out = np.empty((a.shape[0], len(PARTS)))
    out[:, 0] = o[:, _O["payments"]] - o[:, _O["money_itself"]]
    out[:, 1] = w * (a[:, _A["growth_missed"]] - a[:, _A["interest_to_self"]])
    out[:, 2] = w * a[:, _A["contribution_cut"]] - o[:, _O["take_home"]]
    out[:, 3] = w * a[:, _A["fees"]]
    out[:, 4] = w * a[:, _A["job_loss"]] + o[:, _O["job_loss"]]
    out[:, 5] = o[:, _O["excess"]]
    out += ledger.nominal
    return out


def round_cents(values: np.ndarray) -> np.ndarray:
    """Half-up (away from zero) to cents, as money.cents(D(x)) does, vectorized. D() reads a
    float through its shortest repr, so 1.005 is a tie (-> 1.01) although 1.005 * 100 is
    100.49999999999999 in binary: snapping to 1e-6 of a cent first keeps those ties."""
    scaled = np.asarray(np.abs(values) * 100.0)  # then in place: the same operations, no temporaries
    np.round(scaled, 6, out=scaled)
    scaled += 0.5
    np.floor(scaled, out=scaled)
    scaled *= np.sign(values)
    scaled /= 100.0
    return scaled


def cent_totals(part_values: np.ndarray) -> np.ndarray:
    """cost.total per path: the parts rounded to cents one by one, then added (as the
    deterministic CostResult does, so one constant path gives analyze()'s total exactly)."""
    totals: np.ndarray = round_cents(part_values).sum(axis=1)
    return totals


def separation_net_costs(
    ledger: Ledger, separations: list[SeparationCost], account_index: np.ndarray, outside_index: np.ndarray
) -> list[Decimal]:
    """For each row: what leaving at the end of that month costs at retirement, net, compared
    with never leaving (METHOD v2 §6), on one return path."""
    w, months = ledger.keep, ledger.months
    to_end = account_index[months] / account_index  # G(m -> T)
    to_end_out = outside_index[months] / outside_index

    def after(values: np.ndarray) -> np.ndarray:
        """Sums over the months m > j, for each month j."""
        return np.concatenate([np.cumsum(values[::-1])[::-1][1:], [0.0]])

    account_tail = after((ledger.payments - ledger.contribution_cut - ledger.account_row("fees")) * to_end)
    outside_tail = after((ledger.take_home - ledger.payments) * to_end_out)
    basis_tail = ledger.retirement_tax_rate * ledger.excess.share * after(ledger.payments)
    costs = []
    for row in separations:
        j, rolled = row.month, float(row.rolled_over)
        value = (
            w * (account_tail[j] - rolled * to_end[j])
            + outside_tail[j]
            + rolled * to_end_out[j]
            + float(row.total) * to_end_out[row.tax_due_month]
            + basis_tail[j]
        )
        costs.append(cents_of(value))
    return costs
