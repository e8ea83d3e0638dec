"""Tax and the 10 % additional tax on a taxable distribution (a loan offset, a deemed
distribution, a hardship withdrawal), and the gross-up of a net amount (METHOD §5)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ..models import DistributionResult, Step
from ..money import CENT, HUNDRED, ONE, ZERO, cents, usd
from ..params import Snapshot
from .tax import TaxProfile


@dataclass(frozen=True)
class Person:
    """Who receives the distribution and when: what decides the §72(t) additional tax."""

    age: Decimal  # at the distribution, in years (fractions allowed)
    separated_from_service: bool = False
    separation_year_age: Decimal | None = None  # age in the year of separation
    public_safety_employee: bool = False


def penalty_exemption(person: Person, law: Snapshot) -> str | None:
    """Which §72(t) exception, if any, spares the distribution from the 10 %."""
    if person.age >= law["age_penalty_free"]:
        return "age_59_half"
    if person.separated_from_service:
        separated_at = person.age if person.separation_year_age is None else person.separation_year_age
        # §72(t)(10): public-safety employees of governmental plans from 50.
        if person.public_safety_employee and separated_at >= law["public_safety_separation_age"]:
            return "public_safety_50"
        # §72(t)(2)(A)(v): separation in or after the year the employee turns 55.
        if separated_at >= law["separation_age"]:
            return "separation_age_55"
    return None


@dataclass(frozen=True)
class DistributionTax:
    amount: Decimal
    federal: Decimal
    state: Decimal
    penalty: Decimal

    @property
    def total(self) -> Decimal:
        return self.federal + self.state + self.penalty

    @property
    def net(self) -> Decimal:
        return self.amount - self.total


def tax_on(amount: Decimal, tax: TaxProfile, penalty_rate: Decimal) -> DistributionTax:
    """Federal, state and additional tax on a gross amount, each rounded to cents."""
    return DistributionTax(
        amount=amount,
        federal=tax.federal(amount),
        state=tax.state(amount),
        penalty=cents(max(ZERO, amount) * penalty_rate),
    )


def gross_for_net(net: Decimal, tax: TaxProfile, penalty_rate: Decimal) -> DistributionTax:
    """The smallest gross W (in cents) whose W - tax(W) - penalty(W) reaches `net`.

    Solved exactly on the piecewise-linear real curve, then settled to the cent: each
    cent of gross adds at most one cent of net, so the smallest W reaching `net` hits it
    exactly.
    """
    if net <= 0:
        return tax_on(ZERO, tax, penalty_rate)
    other = tax.state_rate + penalty_rate
    estimate = None
    kept_before = ZERO  # net produced by the gross below the current segment
    for start, end, rate in tax.federal_segments():
        keep = ONE - rate - other
        if keep <= 0:
            raise ValueError("combined tax rate of 100 % or more: no gross amount nets any cash")
        width = None if end is None else end - start
        if width is not None and kept_before + width * keep < net:
            kept_before += width * keep
            continue
        estimate = start + (net - kept_before) / keep
        break
    assert estimate is not None
    gross = cents(estimate) - 5 * CENT
    while tax_on(gross, tax, penalty_rate).net >= net and gross > 0:
        gross -= 5 * CENT
    while tax_on(gross, tax, penalty_rate).net < net:
        gross += CENT
    return tax_on(gross, tax, penalty_rate)


def describe(
    result: DistributionTax,
    tax: TaxProfile,
    exemption: str | None,
    law: Snapshot,
    asked_net: Decimal | None,
) -> DistributionResult:
    steps = []
    if asked_net is not None:
        steps.append(
            Step(
                rule="gross_up",
                value=result.amount,
                citation="IRC §72(t); loan401k methodology, Tax",
                text=(
                    f"To receive {usd(asked_net)} after tax and penalty you must withdraw "
                    f"{usd(result.amount)}"
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
                text=(
                    f"Federal tax: tax on taxable income {usd(tax.taxable_income)} + "
                    f"{usd(result.amount)} minus tax on {usd(tax.taxable_income)} "
                    f"({tax.tax_year} brackets) = {usd(result.federal)}"
                ),
            )
        )
    else:
        steps.append(
            Step(
                rule="federal_tax",
                value=result.federal,
                citation="IRC §402(a); §72",
                text=(
                    f"Federal tax at your marginal rate {tax.flat_rate * HUNDRED:.4g}% of "
                    f"{usd(result.amount)} = {usd(result.federal)}"
                ),
            )
        )
    steps.append(
        Step(
            rule="state_tax",
            value=result.state,
            citation="State income tax (flat rate given)",
            text=f"State tax at {tax.state_rate * HUNDRED:.4g}% = {usd(result.state)}",
        )
    )
    exemption_words = {
        "age_59_half": "you are 59½ or older",
        "separation_age_55": "you left your job in or after the year you turned 55",
        "public_safety_50": "public-safety employee who left in or after the year you turned 50",
    }
    if exemption is None:
        text = f"10% additional tax on early distributions = {usd(result.penalty)}"
    else:
        text = f"No 10% additional tax: {exemption_words[exemption]}"
    steps.append(
        Step(
            rule="additional_tax",
            value=result.penalty,
            citation=law.citation("additional_tax_rate"),
            text=text,
        )
    )
    return DistributionResult(
        amount=result.amount,
        federal_tax=result.federal,
        state_tax=result.state,
        penalty=result.penalty,
        total=result.total,
        net=result.net,
        penalty_exempt=exemption is not None,
        exemption=exemption,
        marginal_rate_pct=tax.federal_marginal * HUNDRED,
        steps=steps,
    )
