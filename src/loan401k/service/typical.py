"""The options a page shows when the person listed none: typical alternatives at the cited
rates of the parameter files, priced on the same scenario (METHOD v2 §8). The service
compares only what it is given; this chooses what to give it, in one place for every face."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import i18n
from ..i18n import _
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


def _number(value: Decimal) -> str:
    """A rate's digits as they are, with the percent sign spaced as these labels write it
    ("22.25 %"), in the current language's separators."""
    return i18n.decimal(value, max_digits=10) + " %"


def typical_alternatives(law: Snapshot) -> list[Typical]:
    """Credit card, personal loan, 0 % balance transfer and hardship withdrawal at the cited
    typical rates in loan401k/params (credit_card_apr, personal_loan_apr, balance_transfer_*)."""
    card, personal = _pct(law["credit_card_apr"]), _pct(law["personal_loan_apr"])
    fee, promo = _pct(law["balance_transfer_fee"]), int(law["balance_transfer_promo_months"])
    months = TYPICAL_PERSONAL_LOAN_MONTHS
    rates = {"card": _number(card), "personal": _number(personal), "fee": _number(fee)}
    return [
        Typical(
            Alternative(kind="credit_card", apr_pct=card, label=_("Credit card {card}").format(**rates)),
            _("credit card {card} APR").format(**rates),
            law.citation("credit_card_apr"),
        ),
        Typical(
            Alternative(
                kind="personal_loan",
                apr_pct=personal,
                term_months=months,
                label=_("Personal loan {personal}").format(**rates),
            ),
            _("personal loan {personal} APR over {months} months").format(months=months, **rates),
            law.citation("personal_loan_apr"),
        ),
        Typical(
            Alternative(
                kind="balance_transfer",
                apr_pct=card,
                fee_pct=fee,
                promo_months=promo,
                promo_apr_pct=Decimal(0),
                label=_("0 % transfer, {fee} fee").format(**rates),
            ),
            _("0 % balance transfer for {months} months, {fee} fee, then {card}").format(
                months=promo, **rates
            ),
            f"{law.citation('balance_transfer_fee')}; {law.citation('balance_transfer_promo_months')}",
        ),
        Typical(
            Alternative(kind="hardship_withdrawal"),
            _("hardship withdrawal (taxed, plus the 10 % additional tax before 59½)"),
            _("IRC §72(t); the tax rates above"),
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
