"""The scenario: everything one request needs, built once from the input (METHOD v2 §4).

`build_scenario(data)` validates the input, applies the defaults and lays out the loan, the
limit, the contributions, the job-loss table and both pots' flows (the ledger), with the
deterministic growth of the plan account and of money outside. Analysis, comparison,
backtest, Monte Carlo, the page, the PDF and the CLI all read this one object; only the
return path changes between them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

import numpy as np

from .. import i18n
from ..data import load_returns
from ..engine.job_loss import OffsetTerms, SeparationCost, separation_costs
from ..engine.ledger import NO_EXCESS, Excess, Ledger, build_ledger
from ..engine.loan import Loan, build_loan
from ..engine.projection import Contributions, constant_path, growth_index, monthly_growth
from ..i18n import N_, _
from ..models import LimitResult, LoanInput
from ..money import HUNDRED, ONE, ZERO, cents, pct
from ..params import Snapshot
from ..rules.deadlines import due_month
from ..rules.distributions import penalty_exemption
from ..rules.limits import max_new_loan
from ..rules.tax import TaxProfile
from .core import (
    Inputs,
    law_for,
    limit_terms,
    loan_terms,
    person_at,
    prepare,
    tax_profile,
    tax_warnings,
    with_defaults,
)

#: Scenario builds since start: a page render or an API call must build exactly one.
BUILDS = {"count": 0}


@dataclass(frozen=True)
class Outside:
    """What money outside the plan earns (METHOD v2 §4), the same for every option."""

    liquidity_rate: Decimal  # annual, fraction: spare cash during the repayment window
    liquidity_source: str  # "t_bill" | "card" | "given" | "outside_return"
    tax_drag: Decimal  # share of the portfolio's return lost to tax after the window
    outside_return: Decimal | None  # replaces both when given
    t_bill: Decimal  # the latest 3-month T-bill in the returns table
    t_bill_year: int

    @property
    def constant_liquidity(self) -> bool:
        """A rate the user set holds on every path; the default follows each year's T-bill."""
        return self.liquidity_source != "t_bill"


def contributions_of(inputs: LoanInput) -> Contributions:
    def money(value: Decimal | None) -> float | None:
        return None if value is None else float(value)

    def share(value: Decimal | None) -> float | None:
        return None if value is None else float(pct(value))

    return Contributions(
        salary=float(inputs.salary or 0),
        salary_growth=float(pct(inputs.salary_growth_pct)),
        monthly=money(inputs.contribution_monthly),
        pct=share(inputs.contribution_pct),
        during_monthly=money(inputs.contribution_during_loan_monthly),
        during_pct=share(inputs.contribution_during_loan_pct),
        match_rate=float(pct(inputs.match_rate_pct)),
        match_limit=float(pct(inputs.match_limit_pct)),
    )


def outside_of(inputs: LoanInput, current_tax_rate: Decimal, law: Snapshot) -> Outside:
    table = load_returns()
    t_bill, year = Decimal(repr(float(table.bills[-1]))), int(table.years[-1])
    drag = pct(inputs.outside_tax_drag_pct if inputs.outside_tax_drag_pct is not None else 0)
    given = None if inputs.outside_return_pct is None else pct(inputs.outside_return_pct)
    if given is not None:
        return Outside(given, "outside_return", drag, given, t_bill, year)
    if inputs.liquidity_rate_pct is not None:
        return Outside(pct(inputs.liquidity_rate_pct), "given", drag, None, t_bill, year)
    if inputs.carries_card_balance:
        # Paying down a card balance saves its APR: what spare cash "earns" while repaying.
        card = next((a.apr_pct for a in inputs.alternatives if a.kind == "credit_card" and a.apr_pct), None)
        apr = pct(card) if card is not None else law["credit_card_apr"]
        return Outside(apr, "card", drag, None, t_bill, year)
    return Outside(t_bill * (ONE - current_tax_rate), "t_bill", drag, None, t_bill, year)


@dataclass(frozen=True)
class Scenario:
    inputs: LoanInput  # defaults applied
    law: Snapshot
    loan: Loan
    limit: LimitResult
    months: int  # T
    contributions: Contributions
    tax: TaxProfile
    current_tax_rate: Decimal  # t_now: federal marginal + state
    retirement_tax_rate: Decimal  # t_ret
    outside: Outside
    separations: list[SeparationCost]
    ledger: Ledger
    window: int  # the 401(k) loan's repayment window, the same for every option
    warnings: list[str] = field(default_factory=list)
    given: frozenset[str] = frozenset()  # the input fields the person set (the rest are defaults)

    @property
    def roth(self) -> bool:
        return self.inputs.source == "roth"

    @property
    def keep(self) -> float:
        return 1.0 if self.roth else float(ONE - self.retirement_tax_rate)

    @cached_property
    def account_index(self) -> np.ndarray:
        """G: the plan account's growth index on the constant return, months 0..T."""
        inputs = self.inputs
        return growth_index(
            constant_path(float(pct(inputs.annual_return_pct or 0)), self.months, inputs.return_convention)
        )

    @cached_property
    def outside_index(self) -> np.ndarray:
        """G_out: the liquidity rate in the window, then the portfolio less its tax drag."""
        return outside_index(self, self.account_index)

    def variant(self, **changes: object) -> Scenario:
        """The same person and markets with other loan terms (e.g. a shorter term): a new
        loan and ledger, the same outside rates and repayment window."""
        inputs = self.inputs.model_copy(update=changes)
        loan = build_loan(loan_terms(inputs))
        separations = separation_costs(
            loan, offset_terms(inputs, self.law, self.tax, self.months, self.limit)
        )
        ledger = ledger_of(inputs, self, loan, separations)
        other = replace(self, inputs=inputs, loan=loan, separations=separations, ledger=ledger)
        other.__dict__["account_index"] = self.account_index  # same markets: share the arrays
        other.__dict__["outside_index"] = self.outside_index
        return other


def outside_index(scenario: Scenario, account_index: np.ndarray) -> np.ndarray:
    inputs, outside = scenario.inputs, scenario.outside
    convention, months = inputs.return_convention, scenario.months
    if outside.outside_return is not None:
        return growth_index(constant_path(float(outside.outside_return), months, convention))
    growth = np.diff(account_index) / account_index[:-1]
    path = growth * float(ONE - outside.tax_drag)  # g_out = g x (1 - drag)
    path[: scenario.window] = float(monthly_growth(float(outside.liquidity_rate), convention))
    return growth_index(path)


def offset_terms(
    inputs: LoanInput, law: Snapshot, tax: TaxProfile, months: int, limit: LimitResult
) -> OffsetTerms:
    assert inputs.age is not None and inputs.amount is not None
    roth = inputs.source == "roth"
    return OffsetTerms(
        annual_probability=float(pct(inputs.job_loss_annual_pct or 0)),
        cash_on_separation=inputs.cash_on_separation,
        age=inputs.age,
        months=months,
        tax=tax,
        person_at=lambda at: person_at(inputs, at, separating=True),
        law=law,
        taxable_share=pct(inputs.roth_earnings_pct or 0) if roth else ONE,
        roth=roth,
        excess_share=limit.excess / inputs.amount if limit.excess else ZERO,
        at_separation=inputs.offset_tax_timing == "separation",
    )


def excess_of(inputs: LoanInput, law: Snapshot, tax: TaxProfile, limit: LimitResult, months: int) -> Excess:
    """An amount over the limit is a deemed distribution at the loan date (Q&A-4): its tax
    and the 10 % (no separation exception: the person is still employed) at the due date."""
    if not limit.excess:
        return NO_EXCESS
    assert inputs.age is not None and inputs.amount is not None and inputs.start_date is not None
    roth = inputs.source == "roth"
    taxable = cents(limit.excess * (pct(inputs.roth_earnings_pct or 0) if roth else ONE))
    person = person_at(inputs, Decimal(inputs.age))
    exempt = penalty_exemption(person, law)
    penalty = ZERO if exempt else tax.penalty(taxable, law["additional_tax_rate"])
    cash_due = tax.federal(taxable) + tax.state(taxable, person) + penalty
    at = 0 if inputs.offset_tax_timing == "separation" else due_month(0, inputs.start_date)
    return Excess(float(limit.excess / inputs.amount), cash_due, min(at, months), penalty)


def ledger_of(inputs: LoanInput, scenario: Scenario, loan: Loan, separations: list[SeparationCost]) -> Ledger:
    assert inputs.vested_balance is not None
    return build_ledger(
        loan,
        scenario.contributions,
        float(inputs.vested_balance - inputs.outstanding_loan_balance),
        scenario.months,
        separations,
        keep=scenario.keep,
        current_tax_rate=float(scenario.current_tax_rate),
        retirement_tax_rate=0.0 if inputs.source == "roth" else float(scenario.retirement_tax_rate),
        roth=inputs.source == "roth",
        excess=excess_of(inputs, scenario.law, scenario.tax, scenario.limit, scenario.months),
    )


def build_scenario(data: Inputs, command: str = "analyze") -> Scenario:
    """Validate, apply the defaults, and lay out every flow of the request: once."""
    BUILDS["count"] += 1
    given = prepare(data, command, "age", "vested_balance", "amount")
    warnings = []
    if given.source == "roth" and given.roth_earnings_pct is None:
        warnings.append(
            _(
                "The earnings share of your Roth account is not given: an offset of this Roth loan is "
                "taxed as if all of it were earnings (an upper bound). Enter the share from your statement."
            )
        )
    inputs = with_defaults(given)
    assert inputs.age is not None and inputs.vested_balance is not None
    law = law_for(inputs)
    tax = tax_profile(inputs)
    current = tax.federal_marginal + tax.state_rate
    months = 12 * (inputs.retirement_age - inputs.age)
    loan = build_loan(loan_terms(inputs))
    limit = max_new_loan(limit_terms(inputs), law)
    limit.warnings = law.stale_warnings()
    separations = separation_costs(loan, offset_terms(inputs, law, tax, months, limit))
    shell = Scenario(
        inputs=inputs,
        law=law,
        loan=loan,
        limit=limit,
        months=months,
        contributions=contributions_of(inputs),
        tax=tax,
        current_tax_rate=current,
        retirement_tax_rate=pct(inputs.retirement_tax_rate_pct or 0),
        outside=outside_of(inputs, current, law),
        separations=separations,
        ledger=None,  # type: ignore[arg-type]  # laid out next, from the scenario's own rates
        window=min(loan.last_month, months),
        warnings=warnings,
        given=frozenset(given.model_fields_set),
    )
    return replace(shell, ledger=ledger_of(inputs, shell, loan, separations))


def liquidity_pct(scenario: Scenario) -> Decimal:
    """The liquidity rate in percent, as faces show it (two decimals)."""
    return (scenario.outside.liquidity_rate * HUNDRED).quantize(Decimal("0.01")).normalize()


def catch_up(age: int, law: Snapshot) -> Decimal:
    """The catch-up a participant of `age` may add: from 50 (IRC §414(v)(2)(B)), more in the
    years one turns 60 to 63 (§414(v)(2)(E), SECURE 2.0 §109)."""
    if 60 <= age <= 63:
        return Decimal(law["super_catch_up_limit"])
    return Decimal(law["catch_up_limit"]) if age >= 50 else Decimal(0)


EVENTS_ELSEWHERE = N_("events are used by `loan401k events` (POST /api/v1/events) only.")


def scenario_warnings(scenario: Scenario) -> list[str]:
    inputs, law, limit = scenario.inputs, scenario.law, scenario.limit
    warnings = list(tax_warnings(inputs)) + law.stale_warnings()
    if limit.excess:
        warnings.append(
            _(
                "The amount is {excess} over the limit of {limit}: that part is a taxable deemed "
                "distribution when the loan is made (Treas. Reg. §1.72(p)-1 Q&A-4); its cost is the "
                '"excess" part of the total.'
            ).format(excess=i18n.currency(limit.excess), limit=i18n.currency(limit.max_loan))
        )
    if not limit.eligible:
        # TRANSLATORS: {rule} is a code naming the rule that binds: it stays in English.
        warnings.append(_("Not eligible for a new loan ({rule}).").format(rule=limit.binding_rule))
    if inputs.min_loan > law["plan_min_loan"]:
        warnings.append(
            _(
                "The plan's minimum loan of {minimum} is above the {floor} a participant loan program "
                "may set without question (29 CFR §2550.408b-1(b)(2))."
            ).format(minimum=i18n.currency(inputs.min_loan), floor=i18n.currency(law["plan_min_loan"]))
        )
    if inputs.deemed_loan_balance:
        warnings.append(
            _(
                "A loan deemed distributed and not repaid ({balance}) still counts as outstanding for "
                "this limit, with its interest (Treas. Reg. §1.72(p)-1 Q&A-19(b)(1)); a new loan must "
                "be repaid by payroll withholding or secured by collateral other than your account, or "
                "it is deemed distributed too (Q&A-19(b)(2))."
            ).format(balance=i18n.currency(inputs.deemed_loan_balance))
        )
    if inputs.events:
        warnings.append(_(EVENTS_ELSEWHERE))
    if scenario.loan.last_month > scenario.months:
        warnings.append(
            _(
                "The loan runs past retirement at {age}: what is still owed then is offset and taxed "
                "at retirement; its cost is in the part for leaving your job."
            ).format(age=inputs.retirement_age)
        )
    warnings += scenario.warnings
    employee, _match = scenario.contributions.normal(12)
    deferral = law["elective_deferral_limit"] + catch_up(inputs.age or 0, law)
    if employee.sum() > float(deferral) + 0.005:
        warnings.append(
            _(
                "Contributions of {contributions} a year exceed the {limit} elective deferral limit "
                "(IRC §402(g)); figures use them as entered."
            ).format(
                contributions=i18n.currency(float(employee.sum()), whole=True),
                limit=i18n.currency(deferral, whole=True),
            )
        )
    return warnings
