"""Other ways to raise the same cash, on one scale (METHOD §8).

Every option delivers the same cash X today. Its cost is the after-tax net worth at
retirement had X been a gift, minus the after-tax net worth with the option:

    cost = keep x (account dollars lost, grown in the plan)          # keep = 1 - t_ret (Roth: 1)
         + money paid out of pocket, grown as it would have been invested outside
         - money freed (take-home pay from lower contributions), grown the same way
         + expected job-loss tax and penalty (the 401(k) loan), grown the same way

Payments, interest, fees, taxes and penalties are exact cents; only the growth to
retirement is float (a flow vector valued with engine.projection, the same code as the
analysis). Loan options pay monthly, interest = round_cents(balance x APR / 12), level
payment, the last payment trues up (METHOD §2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from ..money import CENT, HUNDRED, ONE, ZERO, cents, cents_of, pct_text
from ..rules.distributions import gross_for_net
from ..rules.tax import TaxProfile
from .amortization import Amortization, amortize, level_payment, period_rate
from .costs import CostFlows
from .loan import Loan
from .projection import constant_path, growth_index, value_at_end

RISKS = {
    "401k_loan": [
        "Job loss: if you leave or lose your job before repaying, the balance is offset and "
        "taxed as a distribution (plus 10% before 59½) unless you roll it over by the tax "
        "deadline; the expected cost of that is included.",
        "Your savings are out of the market while borrowed: a strong market raises the cost.",
    ],
    "hardship_withdrawal": [
        "Permanent loss of retirement savings: a hardship withdrawal can never be repaid or rolled over.",
        "Taxed now as income, plus the 10% additional tax before 59½.",
    ],
    "credit_card": [
        "Variable rate: card APRs follow the prime rate and can rise.",
        "Credit score: a high balance raises your utilization and can lower your score.",
    ],
    "balance_transfer": [
        "Promotion ending: after the promotional months the go-to APR applies to what is left; "
        "a late payment can end the promotion early.",
        "Credit score: a new account and a high balance can lower your score.",
    ],
    "personal_loan": [
        "Credit score: a hard inquiry and new debt; a missed payment is reported.",
    ],
    "heloc": [
        "Your home is the collateral: falling behind can lead to foreclosure.",
        "Variable rate: HELOC rates follow the prime rate and can rise.",
    ],
    "custom": [
        "Check the lender's terms: rate changes, collateral and credit reporting are not modeled.",
    ],
}

NAMES = {
    "401k_loan": "401(k) loan",
    "hardship_withdrawal": "Hardship withdrawal",
    "credit_card": "Credit card",
    "balance_transfer": "Balance transfer",
    "personal_loan": "Personal loan",
    "heloc": "HELOC",
    "custom": "Custom loan",
}


@dataclass(frozen=True)
class Scale:
    """How a dollar at a month turns into after-tax net worth at retirement (month T)."""

    account_index: np.ndarray  # growth index inside the plan, (T + 1,)
    outside_index: np.ndarray  # growth index of money invested outside, (T + 1,)
    keep: float  # after-tax share of an account dollar at retirement: 1 - t_ret, Roth 1

    @property
    def months(self) -> int:
        return len(self.account_index) - 1

    def account(self, flows: np.ndarray) -> float:
        """Value at retirement of flows inside the plan, before tax."""
        return float(value_at_end(flows, self.account_index)[0, 0])

    def outside(self, flows: np.ndarray) -> float:
        """Value at retirement of flows invested outside the plan."""
        return float(value_at_end(flows, self.outside_index)[0, 0])


def outside_index(annual_return: float, drag: float, months: int, convention: str) -> np.ndarray:
    """Outside the plan the same return, less the share `drag` lost to tax each year."""
    return growth_index(constant_path(annual_return * (1.0 - drag), months, convention))


@dataclass(frozen=True)
class OptionCost:
    kind: str
    label: str
    cost: Decimal
    interest: Decimal
    fees: Decimal
    taxes: Decimal
    penalties: Decimal
    payment: Decimal | None
    amount: Decimal
    term_months: int | None
    total_paid: Decimal
    apr: Decimal | None  # fraction
    formula: str
    risks: list[str] = field(default_factory=list)


def _flows_at(months: int, entries: Sequence[tuple[int, Decimal]]) -> np.ndarray:
    flows = np.zeros(months + 1)
    for month, amount in entries:
        flows[month] += float(amount)
    return flows


# --------------------------------------------------------------------------- the 401(k) loan


def loan_option(
    loan: Loan,
    flows: CostFlows,
    freed_pay: np.ndarray,
    scale: Scale,
    expected_tax: Decimal,
    expected_penalty: Decimal,
    label: str = NAMES["401k_loan"],
) -> OptionCost:
    """Payments out of pocket; the account difference A0 - A2 (lost growth, contributions
    cut, fees) after tax; the job-loss expectation; take-home pay freed by lower
    contributions (`freed_pay`, months 0..T) invested outside."""
    account_lost = (
        flows.row("growth_missed")
        - flows.row("interest_to_self")
        + flows.row("contribution_cut")
        + flows.row("fees")
    )
    schedule = loan.schedule
    paid = _flows_at(scale.months, list(zip(loan.months, schedule.payments, strict=True)))
    account = scale.keep * scale.account(account_lost)
    pocket = scale.outside(paid)
    job_loss = scale.outside(flows.row("job_loss"))
    freed = scale.outside(freed_pay)
    cost = cents_of(account + pocket + job_loss - freed)
    formula = (
        f"after-tax account dollars lost {cents_of(account):,.2f} + payments grown outside "
        f"{cents_of(pocket):,.2f} + expected job-loss tax and penalty {cents_of(job_loss):,.2f} "
        f"- take-home pay freed by lower contributions, grown {cents_of(freed):,.2f}"
    )
    return OptionCost(
        kind="401k_loan",
        label=label,
        cost=cost,
        interest=schedule.total_interest,
        fees=loan.total_fees,
        taxes=expected_tax,
        penalties=expected_penalty,
        payment=schedule.payment,
        amount=loan.terms.amount,
        term_months=loan.terms.term_months,
        total_paid=schedule.total_paid,
        apr=loan.terms.annual_rate,
        formula=formula,
        risks=list(RISKS["401k_loan"]),
    )


# --------------------------------------------------------------------------- hardship


def hardship_option(
    cash: Decimal,
    tax: TaxProfile,
    penalty_rate: Decimal,
    scale: Scale,
    label: str | None = None,
) -> OptionCost:
    """Gross W with W - tax(W) - penalty(W) = X exactly (to the cent), gone for good."""
    grossed = gross_for_net(cash, tax, penalty_rate)
    lost = scale.keep * scale.account(_flows_at(scale.months, [(0, grossed.amount)]))
    formula = (
        f"withdraw {grossed.amount:,.2f} to net {cash:,.2f} after "
        f"{grossed.federal + grossed.state:,.2f} tax and {grossed.penalty:,.2f} penalty; "
        f"the withdrawal grown in the plan, after retirement tax: {cents_of(lost):,.2f}"
    )
    return OptionCost(
        kind="hardship_withdrawal",
        label=label or NAMES["hardship_withdrawal"],
        cost=cents_of(lost),
        interest=ZERO,
        fees=ZERO,
        taxes=grossed.federal + grossed.state,
        penalties=grossed.penalty,
        payment=None,
        amount=grossed.amount,
        term_months=None,
        total_paid=ZERO,
        apr=None,
        formula=formula,
        risks=list(RISKS["hardship_withdrawal"]),
    )


# --------------------------------------------------------------------------- borrowing


def financed_principal(cash: Decimal, fee_rate: Decimal = ZERO, fee: Decimal = ZERO) -> Decimal:
    """The amount to borrow when the origination fee comes out of the proceeds (industry
    practice): the smallest P in cents with P - round_cents(fee_rate x P) - fee >= cash."""
    if fee_rate >= ONE:
        raise ValueError("a fee of 100% or more leaves no cash")

    def nets(principal: Decimal) -> Decimal:
        return principal - cents(fee_rate * principal) - fee

    principal = cents((cash + fee) / (ONE - fee_rate)) - 5 * CENT
    while principal > cash and nets(principal) >= cash:
        principal -= 5 * CENT
    while nets(principal) < cash:
        principal += CENT
    return principal


def stepped_payment(
    principal: Decimal, promo_rate: Decimal, promo_periods: int, rate: Decimal, periods: int
) -> Decimal:
    """The level payment that repays `principal` in `periods` when the first `promo_periods`
    carry `promo_rate` and the rest `rate` (both per period)."""
    rest = periods - promo_periods
    if rest <= 0:
        return level_payment(principal, promo_rate, periods)
    growth = (ONE + promo_rate) ** promo_periods
    accumulated = (growth - ONE) / promo_rate if promo_rate else Decimal(promo_periods)
    annuity = rate / (ONE - (ONE + rate) ** -rest) if rate else ONE / rest
    return cents(principal * growth * annuity / (ONE + accumulated * annuity))


def stepped_amortize(principal: Decimal, rates: Sequence[Decimal], payment: Decimal) -> Amortization:
    """METHOD §2 rows with a rate per period; the last period pays what is left."""
    payments, interests, principals, balances = [], [], [], []
    balance = principal
    for i, rate in enumerate(rates):
        interest = cents(balance * rate)
        paid = balance + interest if i == len(rates) - 1 else min(payment, balance + interest)
        balance -= paid - interest
        payments.append(paid)
        interests.append(interest)
        principals.append(paid - interest)
        balances.append(balance)
        if balance == 0:
            break
    return Amortization(payment, tuple(payments), tuple(interests), tuple(principals), tuple(balances))


@dataclass(frozen=True)
class Borrowing:
    """A consumer loan as entered: fractions, months."""

    kind: str
    apr: Decimal
    term_months: int
    fee_rate: Decimal = ZERO  # personal loan / custom: of the amount borrowed; transfer: of X
    fee: Decimal = ZERO
    promo_months: int = 0
    promo_apr: Decimal = ZERO
    label: str | None = None


def borrowing_schedule(cash: Decimal, loan: Borrowing) -> tuple[Decimal, Decimal, Amortization]:
    """(amount borrowed, fees, monthly schedule) delivering `cash` in hand today."""
    if loan.kind == "balance_transfer":
        # the transfer fee is a percent of the balance moved and is added to it
        fees = cents(loan.fee_rate * cash) + loan.fee
        principal = cash + fees
    else:
        principal = financed_principal(cash, loan.fee_rate, loan.fee)
        fees = principal - cash
    rate = period_rate(loan.apr, 12, "nominal")
    promo = min(loan.promo_months, loan.term_months)
    if promo == 0:
        return principal, fees, amortize(principal, rate, loan.term_months)
    promo_rate = period_rate(loan.promo_apr, 12, "nominal")
    payment = stepped_payment(principal, promo_rate, promo, rate, loan.term_months)
    rates = [promo_rate] * promo + [rate] * (loan.term_months - promo)
    return principal, fees, stepped_amortize(principal, rates, payment)


def borrowing_option(cash: Decimal, loan: Borrowing, scale: Scale) -> OptionCost:
    """Every payment comes out of pocket: money that would have been invested outside."""
    principal, fees, schedule = borrowing_schedule(cash, loan)
    paid = _flows_at(scale.months, [(m + 1, p) for m, p in enumerate(schedule.payments)])
    cost = cents_of(scale.outside(paid))
    promo = (
        f"{loan.promo_months} months at {pct_text(loan.promo_apr * HUNDRED)} then "
        if loan.kind == "balance_transfer" and loan.promo_months
        else ""
    )
    formula = (
        f"borrow {principal:,.2f} ({fees:,.2f} fees financed) at {promo}"
        f"{pct_text(loan.apr * HUNDRED)} APR; {schedule.periods} monthly payments of "
        f"{schedule.payment:,.2f} grown as if invested outside: {cost:,.2f}"
    )
    return OptionCost(
        kind=loan.kind,
        label=loan.label or f"{NAMES[loan.kind]} {pct_text(loan.apr * HUNDRED)}",
        cost=cost,
        interest=schedule.total_interest,
        fees=fees,
        taxes=ZERO,
        penalties=ZERO,
        payment=schedule.payment,
        amount=principal,
        term_months=loan.term_months,
        total_paid=schedule.total_paid,
        apr=loan.apr,
        formula=formula,
        risks=list(RISKS[loan.kind]),
    )


def rank(options: Sequence[OptionCost]) -> list[OptionCost]:
    """Cheapest first; ties keep the order given (the 401(k) loan first)."""
    return sorted(options, key=lambda option: option.cost)
