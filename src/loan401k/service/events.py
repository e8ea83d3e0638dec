"""events(): the loan through dated events (missed payments, leave, military service,
leaving the job, retiring, refinancing, extra payments, payoff, a payroll change), what the
law makes of each, and what the path costs at retirement against the plan, on the after-tax
ledger of METHOD v2 §4 (the same scenario object as the analysis)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal

from .. import __version__
from ..dates import add_months, month_index
from ..engine.events import Distribution, LoanEvent, Policy, Servicing, service
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
from ..money import ONE, ZERO, cents, cents_of, pct, usd
from ..rules.deadlines import due_month, return_due_date
from ..rules.distributions import penalty_exemption
from ..rules.limits import LimitTerms, max_new_loan
from ..rules.loan_events import DEEMED, FORM, OFFSET, is_qualified_offset, reporting
from .core import Inputs, loan_summary, person_at, tax_warnings
from .scenario import EVENTS_ELSEWHERE, Scenario, build_scenario, scenario_warnings

WINDOWED = ("leave", "military")


def words(kind: str) -> str:
    return {"military": "military service", "leave": "a leave", "missed_payments": "missed payments"}.get(
        kind, "a " + kind.replace("_", " ")
    )


def events(data: Inputs) -> EventsResult:
    return events_of(build_scenario(data, "events"))


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
        warnings=[w for w in scenario_warnings(scenario) if w != EVENTS_ELSEWHERE] + tax_warnings(inputs),
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
            bad(
                "start" if event.kind in WINDOWED else "date", f"the date is required for {words(event.kind)}"
            )
            continue
        if day <= start:
            bad("start" if event.kind in WINDOWED else "date", f"{day} is not after the loan's start {start}")
            continue
        if event.kind in WINDOWED:
            if event.end is None or event.end < day:
                bad("end", f"the end date is required for {words(event.kind)}, on or after {day}")
                continue
            longest = int(law["leave_suspension_max_months"])
            if event.kind == "leave" and event.end > add_months(day, longest):
                bad(
                    "end",
                    f"a leave suspends repayment for at most {longest} months (Treas. Reg. §1.72(p)-1 "
                    f"Q&A-9(a)); end it by {add_months(day, longest)} and enter missed_payments for "
                    "any installments after that",
                )
                continue
            for other_start, other_end, j in windows:
                if day <= other_end and other_start <= event.end:
                    bad("start", f"overlaps events.{j} ({other_start} to {other_end})")
            windows.append((day, event.end, i))
        if event.made_up_on is not None and event.made_up_on <= day:
            bad("made_up_on", f"{event.made_up_on} is not after the first missed installment's date {day}")
        if event.kind == "frequency_change" and event.frequency is None:
            bad("frequency", "the new pay frequency is required for a frequency change")
        if event.kind == "extra_payment" and event.amount is None:
            bad("amount", "the amount is required for an extra payment")
        if event.kind == "refinance" and event.amount is None:
            bad(
                "amount",
                "the new loan's amount is required for a refinance, at least the balance it replaces",
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
        return "No events: the loan as planned."
    first = distributions[0] if distributions else None
    what = "These events"
    if first is not None:
        kind = "a deemed distribution" if first.kind == "deemed" else "an offset"
        what = (
            f"These events end in {kind} of {usd(first.amount)} on {first.date:%B %-d, %Y}: "
            f"{usd(first.total)} of tax and penalty due by {first.tax_due_date:%B %-d, %Y}"
        )
        if first.rollover_deadline:
            what += f" unless you roll it over by {first.rollover_deadline:%B %-d, %Y}"
        what += ". They"
    verb = "cost you" if cost >= 0 else "leave you ahead by"
    return f"{what} {verb} {usd(abs(cost), whole=True)} at {age} against the loan as planned, after tax."
