"""The cost figures of a scenario on one return path, in exact cents (METHOD v2 §4, §6).

The six parts are rounded one by one and `total` is their sum, so they add up to the cent
on every face; the account view is the same total seen pot by pot.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from ..engine.ledger import ACCOUNT_ROWS, PARTS, parts, separation_net_costs
from ..engine.projection import value_at_end
from ..models import AccountView, CostResult, JobLossRow
from ..money import ZERO, cents, cents_of, pct
from .scenario import Scenario


@dataclass(frozen=True)
class Valued:
    """A scenario's flows valued at retirement on one path (floats, before rounding)."""

    parts: np.ndarray  # (6,) PARTS order
    account: dict[str, float]  # pre-tax account rows
    outside: np.ndarray  # (len(OUTSIDE_ROWS),)
    outside_growth: float  # G_out(0 -> T)


def valued(scenario: Scenario) -> Valued:
    """The deterministic valuation: the constant return and the outside rates (cached)."""
    cached = scenario.__dict__.get("_valued")
    if cached is None:
        ledger = scenario.ledger
        account = value_at_end(ledger.account, scenario.account_index)[0]
        outside = value_at_end(ledger.outside, scenario.outside_index)[0]
        cached = Valued(
            parts=parts(ledger, account, outside)[0],
            account=dict(zip(ACCOUNT_ROWS, (float(v) for v in account), strict=True)),
            outside=outside,
            outside_growth=float(scenario.outside_index[-1]),
        )
        scenario.__dict__["_valued"] = cached
    return cached


def cost_result(
    scenario: Scenario, part_values: np.ndarray, account: dict[str, float], outside_growth: float
) -> CostResult:
    """CostResult from the parts' values on one path: each part in cents, total their sum."""
    inputs, loan = scenario.inputs, scenario.loan
    figures = {name: cents_of(value) for name, value in zip(PARTS, part_values, strict=True)}
    total = sum(figures.values(), ZERO)
    growth_missed = cents_of(account["growth_missed"])
    interest_to_self = cents_of(account["interest_to_self"])
    t_ret = ZERO if scenario.roth else scenario.retirement_tax_rate
    years = Decimal(scenario.months) / 12
    deflator = (1 + pct(inputs.inflation_pct or 0)) ** years
    keep_now = 1 - scenario.current_tax_rate
    return CostResult(
        **figures,
        total=total,
        loan_itself=figures["price_of_credit"] + figures["plan_difference"],
        total_today=cents(total / deflator),
        income_monthly_today=cents(total / deflator * scenario.law["safe_withdrawal_rate"] / 12),
        present_value=cents_of(float(total) / outside_growth),
        per_dollar=cents(total / loan.terms.amount),
        growth_missed=growth_missed,
        interest_to_self=interest_to_self,
        lost_growth=growth_missed - interest_to_self,
        double_tax=cents(t_ret * interest_to_self),
        contribution_cut=cents_of(account["contribution_cut"]),
        pretax_wages_for_interest=cents(loan.schedule.total_interest / keep_now) if keep_now > 0 else ZERO,
    )


def deterministic_cost(scenario: Scenario) -> CostResult:
    v = valued(scenario)
    return cost_result(scenario, v.parts, v.account, v.outside_growth)


def account_view(scenario: Scenario, cost: CostResult) -> AccountView:
    """The total pot by pot, after tax: plan_no_loan - plan_with_loan - outside_with_loan
    - money_itself = total, exactly (the outside pot takes the cents of rounding)."""
    v, ledger = valued(scenario), scenario.ledger
    keep = ledger.keep
    account = v.account
    lacks = sum(account[name] for name in ("growth_missed", "contribution_cut", "fees", "job_loss"))
    lacks -= account["interest_to_self"]
    basis = -float(ledger.nominal.sum())  # after-tax basis returned untaxed (an excess)
    plan_no_loan = cents_of(keep * account["no_loan"])
    plan_with_loan = cents_of(keep * (account["no_loan"] - lacks) + basis)
    money_itself = cents_of(float(scenario.loan.terms.amount) * v.outside_growth)
    return AccountView(
        plan_no_loan=plan_no_loan,
        plan_with_loan=plan_with_loan,
        outside_with_loan=plan_no_loan - plan_with_loan - money_itself - cost.total,
        money_itself=money_itself,
    )


def job_loss_rows(scenario: Scenario) -> list[JobLossRow]:
    """Every month of repayment (every quarter for loans over five years) and, for a loan
    still owed then, retirement: the cash due by the deadline and the net cost at retirement."""
    rows = scenario.separations
    net = separation_net_costs(scenario.ledger, rows, scenario.account_index, scenario.outside_index)
    step = 3 if scenario.loan.last_month > 60 else 1
    return [
        JobLossRow.model_construct(
            month=row.month,
            outstanding=row.outstanding,
            rolled_over=row.rolled_over,
            tax=row.tax,
            penalty=row.penalty,
            total=row.total,
            probability_pct=round(row.probability * 100, 4),
            rollover_deadline=row.rollover_deadline,
            tax_due_date=row.tax_due_date,
            qualified=row.qualified,
            net_cost=cost,
        )
        for row, cost in zip(rows, net, strict=True)
        if row.month % step == 0 or row.month == 1 or row.retirement
    ]


def expected_cash(scenario: Scenario) -> tuple[Decimal, Decimal]:
    """Expected (tax, penalty) of leaving the job, weighted by the chance of each month."""
    tax = sum((Decimal(repr(row.probability)) * row.tax for row in scenario.separations), ZERO)
    penalty = sum((Decimal(repr(row.probability)) * row.penalty for row in scenario.separations), ZERO)
    return cents(tax), cents(penalty)
