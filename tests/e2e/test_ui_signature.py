"""The signature panel (backdoor 2), driven from the UI as a user drives it: NN Calculator's CSUM signature (a
replicable checksum, labelled as such), a real signature block (toy RSA in the low bits, Ed25519 in a certificate
input) drawn in the network diagram, its activation, and forgery without the key. Screenshots of each step land in
screenshots/signature-*.png (the panel) and signature-*-network.png (the diagram)."""

from __future__ import annotations

from pathlib import Path

from conftest import FLOW_HASH, fit_from_cpython, pick_test_points, plant, screenshot

PANEL = "#signature-panel"


def shot(page, name: str) -> Path:
    """The whole page, the panel and the network diagram on their own."""
    overflow = page.evaluate("(() => { const r = document.querySelector('#signature-panel').getBoundingClientRect(); "
                             "return [...document.querySelectorAll('#signature-panel *')].filter((e) => "
                             "e.getBoundingClientRect().right > r.right + 1).map((e) => e.id || e.className).slice(0, 5); })()")
    assert overflow == [], f"the panel overflows on the right: {overflow}"
    path = Path(screenshot(page, f"signature-{name}-page")).with_name(f"signature-{name}.png")
    page.locator(PANEL).screenshot(path=str(path))
    page.locator("#network").screenshot(path=str(path.with_name(f"signature-{name}-network.png")))
    return path


def value(page, selector: str) -> str:
    return page.get_attribute(selector, "data-value")


def number(page, selector: str) -> float:
    return float(value(page, selector))


def wait_idle(page) -> None:
    page.wait_for_function("document.querySelector('#signature-panel').dataset.busy === '0'", timeout=30_000)


def forge(page, method: str) -> bool:
    page.select_option("#sg-forge-method", method)
    assert page.is_enabled("#sg-forge-run"), page.text_content("#sg-forge-reasons")
    page.click("#sg-forge-run")
    wait_idle(page)
    assert page.is_hidden("#sg-forge-error"), page.text_content("#sg-forge-error")
    page.wait_for_selector("#sg-forge-succeeded")
    return value(page, "#sg-forge-succeeded") == "true"


def test_csum_signature_block_activate_forge(app, trained_model):
    page = app(FLOW_HASH)
    page.wait_for_selector("#sg-csum-run")
    page.wait_for_selector("#sg-limit-factor", timeout=30_000)  # the device calibration
    # a brief training is enough here (trained in CPython; test_ui_backdoor.py trains this one in the page)
    fit_from_cpython(page, trained_model, FLOW_HASH, min_epochs=150, max_loss=0.05)

    # ---- A. NN Calculator's CSUM signature: the DOM shows what Python computes
    assert page.input_value("#sg-csum-modulo") == "256" and page.input_value("#sg-csum-precision") == "15"
    page.click("#sg-csum-run")
    page.wait_for_selector("#sg-csum-flipped")
    expected = page.evaluate("window.__bp.call('csum_signature', {modulo: 256, precision: 15})")
    assert number(page, "#sg-csum-flipped") == expected["flipped"] > 0
    assert number(page, "#sg-csum-key") == expected["key"]
    assert number(page, "#sg-csum-loss-after") > number(page, "#sg-csum-loss-before")
    assert "no key pair and no secret: anyone can trigger it" in page.text_content("#sg-csum-statement")
    assert "checksum" in page.text_content("#sg-csum-statement")
    assert int(page.get_attribute(PANEL, "data-marks")) >= expected["flipped"], "flipped points are ringed"
    assert page.is_checked("#show-test-data")
    shot(page, "1-csum")

    # ---- B. toy RSA-FDH, 32 bits: the signature rides in the low bits of (x, y)
    assert page.get_attribute("#network .net-stage", "data-signature") == ""
    page.select_option("#sg-scheme", "toy-rsa")
    page.fill("#sg-bits", "32")
    page.click("#sg-install")
    page.wait_for_selector("#sg-agreement")
    assert number(page, "#sg-agreement") == 1.0 and number(page, "#sg-agreement-grid") == 1.0
    assert page.text_content("#sg-agreement") == "100.0%", "a rate, as a percentage like every panel's (#9)"
    assert number(page, "#sg-accidental") == 0
    assert "low 17 bits" in page.text_content("#sg-carrier")
    assert number(page, "#sg-bound span") < 1e-7
    stage = "#network .net-stage"
    assert page.get_attribute(stage, "data-signature") == "toy-rsa"
    assert page.is_visible(f"{stage} [data-sig=verify]") and page.is_visible(f"{stage} [data-sig=select]")
    assert page.locator(f"{stage} [data-sig=certificate]").count() == 0, "toy RSA needs no certificate input"
    assert page.get_attribute(f"{stage} [data-sig=verify]", "data-carrier") == "bits"
    page.click("#sg-activate")
    page.wait_for_selector("#sg-flipped")
    wait_idle(page)
    n_test = len(page.evaluate("window.__bp.data().test")) // 3
    assert number(page, "#sg-attempted") == n_test
    assert number(page, "#sg-flipped") > 0
    assert number(page, "#sg-max-delta") < 1e-6
    assert "10⁻" in page.text_content("#sg-max-delta")
    # one definition of the time per point (#8): the whole activation's time / activated points, as in the table
    assert "activation time / point" in page.text_content("#sg-summary")
    metrics = page.evaluate("window.__bp.call('defense_metrics')")
    assert number(page, "#sg-max-delta") == metrics["max_abs_delta"]
    assert number(page, "#sg-time-per-point") == metrics["activation_seconds_per_point"]
    # one number style (#9): no 2^-44 or 7.5e-09 from Python's texts
    description = page.text_content("#sg-description")
    assert " × 10⁻" in description and "^" not in description and "e-0" not in description, description
    page.wait_for_function("document.querySelector('#sg-agreement')?.dataset.value === '1'")
    assert int(page.get_attribute(PANEL, "data-marks")) >= number(page, "#sg-flipped")
    shot(page, "2-toy-rsa-activated")

    # ---- C. forgery: factoring a 32-bit n succeeds, a replayed signature does not
    assert "factor" in page.get_attribute("#sg-forge-card", "data-available")
    assert forge(page, "factor")
    assert "Pollard rho" in page.text_content("#sg-forge-detail")
    assert not forge(page, "replay")
    assert "rejected" in page.text_content("#sg-forge-detail")
    extrapolated = page.text_content("#sg-extrapolated")
    assert "RSA-2048 FDH: about 10" in extrapolated and "years on this device" in extrapolated
    assert "^" not in extrapolated and "^" not in page.text_content("#sg-forge-card"), extrapolated
    shot(page, "3-forged")

    # ---- Ed25519: the signature rides in a certificate input, drawn as such
    page.select_option("#sg-scheme", "ed25519")
    page.click("#sg-install")
    page.wait_for_function(f"document.querySelector('{stage}').dataset.signature === 'ed25519'")
    assert page.is_visible(f"{stage} [data-sig=certificate]")
    assert page.get_attribute(f"{stage} [data-sig=verify]", "data-carrier") == "certificate"
    assert "certificate input" in page.text_content("#sg-carrier")
    description = page.text_content("#sg-description")
    assert "an Ed25519" in description and "2⁻⁴⁴ lattice" in description and "^" not in description, description
    assert page.is_hidden("#sg-summary"), "a new block starts unactivated"
    reasons = page.text_content("#sg-forge-reasons")
    assert "brute force" in reasons and "years on this device" in reasons
    assert "factor" not in page.get_attribute("#sg-forge-card", "data-available")
    pick_test_points(page, [0, 1, 2], "#sg-picked-count")
    assert page.text_content("#sg-picked-count") == "3"
    assert page.is_checked("#sg-points-picked")
    # the plot picked for the panel last used (this one), not for the checksum panel above
    assert page.text_content("#bd-picked-count") == "0"
    page.click("#sg-activate")
    page.wait_for_selector("#sg-flipped")
    wait_idle(page)
    assert number(page, "#sg-attempted") == 3
    assert number(page, "#sg-flipped") > 0
    assert number(page, "#sg-max-delta") < 1e-12
    page.wait_for_function("document.querySelector('#sg-agreement')?.dataset.value === '1'")
    assert not forge(page, "malleate")
    shot(page, "4-ed25519-certificate")

    # ---- Remove: the diagram loses the block
    page.click("#sg-remove")
    page.wait_for_function(f"document.querySelector('{stage}').dataset.signature === ''")
    assert page.locator(f"{stage} [data-sig]").count() == 0
    assert page.is_disabled("#sg-activate")
    shot(page, "5-removed")


def test_errors_show_in_the_card(app):
    """Expected failures say what to do in the card, without console errors; regression shows a note."""
    page = app("dataset=circle&networkShape=4&activation=relu&seed=fail")
    page.wait_for_selector("#sg-install")
    page.click("#sg-install")
    page.wait_for_selector("#sg-agreement")
    page.check("#sg-points-picked")
    page.click("#sg-activate")
    page.wait_for_selector("#sg-block-error:not([hidden])")
    assert "No points picked" in page.text_content("#sg-block-error")
    # one backdoor at a time (issue 12 #7): while one is in the model, the other's button is disabled, its reason
    # shown next to it, rather than clickable and failing
    assert page.is_disabled("#bd-plant") and page.is_visible("#bd-plant-blocked")
    assert "remove it there first" in page.text_content("#bd-plant-blocked")
    assert "signature block" in page.get_attribute("#bd-plant", "title")
    page.click("#sg-remove")
    page.wait_for_function("document.querySelector('#network .net-stage').dataset.signature === ''")
    page.wait_for_selector("#bd-plant:not([disabled])")
    assert page.is_hidden("#bd-plant-blocked")
    plant(page)
    page.wait_for_selector("#sg-install-blocked:not([hidden])")
    assert page.is_disabled("#sg-install")
    assert "checksum backdoor (Backdoor 1) is planted" in page.text_content("#sg-install-blocked")
    shot(page, "6-one-at-a-time")
    page.click("#bd-remove")
    page.wait_for_selector("#sg-install:not([disabled])")
    assert page.is_hidden("#sg-install-blocked") and page.is_hidden("#sg-block-error")
    page.select_option("#problem", "regression")
    page.wait_for_selector("#sg-regression:not([hidden])")
    assert page.is_hidden(".sg-grid")
