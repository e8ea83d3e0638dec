"""The published schema (/openapi.json) as the contract: what each endpoint requires, and what
is valid in words a JSON Schema tool reads (issue 17).

Validation stays the one `LoanInput` model's (so the API's messages stay the CLI's); this
module only says more in the schema:

- each calculation's body is `LoanInput` under its own name (`LoanInputLimit`, ...) whose
  `required` lists what that endpoint needs (service/core.py's `prepare(...)` calls,
  service/scenario.py's `build_scenario`), those fields not nullable;
- money and percent fields are plain numbers with standard `minimum` / `maximum` /
  `exclusiveMinimum` (and `multipleOf: 0.01` for money), read from the model's own bounds;
  pydantic writes them as `anyOf [number, string]` with its private `ge`/`le` keys;
- the rules between fields that JSON Schema can state: pairs that exclude each other, the
  salary that percent contributions and a match need, the term cap by purpose, what an
  alternative of each kind needs or cannot take, the dates the parameter files cover.

Rules it cannot state (age before retirement_age, an outstanding balance within the vested
balance, a payoff month within the term, the Monte Carlo work budget) stay 422s.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict

from . import models
from .models import LoanInput, field_bounds


@dataclass(frozen=True)
class Required:
    """What one endpoint needs: every field of `fields`, and one field of `one_of` (if any)."""

    fields: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()


ANALYSIS = Required(("age", "vested_balance", "amount"))
#: per operation id; tests/api/test_schema.py holds each entry to the service's own checks
REQUIRED: dict[str, Required] = {
    "limit": Required(("vested_balance",)),
    "schedule": Required(one_of=("amount", "payment")),  # a payment: the amount it buys
    "distribution": Required(("age",), one_of=("amount", "net")),
    "analysis": ANALYSIS,
    "comparison": ANALYSIS,
    "backtest": ANALYSIS,
    "montecarlo": ANALYSIS,
    "events": ANALYSIS,  # service/events.py builds the scenario
    "scenario": ANALYSIS,  # a save must be computable (the page prices it)
}

#: Fields of which at most one may be given (service/core.py check_consistency).
EXCLUSIVE = (
    ("contribution_monthly", "contribution_pct"),
    ("contribution_during_loan_monthly", "contribution_during_loan_pct"),
    ("amount", "net"),
)
#: Fields that need a salary above 0 when given (a match: when above 0).
NEEDS_SALARY = ("contribution_pct", "contribution_during_loan_pct")


def _non_null(node: dict[str, Any]) -> dict[str, Any]:
    """A property's schema without its `null` branch (pydantic's `X | None`)."""
    branches = node.get("anyOf")
    if not branches:
        return node
    kept = [b for b in branches if b.get("type") != "null"]
    if len(kept) != 1 or len(kept) == len(branches):
        return node
    out = {key: value for key, value in node.items() if key not in ("anyOf", "default")}
    return {**kept[0], **out}


def _required_extra(required: Required) -> Any:
    def extra(schema: dict[str, Any], _cls: Any) -> None:
        properties = schema.get("properties", {})
        for name in (*required.fields, *required.one_of):
            if name in properties:
                properties[name] = _non_null(properties[name])
        if required.fields:
            schema["required"] = list(required.fields)
        if required.one_of:
            schema.setdefault("allOf", []).append({"anyOf": [{"required": [n]} for n in required.one_of]})

    return extra


_MODELS: dict[str, type[LoanInput]] = {}
_REQUIRED_OF: dict[type[BaseModel], Required] = {}


def request_model(operation: str, required: Required | None = None) -> type[LoanInput]:
    """`LoanInput` under the name `LoanInput<Operation>`, its schema marking what `operation`
    requires. The same fields, validation and messages: only the schema differs."""
    if operation not in _MODELS:
        needs = required or REQUIRED.get(operation, Required())
        listed = ", ".join(needs.fields) + (f"; one of {', '.join(needs.one_of)}" if needs.one_of else "")
        _MODELS[operation] = type(
            "LoanInput" + operation.title().replace("_", ""),
            (LoanInput,),
            {
                "__module__": __name__,
                "__doc__": f"The input fields for {operation} (required: {listed or 'none'}). "
                "Every other field has a documented default (docs/api.md, CONTRACT.md).",
                "model_config": ConfigDict(json_schema_extra=_required_extra(needs)),
            },
        )
        _REQUIRED_OF[_MODELS[operation]] = needs
    return _MODELS[operation]


# --------------------------------------------------------------------------- numbers


PRIVATE = ("ge", "le", "gt", "lt", "decimal_places", "max_digits")


def _is_decimal(node: dict[str, Any]) -> bool:
    """pydantic's Decimal: `anyOf [number, string]` as input, `[integer, number]` as output
    (the JSON serializer's int | float), with its private bound keys beside the anyOf."""
    branches = node.get("anyOf") or []
    types = {b.get("type") for b in branches}
    return (
        bool(branches)
        and types <= {"number", "string", "integer"}
        and "number" in types
        and (any(key in node for key in PRIVATE) or types == {"number", "string"})
    )


def _number(value: Any) -> Any:
    """A bound or default as a JSON number: 60.0 -> 60, "22" -> 22, "6.5" -> 6.5."""
    if isinstance(value, bool) or value is None:
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _standard_decimal(node: dict[str, Any]) -> dict[str, Any]:
    """pydantic's Decimal (`anyOf [number, string]`, private ge/le/gt/decimal_places) as a
    plain JSON number with the standard keywords."""
    out: dict[str, Any] = {"type": "number"}
    for private, standard in (
        ("ge", "minimum"),
        ("le", "maximum"),
        ("gt", "exclusiveMinimum"),
        ("lt", "exclusiveMaximum"),
    ):
        if private in node:
            out[standard] = _number(node[private])
    places = node.get("decimal_places", getattr(models, "PCT_MAX_PLACES", None))
    accepts_text = any(b.get("type") == "string" for b in node.get("anyOf", ()))
    if places is not None and accepts_text:  # input: cents; a percent: PCT_MAX_PLACES places
        out["multipleOf"] = 0.01 if places == 2 else float(f"1e-{places}")
    for key, value in node.items():
        if key != "anyOf" and key not in PRIVATE:
            out[key] = _number(value) if key == "default" else value
    return out


def _walk(node: Any) -> Any:
    if isinstance(node, list):
        return [_walk(item) for item in node]
    if not isinstance(node, dict):
        return node
    if _is_decimal(node):
        node = _standard_decimal(node)
    return {key: _walk(value) for key, value in node.items()}


def _branch(node: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of a property (itself when it is not nullable)."""
    branch: dict[str, Any]
    for branch in node.get("anyOf", ()):
        if branch.get("type") != "null":
            return branch
    return node


def _exact_bounds(component: dict[str, Any], model: type[BaseModel]) -> None:
    """The model's bounds, exactly (pydantic writes 2**63 - 1 as the float 9.223372036854776e18)."""
    for name, node in component.get("properties", {}).items():
        bounds = field_bounds(model, name)
        if bounds is None:
            continue
        low, high, strict = bounds
        branch = _branch(node)
        if branch.get("type") not in ("integer", "number"):
            continue
        for key in ("minimum", "maximum", "exclusiveMinimum"):
            branch.pop(key, None)
        if low is not None:
            branch["exclusiveMinimum" if strict else "minimum"] = _number(low) if strict else int(low)
        if high is not None:
            branch["maximum"] = int(high) if float(high).is_integer() else _number(high)
        if "default" in node:
            node["default"] = _number(node["default"])
    if model is LoanInput or (isinstance(model, type) and issubclass(model, LoanInput)):
        # an age of 100 is never valid: retirement_age (at most 100) must come after it
        retirement = field_bounds(LoanInput, "retirement_age")
        age = component.get("properties", {}).get("age")
        if retirement is not None and age is not None:
            _branch(age)["maximum"] = int(retirement[1]) - 1


# --------------------------------------------------------------------------- rules between fields


def _given(name: str) -> dict[str, Any]:
    """`name` is present and not null."""
    return {"required": [name], "properties": {name: {"not": {"type": "null"}}}}


def _year_pattern(first: int, last: int) -> str:
    """A regex of the four-digit years first..last (same century, 2000s)."""
    parts = []
    year = first
    while year <= last:
        decade_end = year - year % 10 + 9
        if year % 10 == 0 and decade_end <= last:
            parts.append(f"{year // 10}[0-9]")
            year += 10
        else:
            top = min(decade_end, last)
            parts.append(f"{year // 10}[{year % 10}-{top % 10}]" if top > year else str(year))
            year = top + 1
    return "|".join(parts)


def _loan_rules(required: Required) -> list[dict[str, Any]]:
    from .params import parameters

    law = parameters().in_force(dt.date.today())
    general, residence = int(law["loan_max_term_months"]), int(law["residence_term_cap_months"])
    # Stated through presence (dependentSchemas) where it can be: a generator weighs each
    # if/then or not(allOf) as two branches, and the branches multiply. Presence is a little
    # stricter than the service (which reads a null as absent): fine for a contract.
    paid = {"required": ["salary"], "properties": {"salary": {"type": "number", "exclusiveMinimum": 0}}}
    depends: dict[str, dict[str, Any]] = {}
    asked = {*required.fields, *required.one_of}
    for first, second in EXCLUSIVE:
        # amount/net: stated only where the body asks for one of them (schemathesis's
        # canonicalizer gives up on it beside a nullable amount: the limit's)
        if first == "amount" and not asked & {first, second}:
            continue
        depends[second] = {"properties": {first: {"type": "null"}}}
    for name in NEEDS_SALARY:
        depends[name] = {"allOf": [depends[name], paid]} if name in depends else paid
    rules: list[dict[str, Any]] = [{"dependentSchemas": depends}]
    rules.append(
        {
            "if": {"required": ["match_rate_pct"], "properties": {"match_rate_pct": {"exclusiveMinimum": 0}}},
            "then": paid,
        }
    )
    rules.append(
        {
            "if": {"required": ["purpose"], "properties": {"purpose": {"const": "residence"}}},
            "then": {"properties": {"term_months": {"maximum": residence}}},
            "else": {"properties": {"term_months": {"maximum": general}}},
        }
    )
    return rules


def _start_date(component: dict[str, Any]) -> None:
    from .params import parameters

    node = component.get("properties", {}).get("start_date")
    if node is None:
        return
    first = parameters().first_date
    first_year = first.year if (first.month, first.day) == (1, 1) else first.year + 1
    branch = _branch(node)
    branch["pattern"] = rf"^({_year_pattern(first_year, 2099)})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
    node.setdefault("description", f"A date from {first_year}-01-01 (the parameter files' first date)")


ALTERNATIVE_RULES: list[dict[str, Any]] = [
    {
        "if": {"properties": {"kind": {"const": "hardship_withdrawal"}}},
        "then": {  # a withdrawal is not repaid: no rate, term or fee
            "properties": {
                name: {"type": "null"}
                for name in ("apr_pct", "term_months", "fee_pct", "fee", "promo_months", "promo_apr_pct")
            }
        },
        "else": _given("apr_pct"),
    },
    {
        "if": {"properties": {"kind": {"not": {"const": "balance_transfer"}}}},
        "then": {"properties": {"promo_months": {"type": "null"}, "promo_apr_pct": {"type": "null"}}},
    },
    {"not": {"allOf": [_given("fee"), _given("fee_pct")]}},
]


# --------------------------------------------------------------------------- the document


def _input_models() -> dict[str, type[BaseModel]]:
    found: dict[str, type[BaseModel]] = {"LoanInput": LoanInput, "Alternative": models.Alternative}
    found["Criteria"] = models.Criteria
    if hasattr(models, "EventInput"):
        found["EventInput"] = models.EventInput
    found.update({model.__name__: model for model in _MODELS.values()})
    return found


def _refs(node: Any, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            found.add(ref.rsplit("/", 1)[1])
        for value in node.values():
            _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)
    return found


def _reachable(start: set[str], schemas: dict[str, Any]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        name = todo.pop()
        if name in seen or name not in schemas:
            continue
        seen.add(name)
        todo.extend(_refs(schemas[name], set()))
    return seen


def _request_only(document: dict[str, Any]) -> set[str]:
    """Components only request bodies use: the rules between input fields belong there, not
    on a result that echoes the input with its defaults written in."""
    schemas = document.get("components", {}).get("schemas", {})
    requests: set[str] = set()
    responses: set[str] = set()
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict):
                _refs(operation.get("requestBody", {}), requests)
                _refs(operation.get("responses", {}), responses)
    return _reachable(requests, schemas) - _reachable(responses, schemas)


def standardize(document: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI document with standard number keywords and the stated cross-field rules."""
    document = _walk(copy.deepcopy(document))
    by_title = _input_models()
    inputs_only = _request_only(document)
    for name, component in document.get("components", {}).get("schemas", {}).items():
        model = by_title.get(component.get("title", ""))
        if model is None:
            continue
        _exact_bounds(component, model)
        if name not in inputs_only:
            continue
        if issubclass(model, LoanInput):
            component.setdefault("allOf", []).extend(_loan_rules(_REQUIRED_OF.get(model, Required())))
            _start_date(component)
        if model is models.Alternative:
            component.setdefault("allOf", []).extend(copy.deepcopy(ALTERNATIVE_RULES))
    return document


def install(app: FastAPI) -> None:
    """Serve the standardized document at /openapi.json (built once, on first request)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = standardize(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    openapi_version=app.openapi_version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
