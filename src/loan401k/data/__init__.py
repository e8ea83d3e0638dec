"""Historical annual US returns, 1928-2025, shipped with the package.

Source: Aswath Damodaran (NYU Stern), "Historical Returns on Stocks, Bonds and Bills:
1928-2025" (January 2026 update),
https://pages.stern.nyu.edu/~adamodar/New_Home_Page/datafile/histretSP.html, as copied in
mdlacasse/Owl ``src/owlplanner/data/rates.csv`` (commit 9dedc12). Figures are nominal and
stored as fractions (0.4381 = +43.81 %); 2025 is provisional. Provenance, column definitions
and the CSV's sha256 are in ``returns_us_annual.meta.yaml``.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import yaml

__all__ = ["DataIntegrityError", "ReturnsTable", "load_returns", "read_returns"]

CSV_NAME = "returns_us_annual.csv"
META_NAME = "returns_us_annual.meta.yaml"
COLUMNS = ("year", "stocks", "bonds", "bills", "cpi")


class DataIntegrityError(ValueError):
    """The returns table does not match its metadata (modified or corrupted file)."""


@dataclass(frozen=True, eq=False)
class ReturnsTable:
    """Annual returns as read-only numpy arrays, aligned on ``years``."""

    years: np.ndarray  # int64
    stocks: np.ndarray  # float64, S&P 500 total return
    bonds: np.ndarray  # float64, 10-year Treasury total return
    bills: np.ndarray  # float64, 3-month T-bill
    cpi: np.ndarray  # float64, CPI inflation
    meta: dict[str, Any]

    def portfolio(self, stock_pct: float) -> np.ndarray:
        """Yearly return of a stock/bond mix rebalanced every year (stock_pct in percent)."""
        from ..engine.market import portfolio_returns  # the one definition of the mix

        return portfolio_returns(self.stocks, self.bonds, stock_pct)


def _default_dir() -> Traversable:
    return resources.files(__name__)


def read_returns(
    csv_path: Path | Traversable | None = None, meta_path: Path | Traversable | None = None
) -> ReturnsTable:
    """Read and verify a returns table; defaults to the copy shipped with the package."""
    csv_path = csv_path or _default_dir() / CSV_NAME
    meta_path = meta_path or _default_dir() / META_NAME
    meta = yaml.safe_load(meta_path.read_text(encoding="utf-8"))
    raw = csv_path.read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != meta["sha256"]:
        raise DataIntegrityError(
            f"{csv_path}: sha256 {digest} does not match {meta['sha256']} recorded in "
            f"{META_NAME}; the returns table has been modified or corrupted"
        )
    reader = csv.reader(io.StringIO(raw.decode("utf-8")))
    header = tuple(next(reader))
    if header != COLUMNS:
        raise DataIntegrityError(f"{csv_path}: expected columns {COLUMNS}, got {header}")
    rows = [row for row in reader if row]
    cols = list(zip(*rows, strict=True))
    arrays = [np.array(col, dtype=np.float64) for col in cols[1:]]
    years = np.array(cols[0], dtype=np.int64)
    for arr in (years, *arrays):
        arr.flags.writeable = False
    stocks, bonds, bills, cpi = arrays  # COLUMNS after "year"
    return ReturnsTable(years, stocks, bonds, bills, cpi, meta=meta)


@lru_cache(maxsize=1)
def load_returns() -> ReturnsTable:
    """The package's returns table, read and verified once."""
    return read_returns()
