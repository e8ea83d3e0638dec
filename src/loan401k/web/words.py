"""The page's words: units, verbs and notes that turn the service's figures into sentences."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import money
from ..models import AnalysisResult, LoanInput
from .answer import Page
from .form import (
    _ALT_NAME,
    ALL_FIELDS,
    ALT_KINDS,
    BY_NAME,
    CRITERIA_FIELDS,
    FREQUENCIES,
    GENERAL_TERM_MONTHS,
    HIDDEN,
    HIDDEN_ALT,
    HOME_CAP_MONTHS,
    MAIN,
    SELECT_DEFAULTS,
    Field,
    alt_fields,
)
from .mapping import alt_rows

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
    "retirement_age": "the usual planning age, or, if you are that old already, the end of the "
    "loan (as someone who keeps working while repaying)",
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
    main = {f.name for f in MAIN + CRITERIA_FIELDS}
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
    source = plain_citation(source or DEFAULT_NOTES.get(spec.name) or "") or None
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


# --------------------------------------------------------------------------- messages

#: Inputs a problem or an assumption may name that have no field of their own on the form.
EXTRA_LABELS = {
    "input": "The form",
    "alternatives": "Alternatives",
    "criteria": "The six questions",
    "contribution_during_loan_monthly": "Contribution while repaying",
    "contribution_during_loan_pct": "Share of pay while repaying",
    "match_limit_pct": "Match up to",
    "scale": "How the cost is measured",
    "contributions": "Contributions",
    "tax_year": "Tax year",
    "return_convention": "How the return compounds",
    "roth_earnings_pct": "Earnings share of the Roth account",
    "paths": "Simulated markets",
    "safe_withdrawal_rate": "Income from savings in retirement",
}


def field_label(name: str) -> str:
    """A field's name in the person's words ("alt_apr_pct_1" → "Option 2: APR")."""
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    if match := _ALT_NAME.fullmatch(name):
        spec = BY_NAME.get(name)
        label = spec.label if spec else match.group(1).replace("_pct", "").replace("_", " ")
        return f"Option {int(match.group(2)) + 1}: {label}"
    spec = BY_NAME.get(name)
    if spec is not None:
        return spec.label
    words = name.removesuffix("_pct").removeprefix("crit_").replace("_", " ")
    return words[:1].upper() + words[1:]


def _codes() -> list[tuple[re.Pattern[str], str]]:
    names = set(BY_NAME) | set(EXTRA_LABELS) | set(HIDDEN)
    out = [(re.compile(rf"\b{re.escape(n)}\b"), f"“{field_label(n)}”") for n in names if "_" in n]
    for spec in BY_NAME.values():  # a quoted choice → its words
        for value, text in spec.options:
            if value and not value.isdigit():
                out.append((re.compile(rf"""["']{re.escape(value)}["']"""), f"“{text}”"))
    return sorted(out, key=lambda pair: -len(pair[0].pattern))


CODES = _codes()


def plain_message(name: str, message: str) -> str:
    """A problem's message in the words of the form: labels for field codes, years for the
    term (the form asks in years), the choices' words for their codes."""
    if name == "term_months" and (found := re.match(r"(\d+) is out of range", message)):
        months = int(found.group(1))
        if months > GENERAL_TERM_MONTHS and months <= HOME_CAP_MONTHS:
            return (
                f"{term(months)} is allowed only for a loan to buy your main home: choose "
                "“buying my main home” above, or at most 5 years (IRC §72(p)(2)(B))."
            )
        return (
            f"{term(months)} is out of range: at most {term(HOME_CAP_MONTHS)} for a home, 5 years otherwise."
        )
    for pattern, words in CODES:
        message = pattern.sub(words, message)
    return message


def problem_list(page: Page) -> list[tuple[str, str, str]]:
    """(field, its label, the message in words) for every problem on the page."""
    return [(name, field_label(name), plain_message(name, text)) for name, text in page.errors.items()]


def assumption_name(name: str) -> str:
    return field_label(name)


def date(value: Any) -> str:
    """One date format on every face: "March 1, 2027"."""
    return value.strftime("%B %-d, %Y") if value is not None else ""


def shown_value(spec: Field, raw: str) -> str:
    """A form value as the person would say it: the choice's words, dollars, percent, years."""
    if spec.kind == "bool":
        return "yes"
    if spec.options:
        text = dict(spec.options).get(raw)
        if text is not None:
            return text
    cleaned = raw.replace(",", "").replace("$", "").strip()
    try:
        number = Decimal(cleaned)
    except ArithmeticError:
        return raw
    if spec.kind == "money":
        shown = money.usd(number, whole=number == number.to_integral_value())
        return shown + spec.suffix.removeprefix("$")
    if spec.kind == "pct":
        return f"{number.normalize():f} {spec.suffix or '%'}"
    return f"{number.normalize():f}{' ' + spec.suffix if spec.suffix else ''}"


def input_rows(values: Mapping[str, str]) -> list[tuple[str, str]]:
    """The inputs the person gave, in words (the report's first page)."""
    rows = [
        (field_label(spec.name), shown_value(spec, values[spec.name]))
        for spec in (*ALL_FIELDS,)
        if values.get(spec.name)
    ]
    for row in alt_rows(values):
        parts = [
            f"{spec.label} {shown_value(spec, values[spec.name])}"
            for spec in alt_fields(row)
            if values.get(spec.name) and not spec.name.startswith("alt_kind")
        ]
        kind = dict(ALT_KINDS).get(values[f"alt_kind_{row}"], values[f"alt_kind_{row}"])
        rows.append((f"Option {row + 1}", kind + (f": {', '.join(parts)}" if parts else "")))
    return rows


_METHOD = re.compile(r"(?:loan401k )?METHOD(?:\.md)?(?: v\d+)?(?: ?§[\w.]+(?:,? ?§[\w.]+)*)?")


def plain_citation(text: Any) -> str:
    """A citation as the public methodology page names it: never the spec's section numbers."""
    return _METHOD.sub("loan401k methodology", str(text or ""))


def withdrawal_rate(result: AnalysisResult | None) -> str:
    """The safe-withdrawal rate the income figure uses ("4%"), from its parameter file."""
    from ..money import HUNDRED, pct_text
    from ..service.core import law_for

    inputs = result.inputs if result is not None else None
    law = law_for(inputs) if inputs is not None else law_for(LoanInput())
    return pct_text(law["safe_withdrawal_rate"] * HUNDRED)


def choice_words(value: Any) -> str:
    """A choice's code in the form's words ("biweekly" → "every two weeks"); other text as is."""
    text = str(value)
    if text in PER:
        return dict(FREQUENCIES)[text]  # "Repaid every" + "two weeks"
    return CHOICES.get(text, text)


CHOICES = {v: t for spec in BY_NAME.values() for v, t in spec.options if v and not v.isdigit()}
