"""Income tax on a distribution: federal brackets (incremental), a flat state rate, or a
plain marginal rate when taxable income is not given (METHOD §5)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from ..money import ZERO, cents
from ..params import ParameterSet

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

    def state(self, amount: Decimal) -> Decimal:
        return cents(max(ZERO, amount) * self.state_rate)

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
            f"tax_year {tax_year} is past the last year in the parameter files; using {last_year} brackets"
        )
        year = last_year
    return parameter.at(dt.date(year, 12, 31))[filing_status], warnings, year
