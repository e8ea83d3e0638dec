"""Income tax on a distribution: federal brackets (incremental), the state's tax (a state
file's, rules.state_tax, or a flat state rate), or a plain marginal rate when taxable income
is not given (METHOD §5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .. import i18n
from ..money import ZERO, cents
from ..params import ParameterSet
from .state_tax import PersonAtDistribution, StateTax

Brackets = Sequence[tuple[Decimal, Decimal]]


def bracket_tax(income: Decimal, brackets: Brackets) -> Decimal:
    """Tax on taxable `income` by the brackets (exact, not rounded)."""
    if income <= 0:
        return ZERO
    tax = ZERO
    for i, (low, rate) in enumerate(brackets):
        if income <= low:
            break
        high = brackets[i + 1][0] if i + 1 < len(brackets) else income
        tax += (min(income, high) - low) * rate
    return tax


def marginal_rate(income: Decimal, brackets: Brackets) -> Decimal:
    """The rate on the next dollar above `income`."""
    rate = brackets[0][1]
    for low, bracket_rate in brackets:
        if income >= low:
            rate = bracket_rate
    return rate


@dataclass(frozen=True)
class TaxProfile:
    """What determines the tax on extra income: brackets (with taxable income) or a flat rate."""

    state_rate: Decimal
    brackets: Brackets | None = None
    taxable_income: Decimal | None = None
    flat_rate: Decimal = Decimal("0.22")
    tax_year: int = 2026
    citation: str = ""
    # A state file's tax (`state` given); without it the state's tax is `state_rate` x d.
    # `state_rate` is then the state's rate on ordinary income (wages) at the taxable income.
    state_law: StateTax | None = None

    @property
    def uses_brackets(self) -> bool:
        return self.brackets is not None and self.taxable_income is not None

    def federal(self, amount: Decimal) -> Decimal:
        """tax(I + d) - tax(I), or d x rate without taxable income; rounded to cents."""
        if amount <= 0:
            return ZERO
        if self.uses_brackets:
            assert self.brackets is not None and self.taxable_income is not None
            before = bracket_tax(self.taxable_income, self.brackets)
            return cents(bracket_tax(self.taxable_income + amount, self.brackets) - before)
        return cents(amount * self.flat_rate)

    def state(self, amount: Decimal, person: PersonAtDistribution | None = None) -> Decimal:
        """The state's tax on a distribution (its exclusions look at `person`), in cents."""
        return cents(self.state_exact(amount, person))

    def state_exact(self, amount: Decimal, person: PersonAtDistribution | None = None) -> Decimal:
        if self.state_law is not None:
            return self.state_law.tax(amount, person)
        return max(ZERO, amount) * self.state_rate

    def federal_exact(self, amount: Decimal) -> Decimal:
        if amount <= 0:
            return ZERO
        if self.uses_brackets:
            assert self.brackets is not None and self.taxable_income is not None
            return bracket_tax(self.taxable_income + amount, self.brackets) - bracket_tax(
                self.taxable_income, self.brackets
            )
        return amount * self.flat_rate

    @property
    def state_early_rate(self) -> Decimal:
        """The state's additional tax on early distributions (California's 2.5 %)."""
        return ZERO if self.state_law is None else self.state_law.early_rate

    def penalty(self, amount: Decimal, federal_rate: Decimal) -> Decimal:
        """The §72(t) additional tax at `federal_rate` (zero where an exception applies) and
        the state's early-distribution tax, due exactly where the federal one is; in cents."""
        return cents(max(ZERO, amount) * federal_rate) + self.state_penalty(amount, federal_rate)

    def state_penalty(self, amount: Decimal, federal_rate: Decimal) -> Decimal:
        if federal_rate <= 0:
            return ZERO
        return cents(max(ZERO, amount) * self.state_early_rate)

    def penalty_rate(self, federal_rate: Decimal) -> Decimal:
        return federal_rate + (self.state_early_rate if federal_rate > 0 else ZERO)

    def state_rate_in_retirement(self, retirement_age: int) -> Decimal:
        """The state's rate on distributions after retiring (the retirement tax rate's part)."""
        if self.state_law is None:
            return self.state_rate
        return self.state_law.in_retirement_rate(retirement_age)

    def income_tax_pieces(
        self, person: PersonAtDistribution | None = None
    ) -> list[tuple[Decimal, Decimal | None, Decimal]]:
        """Pieces of a distribution (from, to, federal + state rate) on which its income tax
        is linear; at a piece's start it may jump (a state's stated tax at a threshold)."""
        federal = self.federal_segments()
        cuts = sorted({start for start, _, _ in federal} | set(self._state_bounds(person)) | {ZERO})
        pieces: list[tuple[Decimal, Decimal | None, Decimal]] = []
        for i, start in enumerate(cuts):
            end = cuts[i + 1] if i + 1 < len(cuts) else None
            rate = next(r for s, e, r in federal if s <= start and (e is None or start < e))
            pieces.append((start, end, rate + self._state_rate_at(start, person)))
        return pieces

    def _state_bounds(self, person: PersonAtDistribution | None) -> list[Decimal]:
        return [] if self.state_law is None else self.state_law.bounds(person)

    def _state_rate_at(self, extra: Decimal, person: PersonAtDistribution | None) -> Decimal:
        return self.state_rate if self.state_law is None else self.state_law.rate_on(extra, person)

    @property
    def federal_marginal(self) -> Decimal:
        if self.uses_brackets:
            assert self.brackets is not None and self.taxable_income is not None
            return marginal_rate(self.taxable_income, self.brackets)
        return self.flat_rate

    def federal_segments(self) -> list[tuple[Decimal, Decimal | None, Decimal]]:
        """Pieces of extra income (from, to, federal rate) - the tax is linear on each."""
        if not self.uses_brackets:
            return [(ZERO, None, self.flat_rate)]
        assert self.brackets is not None and self.taxable_income is not None
        pieces: list[tuple[Decimal, Decimal | None, Decimal]] = []
        income = self.taxable_income
        for i, (low, rate) in enumerate(self.brackets):
            high = self.brackets[i + 1][0] if i + 1 < len(self.brackets) else None
            if high is not None and high <= income:
                continue
            start = max(ZERO, low - income)
            end = None if high is None else high - income
            pieces.append((start, end, rate))
        return pieces


def brackets_for_year(
    params: ParameterSet, tax_year: int, filing_status: str
) -> tuple[Brackets, list[str], int]:
    """The year's brackets; a year past the files uses the last year's, with a warning."""
    parameter = params["federal_brackets"]
    last_year = parameter.last_date.year
    warnings = []
    year = tax_year
    if tax_year > last_year:
        warnings.append(
            i18n.gettext(
                "tax_year {year} is past the last year in the parameter files; using {last} brackets"
            ).format(year=tax_year, last=last_year)
        )
        year = last_year
    return parameter.at(dt.date(year, 12, 31))[filing_status], warnings, year
