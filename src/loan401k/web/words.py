"""The page's words: units, verbs and notes that turn the service's figures into sentences."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .. import i18n
from ..i18n import N_, _, ngettext
from ..models import AnalysisResult, LoanInput
from .answer import Page
from .form import (
    _ALT_NAME,
    ALL_FIELDS,
    ALT_KINDS,
    BY_NAME,
    CRITERIA_FIELDS,
    FREQUENCIES,
    HIDDEN,
    HIDDEN_ALT,
    MAIN,
    PURPOSES,
    SELECT_DEFAULTS,
    Field,
    alt_fields,
    choices,
    years,
)
from .mapping import alt_rows

# TRANSLATORS: how often a payment is made, after the amount: "You repay $283.40 a month".
PER = {
    "weekly": N_("a week"),
    "biweekly": N_("every two weeks"),
    "semimonthly": N_("twice a month"),
    "monthly": N_("a month"),
    "quarterly": N_("a quarter"),
}
#: Defaults the service applies that are not listed in `assumptions`, with where they come
#: from (msgids: `default_note` says them in the request's language).
DEFAULT_NOTES = {
    "marginal_rate_pct": N_("a common federal bracket; enter taxable income for exact brackets"),
    "state_rate_pct": N_("enter your state's rate if it taxes withdrawals"),
    "retirement_age": N_(
        "the usual planning age, or, if you are that old already, the end of the "
        "loan (as someone who keeps working while repaying)"
    ),
    "term_months": N_("the law's five-year limit for a general loan (IRC §72(p)(2)(B))"),
}


def per(frequency: str) -> str:
    """How often a payment is made ("a month"), in the request's language."""
    return _(PER[frequency]) if frequency in PER else _("each period")


def term(months: int) -> str:
    """A term in years when it is whole years ("5 years"), else in months ("18 months")."""
    return years(months)


def cost_verb(total: Decimal) -> str:
    # TRANSLATORS: the verb of the answer: "Borrowing $15,000 costs you about $9,868 at 65 — …",
    # or, when the loan comes out cheaper, "Borrowing $15,000 leaves you ahead by about $1,200 …".
    return _("costs you about") if total >= 0 else _("leaves you ahead by about")


def reasons(items: list[str]) -> str:
    # TRANSLATORS: how many reasons the verdict gives: "3 reasons".
    return ngettext("{n} reason", "{n} reasons", len(items)).format(n=len(items))


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
    if not source and spec.name in DEFAULT_NOTES:
        source = _(DEFAULT_NOTES[spec.name])
    source = plain_citation(source or "") or None
    if source is None:
        return None
    shown = f"{used.normalize():f}" if isinstance(used, Decimal) else f"{used}"
    if source.lower().startswith("default "):
        source = source[8:]
    value = f"{shown}{'%' if spec.kind == 'pct' else ''}"
    if spec.kind == "select":
        value = term(int(used)) if spec.name == "term_months" else f"{used}"
    # TRANSLATORS: below a field left empty: the value used, then where it comes from:
    # "Default 22%: a common federal bracket; enter taxable income for exact brackets."
    text = _("Default {value}: {source}.").format(value=value, source=source)
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
            return _("The 401(k) loan costs {cost} at retirement.").format(
                cost=i18n.currency(loan.cost, whole=True)
            )
        runner = options[1]
        return _(
            "The 401(k) loan is the cheapest of these: {cost}, against {next_cost} for the next, {next}."
        ).format(
            cost=i18n.currency(loan.cost, whole=True),
            next_cost=i18n.currency(runner.cost, whole=True),
            next=runner.label,
        )
    # TRANSLATORS: {option} is another way to borrow, as the comparison names it ("Personal loan").
    return _("{option} is cheapest: {cost}, {saving} less than the 401(k) loan.").format(
        option=best.label,
        cost=i18n.currency(best.cost, whole=True),
        saving=i18n.currency(loan.cost - best.cost, whole=True),
    )


def balance_note(result: AnalysisResult) -> str:
    """Why the balance chart can end higher with the loan while the loan still costs money."""
    if result.balances.with_loan > result.balances.no_loan and result.cost.total > 0:
        return _(
            "The balance with the loan ends higher because the interest you pay yourself "
            "outgrows what the borrowed money would have earned, yet the loan still costs "
            "money: the payments came out of your pay, money that would otherwise have earned "
            "something outside the plan, and leaving your job before repaying has a price."
        )
    return ""


# --------------------------------------------------------------------------- messages

#: Inputs a problem or an assumption may name that have no field of their own on the form.
EXTRA_LABELS = {
    "input": N_("The form"),
    "alternatives": N_("Alternatives"),
    "criteria": N_("The six questions"),
    "contribution_during_loan_monthly": N_("Contribution while repaying"),
    "contribution_during_loan_pct": N_("Share of pay while repaying"),
    "match_limit_pct": N_("Match up to"),
    "scale": N_("How the cost is measured"),
    "contributions": N_("Contributions"),
    "tax_year": N_("Tax year"),
    "return_convention": N_("How the return compounds"),
    "roth_earnings_pct": N_("Earnings share of the Roth account"),
    "paths": N_("Simulated markets"),
    "safe_withdrawal_rate": N_("Income from savings in retirement"),
}


def option_name(row: int) -> str:
    """An alternative's row as the person sees it: row 0 is "Option 1"."""
    # TRANSLATORS: one of the other ways to borrow the form compares: "Option 2".
    return _("Option {n}").format(n=row + 1)


def field_label(name: str) -> str:
    """A field's name in the person's words ("alt_apr_pct_1" → "Option 2: APR")."""
    if name in EXTRA_LABELS:
        return _(EXTRA_LABELS[name])
    if match := _ALT_NAME.fullmatch(name):
        spec = BY_NAME.get(name)
        label = spec.label if spec else match.group(1).replace("_pct", "").replace("_", " ")
        # TRANSLATORS: a field of one alternative: "Option 2: APR".
        return _("Option {n}: {label}").format(n=int(match.group(2)) + 1, label=label)
    spec = BY_NAME.get(name)
    if spec is not None:
        return spec.label
    words = name.removesuffix("_pct").removeprefix("crit_").replace("_", " ")
    return words[:1].upper() + words[1:]


def _codes() -> list[tuple[re.Pattern[str], str, str]]:
    """(pattern, "field" or "choice", the field's name or the choice's msgid): the words are
    looked up when a message is shown, in its language."""
    names = set(BY_NAME) | set(EXTRA_LABELS) | set(HIDDEN)
    out = [(re.compile(rf"\b{re.escape(n)}\b"), "field", n) for n in names if "_" in n]
    for spec in BY_NAME.values():  # a quoted choice → its words
        for value, text in spec.options:
            if value and not value.isdigit():
                out.append((re.compile(rf"""["']{re.escape(value)}["']"""), "choice", text))
    return sorted(out, key=lambda code: -len(code[0].pattern))


CODES = _codes()
#: A term_months message about its value (in any language: "61 is out of range…", "61 is
#: longer than …"): it begins with the whole number of months.
_TERM_VALUE = re.compile(r"(\d+)(?![\w.,])")


def plain_message(name: str, message: str, values: Mapping[str, str] | None = None) -> str:
    """A problem's message in the words of the form: years for the term (the form asks in
    years, up to the active plan's caps), labels for any field code, the choices' words for
    their codes."""
    if name == "term_months" and (found := _TERM_VALUE.match(message)):
        months = int(found.group(1))
        allowed = choices(values or {})
        general, home = allowed.general_term_months, allowed.home_term_months
        if home is not None and general < months <= home:
            return _(
                "{term} is allowed only for a loan to buy your main home: choose “{choice}” for "
                "“{label}”, or at most {general} (IRC §72(p)(2)(B))."
            ).format(
                term=term(months),
                choice=_(dict(PURPOSES)["residence"]),
                label=BY_NAME["purpose"].label,
                general=term(general),
            )
        if home is None:
            return _("{term} is too long: at most {general}; {plan} makes no loans to buy a home.").format(
                term=term(months), general=term(general), plan=allowed.plan_name
            )
        if allowed.plan_name:
            return _(
                "{term} is too long: at most {home} for a loan to buy your main home under "
                "{plan}'s rules, {general} otherwise."
            ).format(term=term(months), home=term(home), plan=allowed.plan_name, general=term(general))
        return _(
            "{term} is too long: at most {home} for a loan to buy your main home, {general} otherwise."
        ).format(term=term(months), home=term(home), general=term(general))
    for pattern, kind, key in CODES:
        if pattern.search(message):
            words = field_label(key) if kind == "field" else _(key)
            message = pattern.sub(f"“{words}”".replace("\\", "\\\\"), message)
    return message


def problem_list(page: Page) -> list[tuple[str, str, str]]:
    """(field, its label, the message in words) for every problem on the page."""
    return [
        (name, field_label(name), plain_message(name, text, page.values))
        for name, text in page.errors.items()
    ]


def assumption_name(name: str) -> str:
    return field_label(name)


def date(value: Any) -> str:
    """One date format on every face, in the request's language: "March 1, 2027",
    "1 de marzo de 2027" (i18n.date_long)."""
    return i18n.date_long(value) if value is not None else ""


def dollars(raw: str) -> str:
    """An amount the person typed ("15000", "$15,000.50") as dollars; the text as typed when
    it is no amount (the service then says why)."""
    try:
        number = Decimal(raw.replace(",", "").replace("$", "").strip())
    except ArithmeticError:
        return raw
    if not number.is_finite():
        return raw
    return i18n.currency(number, whole=number == number.to_integral_value())


def whatif_question(asked: Any) -> str:
    """The "What if…" panel's question in words, with the dates the service gave its month:
    "I leave my job in month 10, on January 2, 2027"."""
    if asked is None:
        return ""
    when, count = asked.when, asked.count
    if asked.kind == "missed":
        if when.payment_date:
            return ngettext(
                "I miss {count} payment from month {month} (the first due {date}), then pay as before",
                "I miss {count} payments from month {month} (the first due {date}), then pay as before",
                count,
            ).format(count=count, month=when.month, date=date(when.payment_date))
        return ngettext(
            "I miss {count} payment from month {month}, then pay as before",
            "I miss {count} payments from month {month}, then pay as before",
            count,
        ).format(count=count, month=when.month)
    if asked.kind in ("leave", "military"):
        span = {"count": count, "month": when.month, "start": date(when.before_payment)}
        span["end"] = date(when.window_end)
        if asked.kind == "leave":
            return ngettext(
                "I go on unpaid leave for {count} month from month {month} ({start} to {end})",
                "I go on unpaid leave for {count} months from month {month} ({start} to {end})",
                count,
            ).format(**span)
        return ngettext(
            "I am called to military service for {count} month from month {month} ({start} to {end})",
            "I am called to military service for {count} months from month {month} ({start} to {end})",
            count,
        ).format(**span)
    if asked.kind == "leave_job":
        return _("I leave my job in month {month}, on {date}").format(
            month=when.month, date=date(when.after_payment)
        )
    return _("I refinance in month {month}, on {date}, into a new loan of {amount} over {term}").format(
        month=when.month,
        date=date(when.after_payment),
        amount=dollars(asked.amount),
        term=term(asked.term_months),
    )


def shown_value(spec: Field, raw: str) -> str:
    """A form value as the person would say it: the choice's words, dollars, percent, years."""
    if spec.kind == "bool":
        return _("yes")
    if spec.options:
        text = dict(spec.option_words).get(raw)
        if text is not None:
            return text
    cleaned = raw.replace(",", "").replace("$", "").strip()
    try:
        number = Decimal(cleaned)
    except ArithmeticError:
        return raw
    if spec.kind == "money":
        shown = i18n.currency(number, whole=number == number.to_integral_value())
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
        code = values[f"alt_kind_{row}"]
        kind = _(dict(ALT_KINDS)[code]) if code in dict(ALT_KINDS) else code
        rows.append((option_name(row), kind + (f": {', '.join(parts)}" if parts else "")))
    return rows


#: The spec's name and section numbers ("METHOD.md v2 §4.1"), or the public page's name
#: ("loan401k methodology", said in the reader's language).
_METHOD = re.compile(
    r"(?:loan401k )?METHOD(?:\.md)?(?: v\d+)?(?: ?§[\w.]+(?:,? ?§[\w.]+)*)?|\bloan401k methodology\b"
)


_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _iso_to_words(match: re.Match[str]) -> str:
    try:
        return date(dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3))))
    except ValueError:
        return match.group(0)


def plain_citation(text: Any) -> str:
    """A citation as the public methodology page names it: never the spec's section numbers,
    its dates written as every date on the page ("December 18, 2024")."""
    # TRANSLATORS: a citation's source: the public page that explains how loan401k calculates.
    methodology = _("loan401k methodology")
    # a parameter file's citation is in the catalogue (babel.cfg: loan401k.i18n's extractor)
    cited = _(str(text)) if text else ""
    return _ISO_DATE.sub(_iso_to_words, _METHOD.sub(methodology, cited))


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
        return _(dict(FREQUENCIES)[text])  # "Repaid every" + "two weeks"
    return _(CHOICES[text]) if text in CHOICES else text


CHOICES = {v: t for spec in BY_NAME.values() for v, t in spec.options if v and not v.isdigit()}
