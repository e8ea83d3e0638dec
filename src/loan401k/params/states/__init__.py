"""State income tax as dated data: one YAML file per state (`CA.yaml`, ...).

A state file holds the state's code and name and, under fixed keys, its quantities, each
in the params format (description, unit, citation, reference, verified_on, values, note)
and read by the same strict rules (`params.parameter_of`): an unknown or missing key, a
value without a date or a missing citation is an error naming the file and the key.

    income_tax              the tax on taxable income: a flat `fraction`, or a
                            `tax_schedule` by filing status (rows [lower bound, rate], or
                            [lower bound, rate, tax at the lower bound] where the statute
                            states the tax there, e.g. Ohio's $26,050 threshold)
    distribution_exclusion  (optional) retirement-plan distributions the state does not tax:
                            every one (`age: 0`), or those after separating from service at
                            or after `age` (`after_separation: true`)
    early_distribution_tax  (optional) the state's additional tax on early distributions, a
                            fraction of the taxable amount, due where the federal 10 % is

A quantity with `indexed: true` changes every tax year (inflation indexing): a tax year past
its last dated value uses that value, with a warning.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ...money import D
from .. import (
    FILING_STATUSES,
    OPTIONAL_KEYS,
    Parameter,
    ParameterError,
    _convert,
    _UniqueKeyLoader,
    parameter_of,
)

STATES_DIR = Path(__file__).parent
FILE_KEYS = {"state", "name", "income_tax"}
OPTIONAL_FILE_KEYS = {"distribution_exclusion", "early_distribution_tax", "note"}
#: The units each quantity may have.
QUANTITY_UNITS = {
    "income_tax": ("fraction", "tax_schedule"),
    "distribution_exclusion": ("exclusion",),
    "early_distribution_tax": ("fraction",),
}
QUANTITY_OPTIONAL = frozenset(OPTIONAL_KEYS | {"indexed"})
EXCLUSION_KEYS = {"age", "after_separation"}

#: One bracket: lower bound, rate on income above it, and the tax at the lower bound when the
#: statute states it (None: the tax of the rows below, continued).
Row = tuple[Decimal, Decimal, Decimal | None]
Schedule = tuple[Row, ...]


@dataclass(frozen=True)
class Exclusion:
    """Distributions the state does not tax: all (age 0), or after separating at `age`+."""

    age: Decimal
    after_separation: bool


@dataclass(frozen=True)
class StateFile:
    code: str
    name: str
    quantities: dict[str, Parameter]
    indexed: frozenset[str]  # the quantities that change every tax year
    path: Path
    note: str = ""

    def __getitem__(self, quantity: str) -> Parameter:
        return self.quantities[quantity]

    def __contains__(self, quantity: object) -> bool:
        return quantity in self.quantities


def continuous_tax(income: Decimal, rows: Schedule) -> Decimal:
    """The tax at `income` by the rows (the bracket holding it runs from its lower bound,
    exclusive, to the next one, inclusive: "over $26,050 but not over $100,000")."""
    if income <= 0:
        return Decimal(0)
    tax = Decimal(0)
    for i, (low, rate, base) in enumerate(rows):
        if i and income <= low:
            break
        if base is not None:
            tax = base
        high = rows[i + 1][0] if i + 1 < len(rows) else income
        tax += (min(income, high) - low) * rate
    return tax


def _schedule(name: str, status: str, rows: Any) -> Schedule:
    where = f"{name}.{status}"
    if not isinstance(rows, list) or not rows:
        raise ParameterError(f"{where}: a schedule is a non-empty list of brackets")
    out: list[Row] = []
    for row in rows:
        if not (isinstance(row, list) and len(row) in (2, 3)):
            raise ParameterError(
                f"{where}: each bracket is [lower bound, rate] or [lower bound, rate, tax], got {row!r}"
            )
        low, rate = _convert(where, "usd", row[0]), _convert(where, "fraction", row[1])
        base = _convert(where, "usd", row[2]) if len(row) == 3 else None
        out.append((low, rate, base))
    if out[0][0] != 0 or out[0][2] is not None:
        raise ParameterError(f"{where}: the first bracket starts at 0 with no stated tax")
    for i in range(1, len(out)):
        (low, rate, _), (high, next_rate, base) = out[i - 1], out[i]
        if high <= low or next_rate < rate:
            raise ParameterError(f"{where}: bounds must rise and rates must not fall")
        # a stated tax may jump up at a bound (a cliff), never down
        if base is not None and base < continuous_tax(high, tuple(out[:i])):
            raise ParameterError(
                f"{where}: the tax stated at {high} is below the tax of the brackets under it"
            )
    if not all(Decimal(0) <= rate <= 1 for _, rate, _ in out):
        raise ParameterError(f"{where}: rates are fractions between 0 and 1")
    return tuple(out)


def _convert_state(name: str, unit: str, raw: Any) -> Any:
    if unit == "tax_schedule":
        if not isinstance(raw, dict) or set(raw) != set(FILING_STATUSES):
            raise ParameterError(f"{name}: needs exactly the filing statuses {FILING_STATUSES}")
        return {status: _schedule(name, status, raw[status]) for status in FILING_STATUSES}
    if unit == "exclusion":
        if not isinstance(raw, dict) or set(raw) != EXCLUSION_KEYS:
            raise ParameterError(f"{name}: an exclusion has exactly the keys {sorted(EXCLUSION_KEYS)}")
        if not isinstance(raw["after_separation"], bool):
            raise ParameterError(f"{name}: after_separation is true or false")
        return Exclusion(age=_convert(name, "years", raw["age"]), after_separation=raw["after_separation"])
    value = _convert(name, unit, raw)
    if unit == "fraction" and not D(0) <= value <= 1:
        raise ParameterError(f"{name}: a fraction lies between 0 and 1, got {raw!r}")
    return value


def _read(path: Path) -> Any:
    try:  # the package's loader: a key given twice (a repeated date) is an error
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2026-13-01
        raise ParameterError(f"states/{path.name}: not valid YAML ({exc})") from None


def load_state(path: Path) -> StateFile:
    """One state's file, strictly: every problem names the file (and the key)."""
    where = f"states/{path.name}"
    doc = _read(path)
    if not isinstance(doc, dict):
        raise ParameterError(f"{where}: the file must be a mapping")
    unknown = set(doc) - FILE_KEYS - OPTIONAL_FILE_KEYS
    missing = FILE_KEYS - set(doc)
    if unknown:
        raise ParameterError(f"{where}: unknown key(s) {sorted(unknown)}")
    if missing:
        raise ParameterError(f"{where}: missing key(s) {sorted(missing)}")
    if doc["state"] != path.stem or not (isinstance(doc["state"], str) and len(doc["state"]) == 2):
        raise ParameterError(f"{where}: state must be the two-letter code of the file name, {path.stem!r}")
    if not isinstance(doc["name"], str) or not doc["name"].strip():
        raise ParameterError(f"{where}: name must be a non-empty string")
    quantities, indexed = {}, set()
    for key, units in QUANTITY_UNITS.items():
        if key not in doc:
            continue
        body = doc[key]
        label = f"{where}: {key}"
        if isinstance(body, dict) and "indexed" in body:
            if not isinstance(body["indexed"], bool):
                raise ParameterError(f"{label}: indexed is true or false")
            if body["indexed"]:
                indexed.add(key)
        quantities[key] = parameter_of(
            label, body, units=units, convert=_convert_state, optional=QUANTITY_OPTIONAL
        )
        if quantities[key].values[0][0] > dt.date(2025, 1, 1):
            raise ParameterError(f"{label}: the values must cover 2025 (first date 2025-01-01 or earlier)")
    return StateFile(
        code=doc["state"],
        name=doc["name"].strip(),
        quantities=quantities,
        indexed=frozenset(indexed),
        path=path,
        note=str(doc.get("note", "")).strip(),
    )


def load_states(directory: Path = STATES_DIR) -> dict[str, StateFile]:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ParameterError(f"no state files in {directory}")
    return {path.stem: load_state(path) for path in files}


@lru_cache(maxsize=1)
def states() -> dict[str, StateFile]:
    """Every state file, loaded once, by two-letter code."""
    return load_states()
