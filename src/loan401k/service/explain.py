"""The cost in plain words (METHOD v2 §4): one sentence per part, with this scenario's
figures. Every face (page, PDF, CLI `--explain`, API `steps`) shows these same sentences."""

from __future__ import annotations

from decimal import Decimal

from ..models import CostResult, Step
from ..money import HUNDRED, ZERO, pct_text, usd
from .scenario import Scenario, liquidity_pct

LIQUIDITY_WORDS = {
    "t_bill": "what cash earns after tax: the {year} T-bill, {bill}, less your {tax} tax",
    "card": "your card's APR: paying down the balance saves it",
    "given": "the rate you entered",
    "outside_return": "the outside return you entered",
}


def _money(value: Decimal) -> str:
    return usd(value, whole=True)


def outside_words(scenario: Scenario) -> str:
    """What money outside earns, in words."""
    outside = scenario.outside
    if outside.outside_return is not None:
        return f"{pct_text(outside.outside_return * HUNDRED)} a year, the outside return you entered"
    source = LIQUIDITY_WORDS[outside.liquidity_source].format(
        year=outside.t_bill_year,
        bill=pct_text(outside.t_bill * HUNDRED),
        tax=pct_text((scenario.current_tax_rate * HUNDRED).normalize()),
    )
    drag = pct_text((outside.tax_drag * HUNDRED).normalize())
    return (
        f"{pct_text(liquidity_pct(scenario))} a year while you repay ({source}) and then your "
        f"portfolio's return less the {drag} of it lost to tax in a taxable account"
    )


SHORT_SOURCE = {"t_bill": "cash, after tax", "card": "your card's APR", "given": "as you set it"}


def outside_summary(scenario: Scenario) -> str:
    """What money outside earns, in one short sentence."""
    outside, inputs = scenario.outside, scenario.inputs
    if outside.outside_return is not None:
        rate = pct_text(outside.outside_return * HUNDRED)
        return f"Money outside the plan earns {rate} a year (as you set it)."
    drag = pct_text((outside.tax_drag * HUNDRED).normalize())
    return (
        f"Money outside the plan earns {pct_text(liquidity_pct(scenario))} a year while you repay "
        f"({SHORT_SOURCE[outside.liquidity_source]}), then your {pct_text(inputs.annual_return_pct or 0)} "
        f"less a {drag} tax drag."
    )


def part_sentences(scenario: Scenario, cost: CostResult) -> dict[str, str]:
    """One sentence per part of the cost, the way a person reads them."""
    inputs, loan = scenario.inputs, scenario.loan
    age = inputs.retirement_age
    amount = _money(loan.terms.amount)
    rate = pct_text(loan.terms.annual_rate * HUNDRED)
    t_ret = pct_text((scenario.retirement_tax_rate * HUNDRED).normalize())
    words: dict[str, str] = {}
    words["price_of_credit"] = (
        f"Any lender at {rate} would cost you {_money(cost.price_of_credit)} beyond the {amount} by "
        f"{age}: your payments, {_money(loan.schedule.total_paid)} in all, leave money that would "
        f"otherwise earn {outside_words(scenario)}."
    )
    if scenario.roth:
        tax_words = "a Roth account is not taxed again, so that is the difference"
    else:
        tax_words = f"both are taxed at {t_ret} when you withdraw them"
    verb = "costs you" if cost.plan_difference >= 0 else "saves you"
    words["plan_difference"] = (
        f"Borrowing it from your 401(k) instead: your money misses {_money(cost.growth_missed)} of "
        f"growth by {age}, and the interest you pay comes back to you, grown to "
        f"{_money(cost.interest_to_self)}; {tax_words}. That {verb} "
        f"{_money(abs(cost.plan_difference))}."
    )
    if not scenario.roth and cost.interest_to_self > 0:
        words["plan_difference"] += (
            f' The "double tax on interest" ({t_ret} of {_money(cost.interest_to_self)}, '
            f"{_money(cost.double_tax)}) is inside this figure: the same tax falls on the growth you "
            "miss, and from a bank the interest would be gone altogether."
        )
    if cost.contribution_cut:
        words["contributions"] = (
            f"Contributing less while you repay: the account misses "
            f"{_money(cost.contribution_cut)} by {age} (contributions and match, before tax); the "
            f"take-home pay you keep grows outside. Net, after tax: {_money(cost.contributions)}."
        )
    else:
        words["contributions"] = "You keep contributing as before, so nothing is lost here."
    words["fees"] = (
        f"Loan fees of {_money(loan.total_fees)} charged to the account, grown and after tax: "
        f"{_money(cost.fees)}."
        if loan.total_fees
        else "Your plan charges no loan fees (as entered)."
    )
    words["job_loss"] = job_loss_sentence(scenario, cost)
    if cost.excess or scenario.limit.excess:
        words["excess"] = (
            f"You asked for {_money(scenario.limit.excess)} more than the "
            f"{_money(scenario.limit.max_loan)} limit: that part is a deemed distribution now, "
            "taxed (with the 10% additional tax before 59½) at the next tax deadline; its "
            f"repayments come back untaxed at retirement. Net: {_money(cost.excess)}."
        )
    return words


def job_loss_sentence(scenario: Scenario, cost: CostResult) -> str:
    inputs = scenario.inputs
    rows = scenario.separations
    retirement = next((row for row in rows if row.retirement), None)
    chance = pct_text(inputs.job_loss_annual_pct or 0)
    penalty_words = " and the 10% additional tax" if any(row.penalty for row in rows) else ""
    text = (
        f"If you leave your job before it is repaid ({chance} a year, voluntary or not), the "
        f"balance is offset: you must find the tax{penalty_words} by the tax deadline, or roll the "
        "balance over. Most of that tax the same dollars would owe at retirement anyway; what is "
        f"lost, weighted by the chance of leaving each month: {_money(cost.job_loss)} at "
        f"{inputs.retirement_age}."
    )
    if retirement is not None:
        text += (
            f" You would still owe {_money(retirement.outstanding)} when you retire at "
            f"{inputs.retirement_age}: it is offset then and taxed ({_money(retirement.total)} due)."
        )
    if not rows or (inputs.job_loss_annual_pct or ZERO) == 0 and retirement is None:
        text = "You set no chance of leaving your job before the loan is repaid, so nothing is counted here."
    return text


def cost_steps(scenario: Scenario, cost: CostResult) -> list[Step]:
    """The steps of the cost, each with its figure and where the rule comes from."""
    words = part_sentences(scenario, cost)
    citations = {
        "price_of_credit": "loan401k methodology, True cost",
        "plan_difference": "IRC §72(p)(3); §402(a); loan401k methodology, True cost",
        "contributions": "IRC §402(g); loan401k methodology, True cost",
        "fees": "Plan loan policy; loan401k methodology, True cost",
        "job_loss": "IRC §402(c)(3)(C); §72(t); Treas. Reg. §1.402(c)-3; loan401k methodology, Job loss",
        "excess": "IRC §72(p)(1); Treas. Reg. §1.72(p)-1 Q&A-4, Q&A-21",
    }
    steps = [
        Step(rule=name, value=getattr(cost, name), citation=citations[name], text=words[name])
        for name in citations
        if name in words
    ]
    age = scenario.inputs.retirement_age
    steps.append(
        Step(
            rule="total",
            value=cost.total,
            citation="loan401k methodology, True cost",
            text=f"Total {usd(cost.total)} at {age}, beyond the money itself: "
            f"{usd(cost.total_today)} in today's dollars, {usd(cost.present_value)} today at what "
            f"your money outside earns, {usd(cost.per_dollar)} for each dollar borrowed.",
        )
    )
    return steps
