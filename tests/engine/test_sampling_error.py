"""The Monte Carlo's sampling error (issue 16): a distribution-free 95 % interval for each
percentile from the order statistics of the paths drawn. Checked where the truth is known:
samples from a uniform distribution, whose p-quantile is p, drawn many times over."""

from __future__ import annotations

import numpy as np
import pytest

import loan401k
from loan401k.engine.market import INTERVAL_PERCENTILES, PERCENTILES, percentile_intervals


@pytest.mark.parametrize("n", [200, 2_000])
def test_the_intervals_cover_the_true_percentile_about_95_times_in_100(n):
    rng = np.random.default_rng(20261201)
    repeats = 2_000
    covered = dict.fromkeys(INTERVAL_PERCENTILES, 0)
    for _ in range(repeats):
        ordered = np.sort(rng.random(n))
        for name, (low, high) in percentile_intervals(ordered).items():
            truth = PERCENTILES[name] / 100
            covered[name] += low <= truth <= high
    for name, count in covered.items():
        share = count / repeats
        # 95 % nominal; order statistics are discrete, so a little over is expected, and two
        # thousand repeats put the binomial's own noise at about ±1 percentage point
        assert 0.93 <= share <= 0.975, (name, n, share)


def test_an_interval_holds_its_percentile_and_is_as_wide_as_theory_says():
    """For a standard normal sample the median's interval is ≈ 2·z·√(p(1−p)/n) / φ(0) wide
    (the asymptotic spread of a sample quantile): 0.0983 for n = 2,500, a quarter of it for
    sixteen times the paths. Averaged over 40 samples (one sample's width varies ≈ 10 %)."""
    rng = np.random.default_rng(7)
    for n in (2_500, 40_000):
        widths = []
        for _ in range(40):
            ordered = np.sort(rng.normal(size=n))
            intervals = percentile_intervals(ordered)
            for name, (low, high) in intervals.items():
                assert low <= np.percentile(ordered, PERCENTILES[name]) <= high
            widths.append(intervals["p50"][1] - intervals["p50"][0])
        theory = 2 * 1.959964 * (0.25 / n) ** 0.5 / 0.398942
        assert abs(np.mean(widths) / theory - 1) < 0.05, (n, np.mean(widths), theory)


def test_the_simulation_reports_its_sampling_error_around_each_percentile():
    body = {"age": 35, "vested_balance": 80_000, "amount": 20_000, "start_date": "2026-01-15"}
    few = loan401k.montecarlo(body | {"paths": 1_000})
    many = loan401k.montecarlo(body | {"paths": 16_000})
    for result in (few, many):
        assert result.sampling_error.confidence_pct == 95
        for name in INTERVAL_PERCENTILES:
            interval = getattr(result.sampling_error, name)
            assert interval.low <= getattr(result.percentiles, name) <= interval.high
    width = {r.paths: r.sampling_error.p50.high - r.sampling_error.p50.low for r in (few, many)}
    assert width[16_000] < width[1_000] / 2
