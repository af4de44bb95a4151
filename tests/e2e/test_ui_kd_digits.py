"""Tier 3, issue 14's digits in the page: the image grid with true and predicted labels, the confusion matrix,
the collapsed 64-pixel input, the data's credit and the raw / unit choice."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import EPOCH_JS, settle
from test_ui_kd import KD, pick, shots


def test_digits_train_fill_the_image_grid_and_the_confusion_matrix(app):
    page = app("seed=kd")
    pick(page, "digits", "64x10")
    assert page.is_hidden(".plot-frame")  # no plane to draw: images instead
    expect(page.locator(".net-feature")).to_have_count(1)  # 64 inputs drawn as one block
    expect(page.locator(".net-feature-label")).to_have_text("64 pixels (8×8)")
    expect(page.locator("#kd-digits-note")).to_contain_text("optdigits")
    expect(page.locator("#kd-digits-note")).to_contain_text("CC BY 4.0")
    expect(page.locator("#kd-digits .digit-cell")).to_have_count(40)
    expect(page.locator("#kd-legend")).to_be_hidden()  # no class map: the captions and the matrix name the digits
    expect(page.locator("#kd-confusion th[scope=col]")).to_have_count(11)  # the corner, then 0..9
    page.click("#play-pause-button")
    page.wait_for_function(f"{EPOCH_JS} >= 8 && window.__bp.frame().acc_test > 0.7", timeout=90_000)
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    settle(page)
    frame = page.evaluate("window.__bp.frame()")
    n_test = len(page.evaluate("window.__bp.data().test")) // 65
    expect(page.locator("#kd-digits")).to_have_attribute("data-predicted", "40")
    table = page.locator("#kd-confusion table.confusion")
    expect(table).to_have_attribute("data-k", "10")
    expect(table).to_have_attribute("data-total", str(n_test))
    labels = page.evaluate("[...document.querySelectorAll('#kd-digits .digit-cell')].map((c) => [c.dataset.label, "
                           "c.dataset.pred, c.classList.contains('wrong')])")
    assert all(pred != "" for _, pred, _ in labels)
    assert all(wrong == (label != pred) for label, pred, wrong in labels)
    assert sum(label == pred for label, pred, _ in labels) >= 20, frame["acc_test"]
    expect(page.locator("#kd-digits")).to_have_attribute("data-wrong", str(sum(w for *_, w in labels)))
    shots(page, "digits")
    # the unit scale: the same images, divided by 16
    page.select_option("#kd-scale", "unit")
    page.wait_for_function("window.__bp.config().digits_scale === 'unit'", timeout=30_000)
    assert page.evaluate(KD) == "64x10"
    assert max(page.evaluate("window.__bp.data().test").__getitem__(slice(0, 64))) <= 1.0
