"""events(): the loan through dated events, checked against the regulation's own examples
(Treas. Reg. §1.72(p)-1 Q&A-9, Q&A-20), RULES.md's fixtures and hand arithmetic."""

from __future__ import annotations

import datetime as dt
import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

import loan401k
from loan401k.app import create_app
from loan401k.cli import main
from loan401k.models import InputError

# Q&A-9(d) Example 1, moved to a date the parameter files cover: $40,000 at 8.75 % repaid
# monthly over 5 years ("$825"), nine payments, a 12-month unpaid leave, then $1,130.
LEAVE_CASE = {
    "age": 40,
    "vested_balance": 80000,
    "amount": 40000,
    "annual_rate_pct": 8.75,
    "term_months": 60,
    "start_date": "2025-07-01",
    "contribution_monthly": 400,
    "marginal_rate_pct": 22,
    "retirement_tax_rate_pct": 22,
    "job_loss_annual_pct": 0,
}
# Q&A-20(b) Example 1: $40,000 in 20 quarterly installments of $2,491; a year later, at a
# balance of $33,322, replaced by a new $40,000 loan over 20 quarters.
REFINANCE_CASE = {
    **LEAVE_CASE,
    "vested_balance": 120000,
    "frequency": "quarterly",
    "start_date": "2025-01-01",
}


def c(x: Decimal) -> Decimal:
    return x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hand_schedule(amount: Decimal, rate: Decimal, periods: int, paid: int) -> Decimal:
    """The balance after `paid` level payments (METHOD §2 by hand)."""
    payment = c(amount * rate / (1 - (1 + rate) ** -periods))
    balance = amount
    for _ in range(paid):
        balance += c(balance * rate) - payment
    return balance


def test_no_events_is_the_schedule_and_costs_nothing():
    result = loan401k.events(LEAVE_CASE)
    schedule = loan401k.schedule(LEAVE_CASE)
    assert [(r.date, r.interest, r.balance) for r in result.timeline] == [
        (r.date, r.interest, r.balance) for r in schedule.rows
    ]
    assert result.status == "repaid" and result.cost_vs_plan == 0 and not result.distributions


def test_leave_reamortizes_to_the_regulations_1130():
    data = {**LEAVE_CASE, "events": [{"kind": "leave", "start": "2026-04-02", "end": "2027-04-01"}]}
    result = loan401k.events(data)
    r = Decimal("0.0875") / 12
    balance = hand_schedule(Decimal(40000), r, 60, 9)
    for _ in range(12):  # interest accrues on the unpaid balance, month by month
        balance += c(balance * r)
    remaining = 60 - 9 - 12  # still to finish by the original last date (July 1, 2030)
    expected = c(balance * r / (1 - (1 + r) ** -remaining))
    assert result.payment_after == expected
    assert abs(expected - 1130) < 1  # the regulation's $1,130
    assert [row.status for row in result.timeline].count("suspended") == 12
    assert result.timeline[-1].date == dt.date(2030, 7, 1) and result.timeline[-1].balance == 0
    assert result.status == "repaid" and not result.distributions


def test_leave_with_a_balloon_keeps_the_old_payment():
    data = {
        **LEAVE_CASE,
        "leave_repayment": "balloon",
        "events": [{"kind": "leave", "start": "2026-04-02", "end": "2027-04-01"}],
    }
    result = loan401k.events(data)
    assert result.payment_after == Decimal("825.49")
    last = result.timeline[-1]
    assert last.date == dt.date(2030, 7, 1) and last.due > 10 * Decimal("825.49") and last.balance == 0


def test_missed_payments_not_made_up_are_a_deemed_distribution_at_the_cure_deadline():
    data = {**LEAVE_CASE, "events": [{"kind": "missed_payments", "date": "2026-02-01", "resume": False}]}
    result = loan401k.events(data)
    deemed = result.deemed_distribution
    # February's installment: the cure period ends with the next quarter, June 30, 2026
    assert deemed is not None and deemed.date == dt.date(2026, 6, 30)
    # the whole balance with interest: 6 payments made (Aug 1 .. Jan 1), Feb 1..Jun 1 interest
    # capitalized, then 29 days of June pro rata (a monthly period counted as 365 / 12 days)
    r = Decimal("0.0875") / 12
    balance = hand_schedule(Decimal(40000), r, 60, 6)
    for _ in range(5):
        balance += c(balance * r)
    balance += c(balance * r * 29 / (Decimal(365) / 12))
    assert deemed.amount == balance
    assert deemed.form_1099r_code == "1L" and deemed.rollover_deadline is None and not deemed.qualified
    assert deemed.tax == c(balance * Decimal("0.22")) and deemed.penalty == c(balance / 10)
    assert deemed.tax_due_date == dt.date(2027, 4, 15)
    assert result.status == "deemed" and result.cost_vs_plan > 0


def test_missed_payments_made_up_in_time_cure():
    data = {
        **LEAVE_CASE,
        "events": [{"kind": "missed_payments", "date": "2026-02-01", "count": 2, "made_up_on": "2026-05-15"}],
    }
    result = loan401k.events(data)
    assert result.status == "repaid" and not result.distributions
    statuses = [row.status for row in result.timeline]
    assert statuses.count("missed") == 2 and statuses.count("behind") == 2  # March..May behind
    assert any(note.kind == "made_up" for note in result.events)


def test_missed_payments_paid_late_by_habit_roll_forward_until_the_end():
    """CCA 201736022: later payments go to the oldest missed installment first, so two missed
    installments never made up leave two behind at the end: deemed after the last date."""
    data = {**LEAVE_CASE, "events": [{"kind": "missed_payments", "date": "2026-02-01", "count": 2}]}
    result = loan401k.events(data)
    deemed = result.deemed_distribution
    assert deemed is not None
    # the oldest unpaid installment is then the one due June 1, 2030: cure by September 30
    assert deemed.date == dt.date(2030, 9, 30)
    assert Decimal(1600) < deemed.amount < Decimal(1800)  # about two installments with interest


def test_refinance_both_loans_count_the_regulations_30000():
    data = {
        **REFINANCE_CASE,
        "events": [{"kind": "refinance", "date": "2026-01-01", "amount": 40000, "term_months": 60}],
    }
    result = loan401k.events(data)
    rate = Decimal("0.0875") / 4
    replaced = hand_schedule(Decimal(40000), rate, 20, 4)
    assert abs(replaced - Decimal(33322)) < 1  # the regulation's balance
    # limit: $50,000 less (40,000 - 33,321.80) = 43,321.80; both loans count: 40,000 + 33,321.80
    deemed = result.deemed_distribution
    assert deemed is not None and deemed.amount == Decimal("30000.00") and deemed.reason == "refinance"
    assert deemed.form_1099r_code == "1L"
    assert result.payment_after == c(Decimal(40000) * rate / (1 - (1 + rate) ** -20))  # $2,491


def test_refinance_as_two_loans_counts_only_the_replacement():
    data = {
        **REFINANCE_CASE,
        "events": [
            {
                "kind": "refinance",
                "date": "2026-01-01",
                "amount": 40000,
                "term_months": 60,
                "structure": "split",
            }
        ],
    }
    result = loan401k.events(data)
    assert result.deemed_distribution is None
    dues = [row.due for row in result.timeline if row.date > dt.date(2026, 1, 1)]
    # the regulation's 16 installments of $2,907 and 4 of $416 (Q&A-20(b) Example 1 (iv))
    assert len(dues) == 20 and set(dues[:16]) == {dues[0]} and abs(dues[0] - 2907) < 1
    assert all(abs(d - 416) < 1 for d in dues[16:])


def test_leaving_the_job_is_a_qualified_offset_after_the_plans_60_days():
    data = {**LEAVE_CASE, "events": [{"kind": "separation", "date": "2027-05-15"}]}
    result = loan401k.events(data)
    offset = result.offset
    assert offset is not None and offset.date == dt.date(2027, 7, 14)  # 60 days (plan policy)
    assert offset.qualified and offset.form_1099r_code == "1M"
    assert offset.rollover_deadline == dt.date(2028, 10, 16)  # Oct 15, 2028 is a Sunday
    assert offset.tax_due_date == dt.date(2028, 4, 18)
    assert offset.total == c(offset.amount * Decimal("0.22")) + c(offset.amount / 10)
    kept = loan401k.events({**data, "separation_policy": "continue"})
    assert kept.status == "repaid" and not kept.distributions


def test_separating_at_56_has_no_penalty_and_cash_rolls_over():
    data = {
        **LEAVE_CASE,
        "age": 56,
        "cash_on_separation": 5000,
        "events": [{"kind": "separation", "date": "2026-03-01"}],
    }
    offset = loan401k.events(data).offset
    assert offset is not None and offset.penalty == 0 and offset.form_1099r_code == "2M"
    assert offset.rolled_over == 5000 and offset.taxable == offset.amount - 5000


def test_military_service_suspends_caps_interest_and_extends_the_term():
    data = {**LEAVE_CASE, "events": [{"kind": "military", "start": "2026-03-10", "end": "2027-03-09"}]}
    result = loan401k.events(data)
    suspended = [row for row in result.timeline if row.status == "suspended"]
    assert len(suspended) == 12
    # 50 U.S.C. §3937: 6 % during service on a loan taken before it (8.75 % otherwise)
    first = suspended[0]
    previous = result.timeline[first.n - 2].balance
    assert first.interest == c(previous * Decimal("0.06") / 12)
    assert result.payment_after >= Decimal("825.49")
    assert result.timeline[-1].date == dt.date(2031, 7, 1)  # the last date moved by the 12 months
    assert result.latest_permissible_date == dt.date(2031, 7, 1)


def test_payroll_change_reamortizes_to_the_same_last_date():
    data = {
        **LEAVE_CASE,
        "events": [{"kind": "frequency_change", "date": "2026-01-10", "frequency": "biweekly"}],
    }
    result = loan401k.events(data)
    after = [row for row in result.timeline if row.date > dt.date(2026, 1, 10)]
    assert (after[1].date - after[0].date).days == 14 and after[-1].date <= dt.date(2030, 7, 1)
    assert result.payment_after == after[0].due and result.timeline[-1].balance == 0


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({"kind": "separation", "date": "2025-06-01"}, "events.0.date"),
        ({"kind": "leave", "start": "2026-01-01", "end": "2027-06-01"}, "events.0.end"),
        ({"kind": "refinance", "date": "2026-03-01"}, "events.0.amount"),
        ({"kind": "frequency_change", "date": "2026-03-01"}, "events.0.frequency"),
        ({"kind": "military", "start": "2026-03-01"}, "events.0.end"),
    ],
)
def test_bad_events_name_the_field(event, field):
    with pytest.raises(InputError) as caught:
        loan401k.events({**LEAVE_CASE, "events": [event]})
    assert field in [p.field for p in caught.value.problems]


def test_overlapping_suspensions_are_refused():
    with pytest.raises(InputError) as caught:
        loan401k.events(
            {
                **LEAVE_CASE,
                "events": [
                    {"kind": "leave", "start": "2026-01-01", "end": "2026-06-01"},
                    {"kind": "military", "start": "2026-05-01", "end": "2026-12-01"},
                ],
            }
        )
    assert "events.1.start" in [p.field for p in caught.value.problems]


def test_faces_api_and_cli_give_the_library_result(tmp_path):
    data = {**LEAVE_CASE, "events": [{"kind": "missed_payments", "date": "2026-02-01", "resume": False}]}
    expected = loan401k.events(data).model_dump(mode="json")
    with TestClient(create_app(f"sqlite:///{tmp_path / 's.db'}")) as client:
        response = client.post("/api/v1/events", json=data)
        assert response.status_code == 200 and response.json() == expected
        bad = client.post("/api/v1/events", json={**LEAVE_CASE, "events": [{"kind": "leave"}]})
        assert bad.status_code == 422 and "events.0.start" in bad.text
    path = tmp_path / "in.json"
    path.write_text(json.dumps(data))
    out = CliRunner().invoke(main, ["events", "--input", str(path), "--json"])
    assert out.exit_code == 0 and json.loads(out.output) == expected
    flags = ["events", "--input", str(path), "--event", "separation:2025-01-01"]
    wrong = CliRunner().invoke(main, flags)
    assert wrong.exit_code == 2 and "events.1.date" in wrong.output and "Traceback" not in wrong.output


def test_an_unrepaid_deemed_loan_counts_for_the_next_limit():
    # Q&A-19(b)(1): $80,000 vested, a $10,000 deemed loan still outstanding: 40,000 - 10,000
    result = loan401k.limit({"vested_balance": 80000, "deemed_loan_balance": 10000})
    assert result.max_loan == Decimal(30000)
    analysis = loan401k.analyze({**LEAVE_CASE, "amount": 20000, "deemed_loan_balance": 10000})
    assert any("Q&A-19(b)(2)" in w for w in analysis.warnings)
