"""The hot path of every analysis: a 60-payment schedule in exact cents (METHOD §2)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import loan401k
from loan401k.engine.amortization import amortize

from . import Case

AMOUNT = Decimal(25_000)
RATE = Decimal("0.065") / 12  # 6.5 % a year, monthly, nominal
PERIODS = 60
CENT = Decimal("0.01")
SCHEDULE_INPUT = {
    "amount": 25_000,
    "annual_rate_pct": "6.5",
    "term_months": 60,
    "frequency": "monthly",
    "start_date": "2026-01-15",
}


def engine_schedule() -> object:
    return amortize(AMOUNT, RATE, PERIODS)


def plain_decimal_loop() -> list[tuple[Decimal, Decimal, Decimal]]:
    """The baseline: the level payment, then 60 rows of round-half-up interest, principal
    and balance appended to a list - the least a correct schedule must do."""
    payment = (AMOUNT * RATE / (1 - (1 + RATE) ** -PERIODS)).quantize(CENT, ROUND_HALF_UP)
    balance = AMOUNT
    rows = []
    for _ in range(PERIODS):
        interest = (balance * RATE).quantize(CENT, ROUND_HALF_UP)
        principal = payment - interest
        balance -= principal
        rows.append((interest, principal, balance))
    return rows


def public_schedule() -> object:
    return loan401k.schedule(SCHEDULE_INPUT)


# imported lazily by loan401k: warm it up so the first timing is not an import
public_schedule()

CASES = [
    Case(
        "amortize 60 x $25,000 at 6.5%",
        engine_schedule,
        baseline=plain_decimal_loop,
        budget_us=50,
        note="engine.amortization.amortize vs a plain Decimal loop (payment + 60 rows)",
    ),
    Case(
        "loan401k.schedule(dict), 60 rows",
        public_schedule,
        baseline=plain_decimal_loop,
        budget_us=1000,
        note="validation, checks, dates, fees and result models on top of the loop; target <= 5x",
    ),
]
