"""The only place that strings rules and engine together. Every face calls these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from .. import i18n
from ..engine.amortization import PAYMENTS_PER_YEAR, max_principal_for_payment, periods_in_term
from ..engine.loan import Loan, LoanTerms, build_loan
from ..i18n import N_, _
from ..models import (
    MAX_MONEY,
    DistributionResult,
    InputError,
    LimitResult,
    LoanInput,
    Problem,
    ScheduleResult,
    ScheduleRow,
    field_bounds,
    parse_input,
    range_text,
)
from ..money import HUNDRED, ONE, ZERO, pct, usd
from ..params import Snapshot, parameters
from ..rules.distributions import Person, describe, gross_for_net, penalty_exemption, tax_on
from ..rules.limits import LimitTerms, max_new_loan
from ..rules.state_tax import StateTax, state_tax, supported_states
from ..rules.tax import Brackets, TaxProfile, brackets_for_year
from .plans import apply_profile

Inputs = LoanInput | dict[str, Any] | None


def today() -> dt.date:
    return dt.date.today()


# --------------------------------------------------------------------------- defaults


EARLIEST_START = parameters().first_date  # the parameter files hold the law from then on


def _latest_start() -> dt.date:
    """The last start date whose dates all fit in the calendar (to 9999-12-31): the payments
    (term_months) and the projection (retirement_age - age) from it, and two more years for
    the tax due date and rollover deadline of a separation in the last month."""
    term, age, retirement = (
        field_bounds(LoanInput, name) for name in ("term_months", "age", "retirement_age")
    )
    assert term and age and retirement  # bounded fields
    years = max(-(-term[1] // 12), retirement[1] - age[0]) + 2
    return dt.date(dt.MAXYEAR - years, 12, 31)


LATEST_START = _latest_start()


def law_for(inputs: LoanInput) -> Snapshot:
    return parameters().in_force(inputs.start_date or today())


def default_loan_rate_pct(law: Snapshot) -> Decimal:
    """Prime + 1 (plan practice) in force on the loan date."""
    rate: Decimal = law["prime_rate"] + law["loan_rate_spread"]
    return rate * HUNDRED


def default_job_loss_pct(law: Snapshot) -> Decimal:
    """The JOLTS monthly total separations rate (quits, layoffs, other) as an annual
    probability: 1 - (1 - m)^12."""
    monthly: Decimal = law["job_separation_monthly_rate"]
    return ((ONE - (ONE - monthly) ** 12) * HUNDRED).quantize(Decimal("0.1"))


#: Without the earnings share of a Roth account, an offset is taxed as if all of it were
#: earnings: an upper bound, and a warning says so (IRC §72(e)(8) taxes only the earnings).
ROTH_EARNINGS_DEFAULT_PCT = HUNDRED

#: The planning age when none is given (LoanInput's default), unless the person is already
#: that old: then the year the loan is repaid, as someone who still works while repaying.
PLANNING_AGE = LoanInput.model_fields["retirement_age"].default


def retirement_age_of(inputs: LoanInput) -> int:
    """The retirement age used: the one given, else max(65, age + the term in whole years)
    (capped at the field's upper bound), so a 70-year-old still working gets an answer."""
    if "retirement_age" in inputs.model_fields_set or inputs.age is None:
        return inputs.retirement_age
    bounds = field_bounds(LoanInput, "retirement_age")
    assert bounds is not None
    return int(min(bounds[1], max(PLANNING_AGE, inputs.age + -(-inputs.term_months // 12))))


def with_defaults(inputs: LoanInput) -> LoanInput:
    """The input with every documented default written in (what `analysis.inputs` shows)."""
    law = law_for(inputs)
    start = inputs.start_date or today()
    inputs = inputs.model_copy(update={"retirement_age": retirement_age_of(inputs)})
    tax = tax_profile(inputs)
    fill: dict[str, Any] = {
        "start_date": start,
        "tax_year": inputs.tax_year or start.year,
        "annual_rate_pct": inputs.annual_rate_pct
        if inputs.annual_rate_pct is not None
        else default_loan_rate_pct(law),
        "highest_loan_balance_12m": inputs.highest_loan_balance_12m
        if inputs.highest_loan_balance_12m is not None
        else inputs.outstanding_loan_balance,
        "annual_return_pct": inputs.annual_return_pct
        if inputs.annual_return_pct is not None
        else law["assumed_annual_return"] * HUNDRED,
        "inflation_pct": inputs.inflation_pct
        if inputs.inflation_pct is not None
        else law["assumed_inflation"] * HUNDRED,
        "job_loss_annual_pct": inputs.job_loss_annual_pct
        if inputs.job_loss_annual_pct is not None
        else default_job_loss_pct(law),
        "retirement_tax_rate_pct": inputs.retirement_tax_rate_pct
        if inputs.retirement_tax_rate_pct is not None
        else (tax.federal_marginal + tax.state_rate_in_retirement(inputs.retirement_age)) * HUNDRED,
        "outside_tax_drag_pct": inputs.outside_tax_drag_pct
        if inputs.outside_tax_drag_pct is not None
        else law["outside_tax_drag"] * HUNDRED,
    }
    if inputs.source == "roth" and inputs.roth_earnings_pct is None:
        fill["roth_earnings_pct"] = ROTH_EARNINGS_DEFAULT_PCT
    return inputs.model_copy(update=fill)


# --------------------------------------------------------------------------- checks


#: Fields a message names, in the words of the form ("give either … or …").
WORDS = {
    "contribution_monthly": N_("a monthly contribution"),
    "contribution_pct": N_("a contribution as a share of pay"),
    "contribution_during_loan_monthly": N_("a monthly contribution while repaying"),
    "contribution_during_loan_pct": N_("a share of pay while repaying"),
    "match_rate_pct": N_("an employer match"),
}

#: What each calculation needs a field for, in the words of the person asking.
PURPOSE = {
    "limit": "to work out how much you can borrow",
    "schedule": "to lay out the payments",
    "distribution": "to work out the tax",
    "analyze": "to price the loan",
    "compare": "to compare your options",
    "backtest": "to price the loan over history",
    "montecarlo": "to price the loan under simulated markets",
    "events": "to follow the loan through the events",
}


#: The same as whole sentences: "required " and the purpose.
REQUIRED = {
    "limit": N_("required to work out how much you can borrow"),
    "schedule": N_("required to lay out the payments"),
    "distribution": N_("required to work out the tax"),
    "analyze": N_("required to price the loan"),
    "compare": N_("required to compare your options"),
    "backtest": N_("required to price the loan over history"),
    "montecarlo": N_("required to price the loan under simulated markets"),
    "events": N_("required to follow the loan through the events"),
}
assert all(REQUIRED[command] == f"required {purpose}" for command, purpose in PURPOSE.items())


def require(inputs: LoanInput, command: str, *names: str) -> None:
    missing = [n for n in names if getattr(inputs, n) is None]
    required = _(REQUIRED[command]) if command in REQUIRED else f"required {PURPOSE.get(command, '')}"
    if missing:
        raise InputError([Problem(field=n, message=f"{required}{_allowed(n)}") for n in missing])


def _allowed(name: str) -> str:
    bounds = field_bounds(LoanInput, name)
    return "" if bounds is None else f"; {range_text(*bounds)}"


def check_consistency(inputs: LoanInput, command: str = "analyze") -> None:
    """Rules that tie fields together; each problem names the field to change."""
    law = law_for(inputs)
    problems: list[Problem] = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(field=field, message=message))

    if inputs.start_date is not None and inputs.start_date < EARLIEST_START:
        bad(
            "start_date",
            _(
                "{date} is before {earliest}, the first day this calculator has the law's figures for; "
                "allowed range: {first} to {last}"
            ).format(
                date=i18n.date_long(inputs.start_date),
                earliest=i18n.date_long(EARLIEST_START),
                first=EARLIEST_START,
                last=LATEST_START,
            ),
        )
    if inputs.start_date is not None and inputs.start_date > LATEST_START:
        bad(
            "start_date",
            _(
                "{date} is too late for the payments and the projection to fit in the calendar; "
                "allowed range: {first} to {last}"
            ).format(date=i18n.date_long(inputs.start_date), first=EARLIEST_START, last=LATEST_START),
        )
    start = inputs.start_date or today()
    if start <= LATEST_START and periods_in_term(inputs.term_months, inputs.frequency, start) == 0:
        # IRC §72(p)(2)(C) asks for payments at least quarterly: a term shorter than one
        # period has none.
        shortest = 12 // PAYMENTS_PER_YEAR[inputs.frequency]
        bad(
            "term_months",
            _(
                "{term} is shorter than one {frequency} payment period; "
                'allowed: at least {shortest} with frequency "{frequency}"'
            ).format(term=inputs.term_months, frequency=inputs.frequency, shortest=shortest),
        )
        faster = [name for name, k in PAYMENTS_PER_YEAR.items() if 12 // k <= inputs.term_months]
        bad(
            "frequency",
            _(
                '"{frequency}" has no payment within a {term}-month term; '
                "allowed for a {term}-month term: {choices}"
            ).format(
                frequency=inputs.frequency,
                term=inputs.term_months,
                choices=", ".join(repr(f) for f in faster),
            ),
        )
    if inputs.highest_loan_balance_12m is not None and (
        inputs.highest_loan_balance_12m < inputs.outstanding_loan_balance
    ):
        bad(
            "highest_loan_balance_12m",
            _(
                "{highest} is below the loan you owe now, {owed}; "
                "the highest balance of the last 12 months includes today's"
            ).format(
                highest=usd(inputs.highest_loan_balance_12m, auto=True),
                owed=usd(inputs.outstanding_loan_balance, auto=True),
            ),
        )
    if inputs.vested_balance is not None and inputs.outstanding_loan_balance > inputs.vested_balance:
        bad(
            "outstanding_loan_balance",
            _(
                "{owed} is above the vested balance, {vested}; the vested balance includes outstanding loans"
            ).format(
                owed=usd(inputs.outstanding_loan_balance, auto=True),
                vested=usd(inputs.vested_balance, auto=True),
            ),
        )
    general_cap = int(law["loan_max_term_months"])
    residence_cap = int(law["residence_term_cap_months"])
    if inputs.purpose == "general" and inputs.term_months > general_cap:
        bad(
            "term_months",
            _(
                "{term} is out of range for a general loan; allowed range: 1 to {cap} "
                "(IRC §72(p)(2)(B)), or up to {home_cap} for a loan to buy your main home"
            ).format(term=inputs.term_months, cap=general_cap, home_cap=residence_cap),
        )
    if inputs.purpose == "residence" and inputs.term_months > residence_cap:
        bad(
            "term_months",
            _(
                "{term} is out of range for a loan to buy your main home; "
                "allowed range: 1 to {cap} (the longest this calculator's plan rules allow)"
            ).format(term=inputs.term_months, cap=residence_cap),
        )
    if inputs.payoff_month is not None and inputs.payoff_month > inputs.term_months:
        bad(
            "payoff_month",
            _("{month} is after the term; allowed range: 1 to {term}").format(
                month=inputs.payoff_month, term=inputs.term_months
            ),
        )
    for normal, during in (
        ("contribution_monthly", "contribution_pct"),
        ("contribution_during_loan_monthly", "contribution_during_loan_pct"),
    ):
        if getattr(inputs, normal) is not None and getattr(inputs, during) is not None:
            bad(
                during,
                _("give either {one} or {other}, not both").format(
                    one=_(WORDS[normal]), other=_(WORDS[during])
                ),
            )
    needs_salary = [
        n for n in ("contribution_pct", "contribution_during_loan_pct") if getattr(inputs, n) is not None
    ]
    if inputs.match_rate_pct > 0:
        needs_salary.append("match_rate_pct")
    if needs_salary and not inputs.salary:
        # TRANSLATORS: what joins "a share of pay while repaying" and "an employer match"
        joint = i18n.pgettext("list of things", " and ")
        things = joint.join(_(WORDS[n]) for n in needs_salary)
        bad("salary", _("required (more than 0) with {things}").format(things=things))
    if inputs.age is not None and (retire := retirement_age_of(inputs)) <= inputs.age:
        bad(
            "retirement_age",
            _("{retire} is not after age {age}; allowed range: {first} to 100").format(
                retire=retire, age=inputs.age, first=inputs.age + 1
            ),
        )
    if inputs.separation_year_age is not None and inputs.age is not None:
        hired = inputs.age - (inputs.years_of_service or 0) if inputs.years_of_service is not None else 16
        if not hired <= inputs.separation_year_age <= inputs.age:
            bad(
                "separation_year_age",
                _(
                    "{age_then} is out of range: the separation is past, so its age lies between your age "
                    "when hired and your age now; allowed range: {first} to {age}"
                ).format(age_then=inputs.separation_year_age, first=max(hired, 16), age=inputs.age),
            )
    if inputs.amount is not None and inputs.net is not None:
        bad("net", _("give either the loan amount (before tax) or the cash you need after tax, not both"))
    problems += state_problems(inputs)
    if problems:
        raise InputError(problems)


def prepare(data: Inputs, command: str, *required: str) -> LoanInput:
    inputs = parse_input(data)
    if inputs.plan is not None:
        inputs = apply_profile(inputs, law_for(inputs)).inputs
    require(inputs, command, *required)
    check_consistency(inputs, command)
    return inputs


# --------------------------------------------------------------------------- pieces


def tax_profile(inputs: LoanInput) -> TaxProfile:
    year = inputs.tax_year or (inputs.start_date or today()).year
    brackets, _warnings, used_year = brackets_for_year(parameters(), year, inputs.filing_status)
    state = state_law(inputs, year, brackets)[0]
    return TaxProfile(
        state_rate=pct(inputs.state_rate_pct) if state is None else state.rate,
        brackets=brackets if inputs.taxable_income is not None else None,
        taxable_income=inputs.taxable_income,
        flat_rate=pct(inputs.marginal_rate_pct),
        tax_year=used_year,
        citation=parameters()["federal_brackets"].citation,
        state_law=state,
    )


def tax_warnings(inputs: LoanInput) -> list[str]:
    year = inputs.tax_year or (inputs.start_date or today()).year
    brackets, warnings, _year = brackets_for_year(parameters(), year, inputs.filing_status)
    return warnings + state_law(inputs, year, brackets)[1]


def state_problems(inputs: LoanInput) -> list[Problem]:
    """`state` names a state file (params/states); its figures replace state_rate_pct."""
    if inputs.state is None:
        return []
    supported = supported_states()
    if inputs.state.upper() not in supported:
        return [
            Problem(
                field="state",
                message=_(
                    "{state} is not a supported state; supported: {states}; "
                    "for another state, leave the state out and give its tax rate (state tax rate)"
                ).format(state=repr(inputs.state), states=", ".join(supported)),
            )
        ]
    if inputs.state_rate_pct > 0:
        return [
            Problem(
                field="state_rate_pct",
                message=_(
                    "give either a state ({state}) or a state tax rate, not both: "
                    "with a state, its own rates and rules apply"
                ).format(state=inputs.state.upper()),
            )
        ]
    return []


def state_law(inputs: LoanInput, year: int, brackets: Brackets) -> tuple[StateTax | None, list[str]]:
    """The state's tax for the tax year (none without `state`) and its warnings."""
    if inputs.state is None:
        return None, []
    if problems := state_problems(inputs):
        raise InputError(problems)
    rate = pct(inputs.marginal_rate_pct)
    return state_tax(inputs.state, year, inputs.filing_status, inputs.taxable_income, rate, brackets)


def loan_terms(inputs: LoanInput, amount: Decimal | None = None) -> LoanTerms:
    law = law_for(inputs)
    rate = inputs.annual_rate_pct if inputs.annual_rate_pct is not None else default_loan_rate_pct(law)
    return LoanTerms(
        amount=amount if amount is not None else inputs.amount,  # type: ignore[arg-type]
        annual_rate=pct(rate),
        term_months=inputs.term_months,
        frequency=inputs.frequency,
        convention=inputs.rate_convention,
        start_date=inputs.start_date or today(),
        extra_payment=inputs.extra_payment,
        payoff_month=inputs.payoff_month,
        origination_fee=inputs.origination_fee,
        annual_fee=inputs.annual_fee,
    )


def loan_summary(loan: Loan) -> dict[str, Any]:
    terms, schedule = loan.terms, loan.schedule
    return {
        "amount": terms.amount,
        "annual_rate_pct": terms.annual_rate * HUNDRED,
        "rate_convention": terms.convention,
        "payment": schedule.payment,
        "periods": schedule.periods,
        "frequency": terms.frequency,
        "payments_per_year": terms.per_year,
        "total_interest": schedule.total_interest,
        "total_paid": schedule.total_paid,
        "first_payment_date": loan.dates[0],
        "payoff_date": loan.dates[-1],
        "payoff_month": loan.last_month,
        "fees": loan.total_fees,
        "origination_fee": terms.origination_fee,
        "annual_fees": loan.total_fees - terms.origination_fee,
    }


def person_at(inputs: LoanInput, age: Decimal, *, separating: bool = False) -> Person:
    """The person at a distribution; `separating` when it follows a separation at that age."""
    service = None
    if inputs.years_of_service is not None:
        # years of service at that age, counted on from today's (the loan's start)
        service = Decimal(inputs.years_of_service) + max(age - Decimal(inputs.age or 0), Decimal(0))
    if separating:
        return Person(
            age=age,
            separated_from_service=True,
            separation_year_age=age,
            public_safety_employee=inputs.public_safety_employee,
            plan_type=inputs.plan_type,
            years_of_service=service,
        )
    return Person(
        age=age,
        separated_from_service=inputs.separated_from_service,
        separation_year_age=None
        if inputs.separation_year_age is None
        else Decimal(inputs.separation_year_age),
        public_safety_employee=inputs.public_safety_employee,
        plan_type=inputs.plan_type,
        years_of_service=None if inputs.years_of_service is None else Decimal(inputs.years_of_service),
    )


# --------------------------------------------------------------------------- faces' calls


def limit(data: Inputs) -> LimitResult:
    """The largest new loan (METHOD §1) with its steps and citations."""
    inputs = prepare(data, "limit", "vested_balance")
    law = law_for(inputs)
    result = max_new_loan(limit_terms(inputs), law)
    result.warnings = law.stale_warnings()
    return result


def limit_terms(inputs: LoanInput) -> LimitTerms:
    assert inputs.vested_balance is not None
    # Treas. Reg. §1.72(p)-1 Q&A-19(b)(1): a loan deemed distributed and not repaid still
    # counts as outstanding (with its interest) when later loans are limited.
    deemed = inputs.deemed_loan_balance
    highest = inputs.highest_loan_balance_12m
    return LimitTerms(
        vested=inputs.vested_balance,
        outstanding=inputs.outstanding_loan_balance + deemed,
        highest_12m=None if highest is None else highest + deemed,
        existing_loans=inputs.existing_loans,
        allow_10k_floor=inputs.allow_10k_floor,
        min_loan=inputs.min_loan,
        max_loans=inputs.max_loans,
        disaster=inputs.disaster_loan,
        requested=inputs.amount,
    )


def schedule(data: Inputs) -> ScheduleResult:
    """The repayment schedule; with `payment` instead of `amount`, the amount it buys."""
    inputs = parse_input(data)
    if inputs.amount is None and inputs.payment is not None:
        check_consistency(inputs, "schedule")  # dates and term first: the inverse needs periods
        terms = loan_terms(inputs, amount=Decimal(1))
        amount = max_principal_for_payment(inputs.payment, terms.period_rate, terms.periods)
        if amount > MAX_MONEY:
            raise InputError(
                [
                    Problem(
                        field="payment",
                        message=_(
                            "{payment} buys {amount}, over the {most} an amount may be; "
                            "lower the payment or raise the rate"
                        ).format(payment=inputs.payment, amount=f"${amount:,.2f}", most=f"${MAX_MONEY:,}"),
                    )
                ]
            )
        inputs = inputs.model_copy(update={"amount": amount})
    inputs = prepare(inputs, "schedule", "amount")
    return schedule_of(build_loan(loan_terms(inputs)), law_for(inputs).stale_warnings())


def schedule_columns() -> list[str]:
    """The schedule's column names for a table a person reads (the CLI's and the page's CSV),
    in the request's language; the figures and ISO dates below them stay as they are."""
    return [
        i18n.pgettext("CSV column", "n"),
        i18n.pgettext("CSV column", "date"),
        i18n.pgettext("CSV column", "payment"),
        i18n.pgettext("CSV column", "interest"),
        i18n.pgettext("CSV column", "principal"),
        i18n.pgettext("CSV column", "balance"),
    ]


def schedule_of(loan: Loan, warnings: list[str] | None = None) -> ScheduleResult:
    """The schedule result of a loan already built (a scenario's): the engine's figures,
    already in cents and of the declared types, are built into the models, not validated
    again (most of schedule()'s time was that)."""
    schedule = loan.schedule
    rows = list(
        map(
            ScheduleRow,
            range(1, schedule.periods + 1),
            loan.dates,
            schedule.payments,
            schedule.interest,
            schedule.principal,
            schedule.balance,
        )
    )
    return ScheduleResult.model_construct(**loan_summary(loan), rows=rows, warnings=list(warnings or []))


def distribution(data: Inputs) -> DistributionResult:
    """Tax and the 10 % on a taxable distribution; with `net`, the gross that delivers it."""
    inputs = prepare(data, "distribution", "age")
    if inputs.amount is None and inputs.net is None:
        needed = _("give the loan amount (before tax) or the cash you need after tax")
        raise InputError([Problem(field="amount", message=needed)])
    law = law_for(inputs)
    tax = tax_profile(inputs)
    assert inputs.age is not None
    person = person_at(inputs, Decimal(inputs.age))
    exemption = penalty_exemption(person, law)
    penalty_rate = ZERO if exemption else law["additional_tax_rate"]
    if inputs.net is not None:
        try:
            result = gross_for_net(inputs.net, tax, penalty_rate, person)
        except ValueError as exc:
            raise InputError([Problem(field="state_rate_pct", message=str(exc))]) from None
    else:
        assert inputs.amount is not None
        result = tax_on(inputs.amount, tax, penalty_rate, person)
    described = describe(result, tax, exemption, law, inputs.net, person)
    described.warnings = tax_warnings(inputs) + law.stale_warnings()
    return described
