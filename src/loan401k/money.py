"""One Decimal policy for money that must be exact.

Every exact amount (limits, schedules, taxes) goes through `D()` and `cents()`;
floats appear only in projections and are rounded for display.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
ONE = Decimal(1)
CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def D(value: object) -> Decimal:
    """Money or a rate as a Decimal. Floats go through their shortest repr ("0.1", not 0.1000…055)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, int | str):
        return Decimal(value)
    raise TypeError(f"cannot make a Decimal from {type(value).__name__}")


def cents(value: Decimal) -> Decimal:
    """Round half-up to whole cents, the way plans and tax tables round."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(value: Decimal | float | int, whole: bool = False, auto: bool = False) -> str:
    """Dollars for people: "$1,234.56", "-$2,649.08"; `whole` drops cents, `auto` drops ".00"."""
    sign = "-" if value < 0 else ""
    text = f"{abs(value):,.0f}" if whole else f"{abs(value):,.2f}"
    if auto and text.endswith(".00"):
        text = text[:-3]
    return f"{sign}${text}"


def cents_of(value: float) -> Decimal:
    """A projected (float) amount as exact cents, for display and sums to the cent."""
    return cents(D(float(value)))


def pct(value: Decimal | float | int) -> Decimal:
    """A user's percent (6.5) as a fraction (0.065)."""
    return D(value) / HUNDRED


def pct_text(value: Decimal | float | int) -> str:
    """A percent for people: 7 -> "7%", 6.75 -> "6.75%", 12.40 -> "12.4%"."""
    text = f"{D(value).normalize():f}"
    return f"{text}%"
