"""Integrity tests for the shipped 1928-2025 US annual returns table."""

from __future__ import annotations

import shutil
from importlib import resources

import numpy as np
import pytest

from loan401k.data import (
    CSV_NAME,
    META_NAME,
    DataIntegrityError,
    load_returns,
    read_returns,
)


def _geomean(r: np.ndarray) -> float:
    return float(np.prod(1 + r) ** (1 / len(r)) - 1)


def _at(table, year: int) -> int:
    (idx,) = np.flatnonzero(table.years == year)
    return int(idx)


def test_years_contiguous_1928_2025():
    t = load_returns()
    assert t.years.dtype == np.int64
    assert t.years.tolist() == list(range(1928, 2026))


def test_columns_aligned_float64():
    t = load_returns()
    for arr in (t.stocks, t.bonds, t.bills, t.cpi):
        assert arr.dtype == np.float64
        assert arr.shape == t.years.shape


@pytest.mark.parametrize(
    ("year", "stocks", "bonds"),
    [
        (1928, 0.4381, 0.0084),
        (1931, -0.4384, -0.0256),
        (2008, -0.3655, 0.2010),
        (2022, -0.1804, -0.1783),
    ],
)
def test_spot_values_match_damodaran(year, stocks, bonds):
    t = load_returns()
    i = _at(t, year)
    assert t.stocks[i] == stocks
    assert t.bonds[i] == bonds


def test_values_in_sane_range():
    t = load_returns()
    for arr in (t.stocks, t.bonds, t.bills):
        assert np.all((arr > -0.6) & (arr < 1.0))
        assert np.all(np.isfinite(arr))
    assert np.all((t.cpi > -0.11) & (t.cpi < 0.19))


def test_meta_describes_source():
    meta = load_returns().meta
    assert meta["file"] == CSV_NAME
    assert meta["source"]["author"] == "Aswath Damodaran"
    assert "histretSP" in meta["source"]["url"]
    assert meta["retrieved"]["commit"] == "9dedc12"
    assert set(meta["columns"]) == {"year", "stocks", "bonds", "bills", "cpi"}
    assert (meta["years"]["first"], meta["years"]["last"]) == (1928, 2025)
    assert "provisional" in meta["years"]


def test_load_returns_is_cached_and_read_only():
    t = load_returns()
    assert load_returns() is t
    with pytest.raises(ValueError):
        t.stocks[0] = 0.0


def test_sha256_catches_tampered_copy(tmp_path):
    pkg = resources.files("loan401k.data")
    meta_path = tmp_path / META_NAME
    meta_path.write_text((pkg / META_NAME).read_text(encoding="utf-8"), encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_bytes((pkg / CSV_NAME).read_bytes())
    assert read_returns(good, meta_path).years[0] == 1928  # an exact copy passes

    bad = tmp_path / "bad.csv"
    shutil.copy(good, bad)
    text = bad.read_text()
    assert "2008,-0.3655" in text
    bad.write_text(text.replace("2008,-0.3655", "2008,-0.2655"))
    with pytest.raises(DataIntegrityError, match="sha256"):
        read_returns(bad, meta_path)


def test_portfolio_extremes_and_mix():
    t = load_returns()
    np.testing.assert_array_equal(t.portfolio(100), t.stocks)
    np.testing.assert_array_equal(t.portfolio(0), t.bonds)
    assert t.portfolio(80)[_at(t, 2008)] == pytest.approx(0.8 * -0.3655 + 0.2 * 0.2010, abs=1e-15)
    with pytest.raises(ValueError):
        t.portfolio(120)


def test_geometric_means_cited_in_docs():
    t = load_returns()
    assert _geomean(t.stocks) == pytest.approx(0.1002, abs=0.0001)
    assert _geomean(t.portfolio(80)) == pytest.approx(0.0927, abs=0.0001)
