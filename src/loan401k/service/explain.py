"""The cost in plain words (METHOD v2 §4): one sentence per part, with this scenario's
figures. Every face (page, PDF, CLI `--explain`, API `steps`) shows these same sentences."""

from __future__ import annotations

from decimal import Decimal

from .. import i18n
from ..i18n import _
from ..models import CostResult, Step
from ..money import HUNDRED, ZERO
from .scenario import Scenario, liquidity_pct


def _money(value: Decimal) -> str:
    return i18n.currency(value, whole=True)


def pct_words(value: Decimal | float | int) -> str:
    """A percent for people in the current language, with every digit `money.pct_text` keeps
    ("7%", "6.75%", "12.4%")."""
    return i18n.percent(value, max_digits=10)


def outside_words(scenario: Scenario) -> str:
    """What money outside earns, as a phrase that completes "… earns …" (a rate and where it
    comes from); the sentences around it place it whole."""
    outside = scenario.outside
    if outside.outside_return is not None:
        # TRANSLATORS: completes "Money outside the plan earns …".
        return _("{rate} a year, the outside return you entered").format(
            rate=pct_words(outside.outside_return * HUNDRED)
        )
    figures = {
        "rate": pct_words(liquidity_pct(scenario)),
        "drag": pct_words((outside.tax_drag * HUNDRED).normalize()),
        "year": outside.t_bill_year,
        "bill": pct_words(outside.t_bill * HUNDRED),
        "tax": pct_words((scenario.current_tax_rate * HUNDRED).normalize()),
    }
    if outside.liquidity_source == "card":
        # TRANSLATORS: completes "Money outside the plan earns …".
        text = _(
            "{rate} a year while you repay (your card's APR: paying down the balance saves it) and "
            "then your portfolio's return less the {drag} of it lost to tax in a taxable account"
        )
    elif outside.liquidity_source == "given":
        # TRANSLATORS: completes "Money outside the plan earns …".
        text = _(
            "{rate} a year while you repay (the rate you entered) and then your portfolio's return "
            "less the {drag} of it lost to tax in a taxable account"
        )
    else:
        # TRANSLATORS: completes "Money outside the plan earns …". "T-bill": the 3-month Treasury bill.
        text = _(
            "{rate} a year while you repay (what cash earns after tax: the {year} T-bill, {bill}, "
            "less your {tax} tax) and then your portfolio's return less the {drag} of it lost to "
            "tax in a taxable account"
        )
    return text.format(**figures)


def outside_sentence(scenario: Scenario) -> str:
    """What money outside earns, as a sentence."""
    return _("Money outside the plan earns {outside}.").format(outside=outside_words(scenario))


def outside_summary(scenario: Scenario) -> str:
    """What money outside earns, in one short sentence."""
    outside, inputs = scenario.outside, scenario.inputs
    if outside.outside_return is not None:
        return _("Money outside the plan earns {rate} a year (as you set it).").format(
            rate=pct_words(outside.outside_return * HUNDRED)
        )
    figures = {
        "rate": pct_words(liquidity_pct(scenario)),
        "portfolio": pct_words(inputs.annual_return_pct or 0),
        "drag": pct_words((outside.tax_drag * HUNDRED).normalize()),
    }
    if outside.liquidity_source == "card":
        text = _(
            "Money outside the plan earns {rate} a year while you repay (your card's APR), then "
            "your {portfolio} less a {drag} tax drag."
        )
    elif outside.liquidity_source == "given":
        text = _(
            "Money outside the plan earns {rate} a year while you repay (as you set it), then your "
            "{portfolio} less a {drag} tax drag."
        )
    else:
        text = _(
            "Money outside the plan earns {rate} a year while you repay (cash, after tax), then "
            "your {portfolio} less a {drag} tax drag."
        )
    return text.format(**figures)


def part_sentences(scenario: Scenario, cost: CostResult) -> dict[str, str]:
    """One sentence per part of the cost, the way a person reads them."""
    inputs, loan = scenario.inputs, scenario.loan
    age = inputs.retirement_age
    t_ret = pct_words((scenario.retirement_tax_rate * HUNDRED).normalize())
    words: dict[str, str] = {}
    words["price_of_credit"] = _(
        "Any lender at {rate} would cost you {price} beyond the {amount} by {age}: your payments, "
        "{paid} in all, leave money that would otherwise earn {outside}."
    ).format(
        rate=pct_words(loan.terms.annual_rate * HUNDRED),
        price=_money(cost.price_of_credit),
        amount=_money(loan.terms.amount),
        age=age,
        paid=_money(loan.schedule.total_paid),
        outside=outside_words(scenario),
    )
    figures = {
        "missed": _money(cost.growth_missed),
        "age": age,
        "interest": _money(cost.interest_to_self),
        "tax": t_ret,
        "difference": _money(abs(cost.plan_difference)),
    }
    if scenario.roth and cost.plan_difference >= 0:
        text = _(
            "Borrowing it from your 401(k) instead: your money misses {missed} of growth by {age}, "
            "and the interest you pay comes back to you, grown to {interest}; a Roth account is not "
            "taxed again, so that is the difference. That costs you {difference}."
        )
    elif scenario.roth:
        text = _(
            "Borrowing it from your 401(k) instead: your money misses {missed} of growth by {age}, "
            "and the interest you pay comes back to you, grown to {interest}; a Roth account is not "
            "taxed again, so that is the difference. That saves you {difference}."
        )
    elif cost.plan_difference >= 0:
        text = _(
            "Borrowing it from your 401(k) instead: your money misses {missed} of growth by {age}, "
            "and the interest you pay comes back to you, grown to {interest}; both are taxed at "
            "{tax} when you withdraw them. That costs you {difference}."
        )
    else:
        text = _(
            "Borrowing it from your 401(k) instead: your money misses {missed} of growth by {age}, "
            "and the interest you pay comes back to you, grown to {interest}; both are taxed at "
            "{tax} when you withdraw them. That saves you {difference}."
        )
    words["plan_difference"] = text.format(**figures)
    if not scenario.roth and cost.interest_to_self > 0:
        words["plan_difference"] += " " + _(
            'The "double tax on interest" ({tax} of {interest}, {double}) is inside this figure: the '
            "same tax falls on the growth you miss, and from a bank the interest would be gone "
            "altogether."
        ).format(tax=t_ret, interest=_money(cost.interest_to_self), double=_money(cost.double_tax))
    if cost.contribution_cut:
        words["contributions"] = _(
            "Contributing less while you repay: the account misses {cut} by {age} (contributions and "
            "match, before tax); the take-home pay you keep grows outside. Net, after tax: {net}."
        ).format(cut=_money(cost.contribution_cut), age=age, net=_money(cost.contributions))
    else:
        words["contributions"] = _("You keep contributing as before, so nothing is lost here.")
    words["fees"] = (
        _("Loan fees of {fees} charged to the account, grown and after tax: {cost}.").format(
            fees=_money(loan.total_fees), cost=_money(cost.fees)
        )
        if loan.total_fees
        else _("Your plan charges no loan fees (as entered).")
    )
    words["job_loss"] = job_loss_sentence(scenario, cost)
    if cost.excess or scenario.limit.excess:
        words["excess"] = _(
            "You asked for {excess} more than the {limit} limit: that part is a deemed distribution "
            "now, taxed (with the 10% additional tax before 59½) at the next tax deadline; its "
            "repayments come back untaxed at retirement. Net: {net}."
        ).format(
            excess=_money(scenario.limit.excess),
            limit=_money(scenario.limit.max_loan),
            net=_money(cost.excess),
        )
    return words


def job_loss_sentence(scenario: Scenario, cost: CostResult) -> str:
    inputs = scenario.inputs
    rows = scenario.separations
    retirement = next((row for row in rows if row.retirement), None)
    if not rows or (inputs.job_loss_annual_pct or ZERO) == 0 and retirement is None:
        return _(
            "You set no chance of leaving your job before the loan is repaid, so nothing is counted here."
        )
    figures = {
        "chance": pct_words(inputs.job_loss_annual_pct or 0),
        "lost": _money(cost.job_loss),
        "age": inputs.retirement_age,
    }
    if any(row.penalty for row in rows):
        text = _(
            "If you leave your job before it is repaid ({chance} a year, voluntary or not), the "
            "balance is offset: you must find the tax and the 10% additional tax by the tax "
            "deadline, or roll the balance over. Most of that tax the same dollars would owe at "
            "retirement anyway; what is lost, weighted by the chance of leaving each month: {lost} "
            "at {age}."
        )
    else:
        text = _(
            "If you leave your job before it is repaid ({chance} a year, voluntary or not), the "
            "balance is offset: you must find the tax by the tax deadline, or roll the balance over. "
            "Most of that tax the same dollars would owe at retirement anyway; what is lost, "
            "weighted by the chance of leaving each month: {lost} at {age}."
        )
    text = text.format(**figures)
    if retirement is not None:
        text += " " + _(
            "You would still owe {owed} when you retire at {age}: it is offset then and taxed ({due} due)."
        ).format(owed=_money(retirement.outstanding), age=inputs.retirement_age, due=_money(retirement.total))
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
    steps.append(
        Step(
            rule="total",
            value=cost.total,
            citation="loan401k methodology, True cost",
            text=_(
                "Total {total} at {age}, beyond the money itself: {today} in today's dollars, "
                "{present} today at what your money outside earns, {per_dollar} for each dollar borrowed."
            ).format(
                total=i18n.currency(cost.total),
                age=scenario.inputs.retirement_age,
                today=i18n.currency(cost.total_today),
                present=i18n.currency(cost.present_value),
                per_dollar=i18n.currency(cost.per_dollar),
            ),
        )
    )
    return steps
