"""What the law makes of a loan's events: cure deadlines, the latest permissible term, the
military extension, qualified plan loan offsets and the Form 1099-R distribution codes.

Pure rules of (facts, parameter snapshot), each with its citation where it applies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..dates import add_months, quarter_end
from ..params import Snapshot
from .deadlines import rollover_deadline
from .distributions import Person, penalty_exemption

CURE = "Treas. Reg. §1.72(p)-1 Q&A-10(a); CCA 201736022"
DEEMED = "Treas. Reg. §1.72(p)-1 Q&A-10(b), Q&A-11, Q&A-12"
OFFSET = "IRC §402(c)(3)(C); Treas. Reg. §1.402(c)-3; §1.72(p)-1 Q&A-13"
FORM = "Instructions for Forms 1099-R and 5498, box 7 (codes 1, 2, 7, B, L, M)"


def cure_deadline(due: dt.date, plan_days: int | None = None) -> dt.date:
    """The last day a missed installment can be made up: the plan's cure period, which
    "cannot continue beyond the last day of the calendar quarter following the calendar
    quarter in which the required installment payment was due" (Q&A-10(a))."""
    latest = quarter_end(due, quarters_after=1)
    if plan_days is None:
        return latest
    return min(latest, due + dt.timedelta(days=plan_days))


def latest_permissible_end(loan_date: dt.date, term_months: int, purpose: str, law: Snapshot) -> dt.date:
    """The latest date the loan may be repaid by: five years from the loan for a general
    loan (IRC §72(p)(2)(B)(i)); a principal-residence loan's own term (§72(p)(2)(B)(ii))."""
    if purpose == "residence":
        return add_months(loan_date, term_months)
    return add_months(loan_date, int(law["loan_max_term_months"]))


def military_extension(end: dt.date, service_start: dt.date, service_end: dt.date) -> dt.date:
    """The latest permissible term extended by the period of military service (IRC §414(u)(4);
    Treas. Reg. §1.72(p)-1 Q&A-9(b)): whole months of service, rounded up."""
    months = (service_end.year - service_start.year) * 12 + service_end.month - service_start.month
    if add_months(service_start, months) < service_end:
        months += 1
    return add_months(end, months)


def is_qualified_offset(offset: dt.date, severance: dt.date | None, law: Snapshot) -> bool:
    """A plan loan offset is a QPLO when it happens because of severance from employment and
    within 12 months of it (IRC §402(c)(3)(C); Treas. Reg. §1.402(c)-3(b)(3))."""
    if severance is None:
        return False
    return offset <= add_months(severance, int(law["qplo_window_months"]))


@dataclass(frozen=True)
class Reporting:
    """How a distribution is reported and whether it can be rolled over."""

    code: str  # Form 1099-R box 7
    rollover_deadline: dt.date | None  # None: cannot be rolled over
    exemption: str | None  # the §72(t) exception, if any


def reporting(
    kind: str, day: dt.date, person: Person, roth: bool, qualified: bool, law: Snapshot
) -> Reporting:
    """`kind` "deemed" (a loan treated as distributed: code L, never rolled over, Q&A-12) or
    "offset" (an actual distribution: rollover in 60 days, or until the extended due date for a
    qualified plan loan offset, code M). The age/exception code: 1 early with no known
    exception, 2 early with one, 7 at 59½ or later; B instead for a designated Roth account."""
    exemption = penalty_exemption(person, law)
    if roth:
        age_code = "B"
    elif exemption == "age_59_half":
        age_code = "7"
    elif exemption is not None:
        age_code = "2"
    else:
        age_code = "1"
    if kind == "deemed":
        return Reporting(age_code + "L", None, exemption)
    deadline = rollover_deadline(day, qualified=qualified)
    return Reporting(age_code + ("M" if qualified else ""), deadline, exemption)
