"""The page's orchestration: one scenario per request, read by every section (the figures
all come from `loan401k.service`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .. import service
from ..i18n import N_, _
from ..models import AnalysisResult, EventInput, InputError, LoanInput, in_words, problems_from
from ..service.by_year import schedule_by_year
from ..service.core import law_for
from ..service.events import LoanMonth, loan_month, loan_months
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
        for problem in exc.problems:  # in its units; the page names the field by its own label
            page.errors.setdefault(field_of(problem, values), in_words(problem, label=False))
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


def whatif_events(
    values: Mapping[str, str], scenario: Scenario
) -> tuple[list[dict[str, Any]], WhatIf] | None:
    """The panel's choice as one event of the scenario's loan, dated by the service
    (service.events.loan_month), with what was asked (words.whatif_question says it)."""
    kind = values.get("whatif", "")
    if kind not in dict(WHATIF_KINDS) or not kind:
        return None

    def number(name: str, default: int, low: int, high: int) -> int:
        raw = values.get(name, "").strip()
        if raw == "":
            return default
        if not (raw.isascii() and raw.isdigit()) or not low <= int(raw) <= high:
            label = next(f.label for f in WHATIF if f.name == name)
            shown = raw if len(raw) <= 20 else raw[:19] + "…"
            # TRANSLATORS: a "What if…" field out of range:
            # "In month: 99 is out of range; allowed range: 1 to 60".
            message = _("{label}: {value} is out of range; allowed range: {low} to {high}")
            raise WhatIfError(message.format(label=label, value=shown, low=low, high=high))
        return int(raw)

    last = loan_months(scenario)
    month = number("whatif_month", min(10, last), 1, last)
    if kind == "missed":
        count = number("whatif_count", 2, 1, 60)
        when = loan_month(scenario, month)
        return [{"kind": "missed_payments", "date": when.before_payment, "count": count}], WhatIf(
            kind, when, count
        )
    if kind in ("leave", "military"):
        count = number("whatif_count", 6 if kind == "leave" else 12, 1, 12 if kind == "leave" else 120)
        when = loan_month(scenario, month, count)
        return [{"kind": kind, "start": when.before_payment, "end": when.window_end}], WhatIf(
            kind, when, count
        )
    when = loan_month(scenario, month)
    if kind == "leave_job":
        return [{"kind": "separation", "date": when.after_payment}], WhatIf(kind, when)
    amount = values.get("whatif_amount", "").strip() or str(scenario.loan.terms.amount)
    event = {"kind": "refinance", "date": when.after_payment, "amount": amount, "term_months": 60}
    return [event], WhatIf(kind, when, amount=amount, term_months=60)


@dataclass(frozen=True)
class WhatIf:
    """What the panel asked: its kind, the loan's month (dated) and its numbers."""

    kind: str
    when: LoanMonth
    count: int = 0
    amount: str = ""
    term_months: int = 0


def whatif(values: Mapping[str, str], scenario: Scenario) -> dict[str, Any] | None:
    """The "What if…" panel's answer (service.events_of on the same scenario), or its error."""
    try:
        chosen = whatif_events(values, scenario)
    except WhatIfError as exc:
        return {"asked": None, "error": str(exc)}
    if chosen is None:
        return None
    listed, asked = chosen
    try:
        events = [EventInput.model_validate(event) for event in listed]
        return {"asked": asked, "result": service.events_of(scenario, events)}
    except (InputError, ValidationError) as exc:
        problems = exc.problems if isinstance(exc, InputError) else problems_from(exc, EventInput)
        said = [f"{panel_label(p.field)}: {p.message}" for p in problems]
        return {"asked": asked, "error": "; ".join(said)}


#: The panel's field for each part of its event (an error names the field the person sees).
PANEL_LABELS = {
    "amount": N_("New loan amount"),
    "count": N_("How many"),
    "date": N_("In month"),
    "start": N_("In month"),
}


def panel_label(field: str) -> str:
    """The "What if…" field an event's problem belongs to, in the request's language."""
    return _(PANEL_LABELS.get(field.split(".")[-1], N_("What if")))


def extras(
    scenario: Scenario, *, market: bool = True, values: Mapping[str, str] | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {"schedule": service.schedule_of(scenario.loan)}
    out["schedule_years"] = schedule_by_year(out["schedule"])
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
