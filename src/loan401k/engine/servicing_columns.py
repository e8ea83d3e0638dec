"""Loan servicing over columns (`loan401k batch --servicing`): a plan's loans, one a row,
each with how many installments were paid, and what that makes of it on a day - current,
delinquent, deemed distributed or paid off - in int64 cents, a million loans in seconds.

It is the dated engine (`engine.events.service`) on one path, the one every row of the batch
describes: the first `paid` installments paid on their due dates (payments go to the oldest
missed installment first, CCA 201736022, so whatever was paid covers the first ones), none
after. The same arithmetic, written over columns with a loop over installments, not loans:

- the level payment is `amortization.level_payment` to the cent: a double, and that very
  Decimal function wherever the double is within 1e-6 cent (relative 1e-11) of half a cent;
- interest is round_half_up(balance x r) each period, capitalized when unpaid. With r = APR/k
  (nominal) taken exactly from the percent's digits as num/den, it is
  (2 b num + den) // (2 den) in int64 (bounded before the loop; rows that could overflow take
  the path below). The engine's r has 28 digits, so where b r is exactly half a cent and
  that r is not exact, the engine's own Decimal expression decides. An effective-convention
  rate ((1 + APR)^(1/k) - 1, irrational) takes the double path with the same 1e-6-cent guard;
- a missed installment not made up by its cure deadline (Q&A-10(a)) turns the balance, with
  the interest accrued pro rata from the last due date to the deadline (the engine's
  `accrued`), into a deemed distribution (Q&A-10(b)).

Tests hold every row equal to the dated engine run on the same loan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from decimal import Decimal

import numpy as np

from ..money import cents, pct
from .amortization import level_payment, period_rate
from .servicing_dates import FREQUENCIES, Schedules, cure_deadline

STATUSES = ("current", "delinquent", "deemed", "paid_off")
CURRENT, DELINQUENT, DEEMED, PAID_OFF = range(len(STATUSES))
HALF_GUARD, RELATIVE_GUARD = 1e-6, 1e-11  # cents: how near half a cent a double must not be
EXACT_PLACES = 6  # percents with at most this many decimals take the exact rational path
INT_ROOM = float(2**62)  # 2 b num + 2 den stays below this (int64 is 2**63)


@dataclass
class LoanColumns:
    """One loan a row, checked (batch/servicing_cells.py): money in cents, dates as day numbers."""

    amount: np.ndarray  # int64 cents
    rate_text: np.ndarray  # object: the percent as written ("8.75"), for the Decimal path
    rate_digits: np.ndarray  # int64: 875 for "8.75"
    rate_scale: np.ndarray  # int64: 2 for "8.75"; -1 when not exactly representable
    annual_rate: np.ndarray  # float64 fraction (0.0875)
    term_months: np.ndarray  # int64
    frequency: np.ndarray  # int64 codes into FREQUENCIES
    effective: np.ndarray  # bool: rate_convention "effective"
    start: np.ndarray  # int64 day numbers
    as_of: np.ndarray  # int64 day numbers
    paid: np.ndarray  # int64 installments paid
    cure_days: np.ndarray  # int64: the plan's cure period in days, -1 for the regulation's longest

    def take(self, rows: np.ndarray) -> LoanColumns:
        return LoanColumns(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass
class ServicingColumns:
    periods: np.ndarray  # installments in the term (0: the term is shorter than one period)
    scheduled: np.ndarray  # installments dated on or before as_of
    payment: np.ndarray  # the level installment, cents
    status: np.ndarray  # codes into STATUSES; -1 where the row has a problem
    installments_due: np.ndarray
    arrears: np.ndarray  # the missed installments, cents (never above the balance)
    oldest_missed: np.ndarray  # day number (delinquent and deemed rows)
    cure_deadline: np.ndarray  # day number (delinquent and deemed rows)
    balance: np.ndarray  # cents, after the last installment dated on or before as_of
    deemed_date: np.ndarray  # day number (deemed rows)
    deemed_amount: np.ndarray  # cents (deemed rows)
    decimal_calls: int = 0  # values the double or rational could not decide alone
    problems: dict[str, np.ndarray] = field(default_factory=dict)  # "too_short", "overpaid" masks


class _ExactRates:
    """The engine's Decimal period rate of each row, made once per distinct rate, and the
    engine's Decimal expressions for the values the columns cannot decide alone."""

    def __init__(self, loans: LoanColumns, per_year: np.ndarray):
        self.text, self.per_year, self.effective = loans.rate_text, per_year, loans.effective
        self._cache: dict[tuple[str, int, bool], Decimal] = {}
        self.calls = 0

    def rate(self, row: int) -> Decimal:
        key = (str(self.text[row]), int(self.per_year[row]), bool(self.effective[row]))
        if key not in self._cache:
            convention = "effective" if key[2] else "nominal"
            self._cache[key] = period_rate(pct(Decimal(key[0])), key[1], convention)
        return self._cache[key]

    def level_payment(self, row: int, amount: int, periods: int) -> int:
        self.calls += 1
        return int(level_payment(Decimal(amount) / 100, self.rate(row), periods) * 100)

    def interest(self, row: int, balance: int) -> int:
        self.calls += 1
        return int(cents(Decimal(balance) / 100 * self.rate(row)) * 100)

    def accrued(self, row: int, balance: int, days: int) -> int:
        """engine.events._State.accrued: pro rata by days, a period counting 365/k days."""
        self.calls += 1
        period = 365 / int(self.per_year[row])
        return int(cents(Decimal(balance) / 100 * self.rate(row) * Decimal(days) / Decimal(period)) * 100)


def _half_up(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """round_half_up of doubles (in cents), and where a double is too near half a cent to tell."""
    floor = np.floor(x)
    frac = x - floor
    unsure = np.abs(frac - 0.5) <= HALF_GUARD + RELATIVE_GUARD * np.abs(x)
    return floor.astype(np.int64) + (frac >= 0.5), unsure


def period_rates(loans: LoanColumns, per_year: np.ndarray) -> np.ndarray:
    """APR / k, or (1 + APR)^(1/k) - 1 (effective), as doubles."""
    nominal = loans.annual_rate / per_year
    rate: np.ndarray = np.where(loans.effective, np.expm1(np.log1p(loans.annual_rate) / per_year), nominal)
    return rate


def level_payments(
    amount: np.ndarray, rate: np.ndarray, periods: np.ndarray, exact: _ExactRates
) -> np.ndarray:
    """amortization.level_payment for every row: round_cents(P r / (1 - (1 + r)^-n))."""
    zero = rate == 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        x = amount * rate / -np.expm1(-periods * np.log1p(rate))
    payment, unsure = _half_up(np.where(zero, 0.0, x))
    # r = 0: round_half_up(P / n), exact in integers (the engine's branch below 1e-14 too)
    payment[zero] = (2 * amount[zero] + periods[zero]) // (2 * periods[zero])
    for row in np.flatnonzero(~zero & (unsure | (rate < 1e-9))):
        payment[row] = exact.level_payment(int(row), int(amount[row]), int(periods[row]))
    return payment


def _rationals(loans: LoanColumns, per_year: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """r = APR / k = digits / (10^scale x 100 x k) in lowest terms, and whether the engine's
    28-digit r is exact (the denominator has no prime factor but 2 and 5)."""
    scale = np.clip(loans.rate_scale, 0, EXACT_PLACES)
    num = loans.rate_digits.copy()
    den = 10**scale * 100 * per_year
    common = np.gcd(num, den)
    num, den = num // common, den // common
    rest = den.copy()
    for prime in (2, 5):
        for _ in range(64):
            divisible = rest % prime == 0
            if not divisible.any():
                break
            rest = np.where(divisible, rest // prime, rest)
    return num, den, rest == 1


Interest = Callable[[int, np.ndarray], np.ndarray]  # (rows still running, balances) -> interest


def _rational_interest(
    order: np.ndarray, num: np.ndarray, den: np.ndarray, terminating: bool, exact: _ExactRates
) -> Interest:
    """round_half_up(b num / den) = (2 b num + den) // (2 den) in int64, for the first
    `active` rows of `order`."""
    twice_num, twice_den = 2 * num, 2 * den

    def interest(active: int, b: np.ndarray) -> np.ndarray:
        top = b * twice_num[:active]
        top += den[:active]
        result: np.ndarray = top // twice_den[:active]
        if not terminating:
            # exactly half a cent: the engine's 28-digit r, not exact here, may fall either side
            for j in np.flatnonzero(result * twice_den[:active] == top):
                result[j] = exact.interest(int(order[j]), int(b[j]))
        return result

    return interest


def _double_interest(order: np.ndarray, rate: np.ndarray, exact: _ExactRates) -> Interest:
    """round_half_up(b r) in doubles, the engine's Decimal where a double cannot tell."""

    def interest(active: int, b: np.ndarray) -> np.ndarray:
        result, unsure = _half_up(b * rate[:active])
        for j in np.flatnonzero(unsure):
            result[j] = exact.interest(int(order[j]), int(b[j]))
        return result

    return interest


def _running(count: np.ndarray) -> np.ndarray:
    """For `count` sorted most first: how many rows still run at each step 1..count[0]."""
    last = int(count[0]) if len(count) else 0
    return np.searchsorted(-count, -np.arange(1, last + 1), side="right")


def _pay(
    balance: np.ndarray, count: np.ndarray, periods: np.ndarray, payment: np.ndarray, interest_of: Interest
) -> np.ndarray:
    """The first `count` installments of each row, paid: interest, then the installment, all
    of the balance when it is below the payment or on the last one (the true-up). Rows are
    sorted by `count`, most first, so the rows still paying are a prefix; `balance` is
    updated in place. Returns the installment that paid each row off (0: not paid off)."""
    closed = np.zeros_like(balance)
    running = _running(count)
    for step, active in enumerate(running):
        installment = step + 1
        b = balance[:active]
        b += interest_of(active, b)
        b -= payment[:active]
        np.maximum(b, 0, out=b)  # a balance below the payment is paid whole
        # the rows paying their last installment now: if it is the loan's last, the true-up
        ending = int(running[installment]) if installment < len(running) else 0
        tail = balance[ending:active]
        tail[periods[ending:active] == installment] = 0
        done = np.flatnonzero(tail == 0) + ending
        if not b[:ending].all():  # paid off before the last installment (tiny payments)
            done = np.concatenate([np.flatnonzero(b[:ending] == 0), done])
        closed[done[closed[done] == 0]] = installment
    return closed


def _miss(
    balance: np.ndarray,
    count: np.ndarray,
    left: np.ndarray,
    to_cut: np.ndarray,
    payment: np.ndarray,
    interest_of: Interest,
) -> tuple[np.ndarray, np.ndarray]:
    """`count` installments of each row, missed: interest capitalized, the installment added
    to the arrears; `left` installments after the first missed one is the loan's last, and the
    balance `to_cut` installments after it is kept. Sorted as in `_pay`; `balance` updated in
    place. Returns the arrears and the balance kept."""
    arrears, kept = np.zeros_like(balance), np.zeros_like(balance)
    for step, active in enumerate(_running(count)):
        b = balance[:active]
        b += interest_of(active, b)
        due = np.where((left[:active] == step) | (b <= payment[:active]), b, payment[:active])
        arrears[:active] += due
        hit = np.flatnonzero(to_cut[:active] == step)
        kept[hit] = b[hit]
    return arrears, kept


def service_columns(loans: LoanColumns) -> ServicingColumns:
    """Each loan's status on its `as_of` day (see the module's docstring)."""
    schedules = Schedules(loans.start, loans.frequency)
    periods = schedules.periods_in_term(loans.term_months)
    scheduled = np.minimum(schedules.dates_through(loans.as_of), periods)
    problems = {"too_short": periods == 0, "overpaid": (periods > 0) & (loans.paid > scheduled)}
    ok = ~(problems["too_short"] | problems["overpaid"])
    size = len(loans.amount)

    def blank(fill: int = 0) -> np.ndarray:
        return np.full(size, fill, dtype=np.int64)

    out = ServicingColumns(
        periods=periods,
        scheduled=scheduled,
        payment=blank(),
        status=blank(-1),
        installments_due=blank(),
        arrears=blank(),
        oldest_missed=blank(),
        cure_deadline=blank(),
        balance=blank(),
        deemed_date=blank(),
        deemed_amount=blank(),
        problems=problems,
    )
    rows = np.flatnonzero(ok)
    if len(rows):
        _service(loans.take(rows), periods[rows], scheduled[rows], out, rows)
    return out


def _service(
    loans: LoanColumns, periods: np.ndarray, scheduled: np.ndarray, out: ServicingColumns, rows: np.ndarray
) -> None:
    schedules = Schedules(loans.start, loans.frequency)
    per_year = schedules.per_year
    exact = _ExactRates(loans, per_year)
    rate = period_rates(loans, per_year)
    payment = level_payments(loans.amount, rate, periods, exact)

    # the oldest missed installment, its cure deadline, and the last due date by then
    missed = loans.paid < scheduled
    oldest = schedules.due_date(np.where(missed, loans.paid + 1, 1))
    deadline = cure_deadline(oldest, loans.cure_days)
    deemed = missed & (deadline < loans.as_of)  # on the deadline itself it can still be made up
    cut = np.where(deemed, np.minimum(periods, schedules.dates_through(deadline)), 0)

    # interest: exact rationals where the int64 products fit, doubles (guarded) elsewhere
    num, den, terminating = _rationals(loans, per_year)
    growth = np.exp(scheduled * np.log1p(rate))  # no balance exceeds the amount compounded
    bound = loans.amount * growth * (1 + 1e-9) + scheduled + 1
    exact_path = (
        ~loans.effective
        & (loans.rate_scale >= 0)
        & (loans.rate_scale <= EXACT_PLACES)
        & (2.0 * bound * num + 2.0 * den < INT_ROOM)
    )

    # the installments paid (the first `paid`), then the ones missed up to as_of
    balance = loans.amount.copy()
    installments_due, arrears, at_cut = scheduled.copy(), np.zeros_like(balance), np.zeros_like(balance)
    late = scheduled - loans.paid
    groups = (exact_path & terminating, exact_path & ~terminating, ~exact_path)
    for kind, path in enumerate(groups):
        for paying, count in ((True, loans.paid), (False, late)):
            order = np.flatnonzero(path & (count > 0))
            if not len(order):
                continue
            order = order[np.argsort(-count[order], kind="stable")]
            if kind < 2:
                interest_of = _rational_interest(order, num[order], den[order], kind == 0, exact)
            else:
                interest_of = _double_interest(order, rate[order], exact)
            owed = balance[order]
            if paying:
                closed = _pay(owed, count[order], periods[order], payment[order], interest_of)
                installments_due[order] = np.where(
                    closed > 0, np.minimum(closed, scheduled[order]), scheduled[order]
                )
            else:
                first = loans.paid[order] + 1
                arrears[order], at_cut[order] = _miss(
                    owed,
                    count[order],
                    periods[order] - first,
                    cut[order] - first,
                    payment[order],
                    interest_of,
                )
            balance[order] = owed

    # the deemed amount: the balance with the interest accrued from the last due date
    deemed_amount = np.zeros_like(balance)
    d_rows = np.flatnonzero(deemed)
    if len(d_rows):
        last_due = schedules.due_date(cut)[d_rows]
        days = deadline[d_rows] - last_due
        b = at_cut[d_rows]
        x = b * rate[d_rows] * days / (365 / per_year[d_rows])
        accrued, unsure = _half_up(x)
        for j in np.flatnonzero(unsure & (days > 0) & (b > 0)):
            accrued[j] = exact.accrued(int(d_rows[j]), int(b[j]), int(days[j]))
        deemed_amount[d_rows] = b + np.where((days > 0) & (b > 0), accrued, 0)

    paid_off = balance == 0
    late = missed & ~paid_off
    status = np.where(paid_off, PAID_OFF, np.where(late, np.where(deemed, DEEMED, DELINQUENT), CURRENT))
    out.payment[rows] = payment
    out.status[rows] = status
    out.installments_due[rows] = installments_due
    out.arrears[rows] = np.where(late, np.minimum(arrears, balance), 0)
    out.oldest_missed[rows] = np.where(late, oldest, 0)
    out.cure_deadline[rows] = np.where(late, deadline, 0)
    out.balance[rows] = balance
    out.deemed_date[rows] = np.where(late & deemed, deadline, 0)
    out.deemed_amount[rows] = np.where(late & deemed, deemed_amount, 0)
    out.decimal_calls += exact.calls


__all__ = [
    "FREQUENCIES",
    "STATUSES",
    "LoanColumns",
    "ServicingColumns",
    "level_payments",
    "period_rates",
    "service_columns",
]
