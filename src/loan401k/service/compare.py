"""compare(): the 401(k) loan and the alternatives the user listed, on one scale (METHOD §8),
and the loan repaid over 12, 24, 36 and 60 months side by side (PRODUCT F9)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from .. import __version__
from ..engine.alternatives import (
    Borrowing,
    OptionCost,
    Scale,
    borrowing_option,
    hardship_option,
    loan_option,
    outside_index,
    rank,
)
from ..engine.costs import COMPONENTS
from ..engine.projection import value_at_end
from ..models import (
    Alternative,
    AlternativeOption,
    Assumption,
    ComparisonResult,
    CostResult,
    InputError,
    PayoffSpeedRow,
    Problem,
)
from ..money import HUNDRED, ONE, ZERO, cents, pct, pct_text, usd
from ..rules.distributions import penalty_exemption
from ..rules.limits import max_new_loan
from .analysis import Plan, build_plan, decomposition, deterministic_index, plan_warnings
from .core import Inputs, limit_terms, person_at, tax_profile

PAYOFF_TERMS = (12, 24, 36, 60)
BORROWING = ("credit_card", "balance_transfer", "personal_loan", "heloc", "custom")


def compare(data: Inputs) -> ComparisonResult:
    """Every option delivers the loan amount today; ranked by after-tax net worth lost at
    retirement compared with receiving that cash as a gift."""
    plan = build_plan(data, "compare")
    options = price_options(plan)
    limit = max_new_loan(limit_terms(plan.inputs), plan.law)
    return ComparisonResult(
        amount=plan.loan.terms.amount,
        options=[_option_out(option) for option in options],
        payoff_speed=payoff_speed(plan),
        assumptions=comparison_assumptions(plan),
        warnings=plan_warnings(plan, limit) + option_warnings(plan, options),
        version=__version__,
    )


def cheaper_alternative(plan: Plan) -> tuple[str, Decimal] | None:
    """The cheapest listed alternative that costs less than the loan, and by how much."""
    options = price_options(plan)
    loan = next(option for option in options if option.kind == "401k_loan")
    cheaper = [option for option in options if option.kind != "401k_loan" and option.cost < loan.cost]
    if not cheaper:
        return None
    best = min(cheaper, key=lambda option: option.cost)
    return best.label, loan.cost - best.cost


# --------------------------------------------------------------------------- pricing


def scale_of(plan: Plan) -> Scale:
    inputs = plan.inputs
    roth = inputs.source == "roth"
    return Scale(
        account_index=deterministic_index(plan),
        outside_index=outside_index(
            float(pct(inputs.annual_return_pct or 0)),
            float(pct(inputs.outside_tax_drag_pct)),
            plan.months,
            inputs.return_convention,
        ),
        keep=1.0 if roth else float(ONE - plan.retirement_tax_rate),
    )


def freed_pay(plan: Plan) -> np.ndarray:
    """Take-home pay freed each month by contributing less while repaying: the employee
    cut, after current income tax for pre-tax contributions (Roth contributions are
    already taxed). Employer match is not pay: its loss stays in the account difference."""
    months, last = plan.months, plan.loan.last_month
    employee, _ = plan.contributions.normal(months)
    during, _ = plan.contributions.during_loan(months)
    keep = 1.0 if plan.inputs.source == "roth" else float(ONE - plan.current_tax_rate)
    flows = np.zeros(months + 1)
    flows[1 : last + 1] = (employee - during)[:last] * keep
    return flows


def loan_cost(plan: Plan, scale: Scale) -> OptionCost:
    expected_tax = cents(sum((Decimal(repr(row.probability)) * row.tax for row in plan.separations), ZERO))
    expected_penalty = cents(
        sum((Decimal(repr(row.probability)) * row.penalty for row in plan.separations), ZERO)
    )
    return loan_option(plan.loan, plan.flows, freed_pay(plan), scale, expected_tax, expected_penalty)


def price_options(plan: Plan) -> list[OptionCost]:
    """The loan and each listed alternative, cheapest first."""
    check_alternatives(plan)
    scale = scale_of(plan)
    options = [loan_cost(plan, scale)]
    options += [_price(plan, alternative, scale) for alternative in plan.inputs.alternatives]
    return rank(options)


def _price(plan: Plan, alternative: Alternative, scale: Scale) -> OptionCost:
    inputs, cash = plan.inputs, plan.loan.terms.amount
    if alternative.kind == "hardship_withdrawal":
        assert inputs.age is not None
        exempt = penalty_exemption(person_at(inputs, Decimal(inputs.age)), plan.law)
        penalty_rate = ZERO if exempt else plan.law["additional_tax_rate"]
        try:
            return hardship_option(cash, tax_profile(inputs), penalty_rate, scale, alternative.label)
        except ValueError as exc:
            raise InputError([Problem(field="marginal_rate_pct", message=str(exc))]) from None
    assert alternative.apr_pct is not None
    return borrowing_option(
        cash,
        Borrowing(
            kind=alternative.kind,
            apr=pct(alternative.apr_pct),
            term_months=alternative.term_months or inputs.term_months,
            fee_rate=pct(alternative.fee_pct or 0),
            fee=alternative.fee or ZERO,
            promo_months=alternative.promo_months or 0,
            promo_apr=pct(alternative.promo_apr_pct or 0),
            label=alternative.label,
        ),
        scale,
    )


def check_alternatives(plan: Plan) -> None:
    """Fields an alternative needs or cannot use; terms must end before retirement."""
    problems: list[Problem] = []
    for i, alt in enumerate(plan.inputs.alternatives):

        def bad(name: str, message: str, i: int = i) -> None:
            problems.append(Problem(field=f"alternatives.{i}.{name}", message=message))

        if alt.kind == "hardship_withdrawal":
            for name in ("apr_pct", "term_months", "fee_pct", "fee", "promo_months", "promo_apr_pct"):
                if getattr(alt, name) is not None:
                    bad(name, "not used by a hardship_withdrawal (it is not repaid); leave it out")
            continue
        if alt.apr_pct is None:
            bad("apr_pct", f"required for a {alt.kind}; allowed range: 0 to 100")
        if alt.fee is not None and alt.fee_pct is not None:
            bad("fee_pct", "give either fee (dollars) or fee_pct, not both")
        if alt.kind != "balance_transfer":
            for name in ("promo_months", "promo_apr_pct"):
                if getattr(alt, name) is not None:
                    bad(name, f"only used by a balance_transfer, not a {alt.kind}")
        term = alt.term_months or plan.inputs.term_months
        if term > plan.months:
            bad(
                "term_months",
                f"{term} is past the {plan.months} months to retirement; allowed range: 1 to {plan.months}",
            )
    if problems:
        raise InputError(problems)


def _option_out(option: OptionCost) -> AlternativeOption:
    return AlternativeOption(
        kind=option.kind,
        label=option.label,
        cost=option.cost,
        interest=option.interest,
        fees=option.fees,
        taxes=option.taxes,
        penalties=option.penalties,
        payment=option.payment,
        amount=option.amount,
        term_months=option.term_months,
        total_paid=option.total_paid,
        apr_pct=None if option.apr is None else option.apr * HUNDRED,
        formula=option.formula,
        risks=option.risks,
    )


# --------------------------------------------------------------------------- payoff speed


def payoff_speed(plan: Plan) -> list[PayoffSpeedRow]:
    """The same loan over each term that ends before retirement (no extra payments)."""
    rows = []
    scale = scale_of(plan)
    for term in PAYOFF_TERMS:
        if term > plan.months:
            continue
        other = build_plan(
            plan.inputs.model_copy(update={"term_months": term, "payoff_month": None, "extra_payment": ZERO}),
            "compare",
        )
        values = dict(zip(COMPONENTS, value_at_end(other.flows.matrix, scale.account_index)[0], strict=True))
        cost = decomposition(other, values)
        rows.append(
            PayoffSpeedRow(
                term_months=term,
                payment=other.loan.schedule.payment,
                periods=other.loan.schedule.periods,
                total_interest=other.loan.schedule.total_interest,
                cost=CostResult(**cost.__dict__),
                net_worth_cost=loan_cost(other, scale).cost,
            )
        )
    return rows


# --------------------------------------------------------------------------- words


def comparison_assumptions(plan: Plan) -> list[Assumption]:
    inputs = plan.inputs
    outside = (inputs.annual_return_pct or ZERO) * (ONE - pct(inputs.outside_tax_drag_pct))
    roth = inputs.source == "roth"
    return [
        Assumption(
            name="scale",
            value="after-tax net worth at retirement, compared with receiving the same cash as a gift",
            source="METHOD §8",
        ),
        Assumption(
            name="annual_return_pct",
            value=f"{pct_text(inputs.annual_return_pct or 0)} a "
            f"year in the plan; {pct_text(outside.normalize())} outside (after "
            f"outside_tax_drag_pct {pct_text(inputs.outside_tax_drag_pct)})",
            source="Money paid out of pocket would otherwise have been invested",
        ),
        Assumption(
            name="retirement_tax_rate_pct",
            value="none (Roth source)" if roth else pct_text(inputs.retirement_tax_rate_pct or 0),
            source="401(k) dollars count after this tax at retirement",
        ),
        Assumption(
            name="alternative terms",
            value=f"monthly level payments over "
            f"{inputs.term_months} months (the 401(k) loan's term) unless an "
            "alternative sets term_months; interest = APR / 12 a month",
            source="METHOD §2, §8",
        ),
        Assumption(
            name="origination fees",
            value="taken out of the proceeds, so you borrow "
            "enough to receive the full amount (a balance-transfer fee is added to the "
            "balance)",
            source="Lender practice",
        ),
        Assumption(
            name="risks",
            value="named, not priced, except the 401(k) loan's expected job-loss tax and penalty",
            source="METHOD §6, §8",
        ),
    ]


def option_warnings(plan: Plan, options: list[OptionCost]) -> list[str]:
    inputs = plan.inputs
    warnings = []
    available = (inputs.vested_balance or ZERO) - inputs.outstanding_loan_balance
    for option in options:
        if option.kind != "hardship_withdrawal":
            continue
        if option.amount > available:
            warnings.append(
                f"{option.label}: the gross withdrawal {usd(option.amount)} is more "
                f"than the {usd(available)} available in the account."
            )
        if inputs.source == "roth":
            warnings.append(
                f"{option.label}: a Roth withdrawal is taxed only on its earnings; "
                "the figures tax all of it (an upper bound on its cost)."
            )
    return warnings
