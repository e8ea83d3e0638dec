"""From a query string to the page's context: the form's fields, the service's answer, charts.

The face parses and renders; every figure comes from `loan401k.service`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import service
from ..models import AnalysisResult, InputError, Problem
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
FREQUENCIES = (("weekly", "week"), ("biweekly", "two weeks"), ("semimonthly", "half month"),
               ("monthly", "month"), ("quarterly", "quarter"))
TRI = (("", "not answered"), ("yes", "yes"), ("no", "no"))

MAIN = (
    Field("amount", "Loan amount", suffix="$"),
    Field("vested_balance", "Vested balance", suffix="$", hint="Includes any loan you owe the plan now."),
    Field("age", "Your age", "int"),
    Field("annual_rate_pct", "Loan rate", "pct", "%"),
    Field("term_months", "Years to repay", "select", options=YEARS),
    Field("frequency", "Paid every", "select", options=FREQUENCIES),
    Field("contribution_monthly", "Contribute now", suffix="/mo"),
    Field("contribution_during_loan_monthly", "…while repaying", suffix="/mo",
          hint="What you will put in each month while the loan is paid back."),
)
MORE = (
    ("Taxes", (
        Field("filing_status", "Filing status", "select", options=(
            ("single", "single"), ("married_joint", "married, joint"),
            ("married_separate", "married, separate"), ("head_of_household", "head of household"))),
        Field("taxable_income", "Taxable income", suffix="$", hint="With it, the real brackets are used."),
        Field("marginal_rate_pct", "Tax rate now", "pct", "%"),
        Field("state_rate_pct", "State tax rate", "pct", "%"),
        Field("retirement_tax_rate_pct", "Tax rate in retirement", "pct", "%"),
        Field("source", "Money comes from", "select", options=(("pretax", "pre-tax"), ("roth", "Roth"))),
    )),
    ("Match", (
        Field("salary", "Salary", suffix="$/yr"),
        Field("match_rate_pct", "Employer match", "pct", "%", hint="Share of your contribution matched."),
        Field("match_limit_pct", "…up to", "pct", "% of pay"),
        Field("salary_growth_pct", "Salary growth", "pct", "%/yr"),
    )),
    ("Job risk", (
        Field("job_loss_annual_pct", "Chance of losing your job", "pct", "%/yr"),
        Field("cash_on_separation", "Cash to repay if you leave", suffix="$"),
        Field("public_safety_employee", "Public-safety employee", "bool"),
    )),
    ("Market", (
        Field("annual_return_pct", "Yearly return", "pct", "%"),
        Field("inflation_pct", "Inflation", "pct", "%"),
        Field("retirement_age", "Retire at", "int"),
    )),
    ("Alternatives", (
        Field("alt_kind", "Another way to raise it", "select", options=(
            ("", "none"), ("credit_card", "credit card"), ("balance_transfer", "balance transfer"),
            ("personal_loan", "personal loan"), ("heloc", "home-equity line"),
            ("hardship_withdrawal", "hardship withdrawal"))),
        Field("alt_apr_pct", "Its APR", "pct", "%"),
        Field("alt_term_months", "Its term", "int", "months"),
        Field("crit_stable_job", "Is your job stable?", "tri", options=TRI),
        Field("crit_alternatives_exhausted", "Tried cheaper ways?", "tri", options=TRI),
        Field("crit_prevents_catastrophe", "Does it prevent a catastrophe?", "tri", options=TRI),
        Field("crit_other_savings", "Other savings to repay it?", "tri", options=TRI),
    )),
    ("Plan options", (
        Field("outstanding_loan_balance", "Loan you owe now", suffix="$"),
        Field("highest_loan_balance_12m", "Highest loan balance, last 12 months", suffix="$"),
        Field("existing_loans", "Loans you have now", "int"),
        Field("origination_fee", "Set-up fee", suffix="$"),
        Field("annual_fee", "Yearly fee", suffix="$"),
        Field("purpose", "Purpose", "select",
              options=(("general", "general"), ("residence", "buying a home"))),
        Field("allow_10k_floor", "Plan allows the $10,000 floor", "bool"),
        Field("disaster_loan", "Qualified-disaster loan", "bool"),
    )),
)
ALL_FIELDS = MAIN + tuple(f for _, group in MORE for f in group)
BY_NAME = {f.name: f for f in ALL_FIELDS}
#: What a first visit shows: the sketch's scenario, so the answer is never empty.
STARTER = {"amount": "15000", "vested_balance": "60000", "age": "35",
           "contribution_monthly": "400", "contribution_during_loan_monthly": "400"}
#: Inputs the web face fills when the form leaves them out (a select always sends one).
SELECT_DEFAULTS = {"term_months": "60", "frequency": "monthly", "filing_status": "single",
                   "source": "pretax", "purpose": "general"}


def form_values(query: Mapping[str, str]) -> dict[str, str]:
    """The raw text of each known field; a first visit (no known field) gets the starter."""
    values = {name: str(query[name]).strip() for name in BY_NAME if name in query}
    if not any(values.values()):
        values = dict(STARTER)
    return values


def to_input(values: Mapping[str, str]) -> dict[str, Any]:
    """The API body for these form values (the same mapping app.js makes)."""
    data: dict[str, Any] = {}
    alternative: dict[str, Any] = {}
    criteria: dict[str, bool] = {}
    for name, raw in values.items():
        spec = BY_NAME[name]
        if spec.kind == "bool":
            if raw and raw.lower() not in ("0", "false", "off", "no"):
                data[name] = True
            continue
        if raw == "":
            continue
        if name.startswith("alt_"):
            alternative[name[4:]] = raw
        elif name.startswith("crit_"):
            criteria[name[5:]] = raw == "yes"
        else:
            data[name] = raw
    if alternative.get("kind"):
        data["alternatives"] = [alternative]
    if criteria:
        data["criteria"] = criteria
    return data


def field_of(problem: Problem) -> str:
    """The form field a problem belongs to ("alternatives.0.apr_pct" → "alt_apr_pct")."""
    parts = problem.field.split(".")
    if parts[0] == "alternatives" and len(parts) > 2:
        return "alt_" + parts[-1]
    if parts[0] == "criteria" and len(parts) > 1:
        return "crit_" + parts[-1]
    return parts[0]


@dataclass
class Page:
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    result: AnalysisResult | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def body(self) -> dict[str, Any]:
        return to_input(self.values)


def analyze_page(values: dict[str, str], *, details: bool = True) -> Page:
    page = Page(values=values)
    try:
        page.result = service.analyze(page.body)
    except InputError as exc:
        for problem in exc.problems:
            page.errors.setdefault(field_of(problem), problem.message)
        return page
    if details:
        page.extras = extras(page.result)
    return page


def _optional(name: str, body: dict[str, Any]) -> Any:
    """A section from a service function other engineers are adding; absent → omitted."""
    function = getattr(service, name, None)
    if function is None:
        return None
    try:
        return function(body)
    except (InputError, NotImplementedError, ValueError):
        return None


def extras(result: AnalysisResult) -> dict[str, Any]:
    body = result.inputs.model_dump(mode="json", exclude_none=True)
    body["paths"] = min(int(body.get("paths", 10_000)), 2000)  # the page's fan; the API gives more
    out: dict[str, Any] = {"schedule": service.schedule(body)}
    out["comparison"] = _optional("compare", body)
    out["backtest"] = _optional("backtest", body)
    out["montecarlo"] = _optional("montecarlo", body)
    out["faster"] = repay_faster(result, out["comparison"])
    return out


def repay_faster(result: AnalysisResult, comparison: Any) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    """(months, payment, interest, cost) at 12/24/36/60 months - the comparison's payoff-speed
    rows, computed once by the service - plus your own term from this analysis."""
    rows = {row.term_months: (row.payment, row.total_interest, row.cost.total)
            for row in (comparison.payoff_speed if comparison is not None else [])}
    rows[result.inputs.term_months] = (result.loan.payment, result.loan.total_interest, result.cost.total)
    return [(months, *rows[months]) for months in sorted(rows)]


# --------------------------------------------------------------------------- charts


COST_PARTS = (("lost_growth", "Lost growth"), ("double_tax", "Double tax"),
              ("contribution_cut", "Contributions cut"), ("job_loss", "Job-loss risk"), ("fees", "Fees"))


def cost_parts(result: AnalysisResult) -> list[tuple[str, str, Decimal, str]]:
    values = [getattr(result.cost, key) for key, _ in COST_PARTS]
    classes = charts.bar_legend_classes(values)
    return [(key, label, value, cls)
            for (key, label), value, cls in zip(COST_PARTS, values, classes, strict=True)]


def chart_set(page: Page) -> dict[str, str]:
    result = page.result
    if result is None:
        return {}
    out = {
        "breakdown": charts.breakdown_bar(
            [(label, value) for _, label, value, _ in cost_parts(result)],
            "How the cost splits: " + "; ".join(f"{label} {charts.usd_short(value)}"
                                                 for _, label, value, _ in cost_parts(result)),
        ),
    }
    years = result.balances.by_year
    if years:
        out["balance"] = charts.line_chart(
            [y.age for y in years],
            [("Without the loan", [y.no_loan for y in years], charts.COOL, False),
             ("With the loan", [y.with_loan for y in years], charts.WARM, True)],
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
            [(option.label, option.cost) for option in comparison.options], "Your options ranked by cost")
    backtest = page.extras.get("backtest")
    if backtest is not None and getattr(backtest, "by_start_year", None):
        out["backtest"] = charts.stacked_bars(
            [row.start_year for row in backtest.by_start_year],
            [("Cost", [max(row.total, 0) for row in backtest.by_start_year], charts.WARM)],
            "Cost of the loan by the year it started", "start year")
    montecarlo = page.extras.get("montecarlo")
    if montecarlo is not None and getattr(montecarlo, "fan", None):
        fan = montecarlo.fan
        out["montecarlo"] = charts.line_chart(
            [row.age for row in fan],
            [("90th percentile", [row.p90 for row in fan], charts.COOL, True),
             ("Median", [row.p50 for row in fan], charts.INK, False),
             ("10th percentile", [row.p10 for row in fan], charts.WARM, True)],
            "Balance with the loan across simulated markets: 10th, 50th and 90th percentiles", "age")
    return out


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
            chunk = rows[start:start + per_year]
            xs.append(start // per_year + 1)
            principal.append(sum((r.principal for r in chunk), Decimal(0)))
            interest.append(sum((r.interest for r in chunk), Decimal(0)))
        x_label = "year"
    return charts.stacked_bars(
        xs, [("Principal", principal, charts.COOL), ("Interest", interest, charts.WARM)],
        f"Each payment split into principal and interest; total interest "
        f"{charts.usd_short(schedule.total_interest)}", x_label)


def from_input(data: Mapping[str, Any]) -> dict[str, str]:
    """Form values for a saved input object (the inverse of `to_input`)."""
    values: dict[str, str] = {}
    for name, value in data.items():
        spec = BY_NAME.get(name)
        if spec is None or value is None:
            continue
        values[name] = ("on" if value else "") if spec.kind == "bool" else str(value)
    alternatives = data.get("alternatives") or []
    if alternatives:
        for key, value in alternatives[0].items():
            if f"alt_{key}" in BY_NAME and value is not None:
                values[f"alt_{key}"] = str(value)
    for key, value in (data.get("criteria") or {}).items():
        if f"crit_{key}" in BY_NAME and value is not None:
            values[f"crit_{key}"] = "yes" if value else "no"
    return values


# --------------------------------------------------------------------------- words

PER = {"weekly": "a week", "biweekly": "every two weeks", "semimonthly": "twice a month",
       "monthly": "a month", "quarterly": "a quarter"}
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
    return any(name not in main for name in page.errors) or any(
        v and name not in main and name not in SELECT_DEFAULTS for name, v in page.values.items())


@dataclass(frozen=True)
class Note:
    placeholder: str
    text: str


def default_note(spec: Field, result: AnalysisResult | None) -> Note | None:
    """Every default visible and cited: the value the service used, and its source."""
    if result is None or spec.kind in ("bool", "tri") or spec.name.startswith("alt_"):
        return None
    used = getattr(result.inputs, spec.name, None)
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
