"""engine.alternatives: exact schedules and gross-up, and the orderings a planner expects
(METHOD §8). Expected figures are computed by hand here, never pasted from output."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from loan401k.engine.alternatives import (
    Borrowing,
    Scale,
    borrowing_option,
    borrowing_schedule,
    financed_principal,
    hardship_option,
    stepped_payment,
)
from loan401k.engine.projection import constant_path, growth_index, monthly_growth
from loan401k.rules.tax import TaxProfile

CASH = Decimal("10000")
MONTHS = 240  # 20 years to retirement


def outside_index(annual_return: float, drag: float, months: int) -> np.ndarray:
    """Money outside: the monthly growth g less the share `drag` lost to tax (METHOD v2 §4)."""
    g = float(monthly_growth(annual_return)) * (1 - drag)
    return growth_index(np.full(months, g))


def scale(annual_return: float = 0.07, drag: float = 0.0, keep: float = 0.75, months: int = MONTHS) -> Scale:
    return Scale(
        account_index=growth_index(constant_path(annual_return, months)),
        outside_index=outside_index(annual_return, drag, months),
        keep=keep,
    )


def card(apr: str, **extra: object) -> Borrowing:
    return Borrowing(
        kind=extra.pop("kind", "credit_card"),
        apr=Decimal(apr),  # type: ignore[arg-type]
        term_months=extra.pop("term_months", 36),
        **extra,
    )  # type: ignore[arg-type]


# --------------------------------------------------------------------------- hardship


def test_hardship_gross_up_exact_to_the_cent():
    """X = 10,000 at a flat 22 % federal, 5 % state and the 10 % additional tax.

    W = 10,000 / (1 - 0.22 - 0.05 - 0.10) = 15,873.0158...  Each tax is rounded half-up:
      W = 15,873.00: 3,492.06 + 793.65 + 1,587.30 = 5,873.01 -> net  9,999.99 (short)
      W = 15,873.01: 3,492.06 (3,492.0622) + 793.65 (793.6505) + 1,587.30 (1,587.301)
                     = 5,873.01 -> net 10,000.00 (enough: the smallest such W)
    """
    tax = TaxProfile(state_rate=Decimal("0.05"), flat_rate=Decimal("0.22"))
    option = hardship_option(CASH, tax, Decimal("0.10"), scale(keep=0.78))
    assert option.amount == Decimal("15873.01")
    assert option.taxes == Decimal("3492.06") + Decimal("793.65")
    assert option.penalties == Decimal("1587.30")
    assert option.amount - option.taxes - option.penalties == CASH
    # lost for good: W grown 20 years at 7 %, after a 22 % retirement tax, beyond the money
    # itself (the 10,000 grown outside, here at the same 7 %: METHOD v2 §8)
    assert float(option.cost) == pytest.approx((15873.01 * 0.78 - 10000) * 1.07**20, abs=0.01)
    assert option.payment is None and option.interest == 0


def test_hardship_without_penalty_needs_less_gross():
    tax = TaxProfile(state_rate=Decimal("0.05"), flat_rate=Decimal("0.22"))
    with_penalty = hardship_option(CASH, tax, Decimal("0.10"), scale())
    exempt = hardship_option(CASH, tax, Decimal("0"), scale())
    assert exempt.penalties == 0
    assert exempt.amount == Decimal("13698.63")  # 10,000 / 0.73 = 13,698.630..., net 10,000.00
    assert exempt.cost < with_penalty.cost


# --------------------------------------------------------------------------- schedules


def test_credit_card_interest_is_payments_less_cash():
    principal, fees, schedule = borrowing_schedule(CASH, card("0.2399"))
    assert principal == CASH and fees == 0
    assert schedule.total_interest == schedule.total_paid - CASH
    assert sum(schedule.principal) == CASH
    # level payment by the textbook formula, r = 23.99 % / 12
    r = 0.2399 / 12
    assert float(schedule.payment) == pytest.approx(10000 * r / (1 - (1 + r) ** -36), abs=0.005)


def test_financed_origination_fee_by_hand():
    """5 % taken out of the proceeds: 10,000 / 0.95 = 10,526.3157...
    P = 10,526.31: fee 526.32 (526.3155 rounds up) -> 9,999.99 in hand (short)
    P = 10,526.32: fee 526.32 (526.316)            -> 10,000.00 in hand."""
    assert financed_principal(CASH, Decimal("0.05")) == Decimal("10526.32")
    principal, fees, _ = borrowing_schedule(
        CASH, card("0.12", kind="personal_loan", fee_rate=Decimal("0.05"))
    )
    assert (principal, fees) == (Decimal("10526.32"), Decimal("526.32"))
    assert financed_principal(CASH, fee=Decimal("250")) == Decimal("10250.00")


def test_balance_transfer_fee_is_added_and_stepped_schedule_repays():
    loan = card("0.24", kind="balance_transfer", fee_rate=Decimal("0.03"), promo_months=12)
    principal, fees, schedule = borrowing_schedule(CASH, loan)
    assert fees == Decimal("300.00") and principal == Decimal("10300.00")
    assert sum(schedule.principal) == principal and schedule.balance[-1] == 0
    assert all(i == 0 for i in schedule.interest[:12])  # 0 % during the promotion
    assert schedule.periods == 36
    assert abs(schedule.payments[-1] - schedule.payment) < Decimal("1.00")  # true-up only
    # the stepped payment: after 12 payments P, 10,300 - 12 P amortizes over 24 at 2 %
    r = 0.02
    p = float(schedule.payment)
    assert p == pytest.approx((10300 - 12 * p) * r / (1 - (1 + r) ** -24), abs=0.01)


def test_stepped_payment_all_promo_is_level():
    assert stepped_payment(Decimal("1200"), Decimal(0), 12, Decimal("0.02"), 12) == Decimal("100.00")


# --------------------------------------------------------------------------- orderings


@pytest.mark.parametrize("fee_rate", ["0", "0.03"])
def test_cheaper_apr_with_same_fees_costs_less(fee_rate):
    costs = [
        borrowing_option(CASH, card(apr, kind="personal_loan", fee_rate=Decimal(fee_rate)), scale()).cost
        for apr in ("0.06", "0.09", "0.12", "0.18", "0.30")
    ]
    assert costs == sorted(costs) and len(set(costs)) == len(costs)


def test_zero_percent_promotion_beats_the_same_card_without_it():
    plain = borrowing_option(CASH, card("0.24", kind="balance_transfer"), scale())
    promo = borrowing_option(CASH, card("0.24", kind="balance_transfer", promo_months=15), scale())
    card_only = borrowing_option(CASH, card("0.24"), scale())
    assert promo.cost < plain.cost
    assert promo.interest < plain.interest
    assert plain.cost == card_only.cost  # no promotion, no fee: the same loan


@pytest.mark.parametrize("drag", [0, 0.1, 0.3])
def test_borrowing_cost_is_the_payments_grown_outside_less_the_money_itself(drag):
    """cost = sum_m payment G_out(m -> T) - X G_out(0 -> T), by hand from the schedule."""
    option = borrowing_option(CASH, card("0.15"), scale(drag=drag))
    g = (1.07 ** (1 / 12) - 1) * (1 - drag)
    _, _, schedule = borrowing_schedule(CASH, card("0.15"))
    grown = sum(float(p) * (1 + g) ** (MONTHS - m) for m, p in enumerate(schedule.payments, start=1))
    assert float(option.cost) == pytest.approx(grown - 10000 * (1 + g) ** MONTHS, abs=0.01)


def test_a_loan_at_exactly_what_money_outside_earns_costs_about_nothing():
    """The zero point of the scale: a lender charging the outside rate (nominal 12 % APR =
    1 % a month, money outside growing 1 % a month) costs only the cents of rounding."""
    months = 120
    flat = growth_index(np.full(months, 0.01))
    option = borrowing_option(CASH, card("0.12", term_months=36), Scale(flat, flat, keep=0.78))
    assert abs(float(option.cost)) < 1.0


def test_zero_rate_loan_closed_form():
    """A 0 % loan of 12,000 over 12 months: 1,000 a month, each grown to month T:
    sum_{m=1..12} 1000 (1 + g)^(T - m) = 1000 (1 + R)^(T/12 - 1) x R / g, g = (1 + R)^(1/12) - 1,
    less the 12,000 itself grown (METHOD v2 §8)."""
    option = borrowing_option(Decimal("12000"), card("0", term_months=12), scale(annual_return=0.05))
    g = 1.05 ** (1 / 12) - 1
    expected = 1000 * 1.05 ** (MONTHS / 12 - 1) * 0.05 / g - 12000 * 1.05 ** (MONTHS / 12)
    assert option.payment == Decimal("1000.00")
    assert float(option.cost) == pytest.approx(expected, abs=0.01)


def test_scale_values_flows_linearly():
    s = scale()
    flows = np.zeros(MONTHS + 1)
    flows[0] = 1.0
    assert s.account(flows) == pytest.approx(1.07**20)
    assert s.account(2 * flows) == pytest.approx(2 * s.account(flows))
