"""A loan run through dated events (issue "What happens if…"): every installment date with
what was due, what was paid, the interest, the balance and the status, and the
distributions the law makes of the events (RULES.md §4-§7, §9).

Conventions (docs/events.md): interest accrues on each due date, round_cents(balance x r)
for the period, as in METHOD §2, and is capitalized when not paid; between due dates it
accrues pro rata by days. Payments go to the oldest missed installment first (CCA
201736022). A missed installment not made up by its cure deadline turns the whole balance,
with the interest accrued to that day, into a deemed distribution (Q&A-10). The level
schedule with no events is exactly `engine.amortization.amortize`.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .. import i18n
from ..dates import add_months
from ..i18n import _, pgettext
from ..money import ZERO, cents
from ..params import Snapshot
from ..rules.loan_events import CURE, cure_deadline, latest_permissible_end, military_extension
from .amortization import PAYMENTS_PER_YEAR, level_payment, payment_dates, period_rate
from .loan import LoanTerms

LEAVE = "Treas. Reg. §1.72(p)-1 Q&A-9(a)"
MILITARY = "IRC §414(u)(4); Treas. Reg. §1.72(p)-1 Q&A-9(b); 50 U.S.C. §3937"
REFINANCE = "Treas. Reg. §1.72(p)-1 Q&A-20"

#: A pay frequency in a sentence ("Payroll changes to biweekly"), translated when called; the
#: codes stay English.
FREQUENCY_WORDS: dict[str, Callable[[], str]] = {
    "weekly": lambda: pgettext("pay frequency", "weekly"),
    "biweekly": lambda: pgettext("pay frequency", "biweekly"),
    "semimonthly": lambda: pgettext("pay frequency", "semimonthly"),
    "monthly": lambda: pgettext("pay frequency", "monthly"),
    "quarterly": lambda: pgettext("pay frequency", "quarterly"),
}


def frequency_words(frequency: str) -> str:
    words = FREQUENCY_WORDS.get(frequency)
    return words() if words else frequency


def _money(value: Decimal) -> str:
    return i18n.currency(value)


@dataclass(frozen=True)
class LoanEvent:
    kind: str
    date: dt.date  # the day it happens (or starts)
    end: dt.date | None = None  # leave and military service
    count: int = 1  # missed payments
    amount: Decimal | None = None  # extra payment; refinance: the new loan's amount
    term_months: int | None = None  # refinance
    annual_rate: Decimal | None = None  # refinance, fraction
    frequency: str | None = None  # frequency change; refinance
    structure: str = "level"  # refinance: "level" or "split" (Q&A-20(a)(2) two-loan form)
    resume: bool = True  # missed payments: regular payments resume afterwards (or stop for good)
    made_up_on: dt.date | None = None  # missed payments: the day the arrears are paid in a lump


@dataclass(frozen=True)
class Policy:
    """The plan's loan policy where the law leaves a choice."""

    cure_days: int | None = None  # None: the longest the regulation allows
    separation: str = "offset"  # "offset" (after offset_days) or "continue" (repay after leaving)
    offset_days: int = 60
    leave_repayment: str = "reamortize"  # or "balloon"
    leave_reamortize_to: str = "original_maturity"  # or "latest_permissible"


@dataclass(frozen=True)
class Row:
    n: int
    date: dt.date
    due: Decimal
    paid: Decimal
    interest: Decimal
    balance: Decimal
    status: str  # paid | missed | behind (paying, still in arrears) | cured | suspended


@dataclass(frozen=True)
class Note:
    date: dt.date
    kind: str
    text: str
    citation: str
    deadline: dt.date | None = None  # the day something must be done by (a cure deadline)


@dataclass(frozen=True)
class Distribution:
    kind: str  # "deemed" or "offset"
    date: dt.date
    amount: Decimal  # the balance with the interest accrued to that day
    reason: str  # missed_payments | refinance | separation | retirement
    severance: dt.date | None = None


#: The limit at a refinancing: (new amount, replaced balance, highest balance of this loan in
#: the 12 months before, both loans counted) -> the part of the new loan over the limit.
RefinanceLimit = Callable[[Decimal, Decimal, Decimal, bool], Decimal]


@dataclass
class Servicing:
    rows: list[Row] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    distributions: list[Distribution] = field(default_factory=list)
    payments: list[tuple[dt.date, Decimal]] = field(default_factory=list)  # every amount paid in
    basis: list[tuple[dt.date, Decimal]] = field(default_factory=list)  # after-tax repayments
    payment_after: Decimal | None = None
    final_payment_date: dt.date | None = None
    latest_permissible_date: dt.date | None = None
    closed: str = ""  # why the schedule ended early: deemed | offset | paid_off


@dataclass
class _State:
    balance: Decimal
    rate: Decimal  # annual, fraction
    frequency: str
    payment: Decimal
    original_payment: Decimal
    anchor: dt.date  # due dates are anchor + i periods
    maturity: dt.date
    latest_end: dt.date
    loan_date: dt.date
    opening: Decimal  # the loan's amount when made (or refinanced)
    last_date: dt.date  # the last day interest was accrued to
    convention: str
    arrears: deque[list[Any]] = field(default_factory=deque)  # [due date, unpaid]
    then_payment: Decimal | None = None  # split refinance: the payment after `switch`
    switch: dt.date | None = None
    basis_share: Decimal = ZERO

    @property
    def per_year(self) -> int:
        return PAYMENTS_PER_YEAR[self.frequency]

    def period_rate(self, cap: Decimal | None = None) -> Decimal:
        annual = self.rate if cap is None else min(self.rate, cap)
        return period_rate(annual, self.per_year, self.convention)

    def due_dates(self, after: dt.date, until: dt.date | None = None) -> list[dt.date]:
        horizon = 45 * self.per_year
        dates = [d for d in payment_dates(self.anchor, self.frequency, horizon) if d > after]
        return [d for d in dates if until is None or d <= until]

    def accrued(self, day: dt.date) -> Decimal:
        """Interest from the last accrual to `day`, pro rata by days within the period."""
        if day <= self.last_date or self.balance <= 0:
            return ZERO
        period = 365 / self.per_year
        return cents(
            self.balance * self.period_rate() * Decimal((day - self.last_date).days) / Decimal(period)
        )


def _windows(events: list[LoanEvent], kind: str) -> list[tuple[dt.date, dt.date]]:
    return [(e.date, e.end) for e in events if e.kind == kind and e.end is not None]


def _inside(day: dt.date, windows: list[tuple[dt.date, dt.date]]) -> tuple[dt.date, dt.date] | None:
    return next((w for w in windows if w[0] <= day <= w[1]), None)


def service(
    terms: LoanTerms,
    payment: Decimal,
    events: list[LoanEvent],
    policy: Policy,
    purpose: str,
    law: Snapshot,
    refinance_limit: RefinanceLimit | None = None,
) -> Servicing:
    """Run the loan through `events` (sorted by date) and return the dated timeline."""
    start = terms.start_date
    first = payment_dates(start, terms.frequency, terms.periods)
    state = _State(
        balance=terms.amount,
        rate=terms.annual_rate,
        frequency=terms.frequency,
        payment=payment,
        original_payment=payment,
        anchor=start,
        maturity=first[-1],
        latest_end=latest_permissible_end(start, terms.term_months, purpose, law),
        loan_date=start,
        opening=terms.amount,
        last_date=start,
        convention=terms.convention,
    )
    out = Servicing()
    missed = _missed_dates(state, events)
    leaves, service_windows = _windows(events, "leave"), _windows(events, "military")
    catch_ups = [
        LoanEvent("catch_up", e.made_up_on) for e in events if e.kind == "missed_payments" and e.made_up_on
    ]
    pending = deque(
        sorted(
            [e for e in events if e.kind not in ("missed_payments", "leave", "military")] + catch_ups,
            key=lambda e: e.date,
        )
    )
    resumed: set[tuple[dt.date, dt.date]] = set()
    n = 0
    day = start
    while state.balance > 0 and not out.closed:
        dates = state.due_dates(day)
        unresumed = [w for w in leaves + service_windows if w not in resumed]
        if not dates or (day >= state.maturity and not unresumed):  # arrears are checked below
            break
        due_day = dates[0]
        if pending and pending[0].date < due_day:  # an event before it: apply, then look again
            event = pending.popleft()
            if not _deemed_before(state, event.date, policy, out):
                _apply(event, state, policy, law, out, purpose, refinance_limit)
            continue
        if _deemed_before(state, due_day, policy, out):
            break
        n += 1
        military = _inside(due_day, service_windows)
        leave = _inside(due_day, leaves)
        if military or leave:
            cap = law["military_interest_cap"] if military and military[0] > state.loan_date else None
            interest = cents(state.balance * state.period_rate(cap))
            state.balance += interest
            state.last_date = due_day
            out.rows.append(Row(n, due_day, ZERO, ZERO, interest, state.balance, "suspended"))
            day = due_day
            continue
        for window, kind in [(w, "military") for w in service_windows] + [(w, "leave") for w in leaves]:
            if window[1] < due_day and window not in resumed:
                resumed.add(window)
                _resume(state, window, kind, policy, due_day, out)
        interest = cents(state.balance * state.period_rate())
        state.balance += interest
        state.last_date = due_day
        due = _installment(state, due_day)
        status = "paid"
        if due_day in missed or _stopped(events, policy, due_day):
            paid, status = ZERO, "missed"
            if not state.arrears:
                deadline = cure_deadline(due_day, policy.cure_days)
                out.notes.append(
                    Note(
                        due_day,
                        "missed_payment",
                        _(
                            "The installment due {due} is missed. Make it up by {deadline} (the cure "
                            "deadline; later payments go to the oldest missed installment first), or the "
                            "whole balance becomes a deemed distribution."
                        ).format(due=i18n.date_long(due_day), deadline=i18n.date_long(deadline)),
                        CURE,
                        deadline,
                    )
                )
            state.arrears.append([due_day, due])
        else:
            # the regular installment, applied to the oldest missed one first (a rolling cure);
            # on the last date the arrears are not part of what the person pays by habit
            owed = sum((a[1] for a in state.arrears), ZERO)
            paid = due - owed if due == state.balance and owed else due
            if state.arrears:
                status = "cured"
                state.arrears.append([due_day, paid if due == state.balance and owed else due])
            _apply_payment(state, paid, due_day, out)
            state.arrears = deque(a for a in state.arrears if a[1] > 0)
            if state.arrears:
                status = "behind"  # paying, but the missed installments still roll forward
        out.rows.append(Row(n, due_day, due, paid, interest, state.balance, status))
        if state.balance <= 0:
            out.final_payment_date = due_day
        day = due_day
    while pending and not out.closed:  # events after the last installment (a late separation)
        event = pending.popleft()
        if not _deemed_before(state, event.date, policy, out) and state.balance > 0:
            _apply(event, state, policy, law, out, purpose, refinance_limit)
    if not out.closed and state.arrears:
        _deemed_before(state, dt.date.max, policy, out)
    out.latest_permissible_date = state.latest_end
    return out


def _missed_dates(state: _State, events: list[LoanEvent]) -> set[dt.date]:
    """The installments a missed_payments event leaves unpaid: `count` due on or after its
    date, or every one from then on when payments do not resume."""
    found: set[dt.date] = set()
    for event in events:
        if event.kind == "missed_payments":
            dates = state.due_dates(event.date - dt.timedelta(days=1))
            found |= set(dates if not event.resume else dates[: event.count])
    return found


def _stopped(events: list[LoanEvent], policy: Policy, day: dt.date) -> bool:
    """Payroll deductions stop after leaving the job, unless the plan lets you keep paying."""
    if policy.separation == "continue":
        return False
    return any(e.kind in ("separation", "retirement") and e.date < day for e in events)


def _installment(state: _State, day: dt.date) -> Decimal:
    """What is due on `day`: the level payment, or what is left on the last date."""
    if state.switch is not None and day > state.switch and state.then_payment is not None:
        state.payment, state.switch = state.then_payment, None
    if day >= state.maturity or state.balance <= state.payment:
        return state.balance
    return state.payment


def _apply_payment(state: _State, paid: Decimal, day: dt.date, out: Servicing) -> None:
    """Pay the oldest missed installment first (CCA 201736022), then the current one."""
    state.balance -= paid
    out.payments.append((day, paid))
    if state.basis_share:
        out.basis.append((day, cents(paid * state.basis_share)))
    left = paid
    while state.arrears and left > 0:
        take = min(left, state.arrears[0][1])
        state.arrears[0][1] -= take
        left -= take
        if state.arrears[0][1] <= 0:
            state.arrears.popleft()


def _deemed_before(state: _State, day: dt.date, policy: Policy, out: Servicing) -> bool:
    """A missed installment whose cure deadline passed before `day` is a deemed distribution
    of the whole balance with the interest accrued to the deadline (Q&A-10(b))."""
    if not state.arrears or state.balance <= 0:
        return False
    deadline = cure_deadline(state.arrears[0][0], policy.cure_days)
    if deadline >= day:
        return False
    amount = state.balance + state.accrued(deadline)
    out.distributions.append(Distribution("deemed", deadline, amount, "missed_payments"))
    out.notes.append(
        Note(
            deadline,
            "deemed_distribution",
            _(
                "The installment due {due} was not made up by {deadline}: the whole balance, {amount} "
                "with accrued interest, is a deemed distribution that day. The loan still counts as "
                "outstanding for later loans, with interest (Q&A-19)."
            ).format(
                due=i18n.date_long(state.arrears[0][0]),
                deadline=i18n.date_long(deadline),
                amount=_money(amount),
            ),
            CURE,
        )
    )
    out.closed = "deemed"
    return True


def _resume(
    state: _State, window: tuple[dt.date, dt.date], kind: str, policy: Policy, day: dt.date, out: Servicing
) -> None:
    """After a leave or military service: re-amortize (never below the original installment)
    by the latest term, or keep the old payment with a balloon at maturity (leave only)."""
    if kind == "military":
        state.maturity = military_extension(state.maturity, *window)
        state.latest_end = military_extension(state.latest_end, *window)
        end, citation = state.maturity, MILITARY
    elif policy.leave_repayment == "balloon":
        out.payment_after = state.payment
        out.notes.append(
            Note(
                day,
                "leave_ended",
                _("Payments resume at {payment}; what is left is due as a balloon on {maturity}.").format(
                    payment=_money(state.payment), maturity=i18n.date_long(state.maturity)
                ),
                LEAVE,
            )
        )
        return
    else:
        end = state.latest_end if policy.leave_reamortize_to == "latest_permissible" else state.maturity
        state.maturity, citation = end, LEAVE
    left = state.due_dates(day - dt.timedelta(days=1), end)
    remaining = len(left)
    if remaining == 0:  # the leave ran past the last date: all of it is due now
        state.maturity = end = day
    else:
        state.maturity = left[-1]
    level = level_payment(state.balance, state.period_rate(), max(remaining, 1))
    state.payment = max(level, state.original_payment)
    out.payment_after = state.payment
    if kind == "military":
        text = _(
            "Payments resume on {day} at {payment} (the term extended by the service, {end}; never "
            "less than the original {original})."
        )
    else:
        text = _(
            "Payments resume on {day} at {payment} (to finish by the loan's latest date, {end}; never "
            "less than the original {original})."
        )
    figures = {
        "day": i18n.date_long(day),
        "payment": _money(state.payment),
        "end": i18n.date_long(end),
        "original": _money(state.original_payment),
    }
    out.notes.append(Note(day, f"{kind}_ended", text.format(**figures), citation))


def _apply(
    event: LoanEvent,
    state: _State,
    policy: Policy,
    law: Snapshot,
    out: Servicing,
    purpose: str,
    refinance_limit: RefinanceLimit | None,
) -> None:
    if event.kind == "catch_up" and state.arrears:
        owed = sum((a[1] for a in state.arrears), ZERO)
        paid = min(owed, state.balance)
        _apply_payment(state, paid, event.date, out)
        state.arrears = deque(a for a in state.arrears if a[1] > 0)
        out.notes.append(
            Note(
                event.date,
                "made_up",
                _("The {paid} of missed installments is paid: the loan is current.").format(
                    paid=_money(paid)
                ),
                CURE,
            )
        )
    elif event.kind == "extra_payment" and event.amount:
        state.balance += state.accrued(event.date)
        state.last_date = max(state.last_date, event.date)
        paid = min(event.amount, state.balance)
        _apply_payment(state, paid, event.date, out)
        out.notes.append(
            Note(
                event.date,
                "extra_payment",
                _("An extra {paid} paid: to missed installments first, then to the balance.").format(
                    paid=_money(paid)
                ),
                "CCA 201736022",
            )
        )
    elif event.kind == "payoff":
        state.balance += state.accrued(event.date)
        state.last_date = max(state.last_date, event.date)
        paid = state.balance
        _apply_payment(state, paid, event.date, out)
        state.arrears.clear()
        out.final_payment_date, out.closed = event.date, "paid_off"
        out.notes.append(
            Note(
                event.date,
                "payoff",
                _("Paid off: {paid} with the interest to that day.").format(paid=_money(paid)),
                "Loan terms",
            )
        )
    elif event.kind == "frequency_change" and event.frequency:
        state.balance += state.accrued(event.date)
        state.last_date = event.date
        state.anchor, state.frequency = event.date, event.frequency
        left = state.due_dates(event.date, state.maturity) or state.due_dates(event.date)[:1]
        remaining, state.maturity = len(left), left[-1]  # the last date now falls on a new payday
        state.payment = level_payment(state.balance, state.period_rate(), remaining)
        out.payment_after = state.payment
        out.notes.append(
            Note(
                event.date,
                "frequency_change",
                i18n.ngettext(
                    "Payroll changes to {frequency}: the {balance} left is re-amortized over {n} "
                    "payment of {payment}, ending by {maturity}.",
                    "Payroll changes to {frequency}: the {balance} left is re-amortized over {n} "
                    "payments of {payment}, ending by {maturity}.",
                    remaining,
                ).format(
                    frequency=frequency_words(event.frequency),
                    balance=_money(state.balance),
                    n=remaining,
                    payment=_money(state.payment),
                    maturity=i18n.date_long(state.maturity),
                ),
                "IRC §72(p)(2)(C)",
            )
        )
    elif event.kind in ("separation", "retirement"):
        _separate(event, state, policy, out)
    elif event.kind == "refinance":
        _refinance(event, state, law, out, purpose, refinance_limit)


def _separate(event: LoanEvent, state: _State, policy: Policy, out: Servicing) -> None:
    retiring = event.kind == "retirement"
    if policy.separation == "continue":
        if retiring:
            text = _("You retire on {day}; the plan lets you keep repaying, so the schedule goes on.")
        else:
            text = _("You leave your job on {day}; the plan lets you keep repaying, so the schedule goes on.")
        out.notes.append(
            Note(event.date, event.kind, text.format(day=i18n.date_long(event.date)), "Plan loan policy")
        )
        return
    offset_day = event.date + dt.timedelta(days=policy.offset_days)
    amount = state.balance + state.accrued(offset_day)
    out.distributions.append(Distribution("offset", offset_day, amount, event.kind, severance=event.date))
    out.notes.append(
        Note(
            event.date,
            event.kind,
            (
                _(
                    "You retire on {day}; payroll deductions stop. Unless repaid, the plan offsets the "
                    "{amount} balance against your account on {offset_day}."
                )
                if retiring
                else _(
                    "You leave your job on {day}; payroll deductions stop. Unless repaid, the plan "
                    "offsets the {amount} balance against your account on {offset_day}."
                )
            ).format(
                day=i18n.date_long(event.date), amount=_money(amount), offset_day=i18n.date_long(offset_day)
            ),
            "Plan loan policy; Treas. Reg. §1.72(p)-1 Q&A-13",
        )
    )
    out.closed = "offset"


def _highest_before(state: _State, out: Servicing, day: dt.date) -> Decimal:
    """This loan's highest balance in the 12 months ending the day before `day` (§72(p)(2)(A)(i))."""
    since = add_months(day, -12)
    balances = [row.balance for row in out.rows if since <= row.date < day]
    if since <= state.loan_date < day:
        balances.append(state.opening)
    return max(balances, default=state.balance)


def _refinance(
    event: LoanEvent,
    state: _State,
    law: Snapshot,
    out: Servicing,
    purpose: str,
    refinance_limit: RefinanceLimit | None,
) -> None:
    """A replacement loan (Q&A-20): the new amount pays off the old balance; the rest is cash.
    When its term ends after the replaced loan's latest permissible term, both loans count
    for the limit (Q&A-20(a)(2)), unless it is repaid as two loans (`structure` "split")."""
    replaced = state.balance + state.accrued(event.date)
    amount = event.amount or replaced
    highest = _highest_before(state, out, event.date)
    term = event.term_months or 60
    frequency = event.frequency or state.frequency
    new_dates = payment_dates(event.date, frequency, round(term * PAYMENTS_PER_YEAR[frequency] / 12))
    both = new_dates[-1] > state.latest_end and event.structure != "split"
    old_periods = len(state.due_dates(event.date, state.maturity))
    state.rate = state.rate if event.annual_rate is None else event.annual_rate
    state.frequency, state.anchor, state.last_date = frequency, event.date, event.date
    state.balance, state.maturity = amount, new_dates[-1]
    state.loan_date, state.opening = event.date, amount
    state.latest_end = latest_permissible_end(event.date, term, purpose, law)
    r = state.period_rate()
    if event.structure == "split" and old_periods:
        # the replaced balance over the replaced loan's remaining term plus the new money over
        # its own term: in effect two loans, and only the replacement counts (Q&A-20(a)(2))
        first = level_payment(replaced, r, old_periods)
        extra = level_payment(amount - replaced, r, len(new_dates)) if amount > replaced else ZERO
        state.payment, state.then_payment = first + extra, extra
        state.switch = state.due_dates(event.date)[old_periods - 1]
    else:
        state.payment = level_payment(amount, r, len(new_dates))
    state.original_payment = state.payment
    state.arrears.clear()
    out.payment_after = state.payment
    if amount > replaced:  # the new money leaves the account: a payment the other way
        out.payments.append((event.date, replaced - amount))
    figures = {
        "replaced": _money(replaced),
        "amount": _money(amount),
        "cash": _money(amount - replaced),
        "payment": _money(state.payment),
        "then": _money(state.then_payment or ZERO),
        "last": i18n.date_long(state.maturity),
    }
    if state.then_payment:
        text = _(
            "Refinanced: the {replaced} balance is replaced by a {amount} loan ({cash} more in cash), "
            "payments of {payment}, then {then}, the last on {last}."
        )
    else:
        text = _(
            "Refinanced: the {replaced} balance is replaced by a {amount} loan ({cash} more in cash), "
            "payments of {payment}, the last on {last}."
        )
    counted = (
        _("It ends after the replaced loan's latest permissible term, so both loans count for the limit.")
        if both
        else _("Only the replacement loan counts for the limit.")
    )
    out.notes.append(Note(event.date, "refinance", text.format(**figures) + " " + counted, REFINANCE))
    excess = refinance_limit(amount, replaced, highest, both) if refinance_limit else ZERO
    if excess > 0:
        # the part over the limit is a deemed distribution on the refinancing date (Q&A-4,
        # Q&A-20(b)); its share of later payments is after-tax basis (Q&A-21)
        state.basis_share = excess / amount
        out.distributions.append(Distribution("deemed", event.date, excess, "refinance"))
        out.notes.append(
            Note(
                event.date,
                "deemed_distribution",
                _(
                    "{excess} of the new loan is over the limit: a deemed distribution on the "
                    "refinancing date; the loan itself goes on."
                ).format(excess=_money(excess)),
                "Treas. Reg. §1.72(p)-1 Q&A-4, Q&A-20(b)",
            )
        )


__all__ = ["LoanEvent", "Policy", "Row", "Note", "Distribution", "Servicing", "RefinanceLimit", "service"]
