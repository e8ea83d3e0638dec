"""Other ways to raise the same cash, on one scale (METHOD v2 §8).

Every option delivers the same cash X today and is priced with METHOD v2 §4's formula on
the same two pots: the cost beyond the money itself,

    cost = keep x (account dollars lost, grown in the plan)      # keep = 1 - t_ret (Roth: 1)
         + payments out of pocket, grown as money outside grows
         - X grown as money outside grows                          # the money itself

The 401(k) loan's own cost is the analysis's total, from the same scenario. Payments,
interest, fees, taxes and penalties are exact cents; only the growth to retirement is float
(a flow vector valued with engine.projection). Loan options pay monthly, interest =
round_cents(balance x APR / 12), level payment, the last payment trues up (METHOD §2).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from .. import i18n
from ..i18n import N_, _
from ..money import CENT, HUNDRED, ONE, ZERO, cents, cents_of
from ..rules.distributions import gross_for_net
from ..rules.tax import TaxProfile
from .amortization import NEGLIGIBLE_RATE, Amortization, amortize, level_payment, period_rate
from .projection import value_at_end

RISKS = {
    "401k_loan": [
        N_(
            "Leaving your job: if you leave or lose your job before repaying, the balance is "
            "offset and taxed as a distribution (plus 10% before 59½) unless you roll it over by "
            "the tax deadline; the expected cost of that is included."
        ),
        N_("Your savings are out of the market while borrowed: a strong market raises the cost."),
    ],
    "hardship_withdrawal": [
        N_("Permanent loss of retirement savings: a hardship withdrawal can never be repaid or rolled over."),
        N_("Taxed now as income, plus the 10% additional tax before 59½."),
    ],
    "credit_card": [
        N_("Variable rate: card APRs follow the prime rate and can rise."),
        N_("Credit score: a high balance raises your utilization and can lower your score."),
    ],
    "balance_transfer": [
        N_(
            "Promotion ending: after the promotional months the go-to APR applies to what is left; "
            "a late payment can end the promotion early."
        ),
        N_("Credit score: a new account and a high balance can lower your score."),
    ],
    "personal_loan": [
        N_("Credit score: a hard inquiry and new debt; a missed payment is reported."),
    ],
    "heloc": [
        N_("Your home is the collateral: falling behind can lead to foreclosure."),
        N_("Variable rate: HELOC rates follow the prime rate and can rise."),
    ],
    "custom": [
        N_("Check the lender's terms: rate changes, collateral and credit reporting are not modeled."),
    ],
}

NAMES = {
    "401k_loan": N_("401(k) loan"),
    "hardship_withdrawal": N_("Hardship withdrawal"),
    "credit_card": N_("Credit card"),
    "balance_transfer": N_("Balance transfer"),
    "personal_loan": N_("Personal loan"),
    "heloc": N_("HELOC"),
    "custom": N_("Custom loan"),
}


def _figure(value: Decimal) -> str:
    """A formula's figure: "1,234.56", in the current language's digits."""
    return i18n.decimal(value, 2, 2)


def _percent(value: Decimal) -> str:
    """A rate with every digit `money.pct_text` keeps ("12%", "6.75%")."""
    return i18n.percent(value, max_digits=10)


@dataclass(frozen=True)
class Scale:
    """How a dollar at a month turns into after-tax net worth at retirement (month T)."""

    account_index: np.ndarray  # growth index inside the plan, (T + 1,)
    outside_index: np.ndarray  # growth index of money outside, (T + 1,)
    keep: float  # after-tax share of an account dollar at retirement: 1 - t_ret, Roth 1

    @property
    def months(self) -> int:
        return len(self.account_index) - 1

    def account(self, flows: np.ndarray) -> float:
        """Value at retirement of flows inside the plan, before tax."""
        return float(value_at_end(flows, self.account_index)[0, 0])

    def outside(self, flows: np.ndarray) -> float:
        """Value at retirement of flows outside the plan."""
        return float(value_at_end(flows, self.outside_index)[0, 0])

    def money_itself(self, cash: Decimal) -> float:
        """X grown as money outside grows: the zero point of every option's cost."""
        return float(cash) * float(self.outside_index[-1])


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
    cost: Decimal,
    *,
    interest: Decimal,
    fees: Decimal,
    taxes: Decimal,
    penalties: Decimal,
    payment: Decimal,
    amount: Decimal,
    term_months: int,
    total_paid: Decimal,
    apr: Decimal,
    formula: str,
    label: str = "",
) -> OptionCost:
    """The 401(k) loan as one option: its cost is the analysis's total, computed once."""
    return OptionCost(
        kind="401k_loan",
        label=label or _(NAMES["401k_loan"]),
        cost=cost,
        interest=interest,
        fees=fees,
        taxes=taxes,
        penalties=penalties,
        payment=payment,
        amount=amount,
        term_months=term_months,
        total_paid=total_paid,
        apr=apr,
        formula=formula,
        risks=[_(risk) for risk in RISKS["401k_loan"]],
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
    itself = scale.money_itself(cash)
    formula = _(
        "withdraw {gross} to net {cash} after {tax} tax and {penalty} penalty; the withdrawal grown "
        "in the plan, after retirement tax, {lost} - the {cash} itself grown outside {itself}"
    ).format(
        gross=_figure(grossed.amount),
        cash=_figure(cash),
        tax=_figure(grossed.federal + grossed.state),
        penalty=_figure(grossed.penalty),
        lost=_figure(cents_of(lost)),
        itself=_figure(cents_of(itself)),
    )
    return OptionCost(
        kind="hardship_withdrawal",
        label=label or _(NAMES["hardship_withdrawal"]),
        cost=cents_of(lost - itself),
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
        risks=[_(risk) for risk in RISKS["hardship_withdrawal"]],
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
    accumulated = (growth - ONE) / promo_rate if promo_rate >= NEGLIGIBLE_RATE else Decimal(promo_periods)
    annuity = rate / (ONE - (ONE + rate) ** -rest) if rate >= NEGLIGIBLE_RATE else ONE / rest
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
    grown, itself = scale.outside(paid), scale.money_itself(cash)
    cost = cents_of(grown - itself)
    figures = {
        "principal": _figure(principal),
        "fees": _figure(fees),
        "promo_months": loan.promo_months,
        "promo_apr": _percent(loan.promo_apr * HUNDRED),
        "apr": _percent(loan.apr * HUNDRED),
        "periods": schedule.periods,
        "payment": _figure(schedule.payment),
        "grown": _figure(cents_of(grown)),
        "cash": _figure(cash),
        "itself": _figure(cents_of(itself)),
        "cost": _figure(cost),
    }
    if loan.kind == "balance_transfer" and loan.promo_months:
        formula = _(
            "borrow {principal} ({fees} fees financed) at {promo_months} months at {promo_apr} then "
            "{apr} APR; {periods} monthly payments of {payment} grown as money outside grows {grown} "
            "- the {cash} itself grown the same way {itself} = {cost}"
        )
    else:
        formula = _(
            "borrow {principal} ({fees} fees financed) at {apr} APR; {periods} monthly payments of "
            "{payment} grown as money outside grows {grown} - the {cash} itself grown the same way "
            "{itself} = {cost}"
        )
    formula = formula.format(**figures)
    return OptionCost(
        kind=loan.kind,
        # TRANSLATORS: an option's name and its APR ("Personal loan 12%").
        label=loan.label
        or _("{name} {rate}").format(name=_(NAMES[loan.kind]), rate=_percent(loan.apr * HUNDRED)),
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
        risks=[_(risk) for risk in RISKS[loan.kind]],
    )


def rank(options: Sequence[OptionCost]) -> list[OptionCost]:
    """Cheapest first; ties keep the order given (the 401(k) loan first)."""
    return sorted(options, key=lambda option: option.cost)
