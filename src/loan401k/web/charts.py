"""Charts drawn as plain SVG on the server: the page, its live updates and the PDF share them.

No arithmetic on money happens here: every figure comes from the service's result; this
module only scales those figures onto a canvas. Colours are presentation attributes, not
style attributes, so the strict CSP (no inline styles) allows them and WeasyPrint draws them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
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
        return f"{sign}${value / 1_000_000:,.1f}M"
    if value >= 10_000:
        return f"{sign}${value / 1000:,.0f}k"
    return f"{sign}${value:,.0f}"


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


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
    y_min = min(0.0, min(all_y))
    y_max = _nice_max(max(all_y))
    x_lo, x_hi = float(xs[0]), float(xs[-1]) if len(xs) > 1 else float(xs[0]) + 1

    def px(x: Number) -> float:
        return left + (float(x) - x_lo) / ((x_hi - x_lo) or 1) * plot_w

    def py(y: Number) -> float:
        return top + plot_h - (float(y) - y_min) / ((y_max - y_min) or 1) * plot_h

    body: list[str] = []
    for i in range(5):
        y = y_min + (y_max - y_min) * i / 4
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{py(y):.1f}" y2="{py(y):.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{py(y) + 4:.1f}" text-anchor="end" fill="{MUTED}">{usd_short(y)}</text>'
        )
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
    y_max = _nice_max(max(totals))
    slot = plot_w / max(len(xs), 1)
    body: list[str] = []
    for i in range(5):
        y = y_max * i / 4
        yy = top + plot_h - y / y_max * plot_h
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="{MUTED}">{usd_short(y)}</text>'
        )
    every = max(1, len(xs) // 10)
    for i, x in enumerate(xs):
        base = top + plot_h
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


def hbars(rows: Sequence[tuple[str, Number]], label: str, width: int = 600) -> str:
    """Horizontal bars with their labels: options ranked on one scale, histograms by bucket."""
    row_h, left = 28, 190
    height = row_h * len(rows) + 8
    top = max((abs(float(v)) for _, v in rows), default=1.0) or 1.0
    hatch = _hatch_id(label)
    body: list[str] = [_defs(hatch)]
    for i, (name, value) in enumerate(rows):
        w = abs(float(value)) / top * (width - left - 80)
        y = 4 + i * row_h
        fill = f"url(#{hatch})" if float(value) < 0 else WARM
        body.append(
            f'<text x="{left - 8}" y="{y + 17}" text-anchor="end" fill="{INK}">{escape(name)}</text>'
            f'<rect x="{left}" y="{y + 4}" width="{max(w, 1):.1f}" height="{row_h - 10}" fill="{fill}"/>'
            f'<text x="{left + w + 6:.1f}" y="{y + 17}" fill="{INK}">{usd_short(value)}</text>'
        )
    return _svg(width, height, label, body)
