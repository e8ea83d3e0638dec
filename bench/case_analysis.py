"""One deterministic analysis over 35 years (issue: budget 5 ms), beside its parts."""

from __future__ import annotations

import loan401k
from loan401k.engine.ledger import parts
from loan401k.engine.projection import value_at_end
from loan401k.service import build_scenario

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
SCENARIO = build_scenario(EXAMPLE)
INDEX, OUTSIDE = SCENARIO.account_index, SCENARIO.outside_index


def full_analysis() -> object:
    return loan401k.analyze(EXAMPLE)


def scenario_build() -> object:
    return build_scenario(EXAMPLE)


def projection_only() -> object:
    ledger = SCENARIO.ledger
    return parts(ledger, value_at_end(ledger.account, INDEX), value_at_end(ledger.outside, OUTSIDE))


CASES = [
    Case(
        "analyze: 35 years, all parts + job loss + verdict",
        full_analysis,
        baseline=None,
        budget_us=5_000,
        note="validation, schedule, 60 job-loss months, both pots' flows, result models",
    ),
    Case(
        "build the scenario (validation, defaults, loan, ledger)",
        scenario_build,
        baseline=None,
        budget_us=None,
        note="the once-per-request part",
    ),
    Case(
        "projection: both pots' flow vectors x 421 months, the six parts",
        projection_only,
        baseline=None,
        budget_us=200,
        note="the path-dependent part alone",
    ),
]
