"""From a query string to the page's context: the form's fields, the service's answer, charts.

The face parses and renders; every figure comes from `loan401k.service`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from .. import money, service
from ..dates import add_months
from ..models import AnalysisResult, EventInput, InputError, LoanInput, Problem, problems_from
from ..service.core import law_for
from ..service.scenario import Scenario
from . import charts


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "money"  # money | pct | int | select | bool | tri
    suffix: str = ""
    hint: str = ""
    options: tuple[tuple[str, str], ...] = ()


YEARS = tuple(
    (str(m), f"{m // 12} year{'s' if m > 12 else ''}") for m in (12, 24, 36, 48, 60, 120, 180, 240, 300)
)
FREQUENCIES = (
    ("weekly", "week"),
    ("biweekly", "two weeks"),
    ("semimonthly", "half month"),
    ("monthly", "month"),
    ("quarterly", "quarter"),
)
TRI = (("", "not answered"), ("yes", "yes"), ("no", "no"))
ALT_KINDS = (
    ("", "none"),
    ("credit_card", "credit card"),
    ("balance_transfer", "0 % balance transfer"),
    ("personal_loan", "personal loan"),
    ("heloc", "home-equity line"),
    ("hardship_withdrawal", "hardship withdrawal"),
    ("custom", "other loan"),
)

MAIN = (
    Field("amount", "Loan amount", suffix="$"),
    Field("vested_balance", "Vested balance", suffix="$", hint="Includes any loan you owe the plan now."),
    Field("age", "Your age", "int"),
    Field("annual_rate_pct", "Loan rate", "pct", "%"),
    Field("term_months", "Years to repay", "select", options=YEARS),
    Field("frequency", "Paid every", "select", options=FREQUENCIES),
    Field("contribution_monthly", "Contribute now", suffix="/mo"),
    Field(
        "contribution_during_loan_monthly",
        "…while repaying",
        suffix="/mo",
        hint="What you will put in each month while the loan is paid back.",
    ),
)
#: The guide's six questions (METHOD §9); the verdict uses the answers.
CRITERIA_FIELDS = (
    Field("crit_stable_job", "Is your job stable?", "tri", options=TRI),
    Field(
        "crit_repay_within_24_months",
        "Will you repay within 12–24 months?",
        "tri",
        options=TRI,
        hint="Unanswered: judged from the term you chose.",
    ),
    Field("crit_alternatives_exhausted", "Have you tried cheaper ways?", "tri", options=TRI),
    Field(
        "crit_prevents_catastrophe",
        "Does it prevent a catastrophe (eviction, foreclosure, medical debt in collections)?",
        "tri",
        options=TRI,
    ),
    Field(
        "crit_keeps_contributions",
        "Will you keep contributing in full?",
        "tri",
        options=TRI,
        hint="Unanswered: judged from the contributions you entered.",
    ),
    Field("crit_other_savings", "Could other savings repay it if you lost your job?", "tri", options=TRI),
)
MORE = (
    (
        "Taxes",
        (
            Field(
                "filing_status",
                "Filing status",
                "select",
                options=(
                    ("single", "single"),
                    ("married_joint", "married, joint"),
                    ("married_separate", "married, separate"),
                    ("head_of_household", "head of household"),
                ),
            ),
            Field(
                "taxable_income", "Taxable income", suffix="$", hint="With it, the real brackets are used."
            ),
            Field("marginal_rate_pct", "Tax rate now", "pct", "%"),
            Field("state_rate_pct", "State tax rate", "pct", "%"),
            Field("retirement_tax_rate_pct", "Tax rate in retirement", "pct", "%"),
            Field("source", "Money comes from", "select", options=(("pretax", "pre-tax"), ("roth", "Roth"))),
        ),
    ),
    (
        "Match",
        (
            Field("salary", "Salary", suffix="$/yr"),
            Field("match_rate_pct", "Employer match", "pct", "%", hint="Share of your contribution matched."),
            Field("match_limit_pct", "…up to", "pct", "% of pay"),
            Field("salary_growth_pct", "Salary growth", "pct", "%/yr"),
            Field(
                "contribution_pct",
                "Or contribute a share of pay",
                "pct",
                "% of pay",
                hint="Instead of a monthly amount; needs your salary.",
            ),
            Field("contribution_during_loan_pct", "…while repaying", "pct", "% of pay"),
        ),
    ),
    (
        "Repaying",
        (
            Field("start_date", "Loan starts on", "date", hint="Empty means today."),
            Field("extra_payment", "Extra each payment", suffix="$"),
            Field(
                "payoff_month", "Pay it all off in month", "int", hint="A lump sum that month ends the loan."
            ),
        ),
    ),
    (
        "Job risk",
        (
            Field("job_loss_annual_pct", "Chance of losing your job", "pct", "%/yr"),
            Field("cash_on_separation", "Cash to repay if you leave", suffix="$"),
            Field("public_safety_employee", "Public-safety employee", "bool"),
            Field("separated_from_service", "Already left this employer", "bool"),
            Field("separation_year_age", "Age in the year you left", "int"),
        ),
    ),
    (
        "Money outside",
        (
            Field(
                "carries_card_balance",
                "I carry a card balance",
                "bool",
                hint="Then money you pay toward the loan would otherwise pay down the card: it "
                '"earns" the card\'s APR.',
            ),
            Field(
                "liquidity_rate_pct",
                "Your spare cash earns",
                "pct",
                "%/yr",
                hint="While you repay: what the money you pay toward the loan would otherwise earn.",
            ),
            Field(
                "outside_tax_drag_pct",
                "Tax drag on investing outside",
                "pct",
                "% of return",
                hint="After the loan: the share of a taxable account's return lost to tax each year.",
            ),
            Field(
                "outside_return_pct",
                "Or one rate for money outside",
                "pct",
                "%/yr",
                hint="Replaces both rates above.",
            ),
        ),
    ),
    (
        "Market",
        (
            Field("annual_return_pct", "Yearly return", "pct", "%"),
            Field("inflation_pct", "Inflation", "pct", "%"),
            Field("retirement_age", "Retire at", "int"),
            Field(
                "stock_pct",
                "Stocks in the account",
                "pct",
                "%",
                hint="For the history and simulation sections; the rest in bonds.",
            ),
        ),
    ),
    ("Alternatives", ()),  # rows of alt_* fields (alt_fields), drawn by _alternatives.html
    ("The guide's six questions", CRITERIA_FIELDS),
    (
        "Plan options",
        (
            Field("outstanding_loan_balance", "Loan you owe now", suffix="$"),
            Field("highest_loan_balance_12m", "Highest loan balance, last 12 months", suffix="$"),
            Field("existing_loans", "Loans you have now", "int"),
            Field("origination_fee", "Set-up fee", suffix="$"),
            Field("annual_fee", "Yearly fee", suffix="$"),
            Field(
                "purpose",
                "Purpose",
                "select",
                options=(("general", "general"), ("residence", "buying a home")),
            ),
            Field("allow_10k_floor", "Plan allows the $10,000 floor", "bool"),
            Field("disaster_loan", "Qualified-disaster loan", "bool"),
        ),
    ),
)
#: The "What if…" panel (issue "What happens if…"): page-only fields that become one event.
WHATIF_KINDS = (
    ("", "choose…"),
    ("missed", "I miss payments"),
    ("leave", "I go on unpaid leave"),
    ("military", "I'm called to military service"),
    ("leave_job", "I leave my job"),
    ("refinance", "I refinance"),
)
WHATIF = (
    Field("whatif", "What if…", "select", options=WHATIF_KINDS),
    Field("whatif_month", "In month", "int", hint="Of the loan: month 1 is the first payment."),
    Field(
        "whatif_count",
        "How many",
        "int",
        hint="Payments missed, or months of leave or service.",
    ),
    Field("whatif_amount", "New loan amount", suffix="$", hint="Refinancing only: the new loan's amount."),
)
WHATIF_NAMES = tuple(f.name for f in WHATIF)

#: Alternatives: several rows of the same five fields (alt_kind_0, alt_apr_pct_0, ...).
ALT_ROWS = 4  # rows the form always offers
MAX_ALTS = 20  # LoanInput.alternatives max_length
ALT_VISIBLE = (
    ("kind", "Kind", "select", "", ALT_KINDS),
    ("apr_pct", "APR", "pct", "%", ()),
    ("term_months", "Term", "int", "months", ()),
    ("fee_pct", "Fee", "pct", "%", ()),
    ("promo_months", "Months at 0 %", "int", "", ()),
)
ALT_HIDDEN = ("label", "fee", "promo_apr_pct")  # saved through the API; carried, not shown


def alt_fields(row: int) -> tuple[Field, ...]:
    return tuple(
        Field(f"alt_{key}_{row}", label, kind, suffix, options=options)
        for key, label, kind, suffix, options in ALT_VISIBLE
    )


ALT_FIELDS = tuple(f for row in range(MAX_ALTS) for f in alt_fields(row))
ALL_FIELDS = MAIN + tuple(f for _, group in MORE for f in group)
BY_NAME = {f.name: f for f in ALL_FIELDS + ALT_FIELDS}
_ALT_NAME = re.compile(r"alt_([a-z_]+)_(\d+)")
#: LoanInput fields the form has no control for: they travel as hidden inputs, so a saved
#: scenario or a shared link keeps every field (`to_input(from_input(x)) == x`).
HIDDEN = tuple(
    name
    for name in LoanInput.model_fields
    if name not in BY_NAME and name not in ("alternatives", "criteria")
)
HIDDEN_ALT = tuple(f"alt_{key}_{row}" for row in range(MAX_ALTS) for key in ALT_HIDDEN)
KNOWN = set(BY_NAME) | set(HIDDEN) | set(HIDDEN_ALT) | set(WHATIF_NAMES)
#: Share links from before the form had several alternatives.
LEGACY = {"alt_kind": "alt_kind_0", "alt_apr_pct": "alt_apr_pct_0", "alt_term_months": "alt_term_months_0"}
#: What a first visit shows: the sketch's scenario, so the answer is never empty.
STARTER = {
    "amount": "15000",
    "vested_balance": "60000",
    "age": "35",
    "contribution_monthly": "400",
    "contribution_during_loan_monthly": "400",
}
#: Inputs the web face fills when the form leaves them out (a select always sends one).
SELECT_DEFAULTS = {
    "term_months": "60",
    "frequency": "monthly",
    "filing_status": "single",
    "source": "pretax",
    "purpose": "general",
}


def form_values(query: Mapping[str, str]) -> dict[str, str]:
    """The raw text of each known field; a first visit (no known field) gets the starter."""
    values = {name: str(query[name]).strip() for name in KNOWN if name in query}
    for old, new in LEGACY.items():
        if old in query and new not in values:
            values[new] = str(query[old]).strip()
    if not any(values.values()):
        values = dict(STARTER)
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


# --------------------------------------------------------------------------- charts


#: The parts of the cost (METHOD v2 §4), short labels for the chart and the page.
COST_PARTS = (
    ("price_of_credit", "Price of the credit"),
    ("plan_difference", "401(k) difference"),
    ("contributions", "Contributing less"),
    ("job_loss", "Leaving your job"),
    ("fees", "Fees"),
    ("excess", "Over the limit"),
)


def cost_parts(result: AnalysisResult) -> list[tuple[str, str, Decimal, str]]:
    values = [getattr(result.cost, key) for key, _ in COST_PARTS]
    classes = charts.bar_legend_classes(values)
    return [
        (key, label, value, cls) for (key, label), value, cls in zip(COST_PARTS, values, classes, strict=True)
    ]


def chart_set(page: Page) -> dict[str, str]:
    result = page.result
    if result is None:
        return {}
    out = {
        "breakdown": charts.breakdown_bar(
            [(label, value) for _, label, value, _ in cost_parts(result)],
            "How the cost splits: "
            + "; ".join(f"{label} {charts.usd_short(value)}" for _, label, value, _ in cost_parts(result)),
        ),
    }
    years = result.balances.by_year
    if years:
        out["balance"] = charts.line_chart(
            [y.age for y in years],
            [
                ("Without the loan", [y.no_loan for y in years], charts.COOL, False),
                ("With the loan", [y.with_loan for y in years], charts.WARM, True),
            ],
            f"Balance by age: {charts.usd_short(result.balances.no_loan)} without the loan, "
            f"{charts.usd_short(result.balances.with_loan)} with it at {result.inputs.retirement_age}",
            "age",
        )
    table = result.job_loss_table
    if table:
        out["job_loss"] = charts.line_chart(
            [row.month for row in table],
            [("Tax + penalty", [row.total for row in table], charts.WARM, False)],
            f"Tax and penalty if you leave your job: {charts.usd_short(table[0].total)} in month "
            f"{table[0].month}, falling to {charts.usd_short(table[-1].total)} by month {table[-1].month}",
            "month you leave",
        )
    schedule = page.extras.get("schedule")
    if schedule is not None and schedule.rows:
        out["schedule"] = schedule_chart(schedule)
    comparison = page.extras.get("comparison")
    if comparison is not None and getattr(comparison, "options", None):
        out["comparison"] = charts.hbars(
            [(option.label, option.cost) for option in comparison.options], "Your options ranked by cost"
        )
    backtest = page.extras.get("backtest")
    if backtest is not None and getattr(backtest, "by_start_year", None):
        rows = backtest.by_start_year
        out["backtest"] = charts.signed_bars(
            [row.start_year for row in rows],
            [row.total for row in rows],
            f"Cost of the loan by the year it started, {rows[0].start_year} to {rows[-1].start_year}: "
            f"from {charts.usd_short(backtest.percentiles.min)} "
            f"to {charts.usd_short(backtest.percentiles.max)}; "
            f"bars below the zero line are start years where the loan came out cheaper",
            "start year",
        )
    montecarlo = page.extras.get("montecarlo")
    if montecarlo is not None and getattr(montecarlo, "fan", None):
        fan = montecarlo.fan
        out["montecarlo"] = charts.line_chart(
            [row.age for row in fan],
            [
                (label, [getattr(row, key) for row in fan], colour, dashed)
                for key, label, colour, dashed, _ in FAN_LINES
            ],
            "Balance with the loan across simulated markets by age: "
            + "; ".join(
                f"{label} {charts.usd_short(getattr(fan[-1], key))} at {fan[-1].age}"
                for key, label, _, _, _ in FAN_LINES
            ),
            "age",
        )
    return out


#: The Monte Carlo fan's lines: (field, label, colour, dashed, legend class).
FAN_LINES = (
    ("p90", "90th percentile", charts.COOL, True, "cool dashed"),
    ("p50", "Median", charts.INK, False, "ink"),
    ("p10", "10th percentile", charts.WARM, True, "warm dashed"),
)


def balance_note(result: AnalysisResult) -> str:
    """Why the balance chart can end higher with the loan while the loan still costs money."""
    if result.balances.with_loan > result.balances.no_loan and result.cost.total > 0:
        return (
            "The balance with the loan ends higher because the interest you pay yourself "
            "outgrows what the borrowed money would have earned, yet the loan still costs "
            "money: the payments came out of your pay, money that would otherwise have earned "
            "something outside the plan, and leaving your job before repaying has a price."
        )
    return ""


def schedule_chart(schedule: Any) -> str:
    rows = schedule.rows
    if len(rows) <= 60:
        xs = [row.n for row in rows]
        principal = [row.principal for row in rows]
        interest = [row.interest for row in rows]
        x_label = "payment"
    else:  # group by year so the bars stay readable
        per_year = schedule.payments_per_year
        xs, principal, interest = [], [], []
        for start in range(0, len(rows), per_year):
            chunk = rows[start : start + per_year]
            xs.append(start // per_year + 1)
            principal.append(sum((r.principal for r in chunk), Decimal(0)))
            interest.append(sum((r.interest for r in chunk), Decimal(0)))
        x_label = "year"
    return charts.stacked_bars(
        xs,
        [("Principal", principal, charts.COOL), ("Interest", interest, charts.WARM)],
        f"Each payment split into principal and interest; total interest "
        f"{charts.usd_short(schedule.total_interest)}",
        x_label,
    )


# --------------------------------------------------------------------------- words

PER = {
    "weekly": "a week",
    "biweekly": "every two weeks",
    "semimonthly": "twice a month",
    "monthly": "a month",
    "quarterly": "a quarter",
}
#: Defaults the service applies that are not listed in `assumptions`, with where they come from.
DEFAULT_NOTES = {
    "marginal_rate_pct": "a common federal bracket; enter taxable income for exact brackets",
    "state_rate_pct": "enter your state's rate if it taxes withdrawals",
    "retirement_age": "the usual planning age",
    "term_months": "the law's five-year limit for a general loan (IRC §72(p)(2)(B))",
}


def per(frequency: str) -> str:
    return PER.get(frequency, "each period")


def term(months: int) -> str:
    if months % 12 == 0:
        years = months // 12
        return f"{years} year{'s' if years != 1 else ''}"
    return f"{months} months"


def cost_verb(total: Decimal) -> str:
    return "costs you about" if total >= 0 else "leaves you ahead by about"


def reasons(items: list[str]) -> str:
    return f"{len(items)} reason{'s' if len(items) != 1 else ''}"


def more_open(page: Page) -> bool:
    """Open the "More" panel when it holds a value or an error the person must see."""
    main = {f.name for f in MAIN}
    carried = set(HIDDEN) | set(HIDDEN_ALT)
    return any(name not in main for name in page.errors) or any(
        v and name not in main and name not in SELECT_DEFAULTS and name not in carried
        for name, v in page.values.items()
    )


@dataclass(frozen=True)
class Note:
    placeholder: str
    text: str


def default_note(spec: Field, result: AnalysisResult | None) -> Note | None:
    """Every default visible and cited: the value the service used, and its source."""
    if result is None or spec.kind in ("bool", "tri") or spec.name.startswith("alt_"):
        return None
    used = getattr(result.inputs, spec.name, None)
    if spec.name == "liquidity_rate_pct" and used is None and result.outside.liquidity_source == "t_bill":
        used = result.outside.liquidity_rate_pct  # derived, not stored: the default follows each year
    if used is None:
        return None
    source = next((a.source for a in result.assumptions if a.name == spec.name), None)
    source = source or DEFAULT_NOTES.get(spec.name)
    if source is None:
        return None
    shown = f"{used.normalize():f}" if isinstance(used, Decimal) else f"{used}"
    if source.lower().startswith("default "):
        source = source[8:]
    text = f"Default {shown}{'%' if spec.kind == 'pct' else ''}: {source}."
    if spec.kind == "select":
        text = f"Default {term(int(used)) if spec.name == 'term_months' else used}: {source}."
    return Note(placeholder=shown, text=text)


def step_texts(result: AnalysisResult) -> dict[str, str]:
    """The service's sentence for each part of the cost (the same on every face)."""
    return {step.rule: step.text for step in result.steps}


def cheapest_sentence(comparison: Any) -> str:
    """Which option is cheapest, in one sentence (the 401(k) row is the answer's own figure)."""
    options = comparison.options
    best = options[0]
    loan = next(o for o in options if o.kind == "401k_loan")
    if best.kind == "401k_loan":
        if len(options) == 1:
            return f"The 401(k) loan costs {money.usd(loan.cost, whole=True)} at retirement."
        runner = options[1]
        return (
            f"The 401(k) loan is the cheapest of these: {money.usd(loan.cost, whole=True)}, against "
            f"{money.usd(runner.cost, whole=True)} for the next, {runner.label}."
        )
    return (
        f"{best.label} is cheapest: {money.usd(best.cost, whole=True)}, "
        f"{money.usd(loan.cost - best.cost, whole=True)} less than the 401(k) loan."
    )
