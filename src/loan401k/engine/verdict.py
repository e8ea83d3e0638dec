"""The guide's six criteria and a plain-language verdict (METHOD §9). Education, not advice."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from .. import i18n
from ..i18n import N_, _

CRITERIA = (
    "stable_job",
    "repay_within_24_months",
    "alternatives_exhausted",
    "prevents_catastrophe",
    "keeps_contributions",
    "other_savings",
)

QUESTIONS = {
    "stable_job": N_("Your job is stable"),
    "repay_within_24_months": N_("You repay within 12-24 months"),
    "alternatives_exhausted": N_("You have looked at cheaper ways to raise the money"),
    "prevents_catastrophe": N_(
        "The loan prevents a real catastrophe (eviction, foreclosure, medical debt in collections)"
    ),
    "keeps_contributions": N_("You keep contributing in full while repaying"),
    "other_savings": N_("You could repay the balance from other savings if you lost your job"),
}

#: A criterion the person answered "no" or left open, as a reason: whole sentences.
NOT_MET = {
    "alternatives_exhausted": N_("You have looked at cheaper ways to raise the money: not met."),
    "prevents_catastrophe": N_(
        "The loan prevents a real catastrophe (eviction, foreclosure, medical debt in collections): not met."
    ),
}
UNANSWERED = {
    "alternatives_exhausted": N_("You have looked at cheaper ways to raise the money: unanswered."),
    "prevents_catastrophe": N_(
        "The loan prevents a real catastrophe (eviction, foreclosure, medical debt in "
        "collections): unanswered."
    ),
}


@dataclass(frozen=True)
class Signals:
    """Figures from this scenario that price each criterion, on the after-tax ledger."""

    repay_months: int
    keeps_contributions: bool
    contributions_cost: Decimal  # the contributions part of the cost
    during_pct: Decimal | None  # the contribution while repaying, in percent of pay, if set so
    during_monthly: float  # else the employee's contribution a month while repaying, in dollars
    retirement_age: int
    separation_month: int
    separation_cash: Decimal  # tax + 10 % due by the deadline if leaving that month
    separation_due: dt.date | None  # that deadline (None: the tax deadline, undated)
    separation_net_cost: Decimal  # what leaving that month costs at retirement, net
    job_loss_expected: Decimal
    cheaper_alternative: str | None = None
    cheaper_by: Decimal = Decimal(0)
    excess: Decimal = Decimal(0)
    excess_cost: Decimal = Decimal(0)


@dataclass
class VerdictResult:
    level: str
    reasons: list[str]
    criteria: dict[str, bool | None] = field(default_factory=dict)
    computed: list[str] = field(default_factory=list)


def resolve(answers: dict[str, bool | None], signals: Signals) -> tuple[dict[str, bool | None], list[str]]:
    """Fill the two criteria the scenario can answer when the user left them open."""
    resolved = dict(answers)
    computed = []
    if resolved.get("repay_within_24_months") is None:
        resolved["repay_within_24_months"] = signals.repay_months <= 24
        computed.append("repay_within_24_months")
    if resolved.get("keeps_contributions") is None:
        resolved["keeps_contributions"] = signals.keeps_contributions
        computed.append("keeps_contributions")
    return resolved, computed


def _money(value: Decimal | float) -> str:
    return i18n.currency(value, whole=True)


def _leaving_figures(s: Signals) -> dict[str, object]:
    """The figures of leaving the job in the signals' month, for the sentences that say it."""
    return {
        "month": s.separation_month,
        "cash": _money(s.separation_cash),
        "due": i18n.date_long(s.separation_due) if s.separation_due else "",
        "net": _money(s.separation_net_cost),
        "age": s.retirement_age,
        "expected": _money(s.job_loss_expected),
    }


def _stable_job_reason(value: bool | None, s: Signals) -> str:
    if value is False and s.separation_due:
        text = _(
            "Your job is not stable: if you leave your job in month {month} you must find {cash} "
            "by {due} (or roll the balance over), and it costs you {net} at {age} net; weighted by "
            "the chance of leaving, that risk costs {expected} at {age}."
        )
    elif value is False:
        text = _(
            "Your job is not stable: if you leave your job in month {month} you must find {cash} "
            "by the tax deadline (or roll the balance over), and it costs you {net} at {age} net; "
            "weighted by the chance of leaving, that risk costs {expected} at {age}."
        )
    elif s.separation_due:
        text = _(
            "Job stability unanswered: if you leave your job in month {month} you must find {cash} "
            "by {due} (or roll the balance over), and it costs you {net} at {age} net; weighted by "
            "the chance of leaving, that risk costs {expected} at {age}."
        )
    else:
        text = _(
            "Job stability unanswered: if you leave your job in month {month} you must find {cash} "
            "by the tax deadline (or roll the balance over), and it costs you {net} at {age} net; "
            "weighted by the chance of leaving, that risk costs {expected} at {age}."
        )
    return text.format(**_leaving_figures(s))


def _other_savings_reason(s: Signals) -> str:
    if s.separation_due:
        text = _(
            "Without other savings to repay the balance after a job loss: if you leave your job in "
            "month {month} you must find {cash} by {due} (or roll the balance over), and it costs "
            "you {net} at {age} net."
        )
    else:
        text = _(
            "Without other savings to repay the balance after a job loss: if you leave your job in "
            "month {month} you must find {cash} by the tax deadline (or roll the balance over), and "
            "it costs you {net} at {age} net."
        )
    return text.format(**_leaving_figures(s))


def _reason(name: str, value: bool | None, s: Signals) -> str | None:
    if value is True:
        return None
    if name == "stable_job":
        return _stable_job_reason(value, s)
    if name == "repay_within_24_months":
        return _(
            "Repaying over {months} months keeps the money out of the market longer than the "
            "12-24 months the guide advises."
        ).format(months=s.repay_months)
    if name == "keeps_contributions":
        if s.during_pct is not None:
            text = _(
                "Cutting contributions to {during} of pay while repaying costs {cost} at {age} (the "
                "match and the tax shelter given up, net of the take-home pay you keep)."
            )
            during = i18n.percent(s.during_pct, max_digits=10)
        else:
            text = _(
                "Cutting contributions to {during} a month while repaying costs {cost} at {age} (the "
                "match and the tax shelter given up, net of the take-home pay you keep)."
            )
            during = _money(s.during_monthly)
        return text.format(during=during, cost=_money(s.contributions_cost), age=s.retirement_age)
    if name == "other_savings":
        return _other_savings_reason(s)
    return _(NOT_MET[name] if value is False else UNANSWERED[name])


def verdict(answers: dict[str, bool | None], signals: Signals) -> VerdictResult:
    criteria, computed = resolve(answers, signals)
    unmet = [n for n in CRITERIA if criteria.get(n) is False]
    open_ = [n for n in CRITERIA if criteria.get(n) is None]
    cheaper = signals.cheaper_alternative
    reasons = []
    if signals.excess:
        reasons.append(
            _(
                "The amount is {excess} over the legal limit: that part is taxed now as a deemed "
                "distribution, which costs {cost} at {age}."
            ).format(
                excess=_money(signals.excess), cost=_money(signals.excess_cost), age=signals.retirement_age
            )
        )
    if cheaper:
        reasons.append(
            _("{option} costs {amount} less than the 401(k) loan on the same scale.").format(
                option=cheaper, amount=_money(signals.cheaper_by)
            )
        )
    reasons += [r for n in CRITERIA if (r := _reason(n, criteria.get(n), signals))]
    if (
        criteria.get("stable_job") is False
        or len(unmet) >= 3
        or (cheaper and criteria.get("prevents_catastrophe") is not True)
    ):
        level = "avoid"
    elif not unmet and not open_ and not cheaper and not signals.excess:
        level = "reasonable"
        reasons.insert(0, _("All six of the guide's criteria are met and no listed alternative costs less."))
    else:
        level = "caution"
    return VerdictResult(level=level, reasons=reasons, criteria=criteria, computed=computed)
