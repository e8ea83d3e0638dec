"""One deterministic analysis over 35 years (issue: budget 5 ms), beside its parts."""

from __future__ import annotations

import loan401k
from loan401k.engine.costs import COMPONENTS
from loan401k.engine.projection import value_at_end
from loan401k.service.analysis import build_plan, deterministic_index

from . import Case

EXAMPLE = {  # EXAMPLES.md true-cost case, with the default job-loss risk switched on
    "age": 30,
    "retirement_age": 65,
    "vested_balance": 100000,
    "amount": 30000,
    "annual_rate_pct": 6.5,
    "term_months": 60,
    "annual_return_pct": 7,
    "contribution_monthly": 500,
    "contribution_during_loan_monthly": 200,
    "marginal_rate_pct": 22,
    "retirement_tax_rate_pct": 22,
    "start_date": "2026-01-15",
}
PLAN = build_plan(EXAMPLE)
INDEX = deterministic_index(PLAN)


def full_analysis() -> object:
    return loan401k.analyze(EXAMPLE)


def projection_only() -> object:
    return dict(zip(COMPONENTS, value_at_end(PLAN.flows.matrix, INDEX)[0], strict=True))


CASES = [
    Case(
        "analyze: 35 years, all parts + job loss + verdict",
        full_analysis,
        baseline=None,
        budget_us=5_000,
        note="validation, schedule, 60 job-loss months, 6 flows, result models",
    ),
    Case(
        "projection: 6 flow vectors x 421 months",
        projection_only,
        baseline=None,
        budget_us=200,
        note="the path-dependent part alone",
    ),
]
