"""compare(): the 401(k) loan and the alternatives the user listed, on one scale (METHOD §8),
and the loan repaid over 12, 24, 36 and 60 months side by side (PRODUCT F9)."""

from __future__ import annotations

from decimal import Decimal

from .. import __version__, i18n
from ..engine.alternatives import (
    NAMES,
    Borrowing,
    OptionCost,
    Scale,
    borrowing_option,
    hardship_option,
    loan_option,
    rank,
)
from ..engine.ledger import PARTS
from ..i18n import N_, _
from ..models import (
    Alternative,
    AlternativeOption,
    Assumption,
    ComparisonResult,
    InputError,
    PayoffSpeedRow,
    Problem,
)
from ..money import HUNDRED, ZERO, pct
from ..rules.distributions import penalty_exemption
from .core import Inputs, person_at, tax_profile
from .costs import deterministic_cost, expected_cash
from .explain import outside_words, pct_words
from .scenario import Scenario, build_scenario, scenario_warnings

PAYOFF_TERMS = (12, 24, 36, 48, 60)
BORROWING = ("credit_card", "balance_transfer", "personal_loan", "heloc", "custom")


def compare(data: Inputs) -> ComparisonResult:
    """Every option delivers the loan amount today; ranked by the cost beyond the money
    itself on one after-tax ledger (METHOD v2 §8)."""
    return comparison_of(build_scenario(data, "compare"))


def comparison_of(scenario: Scenario, alternatives: list[Alternative] | None = None) -> ComparisonResult:
    """The 401(k) loan and `alternatives` (default: the ones the user listed)."""
    listed = scenario.inputs.alternatives if alternatives is None else alternatives
    options = price_options(scenario, listed)
    return ComparisonResult(
        amount=scenario.loan.terms.amount,
        options=[_option_out(option) for option in options],
        payoff_speed=payoff_speed(scenario),
        assumptions=comparison_assumptions(scenario),
        warnings=scenario_warnings(scenario) + option_warnings(scenario, options),
        version=__version__,
    )


def cheaper_alternative(scenario: Scenario) -> tuple[str, Decimal] | None:
    """The cheapest listed alternative that costs less than the loan, and by how much."""
    options = price_options(scenario, scenario.inputs.alternatives)
    loan = next(option for option in options if option.kind == "401k_loan")
    cheaper = [option for option in options if option.kind != "401k_loan" and option.cost < loan.cost]
    if not cheaper:
        return None
    best = min(cheaper, key=lambda option: option.cost)
    return best.label, loan.cost - best.cost


# --------------------------------------------------------------------------- pricing


def scale_of(scenario: Scenario) -> Scale:
    return Scale(
        account_index=scenario.account_index, outside_index=scenario.outside_index, keep=scenario.keep
    )


def loan_cost(scenario: Scenario) -> OptionCost:
    """The 401(k) row: the analysis's own total, from the same scenario."""
    cost = deterministic_cost(scenario)
    loan = scenario.loan
    tax, penalty = expected_cash(scenario)
    excess = scenario.ledger.excess
    return loan_option(
        cost.total,
        interest=loan.schedule.total_interest,
        fees=loan.total_fees,
        taxes=tax + excess.cash_due - excess.penalty,
        penalties=penalty + excess.penalty,
        payment=loan.schedule.payment,
        amount=loan.terms.amount,
        term_months=loan.terms.term_months,
        total_paid=loan.schedule.total_paid,
        apr=loan.terms.annual_rate,
        formula=_(
            "price of credit {price_of_credit} + 401(k) difference {plan_difference} + contributions "
            "{contributions} + fees {fees} + leaving your job {job_loss} + over the limit {excess} = {total}"
        ).format(
            **{name: i18n.decimal(getattr(cost, name), 2, 2) for name in PARTS},
            total=i18n.decimal(cost.total, 2, 2),
        ),
    )


def price_options(scenario: Scenario, alternatives: list[Alternative]) -> list[OptionCost]:
    """The loan and each alternative, cheapest first."""
    check_alternatives(scenario, alternatives)
    scale = scale_of(scenario)
    options = [loan_cost(scenario)]
    options += [_price(scenario, alternative, scale) for alternative in alternatives]
    return rank(options)


def _price(scenario: Scenario, alternative: Alternative, scale: Scale) -> OptionCost:
    inputs, cash = scenario.inputs, scenario.loan.terms.amount
    if alternative.kind == "hardship_withdrawal":
        assert inputs.age is not None
        exempt = penalty_exemption(person_at(inputs, Decimal(inputs.age)), scenario.law)
        penalty_rate = ZERO if exempt else scenario.law["additional_tax_rate"]
        try:
            return hardship_option(cash, tax_profile(inputs), penalty_rate, scale, alternative.label)
        except ValueError as exc:
            raise InputError([Problem(field="marginal_rate_pct", message=str(exc))]) from None
    assert alternative.apr_pct is not None
    term = alternative.term_months or inputs.term_months
    label = alternative.label
    if label is None and alternative.term_months is None:
        # METHOD §8: a loan without a term is repaid over the 401(k) loan's; say so beside it
        label = _("{name} {rate} over {months} months (the loan's)").format(
            name=_(NAMES[alternative.kind]), rate=pct_words(alternative.apr_pct), months=term
        )
    return borrowing_option(
        cash,
        Borrowing(
            kind=alternative.kind,
            apr=pct(alternative.apr_pct),
            term_months=term,
            fee_rate=pct(alternative.fee_pct or 0),
            fee=alternative.fee or ZERO,
            promo_months=alternative.promo_months or 0,
            promo_apr=pct(alternative.promo_apr_pct or 0),
            label=label,
        ),
        scale,
    )


#: An alternative without its rate, in whole sentences by kind.
RATE_REQUIRED = {
    "credit_card": N_("the rate is required for a credit card; allowed range: 0 to 100"),
    "balance_transfer": N_("the rate is required for a balance transfer; allowed range: 0 to 100"),
    "personal_loan": N_("the rate is required for a personal loan; allowed range: 0 to 100"),
    "heloc": N_("the rate is required for a home-equity line; allowed range: 0 to 100"),
    "custom": N_("the rate is required for a loan; allowed range: 0 to 100"),
}
#: A promotion given for an alternative that has none, in whole sentences by kind.
PROMO_ONLY = {
    "credit_card": N_("only used by a balance transfer, not a credit card"),
    "personal_loan": N_("only used by a balance transfer, not a personal loan"),
    "heloc": N_("only used by a balance transfer, not a home-equity line"),
    "custom": N_("only used by a balance transfer, not a loan"),
}


def check_alternatives(scenario: Scenario, alternatives: list[Alternative]) -> None:
    """Fields an alternative needs or cannot use; terms must end before retirement."""
    problems: list[Problem] = []
    months = scenario.months
    for i, alt in enumerate(alternatives):

        def bad(name: str, message: str, i: int = i) -> None:
            problems.append(Problem(field=f"alternatives.{i}.{name}", message=message))

        if alt.kind == "hardship_withdrawal":
            for name in ("apr_pct", "term_months", "fee_pct", "fee", "promo_months", "promo_apr_pct"):
                if getattr(alt, name) is not None:
                    bad(name, _("not used by a hardship withdrawal (it is not repaid); leave it out"))
            continue
        if alt.apr_pct is None:
            bad("apr_pct", _(RATE_REQUIRED[alt.kind]))
        if alt.fee is not None and alt.fee_pct is not None:
            bad("fee_pct", _("give the fee either in dollars or as a share of the amount, not both"))
        if alt.kind != "balance_transfer":
            for name in ("promo_months", "promo_apr_pct"):
                if getattr(alt, name) is not None:
                    bad(name, _(PROMO_ONLY[alt.kind]))
        term = alt.term_months or scenario.inputs.term_months
        if term > months:
            bad(
                "term_months",
                _("{term} is past the {months} months to retirement; allowed range: 1 to {months}").format(
                    term=term, months=months
                ),
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


def payoff_speed(scenario: Scenario) -> list[PayoffSpeedRow]:
    """The same loan over each term that ends before retirement (no extra payments), on the
    same scale: the outside rates of this scenario's repayment window."""
    rows = []
    for term in PAYOFF_TERMS:
        if term > scenario.months:
            continue
        other = scenario.variant(term_months=term, payoff_month=None, extra_payment=ZERO)
        cost = deterministic_cost(other)
        rows.append(
            PayoffSpeedRow(
                term_months=term,
                payment=other.loan.schedule.payment,
                periods=other.loan.schedule.periods,
                total_interest=other.loan.schedule.total_interest,
                cost=cost,
                net_worth_cost=cost.total,
            )
        )
    return rows


# --------------------------------------------------------------------------- words


def comparison_assumptions(scenario: Scenario) -> list[Assumption]:
    inputs = scenario.inputs
    return [
        Assumption(
            name="scale",
            value=_(
                "the cost beyond the money itself: after-tax net worth at retirement, compared with "
                "receiving the same cash as a gift"
            ),
            source="loan401k methodology, Alternatives",
        ),
        Assumption(
            name="money outside",
            value=_("earns {outside}; the same for every option").format(outside=outside_words(scenario)),
            source="loan401k methodology, Money outside the plan",
        ),
        Assumption(
            name="retirement_tax_rate_pct",
            value=_("none (Roth source)")
            if scenario.roth
            else pct_words(inputs.retirement_tax_rate_pct or 0),
            source=_("401(k) dollars count after this tax at retirement"),
        ),
        Assumption(
            name="alternative terms",
            value=_(
                "monthly level payments over {months} months (the 401(k) loan's term) unless an "
                "alternative sets term_months; interest = APR / 12 a month"
            ).format(months=inputs.term_months),
            source="loan401k methodology, Alternatives",
        ),
        Assumption(
            name="origination fees",
            value=_(
                "taken out of the proceeds, so you borrow enough to receive the full amount (a "
                "balance-transfer fee is added to the balance)"
            ),
            source=_("Lender practice"),
        ),
        Assumption(
            name="risks",
            value=_("named, not priced, except the 401(k) loan's expected cost of leaving your job"),
            source="loan401k methodology, Job loss",
        ),
    ]


def option_warnings(scenario: Scenario, options: list[OptionCost]) -> list[str]:
    inputs = scenario.inputs
    warnings = []
    available = (inputs.vested_balance or ZERO) - inputs.outstanding_loan_balance
    for option in options:
        if option.kind != "hardship_withdrawal":
            continue
        if option.amount > available:
            warnings.append(
                _(
                    "{option}: the gross withdrawal {amount} is more than the {available} available in "
                    "the account."
                ).format(
                    option=option.label,
                    amount=i18n.currency(option.amount),
                    available=i18n.currency(available),
                )
            )
        if inputs.source == "roth":
            warnings.append(
                _(
                    "{option}: a Roth withdrawal is taxed only on its earnings; the figures tax all of "
                    "it (an upper bound on its cost)."
                ).format(option=option.label)
            )
    return warnings
