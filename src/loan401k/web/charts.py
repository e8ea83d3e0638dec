"""Charts drawn as plain SVG on the server: the page, its live updates and the PDF share them.

No arithmetic on money happens here: every figure comes from the service's result; this
module only scales those figures onto a canvas. Colours are presentation attributes, not
style attributes, so the strict CSP (no inline styles) allows them and WeasyPrint draws them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from html import escape

WARM = "#b4461a"  # costs (contrast 5.6:1 on white)
WARM_LIGHT = "#e9a178"
COOL = "#1f5f99"  # gains, "without the loan" (contrast 6.6:1 on white)
INK = "#2b2b2b"
GRID = "#d9d9d9"
MUTED = "#5f5f5f"

Number = Decimal | float | int


def usd_short(value: Number) -> str:
    value = float(value)
    sign = "-" if value < 0 else ""
    value = abs(value)
    if value >= 1_000_000:
        return f"{sign}${value / 1_000_000:,.2f}".rstrip("0").rstrip(".") + "M"
    if value >= 10_000:
        return f"{sign}${value / 1000:,.0f}k"
    return f"{sign}${value:,.0f}"


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" font-family="system-ui, DejaVu Sans, sans-serif" '
        f'font-size="12">' + "".join(body) + "</svg>"
    )


def _hatch_id(label: str) -> str:
    return "hatch-" + hashlib.sha1(label.encode()).hexdigest()[:8]


def _defs(hatch: str) -> str:
    # gains get a hatch as well as a cool colour, so colour is never the only cue
    return (
        f'<defs><pattern id="{hatch}" width="6" height="6" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#dce8f3"/>'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{COOL}" stroke-width="2.5"/></pattern></defs>'
    )


def breakdown_bar(parts: Sequence[tuple[str, Number]], label: str) -> str:
    """One horizontal bar: each part's width is its share of the sum of absolute values."""
    width, height, bar_h = 600, 34, 26
    values = [(name, float(value)) for name, value in parts if float(value) != 0]
    scale = sum(abs(v) for _, v in values) or 1.0
    hatch = _hatch_id(label)
    body = [_defs(hatch)]
    x = 0.0
    shades = [WARM, WARM_LIGHT, "#8a3414", "#d27a4c", "#6e2a10"]
    for index, (name, value) in enumerate(values):
        w = abs(value) / scale * width
        fill = f"url(#{hatch})" if value < 0 else shades[index % len(shades)]
        body.append(
            f'<rect class="seg" x="{x:.1f}" y="4" width="{max(w, 1):.1f}" height="{bar_h}" fill="{fill}" '
            f'stroke="#ffffff" stroke-width="1"><title>{escape(name)}: {usd_short(value)}</title></rect>'
        )
        x += w
    if not values:
        body.append(f'<rect x="0" y="4" width="{width}" height="{bar_h}" fill="{GRID}"/>')
    return _svg(width, height, label, body)


def bar_legend_classes(values: Sequence[Number]) -> list[str]:
    shades = ["c0", "c1", "c2", "c3", "c4"]
    out, index = [], 0
    for value in values:
        if float(value) == 0:
            out.append("zero")
            continue
        out.append("gain" if float(value) < 0 else shades[index % len(shades)])
        index += 1
    return out


def line_chart(
    xs: Sequence[Number],
    series: Sequence[tuple[str, Sequence[Number], str, bool]],
    label: str,
    x_label: str = "",
    width: int = 600,
    height: int = 260,
) -> str:
    """Lines over a shared x axis. series: (name, ys, colour, dashed)."""
    left, right, top, bottom = 74, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    all_y = [float(y) for _, ys, _, _ in series for y in ys] or [0.0]
    y_min, y_max, step = _nice_range(min(all_y), max(all_y))
    x_lo, x_hi = float(xs[0]), float(xs[-1]) if len(xs) > 1 else float(xs[0]) + 1

    def px(x: Number) -> float:
        return left + (float(x) - x_lo) / ((x_hi - x_lo) or 1) * plot_w

    def py(y: Number) -> float:
        return top + plot_h - (float(y) - y_min) / ((y_max - y_min) or 1) * plot_h

    body: list[str] = []
    body.extend(_y_grid(y_min, y_max, step, py, left, width - right))
    ticks = _x_ticks(x_lo, x_hi)
    for t in ticks:
        body.append(
            f'<text x="{px(t):.1f}" y="{height - bottom + 16}" text-anchor="middle" '
            f'fill="{MUTED}">{t:g}</text>'
        )
    if x_label:
        body.append(
            f'<text x="{width - right}" y="{height - 2}" text-anchor="end" '
            f'fill="{MUTED}">{escape(x_label)}</text>'
        )
    for name, ys, colour, dashed in series:
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        dash = ' stroke-dasharray="7 4"' if dashed else ""
        body.append(
            f'<polyline class="line" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"{dash}>'
            f"<title>{escape(name)}</title></polyline>"
        )
    return _svg(width, height, label, body)


def _x_ticks(lo: float, hi: float) -> list[float]:
    span = hi - lo
    step = next((s for s in (1, 2, 5, 10, 12, 20, 24, 50, 60, 100) if span / s <= 8), 120)
    first = lo if lo % step == 0 else lo + (step - lo % step)
    ticks, t = [], first
    while t <= hi + 1e-9:
        ticks.append(t)
        t += step
    return ticks


def stacked_bars(
    xs: Sequence[Number],
    series: Sequence[tuple[str, Sequence[Number], str]],
    label: str,
    x_label: str = "",
    width: int = 600,
    height: int = 240,
) -> str:
    """Vertical bars, each stacked from the series in order (e.g. principal then interest)."""
    left, right, top, bottom = 74, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(float(ys[i]) for _, ys, _ in series) for i in range(len(xs))] or [0.0]
    _, y_max, step = _nice_range(0.0, max(totals))
    y_max = y_max or 1.0
    slot = plot_w / max(len(xs), 1)
    body: list[str] = _y_grid(
        0.0, y_max, step, lambda y: top + plot_h - y / y_max * plot_h, left, width - right
    )
    every = max(1, len(xs) // 10)
    for i, x in enumerate(xs):
        base = float(top + plot_h)
        for name, ys, colour in series:
            h = float(ys[i]) / y_max * plot_h
            base -= h
            body.append(
                f'<rect x="{left + i * slot + slot * 0.1:.1f}" y="{base:.1f}" width="{slot * 0.8:.1f}" '
                f'height="{h:.1f}" fill="{colour}">'
                f"<title>{escape(name)} {x}: {usd_short(ys[i])}</title></rect>"
            )
        if i % every == 0:
            body.append(
                f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'fill="{MUTED}">{x}</text>'
            )
    if x_label:
        body.append(
            f'<text x="{width - right}" y="{height - 2}" text-anchor="end" '
            f'fill="{MUTED}">{escape(x_label)}</text>'
        )
    return _svg(width, height, label, body)


def _nice_range(low: float, high: float) -> tuple[float, float, float]:
    """Axis bounds (bottom, top, step) that include zero, low and high, on round steps."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0
    magnitude = 10.0 ** math.floor(math.log10(span / 8))
    for factor in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = factor * magnitude
        bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
        if (top - bottom) / step <= 8:
            return bottom, top, step
    return low, high, span / 4


def _y_grid(
    low: float, high: float, step: float, py: Callable[[float], float], left: float, right: float
) -> list[str]:
    """Horizontal grid lines with their dollar labels, one per step from low to high."""
    out = []
    for k in range(round((high - low) / step) + 1):
        tick = round(low + k * step, 6) + 0.0  # + 0.0: no "-$0"
        yy = py(tick)
        out.append(
            f'<line x1="{left}" x2="{right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="{MUTED}">{usd_short(tick)}</text>'
        )
    return out


def signed_bars(
    xs: Sequence[Number],
    values: Sequence[Number],
    label: str,
    x_label: str = "",
    width: int = 600,
    height: int = 240,
) -> str:
    """Vertical bars from a zero line: costs (positive) up in the warm colour, gains (negative)
    down, cool and hatched so colour is never the only cue. The y axis spans min..max."""
    left, right, top, bottom = 74, 12, 12, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [float(v) for v in values] or [0.0]
    y_lo, y_hi, step = _nice_range(min(numbers), max(numbers))

    def py(y: float) -> float:
        return top + plot_h - (y - y_lo) / ((y_hi - y_lo) or 1) * plot_h

    hatch = _hatch_id(label)
    body: list[str] = [_defs(hatch)]
    body.extend(_y_grid(y_lo, y_hi, step, py, left, width - right))
    slot = plot_w / max(len(xs), 1)
    zero = py(0.0)
    label_step = next((n for n in (1, 2, 5, 10, 20, 25, 50, 100) if len(xs) / n <= 6), 200)
    for i, (x, value) in enumerate(zip(xs, numbers, strict=True)):
        y_end = py(value)
        y0, h = min(zero, y_end), abs(zero - y_end)
        gain = value < 0
        fill = f"url(#{hatch})" if gain else WARM
        stroke = f' stroke="{COOL}" stroke-width="0.8"' if gain else ""
        word = "cheaper by" if gain else "cost"
        body.append(
            f'<rect class="{"gain" if gain else "cost"}" x="{left + i * slot + slot * 0.1:.1f}" y="{y0:.1f}" '
            f'width="{slot * 0.8:.1f}" height="{max(h, 0.5):.1f}" fill="{fill}"{stroke}>'
            f"<title>{x}: {word} {usd_short(abs(value))}</title></rect>"
        )
        if float(x) % label_step == 0:
            body.append(
                f'<text x="{left + (i + 0.5) * slot:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                f'fill="{MUTED}">{x}</text>'
            )
    body.append(
        f'<line class="zero" x1="{left}" x2="{width - right}" y1="{zero:.1f}" y2="{zero:.1f}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    if x_label:
        body.append(
            f'<text x="{width - right}" y="{height - 2}" text-anchor="end" '
            f'fill="{MUTED}">{escape(x_label)}</text>'
        )
    return _svg(width, height, label, body)


def hbars(rows: Sequence[tuple[str, Number]], label: str, width: int = 600) -> str:
    """Horizontal bars, each with its name above it (so long names fit at phone width too):
    options ranked on one scale. Negative values (gains) are hatched in the cool colour."""
    row_h, bar_h, value_w = 48, 18, 90
    height = row_h * len(rows) + 4
    top = max((abs(float(v)) for _, v in rows), default=1.0) or 1.0
    hatch = _hatch_id(label)
    body: list[str] = [_defs(hatch)]
    for i, (name, value) in enumerate(rows):
        w = abs(float(value)) / top * (width - value_w)
        y = 4 + i * row_h
        fill = f"url(#{hatch})" if float(value) < 0 else WARM
        body.append(
            f'<text x="0" y="{y + 15}" fill="{INK}">{escape(name)}</text>'
            f'<rect x="0" y="{y + 22}" width="{max(w, 1):.1f}" height="{bar_h}" fill="{fill}"/>'
            f'<text x="{w + 6:.1f}" y="{y + 36}" fill="{INK}">{usd_short(value)}</text>'
        )
    return _svg(width, height, label, body)
