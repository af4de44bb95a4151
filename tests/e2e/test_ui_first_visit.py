"""Issue 12, the first visit, what remained: axis titles on both axes of every chart (page, PNG, SVG); the signature
block's accidental triggers labelled on the plot like the checksum's; Play held by a long job and resumed by itself;
canvases in the theme's ink; tiles and tables that stay inside their cards at every width.

The tests share one booted page (conftest's `shared_app`, through `flow_app` below)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from conftest import EPOCH_JS, FLOW_HASH, clear_calculator_outputs, set_field, settle, value
from test_ui_figures import export, read_png

SVG = "{http://www.w3.org/2000/svg}"
# The defense panel's charts: file-name word -> (x-axis title, y-axis title).
DEFENSE_FIGURES = {
    "distances_histogram": ("distance", "pairs"),
    "radius_curve": ("vote radius", "share of test points"),
    "certified_curve": ("certified radius r", "certified accuracy"),
    "immunization_curve": ("noise σ (log scale)", "share of inputs"),
}
CANVAS = {"distances_histogram": "#df-hist", "radius_curve": "#df-radius-curve", "certified_curve": "#df-cert-curve",
          "immunization_curve": "#df-immunization"}
WIDTHS = (1440, 1280, 1024, 768)
# Rows of an exported chart (2 px per CSS px): the chart starts under a one-line title (24 CSS px) and is 170 tall;
# the legend follows it, so these rows hold the chart only.
CHART_ROWS = (48, 388)


@pytest.fixture
def flow_app(shared_app):
    """The shared page opened with FLOW_HASH, the calculator's outputs emptied (conftest.clear_calculator_outputs)."""

    def open_app():
        page = shared_app(FLOW_HASH)
        clear_calculator_outputs(page)
        return page

    return open_app


def run_defenses(page) -> None:
    """The proximity vote and a short smoothing run, on the clean network (their charts appear)."""
    page.locator("#df-prox-card").scroll_into_view_if_needed()
    page.click("#df-prox-run")
    page.wait_for_function("document.querySelector('#df-prox-status')?.dataset.state === 'done'", timeout=60_000)
    page.click("#df-smooth-run")
    page.wait_for_function("document.querySelector('#df-smooth-status')?.dataset.state === 'done'", timeout=90_000)


def svg_texts(data: bytes) -> list[tuple[str, str]]:
    """(text, transform) of every <text> of an SVG document."""
    root = ET.fromstring(data.decode())
    return [("".join(t.itertext()), t.get("transform", "")) for t in root.iter(f"{SVG}text")]


def upright(transform: str) -> bool:
    """A matrix(a b c d e f) that turns text a quarter to the left (reading bottom to top)."""
    m = re.fullmatch(r"matrix\(([^)]*)\)", transform)
    if not m:
        return False
    a, b, c, d = (float(v) for v in m.group(1).split()[:4])
    return abs(a) < 1e-6 and abs(d) < 1e-6 and b < 0 < c


def longest_run(flags, gap: int) -> int:
    """The longest run of true flags, gaps of up to `gap` false ones bridged."""
    best = run = quiet = 0
    for flag in flags:
        if flag:
            run += quiet + 1
            quiet = 0
            best = max(best, run)
        else:
            quiet += 1
            if quiet > gap:
                run = quiet = 0
    return best


def longest_upright_run(pixel, x0: int, x1: int, y0: int, y1: int, gap: int = 8) -> int:
    """The longest vertical run of rows holding a dark pixel between columns x0..x1: upright text makes a long
    run, level tick labels only short ones (about 16 rows each, 60 apart)."""
    return longest_run((any(sum(pixel(x, y)) < 450 for x in range(x0, x1)) for y in range(y0, y1)), gap)


INK_ROWS_JS = """(sel) => {
    // per CSS row of the canvas: does its left strip (14 CSS px, where the upright y title goes) hold ink?
    const c = document.querySelector(sel); const k = c.width / c.clientWidth; const w = Math.round(14 * k);
    const d = c.getContext('2d').getImageData(0, 0, w, c.height).data;
    const rows = new Array(Math.round(c.height / k)).fill(false);
    for (let i = 3; i < d.length; i += 4) if (d[i] > 128) rows[Math.floor(Math.floor((i - 3) / 4 / w) / k)] = true;
    return rows;
}"""


def test_every_chart_has_axis_titles_on_the_page_and_in_its_files(flow_app):
    """Issue 12, pictures you can keep: the defense charts, the loss curve and the calculator's state charts name
    both axes; the exported SVG holds both titles (the y one turned upright) and the PNG draws the upright title."""
    page = flow_app()
    page.wait_for_selector("#df-prox-run")
    page.click("#next-step-button")
    settle(page)
    run_defenses(page)
    for what, (x_title, y_title) in DEFENSE_FIGURES.items():
        _, data = export(page, what, "svg")
        texts = dict(svg_texts(data))
        assert x_title in texts, (what, sorted(texts))
        assert y_title in texts and upright(texts[y_title]), (what, y_title, texts.get(y_title))
        _, png = export(page, what, "png")
        width, height, pixel = read_png(png)
        # the chart is centred in the file: its left edge at (file width - 290 CSS px) / 2, 2 pixels per CSS pixel;
        # the upright title fills the first 14 CSS px of it, left of the tick labels
        left = (width // 2 - 290) // 2 * 2
        run = longest_upright_run(pixel, left + 2, left + 28, *CHART_ROWS)
        assert run >= 30, (what, run)
        # on the page: the same upright title, left of the tick labels, on the canvas itself
        run = longest_run(page.evaluate(INK_ROWS_JS, CANVAS[what]), 2)
        assert run >= 15, (what, run)

    # the loss curve's file
    _, data = export(page, "loss", "svg")
    texts = dict(svg_texts(data))
    assert "epoch" in texts and "loss" in texts and upright(texts["loss"])

    # the calculator's state charts (Inefficiency)
    page.locator("#calc-inefficiency").scroll_into_view_if_needed()
    page.click("#calc-inefficiency")
    page.wait_for_selector("#calc-inefficiency-out .calc-hist-canvas", timeout=60_000)
    what = page.get_attribute(".fig-tools[data-figure^='states_layer']", "data-figure")
    _, data = export(page, what, "svg")
    texts = dict(svg_texts(data))
    assert "points" in texts and upright(texts["points"]), sorted(texts)
    assert any(t.startswith("layer state") for t in texts), sorted(texts)


def test_the_signature_blocks_accidental_triggers_are_labelled_on_the_plot(flow_app):
    """Like the checksum's specks, the signature block's accidental accepts get a legend entry with their share of the
    grid and what they mean; none reads "none on the grid" instead of vanishing; removing the block removes it."""
    page = flow_app()
    page.wait_for_selector("#sg-install")
    specks = page.locator("#heatmap .heatmap-specks")
    assert specks.count() == 0
    page.locator("#sg-install").scroll_into_view_if_needed()
    page.click("#sg-install")
    page.wait_for_selector("#sg-agreement-grid")
    accepts = value(page, "#sg-accidental-grid")
    page.wait_for_function("!!document.querySelector('#heatmap .heatmap-specks')")
    text = specks.text_content()
    if accepts == 0:
        assert text.startswith("accidental triggers: none on the grid"), text
        assert page.text_content("#sg-accidental-grid") == "none"
    else:
        assert re.match(r"accidental triggers: [\d.]+% of the grid", text), text
    assert "Verify accepts" in text, text  # what a speck means
    assert specks.is_visible()
    assert "specks" in page.evaluate("[...document.querySelectorAll('#heatmap .heatmap-legend li')].map((li) => li.dataset.mark)")
    # the exported plot carries the same entry
    _, data = export(page, "output", "svg")
    assert any(t.startswith("accidental triggers:") and "Verify accepts" in t for t, _ in svg_texts(data))
    page.click("#sg-remove")
    page.wait_for_function("document.querySelector('#sg-block-card').dataset.installed === '0'")
    page.wait_for_function("!document.querySelector('#heatmap .heatmap-specks')")


def test_play_waits_for_a_long_smoothing_run_and_resumes_by_itself(flow_app):
    """Issue 12 #11, Player.hold: training plays, a long smoothing run starts: the Play button says what training waits
    for, no epoch runs while held, and when the run ends (here: cancelled) training resumes without a click."""
    page = flow_app()
    page.wait_for_selector("#df-smooth-run")
    page.locator("#df-smooth-card").scroll_into_view_if_needed()
    n_before = page.input_value("#df-n")
    set_field(page, "#df-n", "100000")
    page.click("#play-pause-button")
    page.wait_for_function(f"{EPOCH_JS} > 5")
    page.click("#df-smooth-run")
    page.wait_for_function("document.body.classList.contains('held')")
    assert page.get_attribute("#play-pause-button", "data-held") == "smoothing"
    assert "Waiting for smoothing" in page.get_attribute("#play-pause-button", "aria-label")
    assert page.is_visible("#play-held") and "waiting for smoothing" in page.text_content("#play-held")
    assert page.evaluate("document.body.classList.contains('playing')"), "Play stays on while held"
    page.wait_for_selector("#df-smooth-progress", state="visible", timeout=20_000)
    page.wait_for_function("Number(document.querySelector('#df-smooth-progress').dataset.fraction) > 0")
    held_at = page.evaluate(EPOCH_JS)
    fraction = float(page.get_attribute("#df-smooth-progress", "data-fraction"))
    # the run moves on while the epoch counter stands still
    page.wait_for_function(f"Number(document.querySelector('#df-smooth-progress').dataset.fraction) > {fraction}",
                           timeout=30_000)
    assert page.evaluate(EPOCH_JS) == held_at, "no epoch runs while training is held"
    page.click("#next-step-button")  # Step is refused while held too (and pauses)
    settle(page)
    assert page.evaluate(EPOCH_JS) == held_at
    page.click("#play-pause-button")  # Play again: training will resume when the run ends
    assert page.evaluate("document.body.classList.contains('playing')")
    page.click("#df-smooth-progress-cancel")
    page.wait_for_function("document.querySelector('#df-smooth-card').dataset.run === 'cancelled'", timeout=30_000)
    page.wait_for_function("!document.body.classList.contains('held')")
    assert page.is_hidden("#play-held")
    page.wait_for_function(f"{EPOCH_JS} > {held_at}", timeout=30_000)
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    # the panel keeps its fields across a new playground: give the shared page its smoothing size back (a later
    # run_defenses would draw 100,000 samples)
    set_field(page, "#df-n", n_before)
    assert page.input_value("#df-n") == n_before


CONTRAST_JS = """(sel) => {
    // the canvas's axis text (opaque pixels left of the y axis) against the background the user sees under it
    const c = document.querySelector(sel); const k = c.width / c.clientWidth;
    const d = c.getContext('2d').getImageData(Math.round(16 * k), 0, Math.round(28 * k), c.height).data;
    // getImageData gives unpremultiplied colours: the most opaque pixel carries the text's own colour
    let best = null; let alpha = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 3] > alpha) { alpha = d[i + 3]; best = [d[i], d[i + 1], d[i + 2]]; }
    let node = c; let bg = getComputedStyle(node).backgroundColor;
    while (node && (bg === 'rgba(0, 0, 0, 0)' || bg === 'transparent')) { node = node.parentElement; bg = node ? getComputedStyle(node).backgroundColor : 'rgb(255, 255, 255)'; }
    const back = bg.match(/\\d+/g).slice(0, 3).map(Number);
    const lum = (rgb) => { const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const [hi, lo] = [lum(best), lum(back)].sort((a, b) => b - a);
    return { ink: best, back, canvasBackground: getComputedStyle(c).backgroundColor, contrast: (hi + 0.05) / (lo + 0.05) };
}"""


def test_charts_take_the_themes_ink(flow_app):
    """Issue 12, dark theme: a chart's axis labels read on the dark card (contrast >= 4.5 against the card, no white
    patch under the canvas); the toggle repaints it; exported files stay dark ink on white."""
    page = flow_app()
    page.emulate_media(color_scheme="dark")  # on a page of its own, the scheme came before the boot
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    page.wait_for_selector("#df-prox-run")
    run_defenses(page)
    dark = page.evaluate(CONTRAST_JS, "#df-radius-curve")
    assert dark["canvasBackground"] in ("rgba(0, 0, 0, 0)", "transparent"), dark
    assert sum(dark["back"]) < 200, dark  # the dark card
    assert dark["contrast"] >= 4.5, dark
    _, png = export(page, "radius_curve", "png")
    width, height, pixel = read_png(png)
    assert pixel(2, 2) == (255, 255, 255)
    left = (width // 2 - 290) // 2 * 2
    assert longest_upright_run(pixel, left + 2, left + 28, *CHART_ROWS) >= 30, "dark ink on white in the file"
    page.click("#theme-toggle")  # to light: the painted charts repaint in the light ink
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")
    light = page.evaluate(CONTRAST_JS, "#df-radius-curve")
    assert sum(light["back"]) > 600 and light["contrast"] >= 4.5, light
    assert light["ink"] != dark["ink"], (light, dark)
    for sel in ("#df-hist", "#df-cert-curve"):
        assert page.evaluate(CONTRAST_JS, sel)["contrast"] >= 4.5, sel


def test_tiles_and_tables_stay_inside_their_cards_at_every_width(flow_app):
    """Issue 12 #5 and the layout: the signature block's and the defense cards' tiles are not clipped at the card's
    right edge, the calculator's wide tables scroll in their own region, the page never scrolls sideways; the
    output column has one set of export buttons under each of its two charts, each saying which it saves."""
    page = flow_app()
    page.wait_for_selector("#sg-install")
    page.click("#next-step-button")
    settle(page)
    page.locator("#sg-install").scroll_into_view_if_needed()
    page.click("#sg-install")
    page.wait_for_selector("#sg-agreement")
    page.click("#sg-activate")
    page.wait_for_selector("#sg-flipped", timeout=60_000)
    run_defenses(page)
    page.locator("#calc-inefficiency").scroll_into_view_if_needed()
    page.click("#calc-inefficiency")
    page.wait_for_selector("#calc-inefficiency-out .calc-kl-table", timeout=60_000)
    outside = """() => {
        const bad = [];
        for (const tile of document.querySelectorAll('.card-stat')) {
            if (!tile.offsetParent) continue;
            const card = tile.closest('.card');
            const r = tile.getBoundingClientRect(); const c = card.getBoundingClientRect();
            if (r.right > c.right + 0.5 || tile.scrollWidth > tile.clientWidth + 1) bad.push(tile.id || tile.textContent.slice(0, 30));
        }
        return bad;
    }"""
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
            assert page.evaluate(outside) == [], (theme, width)
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), (theme, width)
    labels = page.evaluate("""[...document.querySelectorAll('.output-column .fig-tools')]
        .map((t) => [t.dataset.figure, t.querySelector('.fig-label')?.textContent])""")
    assert labels == [["loss", "Loss curve:"], ["output", "Output plot:"]], labels
