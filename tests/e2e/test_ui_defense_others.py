"""Card D of the defenses panel, run from the page as a user runs it: a planted, activated checksum backdoor, then
quantisation and fine-pruning picked from the card's select (the registry's types without a card of their own, from
the generated state table), their settings typed, Run; the result tiles, the metrics table and the Replay link show
the run, the same numbers as the worker's `defend` with those settings; a bad value gets Python's message naming the
key and the page keeps working. Screenshots of card D at 1280 and 768 px, light and dark: screenshots/defense-others-*."""

from __future__ import annotations

import base64
import json

from conftest import FLOW_HASH, SHOTS, fit_from_cpython, plant, set_field, value

CARD = "#df-other-card"
STATUS = "#df-other-status"


def wait_run(page, text: str, state: str = "done", timeout: float = 120_000) -> str:
    """Wait until card D's status line is `state` and says `text`; its text."""
    page.wait_for_function(
        "([sel, state, text]) => { const s = document.querySelector(sel); "
        "return s?.dataset.state === state && s.textContent.includes(text); }",
        arg=[STATUS, state, text], timeout=timeout)
    return page.text_content(STATUS)


def replay_config(page) -> dict:
    page.wait_for_function("document.querySelector('#df-replay-link')?.href.includes('#replay=')")
    encoded = page.get_attribute("#df-replay-link", "href").split("#replay=", 1)[1]
    return json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))


def tile(page, key: str) -> float:
    return value(page, f"#df-other-{key}")


def test_card_d_runs_the_other_defenses(app, page, trained_model):
    from backdoor_playground.defense import run as defense
    from backdoor_playground.worker import tables

    page = app(FLOW_HASH)
    page.wait_for_selector("#df-other-run")
    # the select: every defense type of the registry but the three with their own card, in the registry's order
    options = page.eval_on_selector_all("#df-other-type option", "os => os.map((o) => o.value)")
    assert options == [t for t in defense.DEFAULTS if t not in ("proximity", "smoothing", "cleanse")]
    assert page.is_visible(CARD) and page.is_hidden("#df-other-tiles")

    fit_from_cpython(page, trained_model, FLOW_HASH)
    plant(page)
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    assert int(value(page, "#bd-flipped")) > 0
    page.locator(CARD).scroll_into_view_if_needed()

    # ---- quantisation: its line and paper, its fields with the registry's defaults and bounds, step typed, Run
    page.select_option("#df-other-type", "quantisation")
    about = page.text_content("#df-other-about")
    assert "rounds every input coordinate" in about.lower() and tables.DEFENSE_ABOUT["quantisation"][1] in about
    step_limit = defense.LIMITS["step"]
    assert page.input_value("#df-other-set-step") == "0.05" and page.input_value("#df-other-set-reach") == "2"
    assert page.get_attribute("#df-other-set-step", "max") == str(int(step_limit.high))
    assert step_limit.doc in page.get_attribute("#df-other-set-step", "title")
    assert step_limit.doc in page.text_content(".df-other-docs")  # in words under the fields, not only as a title
    assert page.text_content("#df-other-run") == "Run quantisation"
    set_field(page, "#df-other-set-step", "0.5")
    page.click("#df-other-run")
    text = wait_run(page, "quantisation, step = 0.5, reach = 2")
    page.wait_for_selector("#df-other-tiles", state="visible")
    assert page.text_content("#df-other-name") == "quantisation"
    assert page.get_attribute("#defense-panel", "data-shown-in") == "df-other-card"
    assert page.get_attribute(CARD, "data-run") == "done"
    # the tiles and the metrics table: the worker's defend with the same settings gives the same numbers
    params = {"type": "quantisation", "step": 0.5, "reach": 2}
    same = page.evaluate("(params) => window.__bp.call('defend', {params})", params)["metrics"]
    for key in ("attack_success_rate_after", "clean_accuracy_after", "attack_success_rate_adaptive"):
        assert tile(page, key) == same[key]["value"], key
        assert value(page, f"#df-m-{key}") == same[key]["value"], key
    assert page.get_attribute("#df-metrics-card", "data-after") == "1"
    assert replay_config(page)["defense"] == params
    print(f"\nquantisation: {text}; attack success after {tile(page, 'attack_success_rate_after'):.3f}")

    # ---- fine-pruning: fewer epochs, a result with the pruned neurons
    page.select_option("#df-other-type", "fine-pruning")
    assert "Liu, Dolan-Gavitt, Garg 2018" in page.text_content("#df-other-about")
    assert page.input_value("#df-other-set-fraction") == "0.5"
    set_field(page, "#df-other-set-epochs", "20")
    page.click("#df-other-run")
    wait_run(page, "fine-pruning, epochs = 20, share = 0.5, fraction = 0.5")
    assert page.text_content("#df-other-name") == "fine-pruning"
    assert tile(page, "pruned") == 2  # half of the last hidden layer's 4 neurons
    assert value(page, "#df-m-attack_success_rate_adaptive") == tile(page, "attack_success_rate_adaptive")
    assert replay_config(page)["defense"] == {"type": "fine-pruning", "epochs": 20, "share": 0.5, "fraction": 0.5}
    replay_hash = page.get_attribute("#df-replay-link", "href").split("#", 1)[1]
    exported = page.evaluate("window.__bp.call('experiment_result')")
    assert exported["result"]["config"]["defense"]["type"] == "fine-pruning"
    assert len(exported["result"]["defense"]["pruned"]) == tile(page, "pruned")
    for key in ("attack_success_rate_after", "attack_success_rate_adaptive"):  # the export has the run's numbers
        assert exported["result"]["metrics"][key]["value"] == tile(page, key), key

    # ---- screenshots: card D at 1280 and 768 px, light and dark
    SHOTS.mkdir(parents=True, exist_ok=True)
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        for width in (1280, 768):
            page.set_viewport_size({"width": width, "height": 1000})
            page.locator(CARD).scroll_into_view_if_needed()
            page.locator(CARD).screenshot(path=str(SHOTS / f"defense-others-{width}-{theme}.png"))
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 1000})

    # ---- bad values: Python's check names the key on the status line; the last result stays; the card still runs
    set_field(page, "#df-other-set-fraction", "1")
    page.click("#df-other-run")
    assert "defense.fraction" in wait_run(page, "defense.fraction", "error")
    assert page.is_visible("#df-other-tiles") and page.text_content("#df-other-name") == "fine-pruning"
    set_field(page, "#df-other-set-fraction", "0.25")
    page.fill("#df-other-set-epochs", "")
    page.click("#df-other-run")
    assert "must be" in wait_run(page, "defense.epochs", "error")
    page.locator(CARD).screenshot(path=str(SHOTS / "defense-others-error.png"))
    assert page.get_attribute("#defense-panel", "data-busy") == "0"
    assert page.is_enabled("#df-other-run") and page.is_enabled("#df-other-type")
    # a type's edits stay when another is picked and back
    page.select_option("#df-other-type", "quantisation")
    assert page.input_value("#df-other-set-step") == "0.5"
    page.select_option("#df-other-type", "spectral")
    assert "No settings" in page.text_content(".df-other-fields")
    page.click("#df-other-run")
    wait_run(page, "spectral")
    assert page.text_content("#df-other-name") == "spectral"
    assert value(page, "#df-other-flagged") >= 0
    page.locator("#defense-panel").screenshot(path=str(SHOTS / "defense-others-panel.png"))

    # ---- the fine-pruning run's Replay link re-runs it from scratch and card D shows it again
    page.evaluate("(hash) => { location.hash = hash; }", replay_hash)  # a new hash: the page runs the link
    wait_run(page, "Replayed: fine-pruning, epochs = 20", timeout=120_000)
    assert page.text_content("#df-other-name") == "fine-pruning"
    assert page.get_attribute("#defense-panel", "data-shown-in") == "df-other-card"
    assert tile(page, "pruned") == 2
