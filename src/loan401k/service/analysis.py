"""analyze(): the true cost of one loan on one return path (METHOD v2 §3, §4, §6, §9)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from .. import __version__
from ..engine.projection import value_by_month
from ..engine.verdict import Signals, VerdictResult, verdict
from ..i18n import _
from ..models import (
    AnalysisResult,
    Assumption,
    Balances,
    BalanceYear,
    CostResult,
    LoanSummary,
    OutsideRates,
    PlanOut,
    PlanRuleOut,
    VerdictOut,
)
from ..money import HUNDRED, cents_of
from .compare import cheaper_alternative
from .core import Inputs, default_job_loss_pct, loan_summary
from .costs import account_view, deterministic_cost, job_loss_rows
from .explain import cost_steps, outside_sentence, outside_summary, outside_words, pct_words
from .plans import profile_for, rule_words
from .scenario import Scenario, build_scenario, liquidity_pct, scenario_warnings


def analyze(data: Inputs) -> AnalysisResult:
    """The true cost of the loan, decomposed, with job-loss risk and a verdict."""
    return analysis_of(build_scenario(data))


def analysis_of(scenario: Scenario) -> AnalysisResult:
    cost = deterministic_cost(scenario)
    judged = judge(scenario, cost, cheaper_alternative(scenario) if scenario.inputs.alternatives else None)
    return AnalysisResult(
        inputs=scenario.inputs,
        plan=plan_out(scenario),
        limit=scenario.limit,
        loan=LoanSummary(**loan_summary(scenario.loan)),
        cost=cost,
        account_view=account_view(scenario, cost),
        outside=outside_rates(scenario),
        balances=balances(scenario),
        job_loss_table=job_loss_rows(scenario),
        verdict=VerdictOut(
            level=judged.level, reasons=judged.reasons, criteria=judged.criteria, computed=judged.computed
        ),
        steps=cost_steps(scenario, cost),
        warnings=scenario_warnings(scenario),
        assumptions=assumptions(scenario),
        version=__version__,
    )


def plan_out(scenario: Scenario) -> PlanOut | None:
    if scenario.inputs.plan is None:
        return None
    profile = profile_for(scenario.inputs.plan)
    return PlanOut(
        id=profile.id,
        name=profile.name,
        plan_type=profile.plan_type,
        document=profile.document,
        accent_color=profile.accent_color,
        rules=[PlanRuleOut(rule=r, value=v, source=s) for r, v, s in rule_words(profile)],
    )


def outside_rates(scenario: Scenario) -> OutsideRates:
    outside = scenario.outside
    return OutsideRates(
        liquidity_rate_pct=liquidity_pct(scenario),
        liquidity_source=outside.liquidity_source,
        window_months=scenario.window,
        outside_tax_drag_pct=(outside.tax_drag * HUNDRED).normalize(),
        outside_return_pct=None
        if outside.outside_return is None
        else (outside.outside_return * HUNDRED).normalize(),
        summary=outside_summary(scenario),
        text=outside_sentence(scenario),
    )


def balances(scenario: Scenario) -> Balances:
    """The account before tax, without the loan (A0) and with it as entered (A2)."""
    ledger, index = scenario.ledger, scenario.account_index
    no_loan_path = value_by_month(ledger.account_row("no_loan"), index)
    with_loan_path = value_by_month(ledger.with_loan_flows, index)
    age = scenario.inputs.age or 0
    by_year = [
        # model_construct: engine figures already in cents; validation would only cost time
        BalanceYear.model_construct(
            age=age + year,
            no_loan=cents_of(no_loan_path[12 * year]),
            with_loan=cents_of(with_loan_path[12 * year]),
        )
        for year in range(1, scenario.months // 12 + 1)
    ]
    return Balances(
        no_loan=cents_of(no_loan_path[-1]), with_loan=cents_of(with_loan_path[-1]), by_year=by_year
    )


def judge(scenario: Scenario, cost: CostResult, cheaper: tuple[str, Decimal] | None = None) -> VerdictResult:
    inputs, contributions = scenario.inputs, scenario.contributions
    last = max(scenario.window, 1)
    normal_employee, normal_match = contributions.normal(last)
    during_employee, during_match = contributions.during_loan(last)
    keeps = bool(np.all(during_employee + during_match >= normal_employee + normal_match - 1e-9))
    month = min(12, scenario.window)
    table = {row.month: row for row in job_loss_rows(scenario)}
    row = table.get(month)
    signals = Signals(
        repay_months=scenario.loan.last_month,
        keeps_contributions=keeps,
        contributions_cost=cost.contributions,
        during_pct=inputs.contribution_during_loan_pct,
        during_monthly=float(during_employee[0]),
        retirement_age=inputs.retirement_age,
        separation_month=month,
        separation_cash=row.total if row else Decimal(0),
        separation_due=row.tax_due_date if row else None,
        separation_net_cost=row.net_cost if row else Decimal(0),
        job_loss_expected=cost.job_loss,
        cheaper_alternative=cheaper[0] if cheaper else None,
        cheaper_by=cheaper[1] if cheaper else Decimal(0),
        excess=scenario.limit.excess,
        excess_cost=cost.excess,
    )
    return verdict(inputs.criteria.model_dump(), signals)


def _rate_source(scenario: Scenario) -> str:
    """Where the loan's rate comes from, in words."""
    inputs, law = scenario.inputs, scenario.law
    if "annual_rate_pct" in scenario.given:
        return _("you entered it")
    if inputs.plan is not None:
        return _("{plan} plan profile").format(plan=inputs.plan)
    return _("default prime {prime} + {spread}: {citation}").format(
        prime=pct_words(law["prime_rate"] * HUNDRED),
        spread=pct_words(law["loan_rate_spread"] * HUNDRED),
        citation=law.citation("prime_rate"),
    )


def _liquidity_source(scenario: Scenario) -> str:
    """Where the rate of spare cash while repaying comes from, in words."""
    inputs, law, outside = scenario.inputs, scenario.law, scenario.outside
    if outside.liquidity_source == "t_bill":
        return _("Damodaran {year} 3-month T-bill {bill} x (1 - your {tax} tax rate)").format(
            year=outside.t_bill_year,
            bill=pct_words(outside.t_bill * HUNDRED),
            tax=pct_words((scenario.current_tax_rate * HUNDRED).normalize()),
        )
    if outside.liquidity_source == "card":
        if any(a.kind == "credit_card" for a in inputs.alternatives):
            return _("the APR of the credit card you listed")
        return law.citation("credit_card_apr")
    if outside.liquidity_source == "given":
        return _("you entered it")
    return _("the one rate you set for money outside, which replaces both")


def assumptions(scenario: Scenario) -> list[Assumption]:
    inputs, law, outside = scenario.inputs, scenario.law, scenario.outside
    rate = inputs.annual_rate_pct
    listed = [
        Assumption(
            name="annual_return_pct",
            # TRANSLATORS: {convention} is a code ("nominal", "real"): it stays in English.
            value=_("{rate} a year ({convention})").format(
                rate=pct_words(inputs.annual_return_pct or 0), convention=inputs.return_convention
            ),
            source=law.citation("assumed_annual_return"),
        ),
        Assumption(
            name="liquidity_rate_pct",
            value=_(
                "{rate} a year while repaying ({months} months): what your spare cash earns, or costs "
                "if you carry a card balance"
            ).format(rate=pct_words(liquidity_pct(scenario)), months=scenario.window),
            source=_liquidity_source(scenario),
        ),
        Assumption(
            name="outside_tax_drag_pct",
            value=_(
                "{drag} of the portfolio's return lost to tax on money invested outside the plan after "
                "the loan is repaid"
            ).format(drag=pct_words(inputs.outside_tax_drag_pct or 0)),
            source=law.citation("outside_tax_drag"),
        ),
        Assumption(
            name="inflation_pct",
            value=_("{rate} a year").format(rate=pct_words(inputs.inflation_pct or 0)),
            source=law.citation("assumed_inflation"),
        ),
        Assumption(
            name="annual_rate_pct",
            value=pct_words(rate or 0),
            source=_rate_source(scenario),
        ),
        Assumption(
            name="job_loss_annual_pct",
            value=_("{rate} a year, quitting or laid off (default {default})").format(
                rate=pct_words(inputs.job_loss_annual_pct or 0), default=pct_words(default_job_loss_pct(law))
            ),
            source=law.citation("job_separation_monthly_rate"),
        ),
        Assumption(
            name="retirement_tax_rate_pct",
            value=pct_words(inputs.retirement_tax_rate_pct or 0),
            source=_("Your current marginal rate (federal + state) unless you set it"),
        ),
        Assumption(
            name="scale",
            value=_(
                "after-tax net worth at retirement: your 401(k) after tax plus money outside, which "
                "earns {outside}"
            ).format(outside=outside_words(scenario)),
            source="loan401k methodology, True cost",
        ),
        Assumption(
            name="safe_withdrawal_rate",
            value=_(
                "{rate} of savings drawn in the first year of retirement, then raised with inflation: "
                "the cost as retirement income a month"
            ).format(rate=pct_words(law["safe_withdrawal_rate"] * HUNDRED)),
            source=law.citation("safe_withdrawal_rate"),
        ),
        Assumption(
            name="contributions",
            value=_("end of each month; salary grows every 12 months"),
            source="loan401k methodology, Projection",
        ),
    ]
    if outside.outside_return is not None:
        listed.insert(
            1,
            Assumption(
                name="outside_return_pct",
                value=_("{rate} a year, in the window and after it").format(
                    rate=pct_words(outside.outside_return * HUNDRED)
                ),
                source=_("you entered it"),
            ),
        )
    return listed
