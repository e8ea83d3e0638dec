"""Issue 13, the charts in Chromium: text at least 12 px on a 390 px phone with no label clipped
or on another; every shade a texture as well as a colour, in the chart and in its legend's key,
so black and white tells them apart; the page's dark ground and light ink under dark mode; and
a print (Ctrl+P) that clips no chart label and prints light even from a dark screen."""

from __future__ import annotations

import io
import itertools
import re
import statistics
from urllib.parse import urlencode

from PIL import Image  # WeasyPrint's own dependency

from loan401k.web import view

from .test_browser import wait_until

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: Letter paper less the print stylesheet's 12 mm margins, in CSS pixels.
PAPER = {"width": 725, "height": 1000}
#: Every part of the cost non-zero: a fee, contributions cut while repaying, an amount over
#: the $30,000 limit; the 401(k) difference is a gain. Six parts, six shades.
ALL_PARTS = view.STARTER | {
    "amount": "40000",
    "origination_fee": "75",
    "annual_fee": "50",
    "contribution_during_loan_monthly": "100",
}

#: Per visible chart: its figure, width, the smallest and largest text as drawn (computed font
#: size times the SVG's scale), the labels reaching outside the chart's box, and the pairs of
#: labels whose boxes overlap.
MEASURE = """() => [...document.querySelectorAll('svg.chart')]
  .filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(t => t.getBoundingClientRect().height > 0);
    const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);
    const outside = texts.filter(t => {
      const b = t.getBoundingClientRect();
      return b.left < box.left - 0.5 || b.right > box.right + 0.5
        || b.top < box.top - 0.5 || b.bottom > box.bottom + 0.5;
    }).map(t => t.textContent);
    const overlaps = [];
    for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) {
      const a = texts[i].getBoundingClientRect(), b = texts[j].getBoundingClientRect();
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5
          && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5)
        overlaps.push(texts[i].textContent + ' / ' + texts[j].textContent);
    }
    return {figure: (svg.closest('figure') || svg).className, width: box.width, texts: texts.length,
            smallest: Math.min(...sizes), largest: Math.max(...sizes), outside, overlaps};
  })"""


def open_page(browser, base_url, viewport, values=view.STARTER, scheme="light", open_all=True):
    context = browser.new_context(viewport=viewport, color_scheme=scheme, device_scale_factor=1)
    page = context.new_page()
    page.goto(base_url + "/?" + urlencode(values))
    # history and simulations follow the answer (the page loads them after it)
    wait_until(page, "() => document.querySelectorAll('#history-sec svg.chart').length >= 2", 30)
    if open_all:
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
    return context, page


def rgb(css: str) -> tuple[int, int, int]:
    r, g, b = (int(float(n)) for n in re.findall(r"[\d.]+", css)[:3])
    return r, g, b


def luminance(colour: tuple[int, int, int]) -> float:
    def channel(c: int) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_chart_text_is_12px_or_more_at_390px_and_no_label_is_clipped_or_covered(browser, base_url):
    context, page = open_page(browser, base_url, PHONE)
    charts = page.evaluate(MEASURE)
    context.close()
    with_text = [c for c in charts if c["texts"]]
    # balance, history, simulation, job loss, options, schedule: every chart with text, measured
    assert len(with_text) >= 6, charts
    for chart in with_text:
        assert chart["width"] < 320, chart  # a phone's width, where the text must grow
        assert chart["smallest"] >= 12, chart
        assert chart["outside"] == [], chart
        assert chart["overlaps"] == [], chart


def test_no_chart_label_is_clipped_or_covered_on_a_desktop(browser, base_url):
    context, page = open_page(browser, base_url, DESKTOP, ALL_PARTS)
    charts = page.evaluate(MEASURE)
    context.close()
    assert len([c for c in charts if c["texts"]]) >= 6, charts
    for chart in charts:
        assert chart["outside"] == [] and chart["overlaps"] == [], chart
        if chart["texts"]:
            assert chart["smallest"] >= 12, chart


def grey(element, inset: int = 2, width: int = 10, middle: bool = False) -> list[int]:
    """The element as drawn, in grey: a `width`-pixel square inside its top left corner (less
    `inset` pixels: its border and its edge), or a strip that wide down its middle."""
    shot = Image.open(io.BytesIO(element.screenshot())).convert("L")
    left = max(inset, shot.width // 2 - width // 2) if middle else inset
    bottom = shot.height - inset if middle else inset + width
    return list(shot.crop((left, inset, left + width, bottom)).get_flattened_data())


def test_every_shade_is_a_texture_too_so_black_and_white_tells_the_keys_apart(browser, base_url):
    # the answer as it first shows (its column is sticky: nothing opened beside it)
    context, page = open_page(browser, base_url, DESKTOP, ALL_PARTS, open_all=False)
    figure = page.locator("#answer-charts .breakdown")
    swatches = figure.locator(".legend .swatch")
    classes = [swatches.nth(i).get_attribute("class").split()[1] for i in range(swatches.count())]
    # six parts, six shades: the five costs each their own, the gain hatched
    assert len(classes) == 6 and len(set(classes)) == 6 and "gain" in classes, classes
    greys = {}
    for index, cls in enumerate(classes):
        swatch = swatches.nth(index)
        # the key's texture is drawn by the stylesheet, as well as its colour
        assert "gradient" in swatch.evaluate("s => getComputedStyle(s).backgroundImage"), cls
        # the chart draws the same shade: its ground, then its texture, clipped to the part
        segment = figure.locator(f"svg rect.seg.{cls}")
        assert segment.count() == 1, cls
        texture = figure.locator(f"svg g.tex.{cls}")
        assert texture.count() == 1 and texture.locator("path.m").get_attribute("d"), cls
        clip = re.search(r"#([\w-]+)", texture.get_attribute("clip-path")).group(1)
        assert figure.locator(f"svg clipPath#{clip}").count() == 1
        greys[cls] = grey(swatch)
        # in black and white the key is not one flat grey: its marks show
        assert statistics.pstdev(greys[cls]) > 15, cls
        assert statistics.pstdev(grey(segment, 3, 12, middle=True)) > 15, (
            f"the bar's {cls} part is flat in grey"
        )
    context.close()
    # and no two keys look alike in grey (same size, same origin: a colour-only pair is equal)
    for a, b in itertools.combinations(classes, 2):
        difference = statistics.mean(abs(p - q) for p, q in zip(greys[a], greys[b], strict=True))
        assert difference > 12, (a, b, difference)


def chart_colours(page) -> dict[str, tuple[int, int, int]]:
    return {
        name: rgb(page.evaluate(f"getComputedStyle(document.querySelector({selector!r})).{prop}"))
        for name, selector, prop in (
            ("ground", "#answer-charts .balance svg.chart", "backgroundColor"),
            ("text", "#answer-charts .balance svg.chart text.tick", "fill"),
            ("grid", "#answer-charts .balance svg.chart line.grid", "stroke"),
            ("cost", "#answer-charts .breakdown svg.chart rect.seg.c0", "fill"),
            ("marks", "#answer-charts .breakdown svg.chart g.tex.c0 path", "stroke"),
        )
    }


def test_dark_mode_draws_the_charts_on_the_dark_ground_in_light_ink(browser, base_url):
    colours = {}
    for scheme in ("light", "dark"):
        context, page = open_page(browser, base_url, DESKTOP, scheme=scheme)
        colours[scheme] = chart_colours(page)
        context.close()
    light, dark = colours["light"], colours["dark"]
    assert luminance(light["ground"]) > 0.8 and luminance(dark["ground"]) < 0.05, colours
    for scheme in colours.values():  # the axis labels readable on their own ground (WCAG AA)
        assert contrast(scheme["text"], scheme["ground"]) >= 4.5, scheme
    assert luminance(dark["text"]) > luminance(dark["ground"])  # light ink on the dark ground
    for part in ("grid", "cost", "marks"):  # gridlines and fills follow the theme too
        assert light[part] != dark[part], part
    assert contrast(dark["grid"], dark["ground"]) > 1.3  # gridlines still visible


def test_print_clips_no_chart_label_and_prints_light_from_a_dark_screen(browser, base_url):
    context, page = open_page(browser, base_url, PAPER, ALL_PARTS, scheme="dark")
    page.emulate_media(media="print", color_scheme="dark")
    charts = page.evaluate(MEASURE)
    assert len([c for c in charts if c["texts"]]) >= 6, charts
    for chart in charts:
        assert chart["outside"] == [] and chart["overlaps"] == [], chart
        assert chart["width"] <= PAPER["width"], chart
    colours = chart_colours(page)
    assert luminance(colours["ground"]) > 0.9 and contrast(colours["text"], colours["ground"]) >= 4.5, colours
    # paper gets the desktop tables, not the phone's cards, at a page's width
    assert page.evaluate("getComputedStyle(document.querySelector('#options-sec thead')).display") != "none"
    context.close()
