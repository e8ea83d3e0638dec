"""analyze(): the true cost of one loan on one return path (METHOD §3, §4, §6, §9)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from .. import __version__
from ..engine.costs import COMPONENTS, CostFlows, Decomposition, cost_flows, decompose
from ..engine.job_loss import SeparationCost, expected_flows, separation_costs
from ..engine.loan import Loan, build_loan
from ..engine.projection import (
    Contributions,
    constant_path,
    growth_index,
    value_at_end,
    value_by_month,
)
from ..engine.verdict import Signals, VerdictResult, verdict
from ..models import (
    AnalysisResult,
    Assumption,
    Balances,
    BalanceYear,
    CostResult,
    JobLossRow,
    LimitResult,
    LoanInput,
    LoanSummary,
    Step,
    VerdictOut,
)
from ..money import HUNDRED, cents_of, pct, pct_text, usd
from ..params import Snapshot
from ..rules.limits import max_new_loan
from .core import (
    Inputs,
    default_job_loss_pct,
    law_for,
    limit_terms,
    loan_summary,
    loan_terms,
    person_at,
    prepare,
    tax_profile,
    tax_warnings,
    with_defaults,
)


@dataclass(frozen=True)
class Plan:
    """Everything about one scenario that does not depend on the return path."""

    inputs: LoanInput  # defaults applied
    law: Snapshot
    loan: Loan
    months: int
    contributions: Contributions
    separations: list[SeparationCost]
    flows: CostFlows
    retirement_tax_rate: Decimal
    current_tax_rate: Decimal


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


def build_plan(data: Inputs, command: str = "analyze") -> Plan:
    """Validate, apply defaults, and lay out every flow of the scenario."""
    inputs = with_defaults(prepare(data, command, "age", "vested_balance", "amount"))
    assert inputs.age is not None and inputs.vested_balance is not None
    law = law_for(inputs)
    loan = build_loan(loan_terms(inputs))
    months = 12 * (inputs.retirement_age - inputs.age)
    tax = tax_profile(inputs)
    age = inputs.age
    separations = separation_costs(
        loan,
        annual_probability=float(pct(inputs.job_loss_annual_pct or 0)),
        cash_on_separation=inputs.cash_on_separation,
        age=age,
        tax=tax,
        person_at=lambda at: person_at(inputs, at, separating=True),
        law=law,
    )
    contributions = contributions_of(inputs)
    start_balance = float(inputs.vested_balance - inputs.outstanding_loan_balance)
    flows = cost_flows(loan, contributions, start_balance, months, expected_flows(separations, months))
    return Plan(
        inputs=inputs,
        law=law,
        loan=loan,
        months=months,
        contributions=contributions,
        separations=separations,
        flows=flows,
        retirement_tax_rate=pct(inputs.retirement_tax_rate_pct or 0),
        current_tax_rate=tax.federal_marginal + tax.state_rate,
    )


def deterministic_index(plan: Plan) -> np.ndarray:
    inputs = plan.inputs
    path = constant_path(float(pct(inputs.annual_return_pct or 0)), plan.months, inputs.return_convention)
    return growth_index(path)


def decomposition(plan: Plan, values: dict[str, float]) -> Decomposition:
    inputs = plan.inputs
    return decompose(
        values,
        amount=plan.loan.terms.amount,
        retirement_tax_rate=plan.retirement_tax_rate,
        roth=inputs.source == "roth",
        inflation=pct(inputs.inflation_pct or 0),
        years=Decimal(plan.months) / 12,
        total_interest=plan.loan.schedule.total_interest,
        current_tax_rate=plan.current_tax_rate,
    )


def balances(plan: Plan, index: np.ndarray, values: dict[str, float]) -> Balances:
    flows = plan.flows
    with_loan_flows = (
        flows.row("no_loan")
        - flows.row("growth_missed")
        + flows.row("interest_to_self")
        - flows.row("contribution_cut")
        - flows.row("fees")
    )
    no_loan_path = value_by_month(flows.row("no_loan"), index)
    with_loan_path = value_by_month(with_loan_flows, index)
    age = plan.inputs.age or 0
    by_year = [
        # model_construct: engine figures already in cents; validation would only cost time
        BalanceYear.model_construct(
            age=age + year,
            no_loan=cents_of(no_loan_path[12 * year]),
            with_loan=cents_of(with_loan_path[12 * year]),
        )
        for year in range(1, plan.months // 12 + 1)
    ]
    return Balances(
        no_loan=cents_of(no_loan_path[-1]),
        with_loan=cents_of(with_loan_path[-1]),
        by_year=by_year,
    )


def job_loss_rows(plan: Plan) -> list[JobLossRow]:
    """Every month of repayment, or every quarter for loans over five years."""
    step = 3 if plan.loan.last_month > 60 else 1
    return [
        JobLossRow.model_construct(
            month=row.month,
            outstanding=row.outstanding,
            rolled_over=row.rolled_over,
            tax=row.tax,
            penalty=row.penalty,
            total=row.total,
            probability_pct=round(row.probability * 100, 4),
            rollover_deadline=row.rollover_deadline,
        )
        for row in plan.separations
        if row.month % step == 0 or row.month == 1
    ]


def judge(plan: Plan, cost: Decomposition, cheaper: tuple[str, Decimal] | None = None) -> VerdictResult:
    inputs = plan.inputs
    contributions = plan.contributions
    normal_employee, normal_match = contributions.normal(max(plan.loan.last_month, 1))
    during_employee, during_match = contributions.during_loan(max(plan.loan.last_month, 1))
    keeps = bool(np.all(during_employee + during_match >= normal_employee + normal_match - 1e-9))
    if inputs.contribution_during_loan_pct is not None:
        during = f"{pct_text(inputs.contribution_during_loan_pct)} of pay"
    else:
        during = f"${float(during_employee[0]):,.0f} a month"
    month = min(12, plan.loan.last_month)
    worst = next((row for row in plan.separations if row.month == month), None)
    signals = Signals(
        repay_months=plan.loan.last_month,
        keeps_contributions=keeps,
        contribution_cut=cost.contribution_cut,
        during_contribution=during,
        retirement_age=inputs.retirement_age,
        worst_separation_month=month,
        worst_separation_cost=worst.total if worst else Decimal(0),
        job_loss_expected=cost.job_loss,
        cheaper_alternative=cheaper[0] if cheaper else None,
        cheaper_by=cheaper[1] if cheaper else Decimal(0),
    )
    return verdict(inputs.criteria.model_dump(), signals)


def assumptions(plan: Plan) -> list[Assumption]:
    inputs, law = plan.inputs, plan.law
    rate = inputs.annual_rate_pct
    return [
        Assumption(
            name="annual_return_pct",
            value=f"{pct_text(inputs.annual_return_pct or 0)} a year ({inputs.return_convention})",
            source=law.citation("assumed_annual_return"),
        ),
        Assumption(
            name="inflation_pct",
            value=f"{pct_text(inputs.inflation_pct or 0)} a year",
            source=law.citation("assumed_inflation"),
        ),
        Assumption(
            name="annual_rate_pct",
            value=pct_text(rate or 0),
            source=(
                f"default prime {pct_text(law['prime_rate'] * HUNDRED)} + "
                f"{pct_text(law['loan_rate_spread'] * HUNDRED)}: " + law.citation("prime_rate")
            ),
        ),
        Assumption(
            name="job_loss_annual_pct",
            value=f"{pct_text(inputs.job_loss_annual_pct or 0)} a year "
            f"(default {pct_text(default_job_loss_pct(law))})",
            source=law.citation("job_separation_monthly_rate"),
        ),
        Assumption(
            name="retirement_tax_rate_pct",
            value=pct_text(inputs.retirement_tax_rate_pct or 0),
            source="Your current marginal rate (federal + state) unless you set it",
        ),
        Assumption(
            name="contributions", value="end of each month; salary grows every 12 months", source="METHOD §3"
        ),
    ]


def cost_steps(plan: Plan, cost: Decomposition) -> list[Step]:
    r = plan.retirement_tax_rate * HUNDRED
    age = plan.inputs.retirement_age
    return [
        Step(
            rule="growth_missed",
            value=cost.growth_missed,
            citation="METHOD §4",
            text=f"The borrowed money, out of the market until each principal payment returns "
            f"it, misses {usd(cost.growth_missed)} of growth by {age}",
        ),
        Step(
            rule="interest_to_self",
            value=cost.interest_to_self,
            citation="METHOD §4",
            text=f"The interest you pay goes into your own account and grows to {usd(cost.interest_to_self)}",
        ),
        Step(
            rule="lost_growth",
            value=cost.lost_growth,
            citation="METHOD §4",
            text=f"Net lost growth = {usd(cost.growth_missed)} - {usd(cost.interest_to_self)} "
            f"= {usd(cost.lost_growth)}",
        ),
        Step(
            rule="double_tax",
            value=cost.double_tax,
            citation="IRC §72(p)(3); METHOD §4",
            text=f"The interest was paid from taxed pay and is taxed again when withdrawn: "
            f"{pct_text(r)} x {usd(cost.interest_to_self)} = {usd(cost.double_tax)} "
            "(the principal is not taxed twice: you received it tax-free)",
        ),
        Step(
            rule="contribution_cut",
            value=cost.contribution_cut,
            citation="METHOD §3",
            text=f"Contributions and match not made while repaying, grown: {usd(cost.contribution_cut)}",
        ),
        Step(
            rule="fees",
            value=cost.fees,
            citation="Plan loan policy",
            text=f"Loan fees charged to the account, grown: {usd(cost.fees)}",
        ),
        Step(
            rule="job_loss",
            value=cost.job_loss,
            citation="IRC §402(c)(3)(C); §72(t); METHOD §6",
            text=f"Expected tax and penalty if you separate before repaying, grown: {usd(cost.job_loss)}",
        ),
        Step(
            rule="total",
            value=cost.total,
            citation="METHOD §4",
            text=f"Total = {usd(cost.total)} at {age}; {usd(cost.total_today)} in today's "
            f"dollars; {usd(cost.per_dollar)} per dollar borrowed",
        ),
    ]


def plan_warnings(plan: Plan, limit: LimitResult) -> list[str]:
    inputs, law = plan.inputs, plan.law
    warnings = list(tax_warnings(inputs)) + law.stale_warnings()
    if limit.excess:
        warnings.append(
            f"The amount is {usd(limit.excess)} over the limit of "
            f"{usd(limit.max_loan)}: that part would be a taxable deemed "
            "distribution when the loan is made (not included in the cost)."
        )
    if not limit.eligible:
        warnings.append(f"Not eligible for a new loan ({limit.binding_rule}).")
    employee, _ = plan.contributions.normal(12)
    deferral = law["elective_deferral_limit"] + (law["catch_up_limit"] if (inputs.age or 0) >= 50 else 0)
    if employee.sum() > float(deferral) + 0.005:
        warnings.append(
            f"Contributions of ${employee.sum():,.0f} a year exceed the "
            f"${deferral:,.0f} elective deferral limit (IRC §402(g)); figures use "
            "them as entered."
        )
    return warnings


def analyze(data: Inputs) -> AnalysisResult:
    """The true cost of the loan, decomposed, with job-loss risk and a verdict."""
    plan = build_plan(data)
    index = deterministic_index(plan)
    values = dict(zip(COMPONENTS, value_at_end(plan.flows.matrix, index)[0], strict=True))
    cost = decomposition(plan, values)
    limit = max_new_loan(limit_terms(plan.inputs), plan.law)
    cheaper = None
    if plan.inputs.alternatives:  # METHOD §9: a listed alternative that costs less (§8)
        from .compare import cheaper_alternative  # here: compare imports this module

        cheaper = cheaper_alternative(plan)
    judged = judge(plan, cost, cheaper)
    return AnalysisResult(
        inputs=plan.inputs,
        limit=limit,
        loan=LoanSummary(**loan_summary(plan.loan)),
        cost=CostResult(**cost.__dict__),
        balances=balances(plan, index, values),
        job_loss_table=job_loss_rows(plan),
        verdict=VerdictOut(
            level=judged.level, reasons=judged.reasons, criteria=judged.criteria, computed=judged.computed
        ),
        steps=cost_steps(plan, cost),
        warnings=plan_warnings(plan, limit),
        assumptions=assumptions(plan),
        version=__version__,
    )
