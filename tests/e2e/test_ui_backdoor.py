"""Tier 3, the backdoor panel (issue 4): plant the checksum backdoor in a trained network, activate it by digit
edit and by the key holder's search, the device budget and its warning, Remove, and a planted link, all driven
from the UI as a user drives them. Screenshots of each step land in screenshots/backdoor-*.png."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from conftest import FLOW_HASH, SHOTS, pick_test_points, plant, screenshot, set_field, train_until_fit, value, wait_text

PANEL = "#backdoor-panel"


def shot(page, name: str, whole: bool = True) -> Path:
    """The panel on its own (easier to read), and with `whole` the whole page (seconds a screenshot: the long flow
    takes it at a few steps only)."""
    path = SHOTS / f"backdoor-{name}.png"
    if whole:
        screenshot(page, f"backdoor-{name}-page")
    page.locator(PANEL).screenshot(path=str(path))
    return path


def wait_calibrated(page) -> str:
    wait_text(page, "#bd-calibration", "trials/s")
    return page.text_content("#bd-calibration")


def wait_search_end(page, timeout: float = 60_000) -> str:
    page.wait_for_function("['done', 'cancelled', 'failed'].includes(document.querySelector('#bd-progress').dataset.state)",
                           timeout=timeout)
    return page.get_attribute("#bd-progress", "data-state")


def test_plant_activate_search_cancel_remove(app):
    page = app(FLOW_HASH)
    text = wait_calibrated(page)
    assert "this device:" in text and "→ max modulo" in text
    shot(page, "0-calibrated", whole=False)

    # ---- train the clean model
    train_until_fit(page)
    clean_accuracy = page.text_content("#acc-test")
    clean_weights = page.evaluate("window.__bp.frame().weights")

    # ---- 1. plant with the defaults (decimal, key 150, m 256, p 15, all hidden layers)
    assert page.input_value("#bd-variant") == "decimal"
    assert [page.input_value(s) for s in ("#bd-key", "#bd-modulo", "#bd-precision")] == ["150", "256", "15"]
    plant(page)
    assert value(page, "#bd-agreement") >= 0.97
    assert value(page, "#bd-agreement-grid") >= 0.97
    assert 0 <= value(page, "#bd-trigger") < 0.1
    assert page.evaluate("window.__bp.frame().weights") == clean_weights, "planting keeps the trained weights"
    assert "activations=relu_csum" in page.evaluate("location.hash")
    assert "Planted" in page.text_content("#bd-state")
    assert page.is_disabled("#bd-plant") and page.is_enabled("#bd-remove")
    page.wait_for_selector("#bd-hist-decimal")
    shot(page, "1-planted")

    # ---- 2. digit-edit on every test point
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    assert value(page, "#bd-attempted") == len(page.evaluate("window.__bp.data().test")) / 3
    assert value(page, "#bd-flipped") > 0
    assert value(page, "#bd-median-delta") < 1e-5
    assert "10⁻" in page.text_content("#bd-median-delta")
    assert int(page.get_attribute(PANEL, "data-marks")) >= value(page, "#bd-flipped"), "flipped points are marked"
    rows = page.locator("#bd-records tbody tr")
    assert rows.count() == value(page, "#bd-attempted")
    # the zoom opens on the first flipped record; choose another one
    second = page.locator("#bd-records tbody tr.flipped").nth(1)
    second.click()
    index = second.get_attribute("data-index")
    assert page.get_attribute("#bd-zoom", "data-index") == index
    assert "zoom ×" in page.text_content("#bd-zoom-caption")
    # the zoom's grid step is of the order of this record's |Δx| (which depends on how long training ran)
    step, delta = (float(page.get_attribute("#bd-zoom-caption", f"data-{k}")) for k in ("scale", "delta"))
    assert 0 < delta < 1e-3 and delta / 10 <= step <= 2 * delta, "the zoom's scale shows |Δx|"
    page.locator("#heatmap").screenshot(path=str(shot(page, "2-digit-edit").with_name("backdoor-2-digit-edit-plot.png")))

    # ---- 3. search with the keyed variant at m = 16 on three points picked on the plot
    page.select_option("#bd-variant", "keyed")
    wait_text(page, "#bd-state", "keyed")
    set_field(page, "#bd-modulo", "16")
    wait_text(page, "#bd-state", "m = 16")
    assert "csum_variant=keyed" in page.evaluate("location.hash") and "csum_modulo=16" in page.evaluate("location.hash")
    pick_test_points(page, [0, 1, 2], "#bd-picked-count")
    assert page.text_content("#bd-picked-count") == "3"
    assert page.is_checked("#bd-target-picked")
    expect(page.locator("#show-test-data"), "picking shows the test points").to_be_checked()
    page.check("#bd-method-search")
    assert page.is_visible("#bd-k")
    page.click("#bd-activate")
    assert wait_search_end(page) == "done"
    assert "3 of 3 points" in page.text_content("#bd-progress-text")
    assert value(page, "#bd-attempted") == 3
    assert value(page, "#bd-matched") == 3
    assert page.locator("#bd-records tbody tr").count() == 3
    page.locator("#heatmap").screenshot(path=str(shot(page, "3-search-keyed-m16", whole=False).with_name("backdoor-3-search-keyed-m16-plot.png")))

    # ---- 4. past the cap: k = 2 at m = 65536 warns; a long search can be cancelled
    set_field(page, "#bd-modulo", "65536")
    if page.is_visible("#bd-warning"):  # a slow device: m = 65536 may already exceed its budget at k = 1
        page.click("#bd-warning-ok")
    wait_text(page, "#bd-state", "m = 65536")
    set_field(page, "#bd-k", "2")
    page.wait_for_selector("#bd-warning")
    assert "Past this device's budget" in page.text_content("#bd-warning")
    shot(page, "4-cap-warning", whole=False)
    page.click("#bd-warning-cancel")
    assert page.input_value("#bd-k") == "1", "declining keeps k"
    set_field(page, "#bd-k", "2")
    page.click("#bd-warning-ok")
    assert page.input_value("#bd-k") == "2"
    page.check("#bd-target-all")
    page.click("#bd-activate")
    page.wait_for_function("document.querySelector('#bd-progress').dataset.state === 'running' && "
                           "(document.querySelector('#bd-progress-text').textContent || '').includes('trials')")
    # the search is under way: a step's reply has counted trials ("… · 1,234 trials · …", the total, not 0)
    page.wait_for_function(r"/ · [1-9][\d,]* trials · /.test(document.querySelector('#bd-progress-text').textContent || '')")
    shot(page, "5-search-running", whole=False)
    page.click("#bd-cancel")
    assert wait_search_end(page, 20_000) == "cancelled"
    assert "Cancelled" in page.text_content("#bd-progress-text")
    assert "cancelled" in page.text_content("#bd-summary")
    shot(page, "6-search-cancelled", whole=False)

    # ---- 5. a planted model's link reopens planted
    planted_hash = page.evaluate("location.hash")

    # ---- 6. Remove restores the clean model
    page.click("#bd-remove")
    wait_text(page, "#bd-state", "No backdoor planted")
    assert page.is_enabled("#bd-plant") and page.is_disabled("#bd-remove")
    assert page.text_content("#acc-test") == clean_accuracy
    assert "relu_csum" not in page.evaluate("location.hash")
    assert page.is_hidden("#bd-stats")
    assert page.is_hidden("#bd-results")
    shot(page, "7-removed")

    page.goto("about:blank")
    page = app(planted_hash)
    wait_text(page, "#bd-state", "Planted")
    assert "keyed" in page.text_content("#bd-state") and "m = 65536" in page.text_content("#bd-state")
    assert page.input_value("#bd-variant") == "keyed"
    assert page.input_value("#bd-modulo") == "65536"
    assert "no clean model" in page.text_content("#bd-stats")
    shot(page, "8-link-reopened-planted")


def test_budget_cap_warning_on_modulo(app):
    """Unplanted: the numbers still live in the config (and the link); a modulo past the cap asks first."""
    page = app("dataset=circle&networkShape=4&activation=relu&seed=cap")
    wait_calibrated(page)
    assert "max modulo" in page.text_content("#bd-calibration")
    assert "within the budget" in page.text_content("#bd-estimate")
    # decimal raw digit sums stop near 1481: past it key 150 is never hit, whatever the device
    set_field(page, "#bd-modulo", "4096")
    page.wait_for_selector("#bd-warning")
    assert "never hit" in page.text_content("#bd-warning")
    shot(page, "9-modulo-warning")
    page.click("#bd-warning-cancel")
    assert page.input_value("#bd-modulo") == "256"
    assert "csum_modulo" not in page.evaluate("location.hash")
    set_field(page, "#bd-modulo", "4096")
    page.click("#bd-warning-ok")
    page.wait_for_function("location.hash.includes('csum_modulo=4096')")
    wait_text(page, "#bd-estimate", "over the budget")
    wait_text(page, "#bd-hist-source", "m = 4096")
    # a bigger budget moves the cap
    before = page.text_content("#bd-calibration")
    set_field(page, "#bd-budget", "30")
    page.wait_for_function("([t]) => document.querySelector('#bd-calibration').textContent !== t", arg=[before])
    assert "30 s" in page.text_content("#bd-calibration")


def test_search_needs_a_planted_model_and_picks(app, problems):
    """Expected failures say what to do, without console errors."""
    page = app("dataset=circle&networkShape=4&activation=relu&seed=fail")
    wait_calibrated(page)
    page.check("#bd-method-search")
    page.click("#bd-activate")
    wait_text(page, "#notices", "plant the backdoor first")
    page.check("#bd-target-picked")
    page.click("#bd-activate")
    wait_text(page, "#notices", "No points picked")
    # digit-edit on the unplanted model is the control: it edits, but nothing flips
    page.check("#bd-target-all")
    page.check("#bd-method-digit")
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    assert value(page, "#bd-flipped") == 0
