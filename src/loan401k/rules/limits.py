"""The maximum new plan loan: IRC §72(p)(2)(A), plan rules, and qualified-disaster relief.

Inputs follow the statute's terms: `vested` is the vested balance *including* the
outstanding balance of existing loans (as plan statements show it); `outstanding` is the
balance of all loans from all plans of the employer today (§72(p)(2)(E) aggregation);
`highest_12m` is the highest outstanding balance during the 1-year period ending the day
before the new loan.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from .. import i18n
from ..i18n import _
from ..models import LimitResult, Step
from ..money import CENT, ZERO
from ..params import Snapshot


def _usd(value: Decimal) -> str:
    return i18n.currency(value, auto=True)  # cents only where they matter


@dataclass(frozen=True)
class LimitTerms:
    vested: Decimal
    outstanding: Decimal = ZERO
    highest_12m: Decimal | None = None
    existing_loans: int = 0
    allow_10k_floor: bool = False
    min_loan: Decimal = Decimal(1000)
    max_loans: int | None = None
    disaster: bool = False
    requested: Decimal | None = None


def max_new_loan(terms: LimitTerms, law: Snapshot) -> LimitResult:
    """METHOD §1, step by step; every step carries its figure and its citation."""
    highest = terms.outstanding if terms.highest_12m is None else terms.highest_12m
    steps: list[Step] = []
    if terms.disaster:
        dollar_cap, cap_cite = law["disaster_loan_cap"], law.citation("disaster_loan_cap")
        fraction, fraction_cite = law["disaster_vested_fraction"], law.citation("disaster_vested_fraction")
    else:
        dollar_cap, cap_cite = law["loan_dollar_cap"], law.citation("loan_dollar_cap")
        fraction, fraction_cite = law["loan_vested_fraction"], law.citation("loan_vested_fraction")

    # IRC §72(p)(2)(A)(i): the look-back reduces only the dollar prong, by the excess of the
    # highest balance in the prior 12 months over today's balance.
    look_back = max(ZERO, highest - terms.outstanding)
    cap = dollar_cap - look_back
    steps.append(
        Step(
            rule="dollar_cap",
            value=cap,
            citation=cap_cite,
            text=_(
                "Dollar cap {cap} less the excess of the highest loan balance in the last 12 months "
                "({highest}) over today's ({outstanding}): {cap} - {look_back} = {result}"
            ).format(
                cap=_usd(dollar_cap),
                highest=_usd(highest),
                outstanding=_usd(terms.outstanding),
                look_back=_usd(look_back),
                result=_usd(cap),
            ),
        )
    )

    # A limit is a ceiling: round down, so a loan at the limit never exceeds one-half of the
    # vested balance (half of $80,000.01 is $40,000.005; $40,000.01 would be over it).
    half = (terms.vested * fraction).quantize(CENT, rounding=ROUND_DOWN)
    vested_prong, vested_rule = half, "half_vested"
    if fraction == 1:
        share_text = _("all of the vested balance {vested} = {half}")
    else:
        share_text = _("{share} of the vested balance {vested} = {half}")
    steps.append(
        Step(
            rule="half_vested",
            value=half,
            citation=fraction_cite,
            text=share_text.format(
                share=i18n.percent(fraction * 100, max_digits=0), vested=_usd(terms.vested), half=_usd(half)
            ),
        )
    )
    if terms.allow_10k_floor and not terms.disaster:
        floor = law["loan_floor"]
        # §72(p)(2)(A)(ii)(II): the greater of half the vested balance or $10,000 ...
        floored = max(half, floor)
        if floored > half:
            vested_prong, vested_rule = floored, "ten_thousand_floor"
        # ... but a loan can never exceed what is vested (DOL adequate security, 50 % rule).
        if vested_prong > terms.vested:
            vested_prong, vested_rule = terms.vested, "vested_balance"
        steps.append(
            Step(
                rule=vested_rule if vested_rule != "half_vested" else "ten_thousand_floor",
                value=vested_prong,
                citation=law.citation("loan_floor"),
                text=_(
                    "The plan adopts the {floor} floor: the greater of {half} and {floor}, at most the "
                    "vested balance = {result}"
                ).format(floor=_usd(floor), half=_usd(half), result=_usd(vested_prong)),
            )
        )

    if cap <= vested_prong:
        allowed, binding = cap, "dollar_cap"
    else:
        allowed, binding = vested_prong, vested_rule
    allowed = max(ZERO, allowed)
    steps.append(
        Step(
            rule=binding,
            value=allowed,
            citation="IRC §72(p)(2)(A)",
            text=_("All loans together may reach the lesser of the two: {allowed}").format(
                allowed=_usd(allowed)
            ),
        )
    )
    max_loan = max(ZERO, allowed - terms.outstanding)
    steps.append(
        Step(
            rule="outstanding",
            value=max_loan,
            citation="IRC §72(p)(2)(A); §72(p)(2)(E)",
            text=_("Less loans outstanding today ({outstanding}): new loan up to {max_loan}").format(
                outstanding=_usd(terms.outstanding), max_loan=_usd(max_loan)
            ),
        )
    )

    eligible = True
    if terms.max_loans is not None and terms.existing_loans >= terms.max_loans:
        eligible, binding = False, "loan_count"
        steps.append(
            Step(
                rule="loan_count",
                value=Decimal(terms.existing_loans),
                citation="Plan document (no federal limit on the number of loans; TD 9021)",
                text=_(
                    "The plan allows {most} loan(s) at a time and you have {existing}: not eligible for "
                    "another"
                ).format(most=terms.max_loans, existing=terms.existing_loans),
            )
        )
    elif max_loan < terms.min_loan or max_loan == 0:
        eligible, binding = False, "plan_minimum"
        steps.append(
            Step(
                rule="plan_minimum",
                value=terms.min_loan,
                citation=law.citation("plan_min_loan"),
                text=_("{max_loan} is below the plan's minimum loan of {minimum}: not eligible").format(
                    max_loan=_usd(max_loan), minimum=_usd(terms.min_loan)
                ),
            )
        )
    if not eligible:
        max_loan = ZERO
    elif terms.requested is not None and terms.requested < terms.min_loan:
        # 29 CFR §2550.408b-1(b)(2): the plan's minimum applies to the loan asked for, too
        eligible, binding = False, "plan_minimum"
        steps.append(
            Step(
                rule="plan_minimum",
                value=terms.min_loan,
                citation=law.citation("plan_min_loan"),
                text=_(
                    "You asked for {requested}, less than the plan's minimum loan of {minimum}: not "
                    "eligible for a loan that small"
                ).format(requested=_usd(terms.requested), minimum=_usd(terms.min_loan)),
            )
        )

    excess = ZERO
    if terms.requested is not None and terms.requested > max_loan:
        excess = terms.requested - max_loan
        steps.append(
            Step(
                rule="excess",
                value=excess,
                citation="IRC §72(p)(1)(A); Treas. Reg. §1.72(p)-1 Q&A-4",
                text=_(
                    "You asked for {requested}: the {excess} above the limit would be a deemed "
                    "distribution, taxable (and subject to the 10% additional tax) when the loan is made"
                ).format(requested=_usd(terms.requested), excess=_usd(excess)),
            )
        )
    return LimitResult(
        max_loan=max_loan,
        eligible=eligible,
        binding_rule=binding,
        requested=terms.requested,
        excess=excess,
        steps=steps,
    )
