"""Neural Cleanse in the defenses panel: a Replay link plants the data-poisoning backdoor (BadNets in the plane) and
activates it; Run Neural Cleanse fills the table (|m|_1 on the backdoored and the clean model, success and "fires"
with Wilson intervals, the anomaly index), names the paper, says the two-class caveat, and draws the target class's
trigger on the output plot; the numbers are the command line's. Screenshots land in screenshots/cleanse-*.png."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import screenshot

from backdoor_playground.defense import cleanse
from backdoor_playground.experiment import replay, stages
from backdoor_playground.playground import rng

CARD = "#df-nc-card"
CONFIG = {"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 200, "seed": "7",
          "backdoor": {"type": "poisoning"}}


def shot(page, name: str) -> Path:
    path = Path(screenshot(page, f"cleanse-{name}-page")).with_name(f"cleanse-{name}.png")
    page.locator(CARD).screenshot(path=str(path))
    return path


def test_neural_cleanse_on_a_poisoned_model(app, page):
    page = app(replay.encode(CONFIG))
    page.wait_for_function("window.__bp && document.querySelector('#df-nc-run') !== null")
    # the replay trains, poisons and activates: wait until the worker has the poisoned session
    page.wait_for_function("window.__bp.call('defense_metrics').then(m => m.attack_success_rate.n > 0)",
                           polling=500, timeout=120_000)
    card = page.locator(CARD)
    card.scroll_into_view_if_needed()
    text = card.text_content()
    assert "Wang et al., IEEE S&P 2019" in text
    assert "two classes" in page.text_content("#df-nc-caveat") and "cannot flag" in page.text_content("#df-nc-caveat")
    assert page.is_hidden("#df-nc-table")

    page.click("#df-nc-run")
    page.wait_for_function("['done', 'error'].includes(document.querySelector('#df-nc-status')?.dataset.state)"
                           " && document.querySelector('#df-nc-card').dataset.busy === '0'", timeout=60_000)
    assert page.get_attribute("#df-nc-status", "data-state") == "done", page.text_content("#df-nc-status")
    assert page.is_visible("#df-nc-table")
    rows = page.locator("#df-nc-table tbody tr")
    assert rows.count() == 2
    headers = page.locator("#df-nc-table thead th").all_inner_texts()
    assert headers[:3] == ["class", "|m|₁", "|m|₁ clean"] and "anomaly index" in headers
    table_text = page.inner_text("#df-nc-table")
    assert "target" in table_text and "[" in table_text  # the target class, Wilson intervals
    assert page.locator("#df-nc-table tr[data-flagged='1']").count() == 0  # K = 2: nothing can be flagged
    notes = page.inner_text("#df-nc-notes")
    assert "two classes" in notes and "target class +1" in notes

    # the same numbers as the command line's run of the same experiment
    s, _ = stages.run_session(CONFIG)
    want = cleanse.run(s, s.attacked(), {}, rng.stream(s.config["seed"], "defense"))
    shown = [float(page.get_attribute(f"#df-nc-table tbody tr[data-cls='{c}'] td.num", "data-value")) for c in (0, 1)]
    assert shown == pytest.approx([c["l1"] for c in want["classes"]], abs=1e-9)  # CPython and Pyodide: ~1e-12

    # the target class's trigger is drawn: moved test points and the pattern
    assert page.input_value("#df-nc-draw") == "1"
    assert int(page.get_attribute(CARD, "data-marks")) > 1
    shot(page, "1-poisoning")
    page.select_option("#df-nc-draw", "")
    page.wait_for_function("document.querySelector('#df-nc-card').dataset.marks === '0'")


BLOBS4 = {"dataset": "blobs4", "networkShape": [8], "epochs": 200, "seed": "7",
          "backdoor": {"type": "poisoning", "target": 2}}


def test_neural_cleanse_with_four_classes(app, page):
    """K = 4: four rows named by class index (not +1 / -1), the target class tagged, the anomaly index across four
    classes (no two-class caveat in the notes), the command line's numbers."""
    page = app(replay.encode(BLOBS4))
    page.wait_for_function("window.__bp && document.querySelector('#df-nc-run') !== null")
    page.wait_for_function("window.__bp.call('defense_metrics').then(m => m.attack_success_rate.n > 0)",
                           polling=500, timeout=120_000)
    page.locator(CARD).scroll_into_view_if_needed()
    page.click("#df-nc-run")
    page.wait_for_function("['done', 'error'].includes(document.querySelector('#df-nc-status')?.dataset.state)"
                           " && document.querySelector('#df-nc-card').dataset.busy === '0'", timeout=90_000)
    assert page.get_attribute("#df-nc-status", "data-state") == "done", page.text_content("#df-nc-status")
    names = page.locator("#df-nc-table tbody tr th").all_inner_texts()
    assert [n.split()[0] for n in names] == ["0", "1", "2", "3"] and "target" in names[2]
    assert "−1" not in page.inner_text("#df-nc-table")
    assert "two classes" not in page.inner_text("#df-nc-notes")
    assert "4 classes" in page.text_content("#df-nc-caveat") and "cannot flag" not in page.text_content("#df-nc-caveat")
    s, _ = stages.run_session(BLOBS4)
    want = cleanse.run(s, s.attacked(), {}, rng.stream(s.config["seed"], "defense"))
    shown = [float(page.get_attribute(f"#df-nc-table tbody tr[data-cls='{c}'] td.num", "data-value")) for c in range(4)]
    assert shown == pytest.approx([c["l1"] for c in want["classes"]], abs=1e-9)
    shot(page, "2-blobs4")
