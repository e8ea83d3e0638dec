"""The options a page shows when the person listed none: typical alternatives at the cited
rates of the parameter files, priced on the same scenario (METHOD v2 §8). The service
compares only what it is given; this chooses what to give it, in one place for every face."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import Alternative, ComparisonResult, InputError
from ..params import Snapshot
from .compare import comparison_of
from .scenario import Scenario

TYPICAL_PERSONAL_LOAN_MONTHS = 24  # the term of the personal-loan rate cited (G.19, 24-month loans)


@dataclass(frozen=True)
class Typical:
    """One typical alternative: the model, its words and where its rate comes from."""

    alternative: Alternative
    text: str  # e.g. "credit card 22.25 % APR"
    source: str  # the parameter's citation


def _pct(fraction: Decimal) -> Decimal:
    return (fraction * 100).normalize()


def typical_alternatives(law: Snapshot) -> list[Typical]:
    """Credit card, personal loan, 0 % balance transfer and hardship withdrawal at the cited
    typical rates in loan401k/params (credit_card_apr, personal_loan_apr, balance_transfer_*)."""
    card, personal = _pct(law["credit_card_apr"]), _pct(law["personal_loan_apr"])
    fee, promo = _pct(law["balance_transfer_fee"]), int(law["balance_transfer_promo_months"])
    months = TYPICAL_PERSONAL_LOAN_MONTHS
    return [
        Typical(
            Alternative(kind="credit_card", apr_pct=card, label=f"Credit card {card:f} %"),
            f"credit card {card:f} % APR",
            law.citation("credit_card_apr"),
        ),
        Typical(
            Alternative(
                kind="personal_loan",
                apr_pct=personal,
                term_months=months,
                label=f"Personal loan {personal:f} %",
            ),
            f"personal loan {personal:f} % APR over {months} months",
            law.citation("personal_loan_apr"),
        ),
        Typical(
            Alternative(
                kind="balance_transfer",
                apr_pct=card,
                fee_pct=fee,
                promo_months=promo,
                promo_apr_pct=Decimal(0),
                label=f"0 % transfer, {fee:f} % fee",
            ),
            f"0 % balance transfer for {promo} months, {fee:f} % fee, then {card:f} %",
            f"{law.citation('balance_transfer_fee')}; {law.citation('balance_transfer_promo_months')}",
        ),
        Typical(
            Alternative(kind="hardship_withdrawal"),
            "hardship withdrawal (taxed, plus the 10 % additional tax before 59½)",
            "IRC §72(t); the tax rates above",
        ),
    ]


def fits(alternative: Alternative, scenario: Scenario) -> bool:
    """A typical alternative applies when it is repaid before retirement."""
    return (alternative.term_months or scenario.inputs.term_months) <= scenario.months


def options_of(scenario: Scenario) -> tuple[ComparisonResult | None, list[Typical]]:
    """The options to show: the person's own alternatives, or, when they listed none, the
    typical ones that fit before retirement (with their words and sources)."""
    if scenario.inputs.alternatives:
        try:
            return comparison_of(scenario), []
        except InputError:  # the person's own alternative cannot be priced: its error shows elsewhere
            return None, []
    typical = [t for t in typical_alternatives(scenario.law) if fits(t.alternative, scenario)]
    return comparison_of(scenario, [t.alternative for t in typical]), typical
