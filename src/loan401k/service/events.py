"""events(): the loan through dated events (missed payments, leave, military service,
leaving the job, retiring, refinancing, extra payments, payoff, a payroll change), what the
law makes of each, and what the path costs at retirement against the plan, on the after-tax
ledger of METHOD v2 §4 (the same scenario object as the analysis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from .. import __version__, i18n
from ..dates import add_months, month_index
from ..engine.events import Distribution, LoanEvent, Policy, Servicing, service
from ..i18n import N_, _
from ..models import (
    DistributionOut,
    EventInput,
    EventNote,
    EventsResult,
    InputError,
    LoanSummary,
    Problem,
    TimelineRow,
)
from ..money import ONE, ZERO, cents, cents_of, pct
from ..rules.deadlines import due_month, return_due_date
from ..rules.distributions import penalty_exemption
from ..rules.limits import LimitTerms, max_new_loan
from ..rules.loan_events import DEEMED, FORM, OFFSET, is_qualified_offset, reporting
from .core import Inputs, loan_summary, person_at, tax_warnings
from .scenario import EVENTS_ELSEWHERE, Scenario, build_scenario, scenario_warnings

WINDOWED = ("leave", "military")


#: "The date is required" for each kind of event, as a whole sentence.
DATE_REQUIRED = {
    "missed_payments": N_("the date is required for missed payments"),
    "leave": N_("the date is required for a leave"),
    "military": N_("the date is required for military service"),
    "separation": N_("the date is required for a separation"),
    "retirement": N_("the date is required for a retirement"),
    "refinance": N_("the date is required for a refinance"),
    "extra_payment": N_("the date is required for an extra payment"),
    "payoff": N_("the date is required for a payoff"),
    "frequency_change": N_("the date is required for a frequency change"),
}
#: The end date a leave or military service needs, as a whole sentence.
END_REQUIRED = {
    "leave": N_("the end date is required for a leave, on or after {day}"),
    "military": N_("the end date is required for military service, on or after {day}"),
}


def events(data: Inputs) -> EventsResult:
    return events_of(build_scenario(data, "events"))


# --------------------------------------------------------------------------- the page's panel


@dataclass(frozen=True)
class LoanMonth:
    """Month `month` of a loan, dated for a question asked in months ("I leave my job in
    month 10"): month 1 runs from the day after the start to the first monthly date."""

    month: int
    before_payment: dt.date  # a day in the month before its payment falls due
    after_payment: dt.date  # the day after the month's payment
    payment_date: dt.date | None  # the first payment due in the month (None: none falls in it)
    window_end: dt.date | None  # the last day of `months` months from before_payment

    @property
    def payment_month(self) -> dt.date:
        """The month the question is about, named by its payment (or its own end)."""
        return self.payment_date or self.after_payment


def loan_month(scenario: Scenario, month: int, months: int | None = None) -> LoanMonth:
    """The dates of month `month` of the scenario's loan (and of a window of `months`
    months from it), the ones the "What if…" panel's events are dated on."""
    start = scenario.loan.terms.start_date
    last = loan_months(scenario)
    if not 1 <= month <= last:
        raise ValueError(f"month {month} is outside the loan's months 1 to {last}")
    before = add_months(start, month - 1) + dt.timedelta(days=1)
    after = add_months(start, month) + dt.timedelta(days=1)
    due = next((day for day in scenario.loan.dates if before <= day < after), None)
    end = None if months is None else add_months(before, months) - dt.timedelta(days=1)
    return LoanMonth(month, before, after, due, end)


def loan_months(scenario: Scenario) -> int:
    """How many months the scenario's loan runs (at least 1): the panel's range."""
    return max(scenario.loan.last_month, 1)


def events_of(scenario: Scenario, events: list[EventInput] | None = None) -> EventsResult:
    """The scenario's loan through `events` (default: the ones in its input)."""
    inputs = scenario.inputs
    listed = check_events(scenario, inputs.events if events is None else events)
    policy = Policy(
        cure_days=inputs.cure_period_days,
        separation=inputs.separation_policy,
        offset_days=inputs.separation_offset_days,
        leave_repayment=inputs.leave_repayment,
        leave_reamortize_to=inputs.leave_reamortize_to,
    )
    terms, payment = scenario.loan.terms, scenario.loan.schedule.payment
    try:
        path = service(
            terms, payment, listed, policy, inputs.purpose, scenario.law, refinance_limit(scenario)
        )
    except ValueError as exc:  # pragma: no cover - checked above; a guard against a 500
        raise InputError([Problem(field="events", message=str(exc))]) from None
    plan = service(terms, payment, [], policy, inputs.purpose, scenario.law)
    distributions = [distribution_out(scenario, d, path) for d in path.distributions]
    cost = path_cost(scenario, path, distributions) - path_cost(scenario, plan, [])
    deemed = next((d for d in distributions if d.kind == "deemed"), None)
    offset = next((d for d in distributions if d.kind == "offset"), None)
    return EventsResult(
        loan=LoanSummary(**loan_summary(scenario.loan)),
        status=status_of(scenario, path),
        timeline=[TimelineRow.model_construct(**row.__dict__) for row in path.rows],
        events=[EventNote(**note.__dict__) for note in sorted(path.notes, key=lambda n: n.date)],
        distributions=distributions,
        deemed_distribution=deemed,
        offset=offset,
        payment_after=path.payment_after,
        final_payment_date=path.final_payment_date,
        latest_permissible_date=path.latest_permissible_date,
        cost_vs_plan=cost,
        cost_text=cost_text(scenario, cost, distributions, listed),
        warnings=[w for w in scenario_warnings(scenario) if w != _(EVENTS_ELSEWHERE)] + tax_warnings(inputs),
        version=__version__,
    )


# --------------------------------------------------------------------------- input


def check_events(scenario: Scenario, given: list[EventInput]) -> list[LoanEvent]:
    """Each event dated after the loan, windows that make sense and do not overlap."""
    law = scenario.law
    start = scenario.loan.terms.start_date
    problems: list[Problem] = []
    out: list[LoanEvent] = []
    windows: list[tuple[dt.date, dt.date, int]] = []
    for i, event in enumerate(given):

        def bad(name: str, message: str, i: int = i) -> None:
            problems.append(Problem(field=f"events.{i}.{name}", message=message))

        day = event.start if event.kind in WINDOWED else event.date
        if day is None:
            bad("start" if event.kind in WINDOWED else "date", _(DATE_REQUIRED[event.kind]))
            continue
        if day <= start:
            bad(
                "start" if event.kind in WINDOWED else "date",
                _("{day} is not after the loan's start, {start}").format(
                    day=i18n.date_long(day), start=i18n.date_long(start)
                ),
            )
            continue
        if event.kind in WINDOWED:
            if event.end is None or event.end < day:
                bad("end", _(END_REQUIRED[event.kind]).format(day=i18n.date_long(day)))
                continue
            longest = int(law["leave_suspension_max_months"])
            if event.kind == "leave" and event.end > add_months(day, longest):
                bad(
                    "end",
                    _(
                        "a leave suspends repayment for at most {months} months (Treas. Reg. §1.72(p)-1 "
                        "Q&A-9(a)); end it by {end} and enter missed payments for any installments after that"
                    ).format(months=longest, end=i18n.date_long(add_months(day, longest))),
                )
                continue
            for other_start, other_end, j in windows:
                if day <= other_end and other_start <= event.end:
                    bad(
                        "start",
                        _("overlaps event {number} ({start} to {end})").format(
                            number=j + 1, start=i18n.date_long(other_start), end=i18n.date_long(other_end)
                        ),
                    )
            windows.append((day, event.end, i))
        if event.made_up_on is not None and event.made_up_on <= day:
            bad(
                "made_up_on",
                _("{made_up} is not after the first missed installment's date, {day}").format(
                    made_up=i18n.date_long(event.made_up_on), day=i18n.date_long(day)
                ),
            )
        if event.kind == "frequency_change" and event.frequency is None:
            bad("frequency", _("the new pay frequency is required for a frequency change"))
        if event.kind == "extra_payment" and event.amount is None:
            bad("amount", _("the amount is required for an extra payment"))
        if event.kind == "refinance" and event.amount is None:
            bad(
                "amount",
                _("the new loan's amount is required for a refinance, at least the balance it replaces"),
            )
        out.append(
            LoanEvent(
                kind=event.kind,
                date=day,
                end=event.end,
                count=event.count,
                amount=event.amount,
                term_months=event.term_months,
                annual_rate=None if event.annual_rate_pct is None else pct(event.annual_rate_pct),
                frequency=event.frequency,
                structure=event.structure,
                resume=event.resume,
                made_up_on=event.made_up_on,
            )
        )
    if problems:
        raise InputError(problems)
    return sorted(out, key=lambda e: e.date)


def refinance_limit(scenario: Scenario):  # type: ignore[no-untyped-def]
    """The §72(p)(2)(A) amount test at a refinancing (Q&A-20(a)): the new loan with the other
    loans (and the replaced one, when its term ends later than the replaced loan's latest
    permissible term) against the limit, with this loan's 12-month high in the look-back."""
    inputs = scenario.inputs
    assert inputs.vested_balance is not None
    others = inputs.outstanding_loan_balance + inputs.deemed_loan_balance
    others_high = (
        inputs.highest_loan_balance_12m or inputs.outstanding_loan_balance
    ) + inputs.deemed_loan_balance

    def excess(amount: Decimal, replaced: Decimal, highest: Decimal, both: bool) -> Decimal:
        limit = max_new_loan(
            LimitTerms(
                vested=inputs.vested_balance or ZERO,
                outstanding=replaced + others,
                highest_12m=max(highest, replaced) + others_high,
                allow_10k_floor=inputs.allow_10k_floor,
                min_loan=ZERO,
                disaster=inputs.disaster_loan,
            ),
            scenario.law,
        )
        counted = amount if both else amount - replaced
        return max(ZERO, counted - limit.max_loan)

    return excess


# --------------------------------------------------------------------------- the law's verdicts


def distribution_out(scenario: Scenario, item: Distribution, path: Servicing) -> DistributionOut:
    inputs, law = scenario.inputs, scenario.law
    assert inputs.age is not None
    start = scenario.loan.terms.start_date
    age = Decimal(inputs.age) + Decimal(month_index(start, item.date)) / 12
    separating = item.kind == "offset"
    severance_age = None
    if separating and item.severance is not None:
        severance_age = Decimal(inputs.age) + Decimal(month_index(start, item.severance)) / 12
    person = replace(
        person_at(inputs, age, separating=separating),
        separation_year_age=severance_age
        if separating
        else (None if inputs.separation_year_age is None else Decimal(inputs.separation_year_age)),
    )
    roth = inputs.source == "roth"
    qualified = separating and is_qualified_offset(item.date, item.severance, law)
    report = reporting(item.kind, item.date, person, roth, qualified, law)
    # Q&A-21: what was deemed distributed before is basis and is not taxed again at an offset
    already = sum((d.amount for d in path.distributions if d.kind == "deemed" and d.date < item.date), ZERO)
    permitted = max(ZERO, item.amount - already)
    rolled = min(permitted, inputs.cash_on_separation) if separating else ZERO
    share = (
        pct(inputs.roth_earnings_pct or 0)
        if roth and age < law["age_penalty_free"]
        else (ZERO if roth else ONE)
    )
    taxable = cents((permitted - rolled) * share)
    penalty = ZERO if report.exemption else scenario.tax.penalty(taxable, law["additional_tax_rate"])
    tax = scenario.tax.federal(taxable) + scenario.tax.state(taxable, person)
    return DistributionOut(
        kind=item.kind,
        reason=item.reason,
        date=item.date,
        amount=item.amount,
        rolled_over=rolled,
        taxable=taxable,
        tax=tax,
        penalty=penalty,
        total=tax + penalty,
        tax_due_date=return_due_date(item.date.year),
        qualified=qualified,
        rollover_deadline=report.rollover_deadline,
        form_1099r_code=report.code,
        exemption=report.exemption,
        citation=f"{DEEMED if item.kind == 'deemed' else OFFSET}; IRC §72(t); {FORM}",
    )


def status_of(scenario: Scenario, path: Servicing) -> str:
    if path.closed == "deemed":
        return "deemed"
    if path.closed in ("offset", "paid_off"):
        return path.closed
    last = path.final_payment_date
    retirement = month_index(scenario.loan.terms.start_date, last) if last else None
    if last is None or (retirement is not None and retirement > scenario.months):
        return "owed_at_retirement"
    return "repaid"


# --------------------------------------------------------------------------- the ledger


def path_cost(scenario: Scenario, path: Servicing, distributions: list[DistributionOut]) -> Decimal:
    """A timeline on the §4 ledger, up to retirement: every amount paid in enters the account
    (worth keep a dollar at T) and leaves the outside pot; cash rolled over the same; taxes
    and the 10 % leave the outside pot at their due date; after-tax basis comes back untaxed.
    A balance still owed at retirement is offset then. The zero point is the same for every
    path of one loan, so differences of path costs are what the events cost."""
    start, months = scenario.loan.terms.start_date, scenario.months
    account, outside = scenario.account_index, scenario.outside_index
    keep = scenario.keep
    t_ret = 0.0 if scenario.roth else float(scenario.retirement_tax_rate)

    def grown(month: int, index) -> float:  # type: ignore[no-untyped-def]
        return float(index[months] / index[min(month, months)])

    total = 0.0
    for day, amount in path.payments:
        month = month_index(start, day)
        if month > months:
            continue
        total += float(amount) * (grown(month, outside) - keep * grown(month, account))
    for day, amount in path.basis:
        if month_index(start, day) <= months:
            total -= t_ret * float(amount)
    for item in distributions:
        month = month_index(start, item.date)
        if month > months:
            continue
        if item.rolled_over:
            total += float(item.rolled_over) * (grown(month, outside) - keep * grown(month, account))
        total += float(item.total) * grown(min(due_month(month, start), months), outside)
    owed = _owed_at_retirement(scenario, path)
    if owed > 0:  # offset at retirement (METHOD v2 §6), taxed then
        total += float(retirement_offset_cash(scenario, owed))
    return cents_of(total)


def retirement_offset_cash(scenario: Scenario, owed: Decimal) -> Decimal:
    inputs, law = scenario.inputs, scenario.law
    person = person_at(inputs, Decimal(inputs.retirement_age), separating=True)
    taxable = owed if inputs.source != "roth" else ZERO
    exempt = penalty_exemption(person, law)
    penalty = ZERO if exempt else scenario.tax.penalty(taxable, law["additional_tax_rate"])
    return scenario.tax.federal(taxable) + scenario.tax.state(taxable, person) + penalty


def _owed_at_retirement(scenario: Scenario, path: Servicing) -> Decimal:
    """What the schedule still owes at retirement when it runs past it (offset then)."""
    if path.closed:
        return ZERO
    start, months = scenario.loan.terms.start_date, scenario.months
    after = [row for row in path.rows if month_index(start, row.date) > months]
    if not after:
        return ZERO
    before = [row for row in path.rows if month_index(start, row.date) <= months]
    return before[-1].balance if before else scenario.loan.terms.amount


def cost_text(
    scenario: Scenario, cost: Decimal, distributions: list[DistributionOut], listed: list[LoanEvent]
) -> str:
    age = scenario.inputs.retirement_age
    if not listed:
        return _("No events: the loan as planned.")
    first = distributions[0] if distributions else None
    amount = i18n.currency(abs(cost), whole=True)
    if first is None:
        if cost >= 0:
            text = _("These events cost you {amount} at {age} against the loan as planned, after tax.")
        else:
            text = _(
                "These events leave you ahead by {amount} at {age} against the loan as planned, after tax."
            )
        return text.format(amount=amount, age=age)
    figures = {
        "amount": i18n.currency(first.amount),
        "date": i18n.date_long(first.date),
        "total": i18n.currency(first.total),
        "due": i18n.date_long(first.tax_due_date),
        "rollover": i18n.date_long(first.rollover_deadline) if first.rollover_deadline else "",
    }
    if first.kind == "deemed":
        ending = _(
            "These events end in a deemed distribution of {amount} on {date}: {total} of tax and "
            "penalty due by {due}."
        )
    elif first.rollover_deadline:
        ending = _(
            "These events end in an offset of {amount} on {date}: {total} of tax and penalty due by "
            "{due} unless you roll it over by {rollover}."
        )
    else:
        ending = _(
            "These events end in an offset of {amount} on {date}: {total} of tax and penalty due by {due}."
        )
    if cost >= 0:
        then = _("They cost you {amount} at {age} against the loan as planned, after tax.")
    else:
        then = _("They leave you ahead by {amount} at {age} against the loan as planned, after tax.")
    return ending.format(**figures) + " " + then.format(amount=amount, age=age)
