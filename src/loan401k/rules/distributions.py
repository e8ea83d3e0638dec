"""Tax and the 10 % additional tax on a taxable distribution (a loan offset, a deemed
distribution, a hardship withdrawal), and the gross-up of a net amount (METHOD §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .. import i18n
from ..i18n import N_, _
from ..models import DistributionResult, Step
from ..money import CENT, HUNDRED, ONE, ZERO, cents
from ..params import Snapshot
from .tax import TaxProfile


@dataclass(frozen=True)
class Person:
    """Who receives the distribution and when: what decides the §72(t) additional tax."""

    age: Decimal  # at the distribution, in years (fractions allowed)
    separated_from_service: bool = False
    separation_year_age: Decimal | None = None  # age in the year of separation
    public_safety_employee: bool = False
    plan_type: str = "401k"  # "401k" | "403b" | "governmental_457b"
    years_of_service: Decimal | None = None  # with the employer, at the separation


def penalty_exemption(person: Person, law: Snapshot) -> str | None:
    """Which §72(t) exception, if any, spares the distribution from the 10 %."""
    # §72(t)(1) taxes early distributions from qualified plans (§4974(c)); a governmental
    # 457(b) plan is not one (its money rolled in from other plans aside, §72(t)(9)).
    if person.plan_type == "governmental_457b":
        return "governmental_457b"
    if person.age >= law["age_penalty_free"]:
        return "age_59_half"
    if person.separated_from_service:
        separated_at = person.age if person.separation_year_age is None else person.separation_year_age
        # §72(t)(10) as SECURE 2.0 §329 amended it: qualified public-safety employees from 50
        # or after 25 years of service with the employer, whichever comes first.
        if person.public_safety_employee and separated_at >= law["public_safety_separation_age"]:
            return "public_safety_50"
        service = person.years_of_service
        long_service = service is not None and service >= law["public_safety_service_years"]
        if person.public_safety_employee and long_service:
            return "public_safety_25_years"
        # §72(t)(2)(A)(v): separation in or after the year the employee turns 55.
        if separated_at >= law["separation_age"]:
            return "separation_age_55"
    return None


@dataclass(frozen=True)
class DistributionTax:
    amount: Decimal
    federal: Decimal
    state: Decimal
    penalty: Decimal  # the federal additional tax and the state's early-distribution tax
    state_penalty: Decimal = ZERO  # the state's part of `penalty` (California's 2.5 %)

    @property
    def total(self) -> Decimal:
        return self.federal + self.state + self.penalty

    @property
    def net(self) -> Decimal:
        return self.amount - self.total


def tax_on(
    amount: Decimal, tax: TaxProfile, penalty_rate: Decimal, person: Person | None = None
) -> DistributionTax:
    """Federal, state and additional tax on a gross amount, each rounded to cents. The
    state's early-distribution tax is due where the federal one is (`penalty_rate` > 0)."""
    return DistributionTax(
        amount=amount,
        federal=tax.federal(amount),
        state=tax.state(amount, person),
        penalty=tax.penalty(amount, penalty_rate),
        state_penalty=tax.state_penalty(amount, penalty_rate),
    )


def gross_for_net(
    net: Decimal, tax: TaxProfile, penalty_rate: Decimal, person: Person | None = None
) -> DistributionTax:
    """The smallest gross W (in cents) whose W - tax(W) - penalty(W) reaches `net`.

    Solved exactly on the piecewise-linear real curve, then settled to the cent: each
    cent of gross adds at most one cent of net, so the smallest W reaching `net` hits it
    exactly.
    """
    if net <= 0:
        return tax_on(ZERO, tax, penalty_rate, person)
    other = tax.penalty_rate(penalty_rate)
    estimate = None
    for start, end, rate in tax.income_tax_pieces(person):
        keep = ONE - rate - other
        if keep <= 0:
            raise ValueError("combined tax rate of 100 % or more: no gross amount nets any cash")
        # The net is linear on the piece (it may drop at its start, at a state's threshold):
        # from its exact value at a point of the piece, where it reaches `net`.
        probe = end if end is not None else start + ONE
        reached = probe * (ONE - other) - tax.federal_exact(probe) - tax.state_exact(probe, person)
        estimate = probe + (net - reached) / keep
        if end is None or estimate <= end:
            break
    assert estimate is not None
    gross = cents(estimate) - 5 * CENT
    while tax_on(gross, tax, penalty_rate, person).net >= net and gross > 0:
        gross -= 5 * CENT
    while tax_on(gross, tax, penalty_rate, person).net < net:
        gross += CENT
    return tax_on(gross, tax, penalty_rate, person)


#: Why no 10% additional tax is due, a whole sentence for each §72(t) exception.
EXEMPTION_WORDS = {
    "age_59_half": N_("No 10% additional tax: you are 59½ or older"),
    "separation_age_55": N_("No 10% additional tax: you left your job in or after the year you turned 55"),
    "public_safety_50": N_(
        "No 10% additional tax: public-safety employee who left in or after the year you turned 50"
    ),
    "public_safety_25_years": N_(
        "No 10% additional tax: public-safety employee who left after 25 years of service"
    ),
    "governmental_457b": N_(
        "No 10% additional tax: a governmental 457(b) plan's distributions carry no 10% additional tax"
    ),
}


def rate_words(percent: Decimal) -> str:
    """A tax rate in percent to four significant digits, as the steps show it ("22.00%",
    "4.950%"), in the current language's digits."""
    digits = f"{percent:.4g}"
    places = len(digits.partition(".")[2])
    return i18n.percent(Decimal(digits), max_digits=places, min_digits=places)


def describe(
    result: DistributionTax,
    tax: TaxProfile,
    exemption: str | None,
    law: Snapshot,
    asked_net: Decimal | None,
    person: Person | None = None,
) -> DistributionResult:
    steps = []
    if asked_net is not None:
        steps.append(
            Step(
                rule="gross_up",
                value=result.amount,
                citation="IRC §72(t); loan401k methodology, Tax",
                text=_("To receive {net} after tax and penalty you must withdraw {gross}").format(
                    net=i18n.currency(asked_net), gross=i18n.currency(result.amount)
                ),
            )
        )
    if tax.uses_brackets:
        assert tax.taxable_income is not None  # uses_brackets: brackets and taxable income
        steps.append(
            Step(
                rule="federal_tax",
                value=result.federal,
                citation=tax.citation,
                text=_(
                    "Federal tax: tax on taxable income {income} + {amount} minus tax on {income} "
                    "({year} brackets) = {tax}"
                ).format(
                    income=i18n.currency(tax.taxable_income),
                    amount=i18n.currency(result.amount),
                    year=tax.tax_year,
                    tax=i18n.currency(result.federal),
                ),
            )
        )
    else:
        steps.append(
            Step(
                rule="federal_tax",
                value=result.federal,
                citation="IRC §402(a); §72",
                text=_("Federal tax at your marginal rate {rate} of {amount} = {tax}").format(
                    rate=rate_words(tax.flat_rate * HUNDRED),
                    amount=i18n.currency(result.amount),
                    tax=i18n.currency(result.federal),
                ),
            )
        )
    steps.append(state_tax_step(result, tax, person))
    if exemption is None:
        text = _("10% additional tax on early distributions = {penalty}").format(
            penalty=i18n.currency(result.penalty - result.state_penalty)
        )
    else:
        text = _(EXEMPTION_WORDS[exemption])
    steps.append(
        Step(
            rule="additional_tax",
            value=result.penalty - result.state_penalty,
            citation=law.citation("additional_tax_rate"),
            text=text,
        )
    )
    if tax.state_law is not None and tax.state_law.early_rate > 0 and exemption is None:
        steps.append(
            Step(
                rule="state_additional_tax",
                value=result.state_penalty,
                citation=tax.state_law.early_citation,
                text=_("{state} additional tax on early distributions, {rate} = {penalty}").format(
                    state=tax.state_law.name,
                    rate=i18n.percent(tax.state_law.early_rate * HUNDRED, max_digits=10),
                    penalty=i18n.currency(result.state_penalty),
                ),
            )
        )
    return DistributionResult(
        amount=result.amount,
        federal_tax=result.federal,
        state_tax=result.state,
        penalty=result.penalty,
        state_penalty=result.state_penalty,
        total=result.total,
        net=result.net,
        penalty_exempt=exemption is not None,
        exemption=exemption,
        marginal_rate_pct=tax.federal_marginal * HUNDRED,
        steps=steps,
    )


def state_tax_step(result: DistributionTax, tax: TaxProfile, person: Person | None) -> Step:
    state = tax.state_law
    if state is None:
        return Step(
            rule="state_tax",
            value=result.state,
            citation="State income tax (flat rate given)",
            text=_("State tax at {rate} = {tax}").format(
                rate=rate_words(tax.state_rate * HUNDRED), tax=i18n.currency(result.state)
            ),
        )
    exempt = state.has_income_tax and state.exempt(person)
    return Step(
        rule="state_tax",
        value=result.state,
        citation=state.exclusion_citation if exempt else state.citation,
        text=state.describe(result.amount, result.state, person),
    )
