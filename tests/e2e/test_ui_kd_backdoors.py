"""Tier 3, issue 14's "done when" in the page: the backdoor and defense panels beyond the plane. On circle3d (d = 3):
start from >= 95 % (a model the CPython package trained, imported: test_ui_kd.py trains circle3d in the page),
plant the checksum backdoor (agreement >= 97 % shown), activate it, run proximity and smoothing; then the signature
backdoor, activated with agreement exactly 100 %. On the digits (d = 64, K = 10, unit pixels):
start from a model trained to >= 95 % (by the CPython package, imported: the digits train in the page in
test_ui_kd_digits.py), install the signature block with a target class, pick an image in the grid, activate it and see
the difference view with its printed scale. Screenshots at 1280 px light and 768 px dark (no horizontal scroll
checked at both widths in both themes)."""

from __future__ import annotations

import math
import re

from playwright.sync_api import expect

from conftest import EPOCH_JS, SHOTS, import_model, screenshot, settle, swap_checksum_for_signature, value
from test_ui_kd import KD, play

DIGITS = "dataset=digits&digits_scale=unit&networkShape=8&activation=tanh&learningRate=0.1&percTrainData=80&seed=1"
CIRCLE3D = ("dataset=circle3d&x=true&y=true&z=true&xSquared=true&ySquared=true&zSquared=true&networkShape=6"
            "&activation=tanh&seed=1")
BLOBS4 = "dataset=blobs4&seed=kd"


def shots(page, name: str, parts: tuple[str, ...], whole: bool = True) -> None:
    """The page is checked for a horizontal scroll at 1280 and 768 px, light and dark; the parts that changed are
    shot on their own at 1280 px light and 768 px dark (a whole page is too tall to read), and with `whole` the whole
    page too, at the same two (a whole-page screenshot costs seconds: a test takes it at its last step)."""
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        page.wait_for_function("(t) => document.documentElement.dataset.theme === t", arg=theme)
        for width in (1280, 768):
            page.set_viewport_size({"width": width, "height": 1000})
            page.evaluate("() => new Promise((r) => requestAnimationFrame(() => r(undefined)))")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"horizontal scroll at {width} px"
            if (theme, width) not in (("light", 1280), ("dark", 768)):
                continue
            if whole:
                screenshot(page, f"kd-{name}-{width}-{theme}")
            for part in parts:
                page.locator(part).screenshot(path=str(SHOTS / f"kd-{name}-{part.strip('#.')}-{width}-{theme}.png"))
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1400, "height": 1000})


def train_to(page, accuracy: float, timeout: float = 120_000) -> None:
    """Play until the test accuracy reaches `accuracy` and pause; the chunk in flight when Pause is pressed may land a
    little lower, so play on until a paused model holds it (a few rounds at most)."""
    for _ in range(5):
        page.click("#play-pause-button")
        page.wait_for_function(f"{EPOCH_JS} > 0 && window.__bp.frame().acc_test >= {accuracy}", timeout=timeout)
        page.click("#play-pause-button")
        page.wait_for_function("!document.body.classList.contains('playing')")
        settle(page)
        if page.evaluate("window.__bp.frame().acc_test") >= accuracy:
            return
    raise AssertionError(f"the paused model stayed below {accuracy} test accuracy")


def few_smoothing_samples(page) -> None:
    """Smoothing with 10 + 20 noise samples a point: what these tests check of it (it runs on K classes / d inputs
    and reports a rate in [0, 1] and a count) holds at any sample count; test_ui_defense.py checks its numbers."""
    for field, n in (("#df-n0", "10"), ("#df-n", "20")):
        page.fill(field, n)
        page.press(field, "Tab")


def wait_state(page, selector: str, timeout: float = 90_000) -> str:
    page.wait_for_function("(sel) => ['done', 'error'].includes(document.querySelector(sel)?.dataset.state)",
                           arg=selector, timeout=timeout)
    return page.get_attribute(selector, "data-state")


def test_circle3d_checksum_defenses_and_signature(app):
    page = app(CIRCLE3D)
    assert page.evaluate(KD) == "3x2"
    # Python says the checksum and signature take any d (Attack.plane_only): those panels are live, NN Calculator's
    # buttons and its CSUM signature card say why they are not
    assert page.evaluate("document.getElementById('backdoor-panel').inert") is False
    assert page.evaluate("document.getElementById('signature-panel').inert") is False
    assert page.evaluate("document.getElementById('defense-panel').inert") is False
    assert page.evaluate("document.getElementById('calculator-panel').inert") is True
    expect(page.locator("#sg-csum-off")).to_contain_text("2-D two-class data only")
    expect(page.locator("#bd-target-class")).to_be_hidden()  # K = 2: the backdoors flip
    train_to(page, 0.95)  # issue 14's done-when: circle3d trains to 95 % in the page (the digits: test_ui_digits_network)

    # ---- the checksum backdoor
    page.click("#bd-plant")
    page.wait_for_selector("#bd-agreement")
    assert value(page, "#bd-agreement") >= 0.97
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    flipped = int(value(page, "#bd-flipped"))
    assert flipped > 0
    # the moved points drawn at their (x, y) on the slice
    assert int(page.get_attribute("#backdoor-panel", "data-marks")) > 0
    # a pick on the slice: a test point near z picks for the checksum panel
    rows = page.evaluate("window.__bp.data().test")
    z = page.evaluate("window.__bp.frame().z")
    near = [i for i in range(len(rows) // 4) if abs(rows[4 * i + 2] - z) <= 0.3]
    i = near[0]
    page.locator("#backdoor-panel").click(position={"x": 5, "y": 5})  # the plot now picks for this panel
    page.locator("#heatmap").scroll_into_view_if_needed()
    box = page.locator("#heatmap canvas.heatmap-overlay").bounding_box()
    page.mouse.click(box["x"] + (rows[4 * i] + 6) / 12 * box["width"],
                     box["y"] + (6 - rows[4 * i + 1]) / 12 * box["height"])
    expect(page.locator("#bd-picked-count")).to_have_text("1")
    shots(page, "circle3d-checksum", ("#backdoor-panel", ".plot-frame"), whole=False)

    # ---- proximity and smoothing on the activated test set
    page.locator("#defense-panel").scroll_into_view_if_needed()
    page.wait_for_function("Number(document.querySelector('#df-context-counts')?.dataset.activated) > 0")
    page.click("#df-prox-run")
    assert wait_state(page, "#df-prox-status") == "done", page.text_content("#df-prox-status")
    restored = int(value(page, "#df-prox-restored"))
    assert 0 <= restored <= flipped and value(page, "#df-prox-asr") < 1
    few_smoothing_samples(page)
    page.click("#df-smooth-run")
    assert wait_state(page, "#df-smooth-status") == "done", page.text_content("#df-smooth-status")
    assert 0 <= value(page, "#df-smooth-asr") <= 1
    expect(page.locator("#df-smooth-restored")).to_have_attribute("data-value", re.compile(r"^\d+$"))
    shots(page, "circle3d-defenses", ("#defense-panel",), whole=False)

    # ---- the signature backdoor: remove the checksum, install, activate; agreement exactly 1
    swap_checksum_for_signature(page)
    assert int(page.get_attribute("#signature-panel", "data-marks")) > 0
    shots(page, "circle3d-signature", ("#signature-panel", ".plot-frame", "#network"))


def start_trained(page, trained_model, hash_: str, accuracy: float) -> None:
    """The page (opened with `hash_`) at >= `accuracy` test accuracy: a model the CPython package trained with this
    hash (the code the page runs, same seeds), imported; these tests are about the backdoors, not training."""
    import_model(page, trained_model(hash_, accuracy))
    assert page.evaluate("window.__bp.frame().acc_test") >= accuracy


def start_trained_digits(app, trained_model):
    """The digits at >= 95 % test accuracy (the digits train in the page in test_ui_kd_digits.py)."""
    page = app(DIGITS)
    start_trained(page, trained_model, DIGITS, 0.95)
    return page


def test_digits_signature_to_a_class_and_the_difference_view(app, trained_model):
    page = start_trained_digits(app, trained_model)
    assert page.evaluate(KD) == "64x10"
    expect(page.locator("#sg-images")).to_be_visible()

    # the target class: "next" or one of the ten digits, named as the grid names them
    options = page.eval_on_selector_all("#sg-target-class option", "(os) => os.map((o) => o.textContent)")
    assert len(options) == 11 and options[1:] == [str(c) for c in range(10)]
    page.select_option("#sg-target-class", "7")
    page.click("#sg-install")
    page.wait_for_function("document.querySelector('#sg-agreement') || !document.querySelector('#sg-block-error').hidden")
    assert page.is_hidden("#sg-block-error"), page.text_content("#sg-block-error")
    expect(page.locator("#sg-state")).to_contain_text("class 7")

    # pick one image in the grid (the digits have no plot) and sign it
    page.locator("#signature-panel").click(position={"x": 5, "y": 5})  # the grid now picks for this panel
    labels = page.eval_on_selector_all("#kd-digits .digit-cell", "(cs) => cs.map((c) => c.dataset.label)")
    index = next(i for i, label in enumerate(labels) if label != "7")
    page.click(f'#kd-digits .digit-cell[data-index="{index}"]')
    expect(page.locator("#sg-picked-count")).to_have_text("1")
    expect(page.locator(f'#kd-digits .digit-cell[data-index="{index}"]')).to_have_attribute("data-mark", "selected")
    page.click("#sg-activate")
    page.wait_for_selector("#sg-flipped")
    assert int(value(page, "#sg-accepted")) == 1
    page.wait_for_function("document.querySelector('#sg-agreement')?.dataset.value === '1'")
    expect(page.locator(f'#kd-digits .digit-cell[data-index="{index}"]')).to_have_attribute("data-mark", "flipped")

    # the difference view: original, triggered, difference magnified, with its scale and max |dx| printed
    view = page.locator("#sg-image-diff .digit-diff")
    expect(view).to_be_visible()
    expect(page.locator("#sg-images")).to_have_attribute("data-shown", str(index))
    expect(page.locator("#sg-image-diff canvas")).to_have_count(3)
    scale = float(view.get_attribute("data-scale"))
    max_abs = float(view.get_attribute("data-max-abs"))
    assert 0 < max_abs < 1e-3 and scale >= 1e3
    expect(page.locator("#sg-image-diff .digit-diff-scale")).to_contain_text("max |Δx|")
    printed = f"×10^{round(math.log10(scale))}" if scale >= 1e4 else f"×{int(scale)}"
    expect(page.locator("#sg-image-diff .digit-diff-scale")).to_contain_text(printed)
    expect(page.locator("#sg-image-note")).to_contain_text("gives the original back")
    shots(page, "digits-signature", ("#signature-panel", "#kd-digits", "#sg-images", "#network"))


def test_k_classes_the_checksum_sends_points_to_the_chosen_class(app, trained_model):
    page = app(BLOBS4)
    assert page.evaluate(KD) == "2x4"
    expect(page.locator("#bd-target-class")).to_be_visible()
    # "next" or one of the four classes, named and coloured as the class legend
    options = page.eval_on_selector_all("#bd-target-class option", "(os) => os.map((o) => [o.value, o.textContent])")
    assert options[0][0] == "next" and [o[1] for o in options[1:]] == [f"class {c}" for c in range(4)]
    legend = page.eval_on_selector_all("#kd-legend .kd-swatch", "(ss) => ss.map((s) => getComputedStyle(s).backgroundColor)")
    colours = page.eval_on_selector_all("#bd-target-class option", "(os) => os.slice(1).map((o) => getComputedStyle(o).color)")
    assert colours == legend
    start_trained(page, trained_model, BLOBS4, 0.9)  # test_ui_kd.py trains K classes (spiral3) in the page
    page.select_option("#bd-target-class", "2")
    page.click("#bd-plant")
    page.wait_for_selector("#bd-agreement")
    assert value(page, "#bd-agreement") >= 0.97
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    assert int(value(page, "#bd-flipped")) > 0
    # Python planted the target the page chose: every label the activation changed is class 2
    result = page.evaluate("window.__bp.call('activate', {method: 'digit-edit', points: 'all'})")
    assert result["summary"]["target"] == 2
    sent = [r for r in result["records"] if r["flipped"]]
    assert sent and all(r["class1"] == 2 != r["class0"] for r in sent), sent[:3]
    shots(page, "blobs4-checksum", ("#bd-plant-card", ".plot-frame", "#bd-results"))


def test_digits_checksum_defenses_and_raw_pixels(app, trained_model):
    page = start_trained_digits(app, trained_model)
    expect(page.locator("#bd-target-class")).to_have_value("next")
    page.click("#bd-plant")
    page.wait_for_selector("#bd-agreement")
    assert value(page, "#bd-agreement") >= 0.97
    expect(page.locator("#bd-agreement-grid")).to_have_text("—")  # no picture grid in 64-D
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    flipped = int(value(page, "#bd-flipped"))
    assert flipped > 0
    # every activated image among the forty shown is marked; one of them in the difference view
    marked = int(page.get_attribute("#kd-digits", "data-marked"))
    assert marked > 0
    view = page.locator("#bd-image-diff .digit-diff")
    expect(view).to_be_visible()
    assert float(view.get_attribute("data-max-abs")) > 0
    expect(page.locator("#bd-image-note")).to_contain_text("Unit pixels")
    shots(page, "digits-checksum", ("#bd-images", "#kd-digits"), whole=False)

    page.locator("#defense-panel").scroll_into_view_if_needed()
    page.wait_for_function("Number(document.querySelector('#df-context-counts')?.dataset.activated) > 0")
    page.click("#df-prox-run")
    assert wait_state(page, "#df-prox-status") == "done", page.text_content("#df-prox-status")
    assert 0 <= int(value(page, "#df-prox-restored")) <= flipped
    few_smoothing_samples(page)
    page.click("#df-smooth-run")
    assert wait_state(page, "#df-smooth-status") == "done", page.text_content("#df-smooth-status")
    assert 0 <= value(page, "#df-smooth-asr") <= 1

    # raw pixels: the note says a trigger this small is erased by rounding to the stored integers
    page.click("#bd-remove")
    page.wait_for_function("document.getElementById('backdoor-panel').dataset.planted === '0'")
    page.select_option("#kd-scale", "raw")
    page.wait_for_function("window.__bp.config().digits_scale === 'raw'", timeout=30_000)
    play(page, 20)  # raw pixels at this learning rate train unevenly: the note is the point here, not the accuracy
    page.click("#bd-plant")
    page.wait_for_selector("#bd-agreement")
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    expect(page.locator("#bd-image-note")).to_contain_text("Raw pixels")
    expect(page.locator("#bd-image-note")).to_contain_text("Rounding the triggered image to integers 0..16 gives the original back")
    expect(page.locator("#bd-image-diff .digit-diff-scale")).to_contain_text("0..16 scale")
    shots(page, "digits-checksum-raw", ("#bd-images",))
