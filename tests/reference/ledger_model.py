"""An independent reference model of METHOD v2 (§2, §3, §4, §6, §8), written from the spec.

Plain month-by-month loops: the schedule in Decimal (half-up to cents, METHOD §2), growth
in floats. It reads nothing from loan401k's engine or service; it only shares the input
field names of `loan401k.models.LoanInput` (a scenario is a dict of those fields).

Decisions where the spec is silent (see the report that came with this file):
- t_now = (marginal + state) / 100; t_ret = retirement_tax_rate_pct / 100 when given,
  else t_now (so a state rate is a retirement rate too unless one is given).
- Default liquidity rate 4.21 % × (1 − t_now); default drag 10 %; outside_return_pct
  replaces both outside rates and takes no drag.
- The window is months 1..n, n the last payment's month (cut at T).
- Annual fee: at months 0, 12, 24, … that start a loan year while a balance is owed
  (docs/methodology.md §2); in a world separated at j only those with month ≤ j.
- A loan still owed at T: the world that never leaves the job is the world that separates
  at T (METHOD §6). Its offset (tax and penalty at T) is counted in `job_loss`, with the
  probability mass of reaching T, (1 − q)^(T−1); the base parts (price_of_credit, …) are
  those of the payments made by T.
- Penalty exemption: a_j ≥ 59.5, or a_j ≥ 55 (50 public safety) for an offset on
  separation (the model has no birthday; tests avoid the year in which the person turns 55).
- Excess: share s = E / amount. Deemed distribution tax and 10 % (under 59½) at month
  (12 − c_0) + 4; base-world basis credit t_ret × s × Σ payments made by T; an offset
  taxes (1 − s) × O_j − R_j, and only that permitted share can be rolled over:
  R_j = min(cash, (1 − s) × O_j) (a deemed-distributed loan is not distributed again).
- Roth: w = 1 (the match too); an offset is taxed and penalised on roth_earnings_pct of
  d_j; contributions to a Roth account are after-tax, so a cut keeps the whole dollar as
  take-home (the factor (1 − t_now) of METHOD §4 becomes 1).

Not modelled (tests do not use them): tax brackets (taxable_income), extra_payment,
payoff_month, carries_card_balance, existing loans and the look-back, disaster loans,
balance transfers and loan fees of the alternatives, semimonthly dates.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
PER_YEAR = {"weekly": 52, "biweekly": 26, "semimonthly": 24, "monthly": 12, "quarterly": 4}
TBILL_2025 = 0.0421  # returns table, 2025 row, bills (METHOD §4 default liquidity rate)
DEFAULT_DRAG = 0.10


def cents(x) -> Decimal:
    return Decimal(x).quantize(CENT, rounding=ROUND_HALF_UP)


def D(x) -> Decimal:
    return Decimal(str(x))


# --------------------------------------------------------------------------- §2 schedule


def amortize(amount, apr_pct, term_months, frequency="monthly", convention="nominal"):
    """Rows (i, projection month, payment, interest, principal, balance after)."""
    k = PER_YEAR[frequency]
    n = int((D(term_months) * k / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    apr = D(apr_pct) / 100
    if convention == "nominal":
        r = apr / k
    else:
        r = D((1 + float(apr)) ** (1 / k) - 1)
    P = cents(amount)
    if r == 0:
        pay = cents(P / n)
    else:
        pay = cents(P * r / (1 - (1 + r) ** -n))
    rows = []
    bal = P
    for i in range(1, n + 1):
        interest = cents(bal * r)
        if i == n:
            principal = bal
            payment = principal + interest
        else:
            payment = pay
            principal = payment - interest
        bal -= principal
        month = math.ceil(i * 12 / k)
        rows.append((i, month, payment, interest, principal, bal))
    return rows


# --------------------------------------------------------------------------- §3 growth


def monthly(rate_pct, convention):
    r = float(rate_pct) / 100
    return (1 + r) ** (1 / 12) - 1 if convention == "effective" else r / 12


def index(gs):
    out = [1.0]
    for g in gs:
        out.append(out[-1] * (1 + g))
    return out


def calendar_month(start: dt.date, j: int) -> int:
    """Calendar month (1..12) of projection month j from start_date."""
    return (start.month - 1 + j) % 12 + 1


# --------------------------------------------------------------------------- the model


class Scenario:
    def __init__(self, s: dict, returns=None, bills=None):
        """`returns`/`bills`: annual fractions for projection years 0, 1, … (a backtest
        start year): the portfolio return of that year spread over its 12 months, and the
        window's liquidity rate that year's T-bill × (1 − t_now) unless one is given."""
        self.s = s
        g = lambda k, d=None: s.get(k, d) if s.get(k) is not None else d  # noqa: E731
        self.age = int(s["age"])
        self.ret_age = int(g("retirement_age", 65))
        self.T = 12 * (self.ret_age - self.age)
        self.start = dt.date.fromisoformat(s["start_date"])
        self.marg = float(g("marginal_rate_pct", 22)) / 100
        self.state = float(g("state_rate_pct", 0)) / 100
        self.t_now = self.marg + self.state
        rt = g("retirement_tax_rate_pct")
        self.t_ret = float(rt) / 100 if rt is not None else self.t_now
        self.roth = g("source", "pretax") == "roth"
        self.w = 1.0 if self.roth else 1 - self.t_ret
        self.earn = float(g("roth_earnings_pct", 100)) / 100 if self.roth else 1.0
        self.keep = 1.0 if self.roth else 1 - self.t_now  # take-home kept per dollar cut
        self.public_safety = bool(g("public_safety_employee", False))
        self.V = float(s["vested_balance"])
        self.X = float(s["amount"])
        self.conv = g("return_convention", "effective")
        self.R = float(g("annual_return_pct", 7))
        self.gm = monthly(self.R, self.conv)
        self.rows = amortize(
            s["amount"],
            s["annual_rate_pct"],
            g("term_months", 60),
            g("frequency", "monthly"),
            g("rate_convention", "nominal"),
        )
        self.n = self.rows[-1][1]  # last payment's month
        self.win = min(self.n, self.T)
        # outside rates
        drag = float(g("outside_tax_drag_pct", DEFAULT_DRAG * 100)) / 100
        if g("outside_return_pct") is not None:
            go = monthly(g("outside_return_pct"), self.conv)
            g_liq, g_after = go, go
        else:
            liq = g("liquidity_rate_pct")
            liq = float(liq) if liq is not None else TBILL_2025 * (1 - self.t_now) * 100
            g_liq = monthly(liq, self.conv)
            g_after = self.gm * (1 - drag)
        gms = [self.gm] * self.T
        liqs = [g_liq] * self.T
        afters = [g_after] * self.T
        if returns is not None:
            gms = [monthly(100 * returns[(m - 1) // 12], self.conv) for m in range(1, self.T + 1)]
            afters = [x * (1 - drag) for x in gms]
            if g("outside_return_pct") is None and g("liquidity_rate_pct") is None:
                liqs = [
                    monthly(100 * bills[(m - 1) // 12] * (1 - self.t_now), self.conv)
                    for m in range(1, self.T + 1)
                ]
        if g("outside_return_pct") is not None:
            liqs = afters = [g_liq] * self.T
        self.I = index(gms)
        self.Io = index([liqs[m - 1] if m <= self.n else afters[m - 1] for m in range(1, self.T + 1)])
        # contributions (monthly figures for months 1..T), normal and during the loan
        self.salary = float(g("salary", 0))
        self.sg = float(g("salary_growth_pct", 0)) / 100
        self.mrate = float(g("match_rate_pct", 0)) / 100
        self.mlim = float(g("match_limit_pct", 0)) / 100
        self.q = 1 - (1 - float(g("job_loss_annual_pct", 0)) / 100) ** (1 / 12)
        self.cash = float(g("cash_on_separation", 0))
        self.timing = g("offset_tax_timing", "due_date")
        self.orig_fee = float(g("origination_fee", 0))
        self.annual_fee = float(g("annual_fee", 0))
        # §1 limit (simple form: no existing loans)
        self.max_loan = min(50_000.0, self.V / 2)
        self.E = max(0.0, self.X - self.max_loan)
        self.s_ex = self.E / self.X

    # growth factors
    def G(self, m):
        return self.I[self.T] / self.I[m]

    def Go(self, m):
        return self.Io[self.T] / self.Io[m]

    def contrib(self, m, during):
        """(employee, match) in month m, 1-based."""
        s = self.s
        sal = self.salary * (1 + self.sg) ** ((m - 1) // 12)
        pct_key, amt_key = (
            ("contribution_during_loan_pct", "contribution_during_loan_monthly")
            if during
            else ("contribution_pct", "contribution_monthly")
        )
        pct, amt = s.get(pct_key), s.get(amt_key)
        if during and pct is None and amt is None:
            pct, amt = s.get("contribution_pct"), s.get("contribution_monthly")
        if pct is not None:
            emp_pct = float(pct) / 100
            emp = emp_pct * sal / 12
        else:
            emp = float(amt or 0)
            emp_pct = emp * 12 / sal if sal else 0.0
        match = self.mrate * min(emp_pct, self.mlim) * sal / 12
        return emp, match

    def cut(self, m):
        """(cut of the employee contribution, cut + match lost) in month m of the window."""
        e0, m0 = self.contrib(m, False)
        e1, m1 = self.contrib(m, True)
        return e0 - e1, (e0 + m0) - (e1 + m1)

    def penalty_rate(self, age_at, separation):
        if age_at >= 59.5:
            return 0.0
        if separation and age_at >= (50 if self.public_safety else 55):
            return 0.0
        return 0.10

    def due_month(self, j):
        if self.timing == "separation":
            return min(j, self.T)
        return min(j + (12 - calendar_month(self.start, j)) + 4, self.T)

    def payments(self, upto):
        return [r for r in self.rows if r[1] <= upto]

    def outstanding(self, j):
        bal = D(self.X)
        for r in self.rows:
            if r[1] <= j:
                bal = r[5]
        return float(bal)

    def fee_months(self, upto):
        months = []
        if self.annual_fee:
            k = 0
            while k <= min(upto, self.T) and self.outstanding(k) > 0 and k < self.n:
                months.append(k)
                k += 12
        return months

    # ---------------------------------------------------------------- the parts (base world)
    def base(self):
        T, w = self.T, self.w
        pays = self.payments(T)
        price = sum(float(p[2]) * self.Go(p[1]) for p in pays) - self.X * self.Go(0)
        missed = self.X * self.G(0) - sum(float(p[4]) * self.G(p[1]) for p in pays)
        to_self = sum(float(p[3]) * self.G(p[1]) for p in pays)
        plan_diff = w * (missed - to_self)
        contributions = 0.0
        cut_pretax = 0.0
        for m in range(1, self.win + 1):
            c, cm = self.cut(m)
            contributions += w * cm * self.G(m) - self.keep * c * self.Go(m)
            cut_pretax += cm * self.G(m)
        fees = w * self.orig_fee * self.G(0) + sum(
            w * self.annual_fee * self.G(k) for k in self.fee_months(T)
        )
        excess = 0.0
        if self.E > 0:
            due0 = min((12 - self.start.month) + 4, T)
            rate = self.t_now + self.penalty_rate(self.age, separation=False)
            excess = self.E * rate * self.Go(due0) - self.t_ret * self.s_ex * sum(float(p[2]) for p in pays)
        return {
            "price_of_credit": price,
            "plan_difference": plan_diff,
            "contributions": contributions,
            "fees": fees,
            "excess": excess,
            "growth_missed": missed,
            "interest_to_self": to_self,
            "contribution_cut": cut_pretax,
        }

    # ---------------------------------------------------------------- §6 one world
    def offset(self, j):
        """(outstanding, rolled over, taxable, tax, penalty) on separating at end of month j."""
        owed = self.outstanding(j)
        permitted = (1 - self.s_ex) * owed  # the excess share was taxed at month 0
        rolled = min(self.cash, permitted)
        d = (permitted - rolled) * self.earn
        tax = d * self.t_now
        pen = d * self.penalty_rate(self.age + j / 12, separation=True)
        return owed, rolled, d, tax, pen

    def delta(self, j):
        """cost(world separated at end of month j) − cost(world never separated)."""
        T, w = self.T, self.w
        d_nw = 0.0
        for p in self.payments(T):
            if p[1] > j:  # stops: stays outside, never reaches the account
                d_nw += float(p[2]) * self.Go(p[1]) - w * float(p[2]) * self.G(p[1])
                if self.E > 0:  # no basis from it
                    d_nw -= self.t_ret * self.s_ex * float(p[2])
        for m in range(j + 1, self.win + 1):  # contributions normal again
            c, cm = self.cut(m)
            d_nw += w * cm * self.G(m) - self.keep * c * self.Go(m)
        for k in self.fee_months(T):
            if k > j:
                d_nw += w * self.annual_fee * self.G(k)
        _, rolled, _, tax, pen = self.offset(j)
        d_nw += rolled * (w * self.G(j) - self.Go(j))
        d_nw -= (tax + pen) * self.Go(self.due_month(j))
        return -d_nw

    def job_loss(self):
        T, n = self.T, self.n
        total = 0.0
        last = min(n, T)
        for j in range(1, last + 1):
            if n > T and j == T:
                P = (1 - self.q) ** (T - 1)  # retiring at T: a separation with certainty
            else:
                P = (1 - self.q) ** (j - 1) * self.q
            if P:
                total += P * self.delta(j)
        return total

    # ---------------------------------------------------------------- balances
    def balances(self):
        T = self.T
        a0 = self.V * self.I[T]
        a2 = (self.V - self.X - self.orig_fee) * self.I[T]
        for m in range(1, T + 1):
            e0, m0 = self.contrib(m, False)
            e1, m1 = self.contrib(m, m <= self.win)
            a0 += (e0 + m0) * self.G(m)
            a2 += (e1 + m1) * self.G(m)
        for p in self.payments(T):
            a2 += float(p[2]) * self.G(p[1])
        for k in self.fee_months(T):
            a2 -= self.annual_fee * self.G(k)
        return a0, a2

    def result(self):
        b = self.base()
        jl = self.job_loss()
        parts = ["price_of_credit", "plan_difference", "contributions", "fees", "excess"]
        total = sum(b[k] for k in parts) + jl
        a0, a2 = self.balances()
        out = dict(b)
        out.update(
            job_loss=jl,
            total=total,
            loan_itself=b["price_of_credit"] + b["plan_difference"],
            present_value=total / self.Go(0),
            per_dollar=total / self.X,
            no_loan=a0,
            with_loan=a2,
            plan_no_loan=self.w * a0,
            money_itself=self.X * self.Go(0),
            payment=float(self.rows[0][2]),
            total_interest=float(sum(r[3] for r in self.rows)),
        )
        return out

    # ---------------------------------------------------------------- §8 alternatives
    def loan_alternative(self, apr_pct, term_months=None):
        rows = amortize(self.s["amount"], apr_pct, term_months or self.s.get("term_months", 60))
        return sum(float(r[2]) * self.Go(r[1]) for r in rows if r[1] <= self.T) - self.X * self.Go(0)

    def hardship(self):
        rate = self.t_now + self.penalty_rate(self.age, separation=False)
        W = self.X / (1 - rate)
        return self.w * W * self.G(0) - self.X * self.Go(0)


def model(s: dict, returns=None, bills=None) -> dict:
    return Scenario(s, returns, bills).result()
