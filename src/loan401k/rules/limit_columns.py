"""METHOD §1 over columns: the loan limit for many participants at once, in integer cents.

The same branches as `limits.max_new_loan` (which keeps the Decimal figures and the steps
with their citations for one person), written as polars expressions so a plan's million
participants take seconds. Integer cents are exact: half the vested balance is
`cents * 1 // 2`, rounded down to the cent as `max_new_loan` rounds it (a limit is a
ceiling). tests/batch holds the two equal row by row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

from ..params import Snapshot


@dataclass(frozen=True)
class LawCents:
    """The parameter values METHOD §1 needs, as integer cents and exact fractions."""

    dollar_cap: int
    vested_fraction: tuple[int, int]  # numerator, denominator
    floor: int
    disaster_cap: int
    disaster_fraction: tuple[int, int]
    day: dt.date

    @classmethod
    def from_snapshot(cls, law: Snapshot) -> LawCents:
        def cents(value: Decimal) -> int:
            return int(value * 100)

        return cls(
            dollar_cap=cents(law["loan_dollar_cap"]),
            vested_fraction=Decimal(law["loan_vested_fraction"]).as_integer_ratio(),
            floor=cents(law["loan_floor"]),
            disaster_cap=cents(law["disaster_loan_cap"]),
            disaster_fraction=Decimal(law["disaster_vested_fraction"]).as_integer_ratio(),
            day=law.day,
        )


def limit_columns(law: LawCents) -> list[dict[str, pl.Expr]]:
    """METHOD §1 over columns, the same branches as rules.limits.max_new_loan, in cents.

    Stages to apply in order (each reads the columns the earlier ones made). Reads `_v`, `_o`,
    `_h`, `_n`, `_floor`, `_min`, `_max`, `_disaster`, `_amount`; ends with `_max_loan`,
    `_eligible`, `_binding`, `_excess`.
    """
    v, o, disaster = pl.col("_v"), pl.col("_o"), pl.col("_disaster")
    (num, den), (d_num, d_den) = law.vested_fraction, law.disaster_fraction
    prongs = {
        # IRC §72(p)(2)(A)(i): the look-back reduces only the dollar prong.
        "_cap": pl.when(disaster).then(law.disaster_cap).otherwise(law.dollar_cap)
        - pl.max_horizontal(pl.col("_h") - o, 0),
        # half of the vested balance (all of it in disaster mode), rounded down to the cent
        "_half": pl.when(disaster).then(v * d_num // d_den).otherwise(v * num // den),
    }
    # §72(p)(2)(A)(ii)(II): the plan's $10,000 floor (not in disaster mode), never above vested
    floored = pl.col("_floor") & ~disaster & (pl.col("_half") < law.floor)
    vested_prong = {
        "_prong": pl.when(floored).then(pl.min_horizontal(pl.lit(law.floor), v)).otherwise(pl.col("_half")),
        "_prong_rule": pl.when(floored & (v < law.floor))
        .then(pl.lit("vested_balance"))
        .when(floored)
        .then(pl.lit("ten_thousand_floor"))
        .otherwise(pl.lit("half_vested")),
    }
    cap, prong = pl.col("_cap"), pl.col("_prong")
    room = {  # all loans together reach the lesser prong (a tie is the dollar cap); less today's
        "_room": pl.max_horizontal(pl.max_horizontal(pl.min_horizontal(cap, prong), 0) - o, 0),
        "_rule": pl.when(cap <= prong).then(pl.lit("dollar_cap")).otherwise(pl.col("_prong_rule")),
    }
    # plan rules: the number of loans first, then the minimum loan
    too_many = pl.col("_max").is_not_null() & (pl.col("_n") >= pl.col("_max"))
    too_small = (pl.col("_room") < pl.col("_min")) | (pl.col("_room") == 0)
    plan = {
        "_eligible": ~too_many & ~too_small,
        "_binding": pl.when(too_many)
        .then(pl.lit("loan_count"))
        .when(too_small)
        .then(pl.lit("plan_minimum"))
        .otherwise(pl.col("_rule")),
    }
    max_loan = {"_max_loan": pl.when(pl.col("_eligible")).then(pl.col("_room")).otherwise(0)}
    # the plan's minimum applies to the loan asked for, too (max_loan keeps what could be lent)
    asked_too_little = pl.col("_amount").is_not_null() & (pl.col("_amount") < pl.col("_min"))
    asked = {
        "_eligible": pl.col("_eligible") & ~asked_too_little,
        "_binding": pl.when(pl.col("_eligible") & asked_too_little)
        .then(pl.lit("plan_minimum"))
        .otherwise(pl.col("_binding")),
    }
    # a request above the limit: the excess would be a deemed distribution (§72(p)(1))
    requested = pl.col("_amount")
    excess = {
        "_excess": pl.when(requested.is_not_null() & (requested > pl.col("_max_loan")))
        .then(requested - pl.col("_max_loan"))
        .otherwise(0)
    }
    return [prongs, vested_prong, room, plan, max_loan, asked, excess]
