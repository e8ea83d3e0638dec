"""Issue 13, the PDF a planner hands over: each legend's key is the chart's own shade (the same
ground colour and the same texture, colour and pen), and on the printed page, in grey, every
key and every part of the breakdown bar shows its texture and no two keys look alike.

The report is laid out by WeasyPrint once: the boxes give where each key and bar is, the same
document's PDF is rasterized in grey at 96 dpi (one pixel a CSS pixel) by poppler."""

from __future__ import annotations

import io
import itertools
import re
import statistics
import subprocess
import xml.etree.ElementTree as ET
from urllib.parse import unquote

import pytest
from PIL import Image  # WeasyPrint's own dependency

from loan401k.web import view
from loan401k.web.report import report_css, report_html

from .test_charts_legible import ALL_PARTS

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def laid_out():
    """(page 1's boxes, page 1 in grey, the breakdown chart's SVG) for the six-part scenario."""
    from weasyprint import CSS, HTML

    page = view.analyze_page(dict(ALL_PARTS))
    charts = view.chart_set(page)
    document = HTML(string=report_html(page, charts, "")).render(stylesheets=[CSS(string=report_css())])
    pdf = document.write_pdf()
    pgm = subprocess.run(
        ["pdftoppm", "-gray", "-r", "96", "-f", "1", "-l", "1", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout
    boxes = list(document.pages[0]._page_box.descendants())
    return boxes, Image.open(io.BytesIO(pgm)).convert("L"), ET.fromstring(charts["breakdown"])


def classes(box) -> list[str]:
    return (box.element.get("class") or "").split() if box.element is not None else []


def segments(chart: ET.Element) -> list[ET.Element]:
    return [r for r in chart.iter(f"{SVG}rect") if "seg" in r.get("class", "").split()]


def swatches(boxes, chart: ET.Element) -> list:
    """The breakdown legend's keys, in order: the first keys on page 1, one per part drawn."""
    keys = [box for box in boxes if box.element_tag == "span" and "swatch" in classes(box)]
    return keys[: len(segments(chart))]


def texture_of(chart: ET.Element, cls: str) -> dict[str, str]:
    """The pen of a shade's texture in the chart, and the ground it is drawn on."""
    group = next(g for g in chart.iter(f"{SVG}g") if g.get("class", "").split() == ["tex", cls])
    path = group.find(f"{SVG}path")
    ground = next(r for r in chart.iter(f"{SVG}rect") if cls in r.get("class", "").split())
    return {
        "ground": ground.get("fill"),
        "stroke": path.get("stroke"),
        "width": path.get("stroke-width"),
        "dash": path.get("stroke-dasharray") or "",
    }


def test_each_key_in_the_report_is_the_charts_own_shade(laid_out):
    boxes, _, chart = laid_out
    keys = swatches(boxes, chart)
    assert len(keys) == 6
    for box in keys:
        cls = classes(box)[1]
        images = [image for kind, image in box.style["background_image"] if kind == "url"]
        assert images and images[0].startswith("data:image/svg+xml,"), cls
        tile = ET.fromstring(unquote(images[0].split(",", 1)[1]))
        ground = tile.find(f"{SVG}rect").get("fill")
        mark = tile.find(f"{SVG}path")
        key = {
            "ground": ground,
            "stroke": mark.get("stroke"),
            "width": mark.get("stroke-width"),
            "dash": mark.get("stroke-dasharray") or "",
        }
        assert key == texture_of(chart, cls), cls


def grey_of(image: Image.Image, x: float, y: float, w: float, h: float) -> list[int]:
    return list(image.crop((round(x), round(y), round(x + w), round(y + h))).get_flattened_data())


def test_in_black_and_white_every_key_and_part_shows_its_texture_and_keys_differ(laid_out):
    boxes, grey, chart = laid_out
    keys = {}
    for box in swatches(boxes, chart):
        cls = classes(box)[1]
        inside = grey_of(grey, box.border_box_x() + 2, box.border_box_y() + 2, 8, 8)
        assert statistics.pstdev(inside) > 15, f"the {cls} key is one flat grey"
        keys[cls] = inside
    for a, b in itertools.combinations(keys, 2):
        difference = statistics.mean(abs(p - q) for p, q in zip(keys[a], keys[b], strict=True))
        assert difference > 12, (a, b, difference)
    svg = next(
        box
        for box in boxes
        if box.element_tag == f"{SVG}svg"
        and box.element.get("aria-label", "").startswith("How the cost splits")
    )
    scale = svg.width / float(chart.get("viewBox").split()[2])
    assert len(segments(chart)) == 6
    for rect in segments(chart):
        x, y, w, h = (float(rect.get(k)) * scale for k in ("x", "y", "width", "height"))
        middle = grey_of(grey, svg.content_box_x() + x + w / 2 - 4, svg.content_box_y() + y + 2, 8, h - 4)
        assert statistics.pstdev(middle) > 15, f"the bar's {rect.get('class')} part is one flat grey"


def test_the_keys_follow_the_breakdown_order_and_share_no_shade(laid_out):
    boxes, _, chart = laid_out
    shown = [classes(box)[1] for box in swatches(boxes, chart)]
    drawn = [re.sub(r"\b(seg|fill)\b", "", r.get("class")).split()[0] for r in segments(chart)]
    assert shown == drawn and len(set(shown)) == len(shown) == 6
