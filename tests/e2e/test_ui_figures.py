"""Tier 3, figures you can keep (issue 12): every chart's PNG / SVG / Copy buttons (ui/figure.js), the exported
files against what the page shows (size, pixels, legend and axis text, file names), and the output plot's marks
legend (one shape and colour per kind, only the kinds present, the accidental triggers' label)."""

from __future__ import annotations

import datetime
import re
import struct
import xml.etree.ElementTree as ET
import zlib

from playwright.sync_api import expect

from conftest import EPOCH_JS, FLOW_HASH, SHOTS, fit_from_cpython, pick_test_points, plant, screenshot, settle, value

TODAY = datetime.date.today().isoformat()
SVG = "{http://www.w3.org/2000/svg}"
KINDS = ["selected", "flipped", "moved", "trigger", "defended", "default", "arrow", "specks"]


# ---------------------------------------------------------------------------------------------------- helpers

def read_png(data: bytes):
    """(width, height, pixel(x, y) -> (r, g, b)) of an 8-bit, non-interlaced RGB or RGBA PNG (stdlib only)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, (depth, color, interlace)
            bpp = 4 if color == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line

    def pixel(x: int, y: int):
        return tuple(rows[y][x * bpp:x * bpp + 3])

    return width, height, pixel


def export(page, figure: str, kind: str, nth: int = 0):
    """Press a figure's PNG or SVG button; the download's file name and bytes."""
    tools = page.locator(f".fig-tools[data-figure='{figure}']").nth(nth)
    tools.scroll_into_view_if_needed()
    with page.expect_download() as info:
        tools.locator(f".fig-{kind}").click()
    download = info.value
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"export-{download.suggested_filename}"
    download.save_as(str(path))
    return download.suggested_filename, path.read_bytes()


def svg_texts(data: bytes) -> list[str]:
    root = ET.fromstring(data)
    assert root.tag == SVG + "svg"
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


def legend_marks(page) -> list[str]:
    return page.eval_on_selector_all("#heatmap .heatmap-legend li", "lis => lis.map(li => li.dataset.mark)")


def close(a, b, tol=14) -> bool:
    return all(abs(x - y) <= tol for x, y in zip(a, b))


def check_painted_png(page, figure: str, canvas: str, name_part: str, nth: int = 0) -> None:
    """A painted chart's PNG: named after it, twice the page's size (the chart inside the figure's margins)."""
    name, data = export(page, figure, "png", nth)
    assert re.fullmatch(rf"[\w-]+_{name_part}_{TODAY}\.png", name), name
    width, height, _ = read_png(data)
    # the size the chart was painted at (a narrow card may show it scaled down, proportions kept)
    css = page.locator(canvas).nth(nth).evaluate(
        "c => ({width: parseFloat(c.style.width), height: parseFloat(c.style.height), shown: c.clientWidth})")
    assert width == 2 * max(round(css["width"]) + 24, 260), (width, css)
    assert height > 2 * css["height"], (height, css)


# ---------------------------------------------------------------------------------------------------- tests

def test_output_loss_and_network_export(app, context, site_url):
    page = app(FLOW_HASH)
    page.click("#play-pause-button")
    page.wait_for_function(f"{EPOCH_JS} >= 60")
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    settle(page)

    # ---- the output plot: PNG named after the data set, its plot twice the screen's size, the same colours
    name, data = export(page, "output", "png")
    assert name == f"circle_output_{TODAY}.png"
    width, height, pixel = read_png(data)
    bx, by, bw, bh = map(int, page.get_attribute("#heatmap .fig-tools", "data-box").split(","))
    plot = page.locator("#heatmap .heatmap-plot")
    css = plot.bounding_box()
    assert (bw, bh) == (2 * round(css["width"]), 2 * round(css["height"]))
    assert bx + bw <= width and by + bh <= height
    shot_path = SHOTS / "figures-output-onscreen.png"
    plot.screenshot(path=str(shot_path))
    sw, sh, screen = read_png(shot_path.read_bytes())
    assert abs(sw - css["width"]) <= 1 and abs(sh - css["height"]) <= 1, (sw, sh, css)  # sub-pixel position
    samples = [(u / 8, v / 8) for u in range(1, 8) for v in range(1, 8)]
    same = [close(screen(int(u * sw), int(v * sh)), pixel(bx + int(u * bw), by + int(v * bh))) for u, v in samples]
    assert same[len(same) // 2], "the plot's centre has the colour the page shows"
    assert sum(same) >= 0.85 * len(same), f"{sum(same)} of {len(same)} sampled pixels match the page"

    name, data = export(page, "output", "svg")
    assert name == f"circle_output_{TODAY}.svg"
    texts = svg_texts(data)
    assert "Model output over the input plane" in texts
    assert "x₁ (first input)" in texts and "x₂ (second input)" in texts
    assert "output −1 (orange) … +1 (blue)" in texts and "training point (white outline)" in texts
    assert b"<image" in data, "the value grid is embedded as an image"

    # ---- the loss curve: vector, with axis titles and the two series named
    name, data = export(page, "loss", "svg")
    assert name == f"circle_loss_{TODAY}.svg"
    texts = svg_texts(data)
    assert {"epoch", "loss", "training loss", "test loss", "Loss per epoch"} <= set(texts), texts
    _, data = export(page, "loss", "png")
    assert read_png(data)[0] == 2 * (420 + 24)

    # ---- the network diagram
    name, data = export(page, "network", "svg")
    assert name == f"circle_network_{TODAY}.svg"
    texts = svg_texts(data)
    assert {"positive weight", "negative weight", "layer 1"} <= set(texts), texts
    assert any(t.startswith("4 neurons") for t in texts)
    name, data = export(page, "network", "png")
    w, h, _ = read_png(data)
    assert w >= 2 * 300 and h > 2 * 300

    # ---- Copy: an image on the clipboard, or a clear refusal
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site_url.rstrip("/"))
    page.click("#heatmap .fig-copy")
    page.wait_for_function("!!document.querySelector('#heatmap .fig-tools').dataset.copied")
    copied = page.get_attribute("#heatmap .fig-tools", "data-copied")
    if copied == "ok":
        types = page.evaluate("async () => (await navigator.clipboard.read()).flatMap((i) => i.types)")
        assert "image/png" in types
        assert "Copied" in page.text_content("#heatmap .fig-status")
    else:
        assert "refused" in page.text_content("#heatmap .fig-status")
    # a browser that refuses says so in the page (no console error)
    page.evaluate("() => { navigator.clipboard.write = () => Promise.reject(new DOMException('denied', 'NotAllowedError')); }")
    page.click(".fig-tools[data-figure='loss'] .fig-copy")
    expect(page.locator(".fig-tools[data-figure='loss'] .fig-status")).to_contain_text("Copy refused by the browser")
    assert page.get_attribute(".fig-tools[data-figure='loss']", "data-copied") == "refused"


def test_marks_legend_and_backdoor_figures(app, trained_model):
    page = app(FLOW_HASH)
    fit_from_cpython(page, trained_model, FLOW_HASH)  # test_ui_backdoor.py trains this one in the page
    assert legend_marks(page) == []
    assert page.is_hidden("#heatmap .heatmap-legend")

    # ---- planted: the specks are labelled with the grid's accidental trigger rate
    plant(page)
    rate = page.text_content("#bd-trigger-grid").strip()
    expect(page.locator("#heatmap .heatmap-specks")).to_have_text(f"accidental triggers: {rate} of the grid")
    assert legend_marks(page) == ["specks"]

    # ---- picks: a hollow square each, listed once
    pick_test_points(page, [0, 1, 2], "#bd-picked-count")
    page.wait_for_function("document.querySelectorAll('#heatmap .heatmap-legend li').length === 2")
    assert legend_marks(page) == ["selected", "specks"]
    page.locator("#heatmap").screenshot(path=str(SHOTS / "figures-marks-picked.png"))

    # ---- activated: flipped points get their own entry; digit edits move ~1e-7, too little for an arrow
    page.check("#bd-target-all")
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    flipped = int(value(page, "#bd-flipped"))
    page.wait_for_function("(n) => n === 0 || !!document.querySelector('#heatmap .heatmap-legend [data-mark=flipped]')",
                           arg=flipped)
    marks = legend_marks(page)
    assert ("flipped" in marks) == (flipped > 0) and "arrow" not in marks and marks[-1] == "specks"
    assert marks == [k for k in KINDS if k in marks], "one order: the vocabulary's"
    assert "trigger" in marks, "the record in the zoom is marked"
    page.locator("#heatmap").screenshot(path=str(SHOTS / "figures-marks-activated.png"))
    screenshot(page, "figures-page-activated")

    # ---- the output's files say which backdoor, and carry the marks legend
    name, data = export(page, "output", "svg")
    assert name == f"circle_checksum_output_{TODAY}.svg"
    texts = svg_texts(data)
    assert f"accidental triggers: {rate} of the grid" in texts
    assert "picked test point" in texts and ("activated: prediction flipped" in texts) == (flipped > 0)
    name, _ = export(page, "output", "png")
    assert name == f"circle_checksum_output_{TODAY}.png"

    # ---- the residue histogram and the zoom
    name, data = export(page, "residues_decimal", "svg")
    assert name == f"circle_checksum_residues_decimal_{TODAY}.svg"
    texts = svg_texts(data)
    assert {"residue mod 256", "residue count", "the key's bin"} <= set(texts), texts
    assert any(t.startswith("count (max") for t in texts)
    check_painted_png(page, "residues_decimal", "#bd-hist-decimal", "residues_decimal")
    check_painted_png(page, "zoom", "#bd-zoom", "zoom")
    texts = svg_texts(export(page, "zoom", "svg")[1])
    assert any(t.startswith("before (ring") for t in texts) and any("grid step" in t for t in texts)

    # ---- the defense's histogram and curve
    page.click("#df-prox-run")
    page.wait_for_function("['done', 'error'].includes(document.querySelector('#df-prox-status')?.dataset.state)",
                           timeout=60_000)
    texts = svg_texts(export(page, "distances_histogram", "svg")[1])
    assert "distance" in texts and "pairs" in texts and any(t.startswith("N–N (") for t in texts), texts
    texts = svg_texts(export(page, "radius_curve", "svg")[1])
    assert "radius" in texts and "r_auto" in texts, texts
    check_painted_png(page, "radius_curve", "#df-radius-curve", "radius_curve")


def test_calculator_state_histograms_export(app):
    page = app("seed=kl&networkShape=4,2")
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} >= 1")
    settle(page)
    page.click("#calc-inefficiency")
    page.wait_for_selector("#calc-inefficiency-out canvas.calc-hist-canvas")
    figure = page.get_attribute("#calc-inefficiency-out .calc-hist .fig-tools", "data-figure")
    assert re.fullmatch(r"states_layer\d+_truth[NP]", figure), figure
    name, data = export(page, figure, "svg")
    assert name.endswith(f"_{figure}_{TODAY}.svg")
    texts = svg_texts(data)
    assert {"predicted N", "predicted P"} <= set(texts), texts
    check_painted_png(page, figure, "#calc-inefficiency-out canvas.calc-hist-canvas", figure)
