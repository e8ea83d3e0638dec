"""State income tax on a distribution, and a state's additional tax on early distributions,
from the state files (params/states).

With taxable income given, the tax on a distribution `d` is `tax(I + d) - tax(I)` on the
state's schedule, the state's taxable income `I` approximated by the federal one (states
start from federal AGI but have their own deductions and exemptions). Without it, the tax is
linear: the state's rate at the income where the given federal marginal rate's bracket starts
(the lowest income consistent with that rate), times `d`.

A state that excludes retirement-plan distributions (Illinois at any age; Pennsylvania after
separating from service at 59½ or later) taxes none of such a distribution. The early-
distribution tax (California's 2.5 %, Rev. & Tax. Code §17085(c)) is due exactly where the
federal 10 % is: the callers add it where they add the federal additional tax.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from .. import i18n
from ..money import HUNDRED, ZERO
from ..params.states import Exclusion, Schedule, StateFile, continuous_tax, states


class PersonAtDistribution(Protocol):
    """What an exclusion looks at (rules.distributions.Person has these)."""

    @property
    def age(self) -> Decimal: ...
    @property
    def separated_from_service(self) -> bool: ...
    @property
    def separation_year_age(self) -> Decimal | None: ...


def supported_states() -> list[str]:
    return sorted(states())


def state_names() -> list[tuple[str, str]]:
    """(code, name) of every state with its own parameter file, by name."""
    return sorted(((code, f.name) for code, f in states().items()), key=lambda pair: pair[1])


def schedule_rate(income: Decimal, schedule: Schedule) -> Decimal:
    """The rate on the next dollar above `income`."""
    rate = schedule[0][1]
    for low, bracket_rate, _ in schedule:
        if income >= low:
            rate = bracket_rate
    return rate


def implied_income(federal_brackets: Sequence[tuple[Decimal, Decimal]], federal_rate: Decimal) -> Decimal:
    """Where the federal bracket of `federal_rate` starts: the lowest taxable income at which
    that is the marginal rate (for a rate between brackets, the highest bracket not above it)."""
    income = ZERO
    for low, rate in federal_brackets:
        if rate <= federal_rate:
            income = low
    return income


@dataclass(frozen=True)
class StateTax:
    """One state's tax on extra income for one tax year and filing status."""

    code: str
    name: str
    year: int  # of the figures used
    schedule: Schedule
    income: Decimal | None  # taxable income the distribution is added to; None: linear at `rate`
    rate: Decimal  # on the next dollar of ordinary income (at `income`, or at the implied one)
    implied_from: Decimal | None = None  # without taxable income: where `rate` was read
    exclusion: Exclusion | None = None
    early_rate: Decimal = ZERO
    citation: str = ""
    exclusion_citation: str = ""
    early_citation: str = ""

    @property
    def has_income_tax(self) -> bool:
        return any(rate > 0 for _, rate, _ in self.schedule)

    def exempt(self, person: PersonAtDistribution | None = None) -> bool:
        """Whether the state's exclusion spares this distribution (no person: not separated)."""
        rule = self.exclusion
        if rule is None:
            return False
        if not rule.after_separation:
            return person is None or person.age >= rule.age
        if person is None or not person.separated_from_service:
            return False
        separated_at = person.age if person.separation_year_age is None else person.separation_year_age
        return separated_at >= rule.age

    def tax(self, amount: Decimal, person: PersonAtDistribution | None = None) -> Decimal:
        """The state tax on a distribution of `amount` (exact, not rounded)."""
        if amount <= 0 or self.exempt(person):
            return ZERO
        if self.income is None:
            return amount * self.rate
        return continuous_tax(self.income + amount, self.schedule) - continuous_tax(
            self.income, self.schedule
        )

    def rate_on(self, extra: Decimal, person: PersonAtDistribution | None = None) -> Decimal:
        """The rate on a distribution's next dollar once `extra` of it is taxed."""
        if self.exempt(person):
            return ZERO
        if self.income is None:
            return self.rate
        return schedule_rate(self.income + extra, self.schedule)

    def bounds(self, person: PersonAtDistribution | None = None) -> list[Decimal]:
        """Amounts of a distribution at which its state tax changes slope (or jumps)."""
        if self.income is None or self.exempt(person):
            return []
        return [low - self.income for low, _, _ in self.schedule if low > self.income]

    def in_retirement_rate(self, retirement_age: int) -> Decimal:
        """The rate on a distribution after retiring at `retirement_age` (the retirement tax
        rate's state part): zero where the state's exclusion covers it."""
        rule = self.exclusion
        if rule is not None and Decimal(retirement_age) >= rule.age:
            return ZERO
        return self.rate

    def describe(self, amount: Decimal, tax: Decimal, person: PersonAtDistribution | None = None) -> str:
        if not self.has_income_tax:
            return i18n.gettext("No state tax: {state} has no personal income tax").format(state=self.name)
        if self.exempt(person):
            return i18n.gettext(
                "No state tax: {state} does not tax this retirement-plan distribution"
            ).format(state=self.name)
        rate = i18n.percent(self.rate * HUNDRED, max_digits=10)
        if self.income is None:
            if self.implied_from is None:
                return i18n.gettext("{state} tax at {rate} = {tax}").format(
                    state=self.name, rate=rate, tax=i18n.currency(tax)
                )
            return i18n.gettext(
                "{state} tax at {rate}, its rate at {income} of taxable income = {tax}"
            ).format(
                state=self.name, rate=rate, income=i18n.currency(self.implied_from), tax=i18n.currency(tax)
            )
        return i18n.gettext(
            "{state} tax: tax on {income} + {amount} minus tax on {income} ({year} schedule; state "
            "taxable income taken as the federal one) = {tax}"
        ).format(
            state=self.name,
            income=i18n.currency(self.income),
            amount=i18n.currency(amount),
            year=self.year,
            tax=i18n.currency(tax),
        )


def _year_of(file: StateFile, quantity: str, tax_year: int) -> tuple[int, list[str]]:
    last = file[quantity].last_date.year
    if tax_year > last and quantity in file.indexed:
        if quantity == "income_tax":
            text = i18n.gettext(
                "The {state} income tax figures for {year} are not in the parameter files yet; using "
                "those for {last}"
            )
        else:
            text = i18n.gettext(
                "The {state} {quantity} figures for {year} are not in the parameter files yet; using "
                "those for {last}"
            )
        return last, [
            text.format(state=file.name, quantity=quantity.replace("_", " "), year=tax_year, last=last)
        ]
    return tax_year, []


def state_tax(
    code: str,
    tax_year: int,
    filing_status: str,
    taxable_income: Decimal | None,
    federal_rate: Decimal,
    federal_brackets: Sequence[tuple[Decimal, Decimal]],
) -> tuple[StateTax, list[str]]:
    """The state's tax for the year (KeyError for a code without a file) and its warnings."""
    file = states()[code.upper()]
    year, warnings = _year_of(file, "income_tax", tax_year)
    day = dt.date(year, 12, 31)
    raw = file["income_tax"].at(day)
    schedule: Schedule = ((ZERO, raw, None),) if isinstance(raw, Decimal) else raw[filing_status]
    implied = None
    if taxable_income is None:
        implied = implied_income(federal_brackets, federal_rate)
        rate = schedule_rate(implied, schedule)
    else:
        rate = schedule_rate(taxable_income, schedule)
    flat = len(schedule) == 1
    exclusion = file["distribution_exclusion"] if "distribution_exclusion" in file else None
    early = file["early_distribution_tax"] if "early_distribution_tax" in file else None
    tax = StateTax(
        code=file.code,
        name=file.name,
        year=year,
        schedule=schedule,
        income=None if flat else taxable_income,
        rate=rate,
        implied_from=None if flat or taxable_income is not None else implied,
        exclusion=None if exclusion is None else exclusion.at(day),
        early_rate=ZERO if early is None else early.at(day),
        citation=file["income_tax"].citation,
        exclusion_citation="" if exclusion is None else exclusion.citation,
        early_citation="" if early is None else early.citation,
    )
    if tax.implied_from is not None:
        warnings.append(
            i18n.gettext(
                "{state} tax at {rate}: the {state} rate at {income} of taxable income, where your "
                "{federal} federal bracket starts; give taxable_income to apply the {state} brackets"
            ).format(
                state=file.name,
                rate=i18n.percent(rate * HUNDRED, max_digits=10),
                income=i18n.currency(tax.implied_from),
                federal=i18n.percent(federal_rate * HUNDRED, max_digits=10),
            )
        )
    return tax, warnings
