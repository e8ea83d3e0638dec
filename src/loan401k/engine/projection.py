"""The account month by month to retirement, on a return path given as an input.

Every balance is linear in the flows (METHOD §7). A flow vector `f` has one entry per
month 0..T (the start balance and the loan at month 0; contributions, payments and fees
at the end of their month, after that month's growth). With the growth index
I[m] = prod_{k<=m} (1 + g_k), I[0] = 1, the balance at month M is

    B(M) = I[M] * sum_{m<=M} f[m] / I[m]

so the balance at retirement of every scenario on every path is one matrix product
(1 / I) @ F, scaled by I[:, T]. The deterministic analysis is the one-path case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def monthly_growth(annual_return: float | np.ndarray, convention: str = "effective") -> np.ndarray:
    """Monthly growth from an annual return: (1 + R)^(1/12) - 1, or R / 12 (nominal)."""
    annual = np.asarray(annual_return, dtype=float)
    if convention == "nominal":
        return annual / 12.0
    return np.power(1.0 + annual, 1.0 / 12.0) - 1.0


def constant_path(annual_return: float, months: int, convention: str = "effective") -> np.ndarray:
    """A return path of `months` equal monthly growths."""
    return np.full(months, float(monthly_growth(annual_return, convention)))


def growth_index(path: np.ndarray) -> np.ndarray:
    """I[..., 0] = 1 and I[..., m] = prod_{k<=m} (1 + g_k): shape (..., T + 1)."""
    path = np.asarray(path, dtype=float)
    ones = np.ones(path.shape[:-1] + (1,))
    return np.concatenate([ones, np.cumprod(1.0 + path, axis=-1)], axis=-1)


def value_at_end(flows: np.ndarray, index: np.ndarray) -> np.ndarray:
    """Balances at month T: flows (S, T+1), index (P, T+1) -> (P, S) = I[:, T] * (1/I) @ F.T."""
    flows = np.atleast_2d(np.asarray(flows, dtype=float))
    index = np.atleast_2d(np.asarray(index, dtype=float))
    values: np.ndarray = ((1.0 / index) @ flows.T) * index[:, -1:]
    return values


def value_by_month(flows: np.ndarray, index: np.ndarray) -> np.ndarray:
    """The balance path B(0..T) of flow vector(s) on one path."""
    balances: np.ndarray = np.cumsum(np.asarray(flows, dtype=float) / index, axis=-1) * index
    return balances


# --------------------------------------------------------------------------- contributions


@dataclass(frozen=True)
class Contributions:
    """Employee contributions and the employer match, as entered (fractions, dollars)."""

    salary: float = 0.0
    salary_growth: float = 0.0
    monthly: float | None = None  # a fixed monthly amount ...
    pct: float | None = None  # ... or a share of salary
    during_monthly: float | None = None
    during_pct: float | None = None
    match_rate: float = 0.0
    match_limit: float = 0.0

    def _salary_by_month(self, months: int) -> np.ndarray:
        years = (np.arange(1, months + 1) - 1) // 12  # grows every 12 months
        return self.salary * np.power(1.0 + self.salary_growth, years)

    def _employee(self, salary: np.ndarray, monthly: float | None, share: float | None) -> np.ndarray:
        if share is not None:
            return share * salary / 12.0
        return np.full(salary.shape, monthly or 0.0)

    def _match(self, salary: np.ndarray, employee: np.ndarray) -> np.ndarray:
        if not self.match_rate or not self.salary:
            return np.zeros_like(salary)
        employee_share = np.where(salary > 0, employee * 12.0 / np.maximum(salary, 1e-9), 0.0)
        match: np.ndarray = self.match_rate * np.minimum(employee_share, self.match_limit) * salary / 12.0
        return match

    def normal(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        """(employee, match) for months 1..T with contributions as usual."""
        salary = self._salary_by_month(months)
        employee = self._employee(salary, self.monthly, self.pct)
        return employee, self._match(salary, employee)

    def during_loan(self, months: int) -> tuple[np.ndarray, np.ndarray]:
        """(employee, match) for months 1..T at the during-repayment rate, match recomputed."""
        if self.during_monthly is None and self.during_pct is None:
            return self.normal(months)
        salary = self._salary_by_month(months)
        employee = self._employee(salary, self.during_monthly, self.during_pct)
        return employee, self._match(salary, employee)
