"""What a form may offer under the law and a plan profile: the longest term for each purpose,
the pay frequencies, the choices the plan sets. A face offers only these, so a person picks
an allowed term instead of being refused one (the service still checks every input)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..models import InputError, LoanInput
from .core import law_for
from .plans import FREQUENCIES, PlanProfile, profile_for


@dataclass(frozen=True)
class Choices:
    general_term_months: int  # the law's five years for a general loan (IRC §72(p)(2)(B))
    home_term_months: int | None  # the longest loan to buy a main home; None: the plan makes none
    frequencies: tuple[str, ...]  # the pay frequencies offered, the plan's default first
    defaults: dict[str, str] = field(default_factory=dict)  # choices the plan sets (frequency, type)
    plan_name: str | None = None

    def longest(self, purpose: str) -> int:
        """The longest term, in months, for a loan of this purpose."""
        if purpose == "residence" and self.home_term_months is not None:
            return self.home_term_months
        return self.general_term_months


def choices_for(plan: str | None = None, start_date: dt.date | None = None) -> Choices:
    """The choices under the law in force on `start_date` (today when None) and the plan
    `plan` (an id; an unknown one gives the law's choices: the service names it as an error)."""
    law = law_for(LoanInput(start_date=start_date))
    general = int(law["loan_max_term_months"])
    home: int | None = int(law["residence_term_cap_months"])
    profile: PlanProfile | None = None
    if plan:
        try:
            profile = profile_for(plan)
        except InputError:
            profile = None
    if profile is None:
        return Choices(general, home, FREQUENCIES)
    if profile.get("residence_loans") is False:
        home = None
    elif (cap := profile.get("residence_max_term_months")) is not None and home is not None:
        home = min(home, int(cap))
    frequencies = tuple(profile.get("payroll_frequencies") or FREQUENCIES)
    defaults = {"plan_type": profile.plan_type}
    if profile.get("payroll_frequencies"):
        defaults["frequency"] = frequencies[0]
    return Choices(general, home, frequencies, defaults, profile.name)
