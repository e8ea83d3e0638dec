"""The law as data: one YAML file per legal quantity, dated values, a citation on each.

The loader is strict: an unknown or missing key, a value without a date, a missing
citation or a bad `verified_on` is an error, not a silently ignored line.
`parameters().at(day)` gives a frozen snapshot of every value in force that day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..i18n import gettext
from ..money import D

PARAMS_DIR = Path(__file__).parent
FILING_STATUSES = ("single", "married_joint", "married_separate", "head_of_household")
UNITS = ("usd", "fraction", "years", "months", "brackets", "usd_by_status")
REQUIRED_KEYS = {"description", "unit", "citation", "reference", "verified_on", "values"}
OPTIONAL_KEYS = {"note"}


class ParameterError(ValueError):
    """A parameter file that does not follow the schema."""


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    unit: str
    citation: str
    reference: str
    verified_on: dt.date
    values: tuple[tuple[dt.date, Any], ...]  # sorted by date
    note: str = ""

    def at(self, day: dt.date) -> Any:
        """The value in force on `day` (the latest dated value not after it)."""
        current = None
        for since, value in self.values:
            if since > day:
                break
            current = value
        if current is None:
            raise ParameterError(f"{self.name}: no value in force on {day} (first {self.values[0][0]})")
        return current

    @property
    def last_date(self) -> dt.date:
        return self.values[-1][0]


def _convert(name: str, unit: str, raw: Any) -> Any:
    if unit in ("usd", "fraction", "years", "months"):
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ParameterError(f"{name}: a {unit} value must be a number, got {raw!r}")
        return D(raw)
    if unit == "usd_by_status":
        if not isinstance(raw, dict) or set(raw) != set(FILING_STATUSES):
            raise ParameterError(f"{name}: needs exactly the filing statuses {FILING_STATUSES}")
        return {status: _convert(name, "usd", raw[status]) for status in FILING_STATUSES}
    if unit == "brackets":
        if not isinstance(raw, dict) or set(raw) != set(FILING_STATUSES):
            raise ParameterError(f"{name}: needs exactly the filing statuses {FILING_STATUSES}")
        return {status: _brackets(name, status, raw[status]) for status in FILING_STATUSES}
    raise ParameterError(f"{name}: unknown unit {unit!r}; allowed {UNITS}")


def _brackets(name: str, status: str, rows: Any) -> tuple[tuple[Decimal, Decimal], ...]:
    if not isinstance(rows, list) or not rows:
        raise ParameterError(f"{name}.{status}: brackets must be a non-empty list")
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 2):
            raise ParameterError(f"{name}.{status}: each bracket is [lower bound, rate], got {row!r}")
        out.append((_convert(name, "usd", row[0]), _convert(name, "fraction", row[1])))
    if out[0][0] != 0:
        raise ParameterError(f"{name}.{status}: the first bracket must start at 0")
    for (low, rate), (high, next_rate) in zip(out, out[1:], strict=False):
        if high <= low or next_rate < rate:
            raise ParameterError(f"{name}.{status}: bounds must rise and rates must not fall")
    return tuple(out)


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: Any, line: int, first: int):
        super().__init__(f"line {line}: duplicate key {key} (first on line {first})")


# libyaml's CSafeLoader when PyYAML was built with it: a base chosen at run time is Any to mypy
class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """YAML's safe loader, refusing a key given twice in one mapping: PyYAML keeps the last
    value silently, so a date repeated under `values:` would change the law unseen."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        lines: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                first = lines.setdefault(key, line)
            except TypeError:  # an unhashable key: the base constructor says so
                continue
            if first != line:
                raise _DuplicateKey(key, line, first)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


def load_file(path: Path) -> Parameter:
    name = path.stem
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except _DuplicateKey as exc:
        raise ParameterError(f"{name}: {path.name}, {exc}") from None
    except (yaml.YAMLError, ValueError) as exc:  # ValueError: a date such as 2026-13-01
        raise ParameterError(f"{name}: not valid YAML ({exc})") from None
    return parameter_of(name, doc)


def parameter_of(
    name: str,
    doc: Any,
    *,
    units: tuple[str, ...] = UNITS,
    convert: Callable[[str, str, Any], Any] | None = None,
    optional: Collection[str] = frozenset(OPTIONAL_KEYS),
) -> Parameter:
    """One quantity from its mapping, by the strict rules above; a state file's quantities
    (params/states) pass their own units, converter and optional keys."""
    convert = convert or _convert
    if not isinstance(doc, dict):
        raise ParameterError(f"{name}: the file must be a mapping")
    unknown = set(doc) - REQUIRED_KEYS - set(optional)
    missing = REQUIRED_KEYS - set(doc)
    if unknown:
        raise ParameterError(f"{name}: unknown key(s) {sorted(unknown)}")
    if missing:
        raise ParameterError(f"{name}: missing key(s) {sorted(missing)}")
    for key in ("description", "citation", "reference"):
        if not isinstance(doc[key], str) or not doc[key].strip():
            raise ParameterError(f"{name}: {key} must be a non-empty string")
    if not isinstance(doc["verified_on"], dt.date) or isinstance(doc["verified_on"], dt.datetime):
        raise ParameterError(f"{name}: verified_on must be a date (YYYY-MM-DD)")
    if doc["unit"] not in units:
        raise ParameterError(f"{name}: unknown unit {doc['unit']!r}; allowed {units}")
    values = doc["values"]
    if not isinstance(values, dict) or not values:
        raise ParameterError(f"{name}: values must map dates to values")
    dated = []
    for since, raw in values.items():
        if not isinstance(since, dt.date) or isinstance(since, dt.datetime):
            raise ParameterError(f"{name}: value key {since!r} is not a date (YYYY-MM-DD)")
        dated.append((since, convert(name, doc["unit"], raw)))
    dated.sort(key=lambda item: item[0])
    return Parameter(
        name=name,
        description=doc["description"].strip(),
        unit=doc["unit"],
        citation=doc["citation"].strip(),
        reference=doc["reference"].strip(),
        verified_on=doc["verified_on"],
        values=tuple(dated),
        note=str(doc.get("note", "")).strip(),
    )


@dataclass(frozen=True)
class Snapshot:
    """Every parameter's value on one day, with its citation."""

    day: dt.date
    values: dict[str, Any]
    parameters: dict[str, Parameter]

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def citation(self, name: str) -> str:
        """The parameter file's citation, in the request's language: each file's `citation:`
        line is in the catalogue (babel.cfg: loan401k.i18n's extractor)."""
        return gettext(self.parameters[name].citation)

    def stale_warnings(self) -> list[str]:
        """A computation dated past a parameter's last verified year is flagged."""
        return list(self._stale)

    @cached_property
    def _stale(self) -> tuple[str, ...]:  # a snapshot is shared (one a day): a new list each call
        stale = sorted(p.name for p in self.parameters.values() if self.day.year > p.verified_on.year)
        if not stale:
            return ()
        return (
            f"computing for {self.day.isoformat()}, past the year these parameters were last "
            f"verified: {', '.join(stale)}",
        )


class ParameterSet:
    def __init__(self, parameters: dict[str, Parameter]):
        self.parameters = parameters

    def __getitem__(self, name: str) -> Parameter:
        return self.parameters[name]

    def at(self, day: dt.date) -> Snapshot:
        return self._snapshot(day)

    @cached_property
    def first_date(self) -> dt.date:
        """The first day every parameter has a value: computations start no earlier."""
        return max(p.values[0][0] for p in self.parameters.values())

    def in_force(self, day: dt.date) -> Snapshot:
        """The law on `day`, or on the first covered day for an earlier one."""
        return self.at(max(day, self.first_date))

    @lru_cache(maxsize=64)  # noqa: B019 - the set lives for the process; one snapshot per day
    def _snapshot(self, day: dt.date) -> Snapshot:
        return Snapshot(
            day=day,
            values={name: p.at(day) for name, p in self.parameters.items()},
            parameters=self.parameters,
        )


def load_directory(directory: Path) -> ParameterSet:
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise ParameterError(f"no parameter files in {directory}")
    return ParameterSet({path.stem: load_file(path) for path in files})


@lru_cache(maxsize=1)
def parameters() -> ParameterSet:
    """The project's parameter tree, loaded once."""
    return load_directory(PARAMS_DIR)
