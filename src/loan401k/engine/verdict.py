"""The guide's six criteria and a plain-language verdict (METHOD §9). Education, not advice."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..money import usd

CRITERIA = (
    "stable_job",
    "repay_within_24_months",
    "alternatives_exhausted",
    "prevents_catastrophe",
    "keeps_contributions",
    "other_savings",
)

QUESTIONS = {
    "stable_job": "Your job is stable",
    "repay_within_24_months": "You repay within 12-24 months",
    "alternatives_exhausted": "You have looked at cheaper ways to raise the money",
    "prevents_catastrophe": "The loan prevents a real catastrophe (eviction, foreclosure, "
    "medical debt in collections)",
    "keeps_contributions": "You keep contributing in full while repaying",
    "other_savings": "You could repay the balance from other savings if you lost your job",
}


@dataclass(frozen=True)
class Signals:
    """Figures from this scenario that price each criterion, on the after-tax ledger."""

    repay_months: int
    keeps_contributions: bool
    contributions_cost: Decimal  # the contributions part of the cost
    during_contribution: str  # e.g. "$200 a month"
    retirement_age: int
    separation_month: int
    separation_cash: Decimal  # tax + 10 % due by the deadline if leaving that month
    separation_due: str  # that deadline, in words
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


def _leaving(s: Signals) -> str:
    due = f" by {s.separation_due}" if s.separation_due else " by the tax deadline"
    return (
        f"if you leave your job in month {s.separation_month} you must find "
        f"{usd(s.separation_cash, whole=True)}{due} (or roll the balance over), and it costs you "
        f"{usd(s.separation_net_cost, whole=True)} at {s.retirement_age} net"
    )


def _reason(name: str, value: bool | None, s: Signals) -> str | None:
    if value is True:
        return None
    if name == "stable_job":
        prefix = "Your job is not stable" if value is False else "Job stability unanswered"
        return (
            f"{prefix}: {_leaving(s)}; weighted by the chance of leaving, that risk costs "
            f"{usd(s.job_loss_expected, whole=True)} at {s.retirement_age}."
        )
    if name == "repay_within_24_months":
        return (
            f"Repaying over {s.repay_months} months keeps the money out of the market longer "
            "than the 12-24 months the guide advises."
        )
    if name == "keeps_contributions":
        return (
            f"Cutting contributions to {s.during_contribution} while repaying costs "
            f"{usd(s.contributions_cost, whole=True)} at {s.retirement_age} (the match and the tax "
            "shelter given up, net of the take-home pay you keep)."
        )
    if name == "other_savings":
        return f"Without other savings to repay the balance after a job loss: {_leaving(s)}."
    word = "not met" if value is False else "unanswered"
    return f"{QUESTIONS[name]}: {word}."


def verdict(answers: dict[str, bool | None], signals: Signals) -> VerdictResult:
    criteria, computed = resolve(answers, signals)
    unmet = [n for n in CRITERIA if criteria.get(n) is False]
    open_ = [n for n in CRITERIA if criteria.get(n) is None]
    cheaper = signals.cheaper_alternative
    reasons = []
    if signals.excess:
        reasons.append(
            f"The amount is {usd(signals.excess, whole=True)} over the legal limit: that part is "
            f"taxed now as a deemed distribution, which costs {usd(signals.excess_cost, whole=True)} "
            f"at {signals.retirement_age}."
        )
    if cheaper:
        reasons.append(
            f"{cheaper} costs {usd(signals.cheaper_by, whole=True)} less than the 401(k) loan "
            "on the same scale."
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
        reasons.insert(0, "All six of the guide's criteria are met and no listed alternative costs less.")
    else:
        level = "caution"
    return VerdictResult(level=level, reasons=reasons, criteria=criteria, computed=computed)
