"""Charts drawn as plain SVG on the server: the page, its live updates and the PDF share them.

No arithmetic on money happens here: every figure comes from the service's result; this
module only scales those figures onto a canvas. Colours are presentation attributes, not
style attributes, so the strict CSP (no inline styles) allows them and WeasyPrint draws them;
every element also carries a class, so the page's stylesheet (app.css) can follow the
reader's theme (dark mode) and size the text for the width the chart is drawn at.

Shades are never colour alone: every filled shade is its colour and a texture (hatching, dots,
lines: SHADES), drawn as vector marks clipped to the shaded areas, so a black-and-white print
tells them apart; each part has its own shade, and the legends' swatches carry the same
texture (app.css for the page, `swatch_css` for the PDF).

Text is drawn up to ROOM user units tall (app.css enlarges it on narrow figures so it stays
at least 12 px on a phone), and the margins leave room for it at that size: no label is
clipped at any width. Offsets from the axes are in em, so labels hug them at any size.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from urllib.parse import quote

from ..i18n import _

WARM = "#b4461a"  # costs (contrast 5.6:1 on white)
WARM_LIGHT = "#e9a178"
COOL = "#1f5f99"  # gains, "without the loan" (contrast 6.6:1 on white)
INK = "#2b2b2b"
GRID = "#d9d9d9"
MUTED = "#5f5f5f"
PAPER = "#ffffff"

#: The largest chart text, in user units of a 600-wide canvas (app.css: text on a figure
#: 257-300 px wide); the margins are laid out for text this size.
ROOM = 28
#: The advance of a digit in DejaVu Sans (the widest of the fonts the charts name), in em.
DIGIT = 0.64
#: A line's stroke pattern by its colour, so dashed lines differ in black and white too.
DASHES = {COOL: "10 5", WARM: "4 4", INK: "10 5"}
LINE_CLASS = {COOL: "cool", WARM: "warm", INK: "ink"}


@dataclass(frozen=True)
class Shade:
    """A filled shade: its ground colour and a texture of marks drawn over it in `ink`: lines
    ("back" \\, "forward" /, "cross" both, "across" -, "upright" |, "grid" both of those) or
    "dots", on a TILE grid."""

    ground: str
    ink: str
    texture: str
    width: float  # of a line; a dot's diameter


TILE = 8
SHADES: dict[str, Shade] = {
    # the parts of a cost, by their place in the breakdown (bar_legend_classes)
    "c0": Shade(WARM, "#f3c9b1", "back", 1.3),
    "c1": Shade(WARM_LIGHT, "#6e2a10", "dots", 3.2),
    "c2": Shade("#8a3414", "#f1c3a6", "across", 1.6),
    "c3": Shade("#d27a4c", "#5a220c", "upright", 1.6),
    "c4": Shade("#6e2a10", "#e9a178", "cross", 1.0),
    "c5": Shade("#f6d5bf", "#8a3414", "grid", 1.0),
    "gain": Shade("#dce8f3", COOL, "forward", 2.2),  # gains: cool, bold hatching
    "cool": Shade(COOL, "#cfe0f0", "dots", 2.6),  # the principal of a payment
}
#: The shade of a series drawn in one of the module's colours (stacked bars).
SHADE_OF = {WARM: "c0", COOL: "cool", WARM_LIGHT: "c1"}
Box = tuple[float, float, float, float]  # x, y, width, height


def _marks(cls: str, x0: float, y0: float, x1: float, y1: float) -> str:
    """A shade's texture over the region (x0, y0)-(x1, y1) as one path, on the canvas's TILE
    grid so neighbouring bars line up: plain vector lines, crisp in every renderer (an SVG
    <pattern> comes out of a browser's print as one bitmap per bar)."""
    shade = SHADES[cls]
    gx0, gy0 = math.floor(x0 / TILE) * TILE, math.floor(y0 / TILE) * TILE
    gx1, gy1 = math.ceil(x1 / TILE) * TILE, math.ceil(y1 / TILE) * TILE
    w, h, half = gx1 - gx0, gy1 - gy0, TILE // 2
    parts = []
    if shade.texture in ("back", "cross"):
        parts += [f"M{gx0 + t} {gy0}l{h} {h}" for t in range(-h, w + 1, TILE)]
    if shade.texture in ("forward", "cross"):
        parts += [f"M{gx0 + t} {gy1}l{h} {-h}" for t in range(-h, w + 1, TILE)]
    if shade.texture in ("across", "grid"):
        parts += [f"M{gx0} {y}H{gx1}" for y in range(gy0 + half, gy1, TILE)]
    if shade.texture in ("upright", "grid", "dots"):  # dots: zero-length dashes with round caps
        parts += [f"M{x} {gy0 + half}V{gy1}" for x in range(gx0 + half, gx1, TILE)]
    dots = f' stroke-dasharray="0 {TILE}" stroke-linecap="round"' if shade.texture == "dots" else ""
    return (
        f'<path class="m" d="{"".join(parts)}" stroke="{shade.ink}" stroke-width="{shade.width:g}" '
        f'fill="none"{dots}/>'
    )


def tile_svg(cls: str) -> str:
    """One tile of a shade as a standalone SVG (the PDF's legend swatches)."""
    shade = SHADES[cls]
    return (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{TILE}' height='{TILE}'>"
        f"<rect width='{TILE}' height='{TILE}' fill='{shade.ground}'/>"
        + _marks(cls, 0, 0, TILE, TILE).replace(' class="m"', "").replace('"', "'")
        + "</svg>"
    )


def swatch_css(selector: str = ".swatch") -> str:
    """CSS giving each legend swatch its shade's own tile (for WeasyPrint, which draws SVG
    backgrounds but not repeating gradients)."""
    return "\n".join(
        f'{selector}.{cls} {{ background: {shade.ground} url("data:image/svg+xml,{quote(tile_svg(cls))}") '
        f"0 0 / {TILE * 0.75}pt {TILE * 0.75}pt; }}"
        for cls, shade in SHADES.items()
    )


def key_css(selector: str = ".key") -> str:
    """CSS drawing each line key as the line itself (colour and dash), for the PDF."""
    rules = []
    for colour, cls in LINE_CLASS.items():
        for dashed in (False, True):
            dash = f" stroke-dasharray='{DASHES[colour]}'" if dashed else ""
            svg = (
                f"<svg xmlns='http://www.w3.org/2000/svg' width='30' height='6'>"
                f"<line x1='0' x2='30' y1='3' y2='3' stroke='{colour}' stroke-width='2.5'{dash}/></svg>"
            )
            rules.append(
                f"{selector}.{cls}{'.dashed' if dashed else ':not(.dashed)'} {{ background: "
                f'url("data:image/svg+xml,{quote(svg)}") 0 50% / 20pt 4pt repeat-x; }}'
            )
    return "\n".join(rules)


def with_text_size(svg: str, size: float) -> str:
    """The chart with its text drawn `size` user units tall (at most ROOM: the margins' room)."""
    size = min(size, ROOM)
    return re.sub(r'^(<svg [^>]*?)font-size="[^"]*"', rf'\g<1>font-size="{size:g}"', svg, count=1)


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


def _id_prefix(label: str) -> str:
    return "tex-" + hashlib.sha1(label.encode()).hexdigest()[:8]


#: Roles whose class alone names their shade: the history chart's bars ("cost", "gain").
ROLE_SHADE = {"cost": "c0", "gain": "gain"}


def _shaded(prefix: str, cls: str, boxes: Sequence[tuple[Box, str, str]], edge: str = "") -> str:
    """Areas in one shade, each (box, role, tooltip): each box's ground colour (a rect with its
    role, e.g. "bar"), then the shade's texture over them all, clipped to them, then their
    edges if asked: "edge" (paper-coloured separators), "outline" (cool) or "ink"."""
    if not boxes:
        return ""
    out = []
    for (x, y, w, h), role, title in boxes:
        tip = f"<title>{escape(title)}</title>" if title else ""
        named = role if ROLE_SHADE.get(role) == cls else f"{role} fill {cls}"
        out.append(
            f'<rect class="{named}" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
            f'fill="{SHADES[cls].ground}">{tip}</rect>'
        )
    outline = "".join(f"M{x:.1f} {y:.1f}h{w:.1f}v{h:.1f}h{-w:.1f}Z" for (x, y, w, h), _, _ in boxes)
    x0, y0 = min(b[0] for b, _, _ in boxes), min(b[1] for b, _, _ in boxes)
    x1, y1 = max(b[0] + b[2] for b, _, _ in boxes), max(b[1] + b[3] for b, _, _ in boxes)
    clip = f"{prefix}-{cls}"
    out.append(
        f'<clipPath id="{clip}"><path d="{outline}"/></clipPath>'
        f'<g class="tex {cls}" clip-path="url(#{clip})" pointer-events="none">'
        f"{_marks(cls, x0, y0, x1, y1)}</g>"
    )
    if edge:
        stroke, width = {"edge": (PAPER, 1.0), "outline": (COOL, 0.8), "ink": (INK, 0.8)}[edge]
        out.append(
            f'<path class="edge {edge}" d="{outline}" fill="none" stroke="{stroke}" '
            f'stroke-width="{width:g}"/>'
        )
    return "".join(out)


def text_width(text: str, size: float = ROOM) -> float:
    """How wide `text` runs at `size` (digits' advance: an upper bound for figures)."""
    return len(text) * DIGIT * size


def _tick(
    x: float, y: float, text: str, anchor: str = "middle", dy: str = "1.15em", cls: str = "tick"
) -> str:
    return (
        f'<text class="{cls}" x="{x:.1f}" y="{y:.1f}" dy="{dy}" text-anchor="{anchor}" '
        f'fill="{MUTED}">{escape(text)}</text>'
    )


def _x_label(width: int, y: float, text: str) -> str:
    """The x axis's name, on its own line under the ticks, at the right."""
    return _tick(width - 2, y, text, anchor="end", dy="2.35em", cls="tick axis-name") if text else ""


#: Room under the plot for the ticks and the axis's name, each a line of ROOM-sized text.
BOTTOM = round(2.65 * ROOM)
TOP = round(0.55 * ROOM)


def breakdown_bar(parts: Sequence[tuple[str, Number]], label: str) -> str:
    """One horizontal bar: each part's width is its share of the sum of absolute values."""
    width, height, bar_h = 600, 34, 26
    classes = bar_legend_classes([value for _, value in parts])
    values = [
        (name, float(value), cls) for (name, value), cls in zip(parts, classes, strict=True) if cls != "zero"
    ]
    scale = sum(abs(v) for _, v, _ in values) or 1.0
    by_shade: dict[str, list[tuple[Box, str, str]]] = {}
    x = 0.0
    for name, value, cls in values:
        w = abs(value) / scale * width
        by_shade.setdefault(cls, []).append(((x, 4, max(w, 1), bar_h), "seg", f"{name}: {usd_short(value)}"))
        x += w
    prefix = _id_prefix(label)
    body = [_shaded(prefix, cls, boxes, "edge") for cls, boxes in by_shade.items()]
    if not values:
        body.append(f'<rect class="seg zero" x="0" y="4" width="{width}" height="{bar_h}" fill="{GRID}"/>')
    return _svg(width, height, label, body)


def bar_legend_classes(values: Sequence[Number]) -> list[str]:
    """Each value's shade by its place (the n-th part is always shade cn, in every scenario,
    and no two parts share one), except that gains are the hatched cool and zeros have none."""
    costs = [cls for cls in SHADES if cls.startswith("c") and cls[1:].isdigit()]
    return [
        "zero" if float(value) == 0 else "gain" if float(value) < 0 else costs[index % len(costs)]
        for index, value in enumerate(values)
    ]


def _y_axis(low: float, high: float, plot_h: float) -> tuple[float, float, float, int]:
    """Bounds, step and the left margin that fits the widest dollar label at ROOM; no more
    steps than ROOM-sized labels can stack in `plot_h` without touching."""
    y_min, y_max, step = _nice_range(low, high, max(2, min(8, int(plot_h // (1.3 * ROOM)))))
    labels = [usd_short(round(y_min + k * step, 6) + 0.0) for k in range(round((y_max - y_min) / step) + 1)]
    return y_min, y_max, step, math.ceil(max(text_width(t) for t in labels) + 10)


def line_chart(
    xs: Sequence[Number],
    series: Sequence[tuple[str, Sequence[Number], str, bool]],
    label: str,
    x_label: str = "",
    width: int = 600,
    height: int = 280,
) -> str:
    """Lines over a shared x axis. series: (name, ys, colour, dashed)."""
    all_y = [float(y) for _, ys, _, _ in series for y in ys] or [0.0]
    top, bottom = TOP, BOTTOM
    plot_h = height - top - bottom
    y_min, y_max, step, left = _y_axis(min(all_y), max(all_y), plot_h)
    x_lo, x_hi = float(xs[0]), float(xs[-1]) if len(xs) > 1 else float(xs[0]) + 1
    right = math.ceil(max(12, text_width(f"{x_hi:g}") / 2 + 2))
    plot_w = width - left - right

    def px(x: Number) -> float:
        return left + (float(x) - x_lo) / ((x_hi - x_lo) or 1) * plot_w

    def py(y: Number) -> float:
        return top + plot_h - (float(y) - y_min) / ((y_max - y_min) or 1) * plot_h

    body: list[str] = []
    body.extend(_y_grid(y_min, y_max, step, py, left, width - right))
    widest = max(text_width(f"{t:g}") for t in (x_lo, x_hi))
    for t in _x_ticks(x_lo, x_hi, plot_w, widest + 12):
        body.append(_tick(px(t), top + plot_h, f"{t:g}"))
    body.append(_x_label(width, top + plot_h, x_label))
    for name, ys, colour, dashed in series:
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(xs, ys, strict=True))
        dash = f' stroke-dasharray="{DASHES.get(colour, "7 4")}"' if dashed else ""
        cls = f"line {LINE_CLASS.get(colour, 'ink')}{' dashed' if dashed else ''}"
        body.append(
            f'<polyline class="{cls}" points="{points}" fill="none" stroke="{colour}" '
            f'stroke-width="2.5"{dash}>'
            f"<title>{escape(name)}</title></polyline>"
        )
    return _svg(width, height, label, body)


def _x_ticks(lo: float, hi: float, plot_w: float = 0.0, room: float = 0.0) -> list[float]:
    """Round ticks from lo to hi, at most 8, each at least `room` user units from the next."""
    span = (hi - lo) or 1.0
    steps = (1, 2, 5, 10, 12, 20, 24, 25, 50, 60, 100, 120, 200, 240, 500, 1000)
    step = next((s for s in steps if span / s <= 8 and s / span * plot_w >= room), steps[-1])
    first = lo if lo % step == 0 else lo + (step - lo % step)
    ticks, t = [], first
    while t <= hi + 1e-9:
        ticks.append(t)
        t += step
    return ticks


def _label_every(count: int, slot: float, widest: float) -> int:
    """Label every n-th bar: the first round n whose labels are `widest` apart, at most 8 labels."""
    for n in (1, 2, 3, 4, 5, 6, 10, 12, 20, 24, 25, 50, 52, 100, 200, 500):
        if n * slot >= widest + 10 and count / n <= 8:
            return n
    return max(1, count)


def _key(prefix: str, series: Sequence[tuple[str, str]], y: float) -> list[str]:
    """A legend drawn in the chart: each series' swatch (its shade) and its name."""
    out, x = [], 0.0
    for name, cls in series:
        out.append(
            _shaded(prefix + "-key", cls, [((x, y - 15, 18, 18), "key-swatch", "")], "ink")
            + f'<text class="label" x="{x + 24:.1f}" y="{y:.1f}" fill="{INK}">{escape(name)}</text>'
        )
        x += 24 + text_width(name) + 24
    return out


def stacked_bars(
    xs: Sequence[Number],
    series: Sequence[tuple[str, Sequence[Number], str]],
    label: str,
    x_label: str = "",
    width: int = 600,
    height: int = 280,
) -> str:
    """Vertical bars, each stacked from the series in order (e.g. principal then interest),
    with a key of the series' shades above the plot."""
    totals = [sum(float(ys[i]) for _, ys, _ in series) for i in range(len(xs))] or [0.0]
    key_y = round(0.85 * ROOM)
    right, top, bottom = 12, key_y + 8 + TOP, BOTTOM
    plot_h = height - top - bottom
    _, y_max, step, left = _y_axis(0.0, max(totals), plot_h)
    y_max = y_max or 1.0
    plot_w = width - left - right
    slot = plot_w / max(len(xs), 1)
    prefix = _id_prefix(label)
    classes = [SHADE_OF.get(colour, "c0") for _, _, colour in series]
    body: list[str] = []
    body.extend(_key(prefix, [(name, cls) for (name, _, _), cls in zip(series, classes, strict=True)], key_y))
    body.extend(_y_grid(0.0, y_max, step, lambda y: top + plot_h - y / y_max * plot_h, left, width - right))
    every = _label_every(len(xs), slot, max((text_width(str(x)) for x in xs), default=0.0))
    by_shade: dict[str, list[tuple[Box, str, str]]] = {cls: [] for cls in classes}
    for i, x in enumerate(xs):
        base = float(top + plot_h)
        for (name, ys, _), cls in zip(series, classes, strict=True):
            h = float(ys[i]) / y_max * plot_h
            base -= h
            box = (left + i * slot + slot * 0.1, base, slot * 0.8, h)
            by_shade[cls].append((box, "bar", f"{name} {x}: {usd_short(ys[i])}"))
        if i % every == 0:
            body.append(_tick(left + (i + 0.5) * slot, top + plot_h, str(x)))
    body.extend(_shaded(prefix, cls, boxes) for cls, boxes in by_shade.items())
    body.append(_x_label(width, top + plot_h, x_label))
    return _svg(width, height, label, body)


def _nice_range(low: float, high: float, steps: int = 8) -> tuple[float, float, float]:
    """Axis bounds (bottom, top, step) that include zero, low and high, on round steps, at
    most `steps` of them."""
    low, high = min(low, 0.0), max(high, 0.0)
    span = (high - low) or 1.0
    magnitude = 10.0 ** math.floor(math.log10(span / steps))
    for factor in (1, 2, 2.5, 5, 10, 20, 25, 50, 100):
        step = factor * magnitude
        bottom, top = math.floor(low / step) * step, math.ceil(high / step) * step
        if (top - bottom) / step <= steps:
            return bottom, top, step
    return low, high, span / 2


def _y_grid(
    low: float, high: float, step: float, py: Callable[[float], float], left: float, right: float
) -> list[str]:
    """Horizontal grid lines with their dollar labels, one per step from low to high."""
    out = []
    for k in range(round((high - low) / step) + 1):
        tick = round(low + k * step, 6) + 0.0  # + 0.0: no "-$0"
        yy = py(tick)
        out.append(
            f'<line class="grid" x1="{left}" x2="{right}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="{GRID}"/>'
            + _tick(left - 6, yy, usd_short(tick), anchor="end", dy="0.35em")
        )
    return out


def signed_bars(
    xs: Sequence[Number],
    values: Sequence[Number],
    label: str,
    x_label: str = "",
    width: int = 600,
    height: int = 260,
) -> str:
    """Vertical bars from a zero line: costs (positive) up in the warm shade, gains (negative)
    down, cool and hatched so colour is never the only cue. The y axis spans min..max."""
    numbers = [float(v) for v in values] or [0.0]
    right, top, bottom = 12, TOP, BOTTOM
    plot_h = height - top - bottom
    y_lo, y_hi, step, left = _y_axis(min(numbers), max(numbers), plot_h)
    plot_w = width - left - right

    def py(y: float) -> float:
        return top + plot_h - (y - y_lo) / ((y_hi - y_lo) or 1) * plot_h

    body: list[str] = []
    body.extend(_y_grid(y_lo, y_hi, step, py, left, width - right))
    slot = plot_w / max(len(xs), 1)
    zero = py(0.0)
    widest = max((text_width(str(x)) for x in xs), default=0.0)
    label_step = next(
        (n for n in (1, 2, 5, 10, 20, 25, 50, 100) if len(xs) / n <= 6 and n * slot >= widest + 10), 200
    )
    costs: list[tuple[Box, str, str]] = []
    gains: list[tuple[Box, str, str]] = []
    for i, (x, value) in enumerate(zip(xs, numbers, strict=True)):
        y_end = py(value)
        y0, h = min(zero, y_end), abs(zero - y_end)
        box = (left + i * slot + slot * 0.1, y0, slot * 0.8, max(h, 0.5))
        if value < 0:
            # TRANSLATORS: a bar's tooltip in the market-history chart: the start year, and how
            # much less than nothing the loan cost from it ("1932: cheaper by $12k").
            tip = _("{year}: cheaper by {amount}").format(year=x, amount=usd_short(abs(value)))
            gains.append((box, "gain", tip))
        else:
            # TRANSLATORS: a bar's tooltip in the market-history chart: the start year and the
            # loan's cost from it ("1960: cost $64k").
            costs.append((box, "cost", _("{year}: cost {amount}").format(year=x, amount=usd_short(value))))
        if float(x) % label_step == 0:
            body.append(_tick(left + (i + 0.5) * slot, top + plot_h, str(x)))
    prefix = _id_prefix(label)
    body.append(_shaded(prefix, "c0", costs) + _shaded(prefix, "gain", gains, "outline"))
    body.append(
        f'<line class="zero" x1="{left}" x2="{width - right}" y1="{zero:.1f}" y2="{zero:.1f}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    body.append(_x_label(width, top + plot_h, x_label))
    return _svg(width, height, label, body)


def hbars(rows: Sequence[tuple[str, Number]], label: str, width: int = 600) -> str:
    """Horizontal bars, each with its name and value above it (so long names fit at phone
    width too): options ranked on one scale. Costs in the warm shade; gains hatched cool."""
    name_y, bar_h = round(0.8 * ROOM), 18
    row_h = name_y + 6 + bar_h + 10
    height = row_h * len(rows) + 4
    top = max((abs(float(v)) for _, v in rows), default=1.0) or 1.0
    body: list[str] = []
    by_shade: dict[str, list[tuple[Box, str, str]]] = {}
    for i, (name, value) in enumerate(rows):
        w = abs(float(value)) / top * (width - 2)
        y = 4 + i * row_h
        body.append(
            f'<text class="label" x="0" y="{y + name_y}" fill="{INK}">{escape(name)}: '
            f'<tspan class="value" font-weight="bold">{usd_short(value)}</tspan></text>'
        )
        shade = "gain" if float(value) < 0 else "c0"
        by_shade.setdefault(shade, []).append(((0, y + name_y + 6, max(w, 1), bar_h), "bar", ""))
    prefix = _id_prefix(label)
    body.extend(_shaded(prefix, cls, boxes) for cls, boxes in by_shade.items())
    return _svg(width, height, label, body)
