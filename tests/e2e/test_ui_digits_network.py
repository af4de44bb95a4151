"""Tier 3, issue 14's digits network 64 -> 32 -> 10 in the page: picking the digits gives the wide network (the
data set's cap, from the generated state table), the diagram draws a wide layer as its first neurons and "+N more",
+/- step by 8 above 8 and shift-click goes to the cap, hover and weight edits work on the drawn neurons; then the
done-when on the wide network (>= 95 % test accuracy, the checksum planted with agreement >= 97 % and activated, the
signature activated with agreement exactly 100 %), and Neural Cleanse runs in steps: progress, a page that answers
meanwhile, and Cancel. Screenshots: screenshots/kd-digits-network-*.png."""

from __future__ import annotations

from playwright.sync_api import expect

from conftest import SHOTS, settle, swap_checksum_for_signature, value
from test_ui_kd import KD, pick
from test_ui_kd_backdoors import shots, train_to

SHAPE = "window.__bp.config().networkShape.join()"
BUTTONS = '.net-layer-controls[data-layer="0"] .pm-button'


def test_wide_digits_network_edits_trains_carries_both_backdoors_and_cancels_neural_cleanse(app):
    page = app("digits_scale=unit&learningRate=0.1&percTrainData=80&seed=1")
    pick(page, "digits", "64x10")
    page.wait_for_function(f"{SHAPE} === '32'")  # the digits' preset: their own cap
    expect(page.locator(".net-neuron-count")).to_have_text("32 neurons")
    expect(page.locator(".net-hidden")).to_have_count(7)  # the first seven drawn, then "+25 more"
    expect(page.locator(".net-more")).to_have_text("+25 more")
    expect(page.locator(".net-output")).to_have_count(10)
    plus, minus = page.locator(BUTTONS).nth(0), page.locator(BUTTONS).nth(1)
    expect(plus).to_be_disabled()  # at the cap
    minus.click()
    page.wait_for_function(f"{SHAPE} === '24'")  # by 8 above 8
    expect(page.locator(".net-more")).to_have_text("+17 more")
    plus.click(modifiers=["Shift"])  # straight to the cap
    page.wait_for_function(f"{SHAPE} === '32'")
    settle(page)
    # the drawn neurons keep their ids (the outputs are 33..42) and hover and edits reach the model
    expect(page.locator('.net-output[data-id="33"]')).to_have_count(1)
    page.hover('.net-hidden[data-id="3"]')
    page.wait_for_function("window.__bp.frame().hover === '3'")
    # the last drawn neuron's link to the last output: drawn last, so on top where the mouse lands
    link = page.locator('.net-link-hit[data-l="1"][data-i="6"][data-j="9"]')
    link.hover(force=True)
    page.wait_for_selector(".hovercard:not([hidden])")
    link.click(force=True)
    page.fill(".hovercard-input", "-3")
    page.press(".hovercard-input", "Enter")
    page.wait_for_function("window.__bp.frame().weights[1][6][9] === -3")

    train_to(page, 0.95, timeout=240_000)
    assert page.evaluate(KD) == "64x10" and page.evaluate(SHAPE) == "32"
    # ---- the checksum backdoor on the wide network
    page.click("#bd-plant")
    page.wait_for_selector("#bd-agreement")
    assert value(page, "#bd-agreement") >= 0.97
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    assert int(value(page, "#bd-flipped")) > 0  # one node of 32 sends fewer images than one of 8 (CPython: 5 %)
    # ---- the signature backdoor: agreement exactly 1
    swap_checksum_for_signature(page)
    shots(page, "digits-network", ("#network",))

    # ---- Neural Cleanse in steps: progress, the page answers meanwhile, Cancel keeps nothing
    page.locator("#df-nc-card").scroll_into_view_if_needed()
    page.click("#df-nc-run")
    page.wait_for_function("!document.getElementById('df-nc-progress').hidden"
                           " && Number(document.getElementById('df-nc-progress').dataset.fraction) > 0", timeout=60_000)
    answered = page.evaluate("""async () => {  // a worker call and animation frames land between two steps
        const t0 = performance.now();
        await window.__bp.call('info');
        const call = performance.now() - t0;
        for (let i = 0; i < 5; i++) await new Promise((r) => requestAnimationFrame(r));
        return {call, frames: performance.now() - t0};
    }""")
    assert page.get_attribute("#df-nc-card", "data-busy") == "1", "the run ended before the page was checked"
    assert answered["call"] < 5_000 and answered["frames"] < 5_000, answered
    page.locator("#df-nc-card").screenshot(path=str(SHOTS / "kd-digits-network-cleanse.png"))
    page.click("#df-nc-progress-cancel")
    page.wait_for_function("document.getElementById('df-nc-card').dataset.run === 'cancelled'", timeout=30_000)
    expect(page.locator("#df-nc-status")).to_contain_text("Cancelled")
    assert page.get_attribute("#df-nc-card", "data-busy") == "0" and page.is_hidden("#df-nc-table")
    assert page.is_hidden("#df-nc-progress")
