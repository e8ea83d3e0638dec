"""The projection's matrix form against a plain month-by-month loop (METHOD §3, §7)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loan401k.engine.projection import (
    Contributions,
    constant_path,
    growth_index,
    monthly_growth,
    value_at_end,
    value_by_month,
)


def plain_loop(flows: np.ndarray, path: np.ndarray) -> np.ndarray:
    balance, out = flows[0], [flows[0]]
    for m, g in enumerate(path, start=1):
        balance = balance * (1 + g) + flows[m]
        out.append(balance)
    return np.array(out)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 120), st.integers(0, 2**32 - 1))
def test_matrix_form_equals_a_plain_loop(months, seed):
    rng = np.random.default_rng(seed)
    path = rng.normal(0.006, 0.04, months)
    flows = rng.normal(0, 1000, (3, months + 1))
    index = growth_index(path)
    expected = np.array([plain_loop(f, path) for f in flows])
    assert value_at_end(flows, index)[0] == pytest.approx(expected[:, -1], rel=1e-10, abs=1e-6)
    assert value_by_month(flows[0], index) == pytest.approx(expected[0], rel=1e-10, abs=1e-6)


def test_many_paths_at_once():
    rng = np.random.default_rng(1)
    paths = rng.normal(0.005, 0.03, (7, 24))
    flows = rng.normal(0, 100, (2, 25))
    values = value_at_end(flows, growth_index(paths))
    assert values.shape == (7, 2)
    for p in range(7):
        for s in range(2):
            assert values[p, s] == pytest.approx(plain_loop(flows[s], paths[p])[-1], rel=1e-10)


def test_growth_conventions():
    assert float(monthly_growth(0.12, "nominal")) == pytest.approx(0.01)
    assert (1 + float(monthly_growth(0.07))) ** 12 == pytest.approx(1.07)
    assert constant_path(0.07, 12).shape == (12,)


def test_contributions_pct_match_and_salary_growth():
    c = Contributions(
        salary=60000, salary_growth=0.03, pct=0.05, match_rate=1.0, match_limit=0.04, during_pct=0.02
    )
    employee, match = c.normal(24)
    assert employee[0] == pytest.approx(250.0)  # 5 % of 5,000
    assert match[0] == pytest.approx(200.0)  # 100 % up to 4 %
    assert employee[12] == pytest.approx(250.0 * 1.03)  # the raise lands in month 13
    during_employee, during_match = c.during_loan(24)
    assert during_employee[0] == pytest.approx(100.0)
    assert during_match[0] == pytest.approx(100.0)  # match recomputed on 2 %
