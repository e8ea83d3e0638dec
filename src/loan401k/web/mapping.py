"""Form values <-> the API's input object (the same mapping app.js makes), and problems back
to the field they belong to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..models import Problem
from .form import (
    _ALT_NAME,
    ALT_ROWS,
    BY_NAME,
    HIDDEN,
    HIDDEN_ALT,
    KNOWN,
    LEGACY,
    MAX_ALTS,
    STARTER,
    WHATIF_NAMES,
)


def form_values(query: Mapping[str, str]) -> dict[str, str]:
    """The raw text of each known field; a first visit (no known field) gets the starter."""
    values = {name: str(query[name]).strip() for name in KNOWN if name in query}
    for old, new in LEGACY.items():
        if old in query and new not in values:
            values[new] = str(query[old]).strip()
    if not any(v for name, v in values.items() if name != "plan"):
        # a first visit, to the page or to a plan's embed (/embed?plan=ID): the starter
        values = dict(STARTER) | ({"plan": values["plan"]} if values.get("plan") else {})
    return values


def alt_rows(values: Mapping[str, str]) -> list[int]:
    """Indices of the alternative rows that name a kind, in order (the API's list order)."""
    rows = []
    for name, raw in values.items():
        match = _ALT_NAME.fullmatch(name)
        if match and match.group(1) == "kind" and raw:
            rows.append(int(match.group(2)))
    return sorted(rows)


def shown_alt_rows(values: Mapping[str, str]) -> int:
    """How many alternative rows the form shows: at least ALT_ROWS, and every filled one."""
    used = [int(m.group(2)) for name in values if (m := _ALT_NAME.fullmatch(name)) and values[name]]
    return min(MAX_ALTS, max([ALT_ROWS, *(i + 1 for i in used)]))


def to_input(values: Mapping[str, str]) -> dict[str, Any]:
    """The API body for these form values (the same mapping app.js makes)."""
    data: dict[str, Any] = {}
    alternatives: dict[int, dict[str, Any]] = {}
    criteria: dict[str, bool] = {}
    for name, raw in values.items():
        spec = BY_NAME.get(name)
        if spec is not None and spec.kind == "bool":
            if raw and raw.lower() not in ("0", "false", "off", "no"):
                data[name] = True
            continue
        if raw == "" or name in WHATIF_NAMES:  # the panel's fields are the page's own
            continue
        if match := _ALT_NAME.fullmatch(name):
            alternatives.setdefault(int(match.group(2)), {})[match.group(1)] = raw
        elif name.startswith("crit_"):
            criteria[name[5:]] = raw == "yes"
        else:
            data[name] = raw
    listed = [alternatives[i] for i in sorted(alternatives) if alternatives[i].get("kind")]
    if listed:
        data["alternatives"] = listed
    if criteria:
        data["criteria"] = criteria
    return data


def from_input(data: Mapping[str, Any]) -> dict[str, str]:
    """Form values for a saved input object (the inverse of `to_input`): every field."""
    values: dict[str, str] = {}
    for name, value in data.items():
        if value is None or name in ("alternatives", "criteria"):
            continue
        spec = BY_NAME.get(name)
        if spec is not None and spec.kind == "bool":
            values[name] = "on" if value else ""
        elif isinstance(value, bool):
            values[name] = "true" if value else "false"
        elif name in KNOWN:
            values[name] = str(value)
    for row, alternative in enumerate((data.get("alternatives") or [])[:MAX_ALTS]):
        for key, value in alternative.items():
            if value is not None and f"alt_{key}_{row}" in KNOWN:
                values[f"alt_{key}_{row}"] = str(value)
    for key, value in (data.get("criteria") or {}).items():
        if f"crit_{key}" in BY_NAME and value is not None:
            values[f"crit_{key}"] = "yes" if value else "no"
    return values


def hidden_values(values: Mapping[str, str]) -> list[tuple[str, str]]:
    """The hidden inputs the form carries for these values."""
    return [(name, values[name]) for name in (*HIDDEN, *HIDDEN_ALT) if values.get(name, "") != ""]


def field_of(problem: Problem, values: Mapping[str, str] | None = None) -> str:
    """The form field a problem belongs to ("alternatives.1.apr_pct" → "alt_apr_pct_<row>")."""
    parts = problem.field.split(".")
    if parts[0] == "alternatives" and len(parts) > 2 and parts[1].isdigit():
        rows = alt_rows(values or {})
        index = int(parts[1])
        row = rows[index] if index < len(rows) else index
        return f"alt_{parts[-1]}_{row}"
    if parts[0] == "criteria" and len(parts) > 1:
        return "crit_" + parts[-1]
    return parts[0]
