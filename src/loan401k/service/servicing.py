"""servicing(): many loans' status on a day, for the plan administrator's batch
(`loan401k batch --servicing`, issue 12).

The arithmetic is `engine.servicing_columns` (the dated engine's, over columns of int64
cents); the Form 1099-R code of each deemed loan is `rules.loan_events.reporting`, asked once
per distinct (age in whole months, Roth) - an in-service deemed distribution, so no
separation exception applies; the age codes 1 and 7 need the birth date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import numpy as np

from ..engine.servicing_columns import (
    CURRENT,
    DEEMED,
    DELINQUENT,
    PAID_OFF,
    STATUSES,
    LoanColumns,
    ServicingColumns,
    service_columns,
)
from ..engine.servicing_dates import FREQUENCIES, completed_months
from ..params import Snapshot, parameters
from ..rules.distributions import Person
from ..rules.loan_events import reporting

__all__ = [
    "CURRENT",
    "DEEMED",
    "DELINQUENT",
    "FREQUENCIES",
    "PAID_OFF",
    "STATUSES",
    "LoanColumns",
    "Servicing",
    "law_of",
    "servicing",
]


@dataclass
class Servicing:
    columns: ServicingColumns
    form_1099r_code: np.ndarray  # object: box 7 for a deemed loan ("L" alone without a birth date)
    age_unknown: np.ndarray  # bool: a pretax deemed loan without a birth date (no age code)


@lru_cache(maxsize=8)
def _law(day: dt.date) -> Snapshot:
    return parameters().in_force(max(day, parameters().first_date))


def law_of(day: dt.date) -> tuple[dt.date, list[str]]:
    """The day of the law the codes are read from, and its staleness warnings."""
    law = _law(day)
    return law.day, law.stale_warnings()


def servicing(
    loans: LoanColumns, birth: np.ndarray, known: np.ndarray, roth: np.ndarray, day: dt.date
) -> Servicing:
    """Each loan's status on its as_of day; `birth` in day numbers where `known`, `roth` a
    designated Roth account; the law in force on `day` (for 59½)."""
    columns = service_columns(loans)
    deemed = columns.status == DEEMED
    codes = np.full(len(loans.amount), None, dtype=object)
    codes[deemed] = _codes(columns.deemed_date[deemed], birth[deemed], known[deemed], roth[deemed], _law(day))
    return Servicing(columns, codes, deemed & ~known & ~roth)


def _codes(
    deemed_on: np.ndarray, birth: np.ndarray, known: np.ndarray, roth: np.ndarray, law: Snapshot
) -> np.ndarray:
    months = np.where(known, completed_months(np.where(known, birth, deemed_on), deemed_on), -1)
    keys, inverse = np.unique(months * 2 + roth, return_inverse=True)
    words = []
    for key in keys.tolist():
        age_months, is_roth = divmod(int(key), 2)
        if age_months < 0 and not is_roth:
            words.append("L")  # the age digit needs the birth date
            continue
        person = Person(age=Decimal(max(age_months, 0)) / 12)
        words.append(reporting("deemed", dt.date.min, person, bool(is_roth), False, law).code)
    out: np.ndarray = np.array(words, dtype=object)[inverse] if len(keys) else np.array([], dtype=object)
    return out
