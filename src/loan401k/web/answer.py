"""The page's orchestration: one scenario per request, read by every section (the figures
all come from `loan401k.service`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .. import service
from ..dates import add_months
from ..models import AnalysisResult, EventInput, InputError, LoanInput, problems_from
from ..service.core import law_for
from ..service.scenario import Scenario
from .form import WHATIF, WHATIF_KINDS
from .mapping import field_of, to_input


@dataclass
class Page:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    result: AnalysisResult | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario | None = None

    @property
    def body(self) -> dict[str, Any]:
        return to_input(self.values)


def analyze_page(values: dict[str, str], *, details: bool = True, market: bool = True) -> Page:
    """The page for these form values: one scenario, built once, read by every section."""
    page = Page(values=values)
    try:
        page.scenario = service.build_scenario(page.body)
        # inside the try: the analysis checks the alternatives (a HELOC without a rate)
        page.result = service.analysis_of(page.scenario)
    except InputError as exc:
        for problem in exc.problems:
            page.errors.setdefault(field_of(problem, values), problem.message)
        page.scenario = None
        return page
    if details:
        page.extras = extras(page.scenario, market=market, values=values)
    return page


def _optional(function: Any, *args: Any, **kwargs: Any) -> Any:
    """A section from a service function; a scenario it cannot price → omitted."""
    try:
        return function(*args, **kwargs)
    except (InputError, NotImplementedError, ValueError):
        return None


def typical_summary(result: AnalysisResult | None) -> str:
    inputs = result.inputs if result is not None else LoanInput()
    return "; ".join(t.text for t in service.typical_alternatives(law_for(inputs)))


def afford(values: Mapping[str, str]) -> dict[str, Any] | None:
    """The loan a payment buys on these terms (service.schedule with `payment`, no `amount`)."""
    raw = values.get("afford_payment", "").strip()
    if not raw:
        return None
    body = {k: v for k, v in to_input(values).items() if k not in ("amount", "payment")}
    try:
        return {"payment": raw, "result": service.schedule(body | {"payment": raw})}
    except InputError as exc:
        return {
            "payment": raw,
            "error": "; ".join(p.message for p in exc.problems if p.field == "payment")
            or "; ".join(p.message for p in exc.problems),
        }


class WhatIfError(ValueError):
    """A panel field out of range: shown beside the panel, never clamped."""


def whatif_events(values: Mapping[str, str], scenario: Scenario) -> tuple[list[dict[str, Any]], str] | None:
    """The panel's choice as one event of the scenario's loan, with the question in words."""
    kind = values.get("whatif", "")
    if kind not in dict(WHATIF_KINDS) or not kind:
        return None

    def number(name: str, default: int, low: int, high: int) -> int:
        raw = values.get(name, "").strip()
        if raw == "":
            return default
        if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
            label = next(f.label for f in WHATIF if f.name == name)
            raise WhatIfError(f"{label}: {raw!r} is out of range; allowed range: {low} to {high}")
        return int(raw)

    last = max(scenario.loan.last_month, 1)
    month = number("whatif_month", min(10, last), 1, last)
    start = scenario.loan.terms.start_date
    before = add_months(start, month - 1) + dt.timedelta(days=1)  # in month N, before its payment
    after = add_months(start, month) + dt.timedelta(days=1)  # just after month N's payment
    if kind == "missed":
        count = number("whatif_count", 2, 1, 60)
        question = f"I miss {count} payment{'s' if count > 1 else ''} from month {month}, then pay as before"
        return [{"kind": "missed_payments", "date": before, "count": count}], question
    if kind in ("leave", "military"):
        count = number("whatif_count", 6 if kind == "leave" else 12, 1, 12 if kind == "leave" else 120)
        end = add_months(before, count) - dt.timedelta(days=1)
        what = "go on unpaid leave" if kind == "leave" else "am called to military service"
        return [
            {"kind": kind, "start": before, "end": end}
        ], f"I {what} for {count} months from month {month}"
    if kind == "leave_job":
        return [{"kind": "separation", "date": after}], f"I leave my job in month {month}"
    amount = values.get("whatif_amount", "").strip() or str(scenario.loan.terms.amount)
    return (
        [{"kind": "refinance", "date": after, "amount": amount, "term_months": 60}],
        f"I refinance in month {month} into a new loan of {amount} over 5 years",
    )


def whatif(values: Mapping[str, str], scenario: Scenario) -> dict[str, Any] | None:
    """The "What if…" panel's answer (service.events_of on the same scenario), or its error."""
    try:
        chosen = whatif_events(values, scenario)
    except WhatIfError as exc:
        return {"question": "", "error": str(exc)}
    if chosen is None:
        return None
    listed, question = chosen
    try:
        events = [EventInput.model_validate(event) for event in listed]
        return {"question": question, "result": service.events_of(scenario, events)}
    except (InputError, ValidationError) as exc:
        problems = exc.problems if isinstance(exc, InputError) else problems_from(exc, EventInput)
        return {"question": question, "error": "; ".join(p.message for p in problems)}


def extras(
    scenario: Scenario, *, market: bool = True, values: Mapping[str, str] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"schedule": service.schedule_of(scenario.loan)}
    out["whatif"] = whatif(values or {}, scenario)
    out["afford"] = afford(values or {})
    out["comparison"], out["typical"] = service.options_of(scenario)
    out["faster"] = repay_faster(scenario, out["comparison"])
    out["market"] = market
    if market:
        out.update(market_sections(scenario))
    return out


#: Paths the page's simulation draws (the API's default is 10,000; the fan needs fewer).
PAGE_PATHS = 2000


def market_sections(scenario: Scenario) -> dict[str, Any]:
    """The history and simulation sections (the slower part; app.js fetches them on a pause)."""
    return {
        "backtest": _optional(service.backtest_of, scenario),
        "montecarlo": _optional(
            service.montecarlo_of, scenario, paths=min(scenario.inputs.paths, PAGE_PATHS)
        ),
    }


def repay_faster(scenario: Scenario, comparison: Any) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    """(months, payment, interest, cost) at 12/24/36/60 months - the comparison's payoff-speed
    rows, computed once by the service - plus your own term from this analysis."""
    rows = {
        row.term_months: (row.payment, row.total_interest, row.cost.total)
        for row in (comparison.payoff_speed if comparison is not None else [])
    }
    own = comparison.options if comparison is not None else []
    loan = next((o for o in own if o.kind == "401k_loan"), None)
    if loan is not None:
        rows[scenario.inputs.term_months] = (loan.payment, loan.interest, loan.cost)
    return [(months, *rows[months]) for months in sorted(rows)]
