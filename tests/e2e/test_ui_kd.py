"""Tier 3, issue 14 in the page: K classes (spiral3), 3-D data (circle3d: the z-slice and the rotatable scatter),
uploaded 3-D / K-class CSVs, and the backdoor panels' note beyond the plane, as a user drives them."""

from __future__ import annotations

import re

import numpy as np
from playwright.sync_api import expect

from conftest import EPOCH_JS, screenshot, settle

KD = "document.body.dataset.kd"


def shots(page, name: str) -> None:
    """The page at 1280 and 768 px wide, light and dark (screenshots/kd-<name>-<width>-<theme>.png)."""
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        page.wait_for_function("(t) => document.documentElement.dataset.theme === t", arg=theme)
        for width in (1280, 768):
            page.set_viewport_size({"width": width, "height": 1000})
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r(undefined)))")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"horizontal scroll at {width} px"
            screenshot(page, f"kd-{name}-{width}-{theme}")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1400, "height": 1000})


def pick(page, name: str, shape: str) -> None:
    """Click a data set of the picker's second row and wait until the page shows its d x K."""
    page.click(f'#kd-thumbs [data-dataset="{name}"]')
    page.wait_for_function(f"{KD} === '{shape}'", timeout=30_000)
    settle(page)


def play(page, epochs: int) -> None:
    page.click("#play-pause-button")
    page.wait_for_function(f"{EPOCH_JS} >= {epochs}", timeout=60_000)
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    settle(page)


def plot_rgba(page) -> np.ndarray:
    data = page.evaluate("""() => {
        const c = document.querySelector('#heatmap canvas.heatmap-background');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    }""")
    return np.asarray(data, dtype=np.int16)


def test_spiral3_three_classes_legend_confusion_and_accuracy_rises(shared_app):
    page = shared_app("seed=kd")
    assert page.evaluate(KD) == ""  # TF Playground's plane: none of the K-class views
    assert page.is_hidden("#kd-view")
    pick(page, "spiral3", "2x3")
    expect(page.locator("#kd-legend .kd-legend-item")).to_have_count(3)
    expect(page.locator("#kd-legend")).to_contain_text("class 2")
    # the second row is one tab stop (the selected set); the arrow keys move within it
    assert page.evaluate("[...document.querySelectorAll('#kd-thumbs button')].filter((b) => b.tabIndex === 0)"
                         ".map((b) => b.dataset.dataset)") == ["spiral3"]
    page.focus('#kd-thumbs [data-dataset="spiral3"]')
    page.keyboard.press("ArrowRight")
    assert page.evaluate("document.activeElement.dataset.dataset") == "blobs4"
    start = page.evaluate("window.__bp.frame().acc_test")
    play(page, 150)
    frame = page.evaluate("window.__bp.frame()")
    assert frame["acc_test"] > start + 0.15, (start, frame["acc_test"])
    n_test = len(page.evaluate("window.__bp.data().test")) // 3
    table = page.locator("#kd-confusion table.confusion")
    expect(table).to_have_attribute("data-k", "3")
    expect(table).to_have_attribute("data-total", str(n_test))
    # the class map: each class's own colour appears on the plot
    rgba = plot_rgba(page).reshape(-1, 4)[:, :3]
    colours = {tuple(c) for c in rgba[::37]}
    assert len(colours) >= 6, "the class map should show several classes and shades"
    # the network has one output node per class
    expect(page.locator(".net-node:not(.net-feature)")).to_have_count(4 + 2 + 3)
    shots(page, "spiral3")


def test_circle3d_slice_slider_and_picking_move_the_slice(shared_app):
    page = shared_app("dataset=circle3d&z=true&seed=kd3")
    assert page.evaluate(KD) == "3x2"
    expect(page.locator(".net-feature:not(.disabled)")).to_have_count(3)  # x, y and z feed the network
    expect(page.locator(".net-feature-label", has_text=re.compile("^X₃$"))).to_have_count(1)  # z, once
    play(page, 60)
    before = plot_rgba(page)
    page.locator("#kd-z").fill("4.5")
    page.wait_for_function("window.__bp.frame().z === 4.5", timeout=20_000)
    settle(page)
    after = plot_rgba(page)
    assert np.abs(after - before).sum() > 0, "the heatmap must change with the slice"
    expect(page.locator("#kd-z-value")).to_have_text("4.5")
    # clicking a point moves the slice to that point's height
    rows = np.asarray(page.evaluate("[...window.__bp.data().train, ...window.__bp.data().test]")).reshape(-1, 4)
    near = rows[np.abs(rows[:, 2] - 4.5) <= 1.0]
    target = near[np.argmin(np.abs(near[:, 2] - 3.7))]
    dist = (rows[:, 0] - target[0]) ** 2 + (rows[:, 1] - target[1]) ** 2
    want = round(float(rows[np.argmin(dist), 2]), 1)
    box = page.locator("#heatmap canvas.heatmap-overlay").bounding_box()
    page.mouse.click(box["x"] + (target[0] + 6) / 12 * box["width"], box["y"] + (6 - target[1]) / 12 * box["height"])
    page.wait_for_function("(z) => Math.abs(window.__bp.frame().z - z) < 1e-9", arg=want, timeout=20_000)
    expect(page.locator("#kd-z-value")).to_have_text(f"{want:.1f}")
    # the click was the slice's: the (inert) checksum panel picked nothing
    expect(page.locator("#bd-picked-count")).to_have_text("0")
    shots(page, "circle3d")


def test_the_scatter_rotates_by_drag_and_by_keys(shared_app):
    page = shared_app("dataset=xor3d&seed=kd")
    canvas = page.locator("#kd-scatter canvas")
    expect(canvas).to_be_visible()

    def pixels():
        return np.asarray(page.evaluate("""() => { const c = document.querySelector('#kd-scatter canvas');
            return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data); }"""), dtype=np.int16)

    yaw0, first = float(canvas.get_attribute("data-yaw")), pixels()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 90)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 70, steps=6)
    page.mouse.up()
    yaw1 = float(canvas.get_attribute("data-yaw"))
    assert yaw1 > yaw0 + 0.5
    assert np.abs(pixels() - first).sum() > 0
    canvas.focus()
    page.keyboard.press("ArrowLeft")
    assert abs(float(canvas.get_attribute("data-yaw")) - (yaw1 - np.pi / 18)) < 2e-3
    pitch = float(canvas.get_attribute("data-pitch"))
    page.keyboard.press("ArrowDown")
    assert float(canvas.get_attribute("data-pitch")) > pitch


def test_backdoor_panels_say_they_need_the_plane(shared_app):
    page = shared_app("dataset=gauss3d&seed=kd")
    # NN Calculator's buttons need the plane; the checksum and signature backdoors take any d (Attack.plane_only,
    # test_ui_kd_backdoors.py drives them)
    note = page.locator("#kd-note-calculator-panel")
    expect(note).to_be_visible()
    expect(note).to_contain_text("needs the 2-D two-class playground")
    expect(note).to_contain_text("d = 3, K = 2")
    assert page.evaluate("document.getElementById('calculator-panel').inert") is True
    expect(page.locator("#kd-note-backdoor-panel")).to_be_hidden()
    assert page.evaluate("document.getElementById('backdoor-panel').inert") is False
    page.click('#dataset-thumbs [data-dataset="circle"]')
    page.wait_for_function(f"{KD} === ''", timeout=30_000)
    expect(note).to_be_hidden()
    assert page.evaluate("document.getElementById('calculator-panel').inert") is False


def test_an_uploaded_3d_csv_with_three_classes_works_and_a_bad_label_says_why(shared_app, shared_problems, tmp_path):
    page = shared_app("seed=kd")
    gen = np.random.default_rng(3)
    good = tmp_path / "three.csv"
    good.write_text("x,y,z,label\n" + "\n".join(
        f"{a:.3f},{b:.3f},{c:.3f},{k % 3}" for k, (a, b, c) in enumerate(gen.uniform(-5, 5, (90, 3)))))
    page.set_input_files("#csv-upload", str(good))
    page.wait_for_function(f"{KD} === '3x3'", timeout=30_000)
    expect(page.locator("#kd-legend .kd-legend-item")).to_have_count(3)
    expect(page.locator("#kd-z")).to_be_visible()
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,z,label\n" + "\n".join(f"1,2,3,{k % 12}" for k in range(30)))
    page.set_input_files("#csv-upload", str(bad))
    # Python's own message, naming the row and what a label may be (K <= 10 comes from playground/classes.py)
    expect(page.locator("#notices")).to_contain_text("is not a class label")
    expect(page.locator("#notices")).to_contain_text("K <= 10")
    assert page.evaluate(KD) == "3x3", "a refused file changes nothing"


def test_blobs_let_the_user_choose_k_and_a_k_the_set_cannot_take_says_why(shared_app):
    page = shared_app("dataset=spiral3&classes=5&seed=kd")
    # spiral3 has its own K: Python's notice names the key and the sets that let one choose
    expect(page.locator("#notices")).to_contain_text("classes=5: dataset spiral3 has K = 3 classes of its own")
    assert page.evaluate(KD) == "2x3"
    assert page.is_hidden("#kd-classes")
    pick(page, "blobs", "2x3")
    options = page.evaluate("[...document.querySelectorAll('#kd-classes option')].map((o) => Number(o.value))")
    assert options == list(range(2, 11))  # the set's k_choices, from the generated state table
    page.select_option("#kd-classes", "5")
    page.wait_for_function(f"{KD} === '2x5'", timeout=30_000)
    expect(page.locator("#kd-legend .kd-legend-item")).to_have_count(5)
    assert page.evaluate("window.__bp.config().classes") == 5
    page.select_option("#kd-classes", "2")  # two blobs: TF Playground's plane, the panels work again
    page.wait_for_function(f"{KD} === ''", timeout=30_000)
    expect(page.locator(".kd-panel-note").first).to_be_hidden()
