"""The defenses panel, driven from the UI as a user drives it: start from the trained doughnut (trained by the
CPython package and imported; test_ui_backdoor.py trains it in the page), plant and activate the checksum backdoor
(digit edit), then the proximity vote and randomized smoothing undo the trigger, the metrics table fills with Wilson
intervals, and Export saves the result JSON and tidy TSV with a Replay link. Screenshots of each step land in
screenshots/defense-*.png."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from conftest import EPOCH_JS, FLOW_HASH, SHOTS, fit_from_cpython, plant, screenshot, set_field, value, wait_downloads, wait_text

PANEL = "#defense-panel"


def shot(page, name: str, whole: bool = True) -> Path:
    """The panel on its own (easier to read), and with `whole` the whole page (seconds a screenshot: a test with many
    steps takes it at its last one)."""
    path = SHOTS / f"defense-{name}.png"
    if whole:
        screenshot(page, f"defense-{name}-page")
    page.locator(PANEL).screenshot(path=str(path))
    return path


def wait_status(page, selector: str, timeout: float = 60_000) -> str:
    """Wait until a card's status line leaves "running"; its final state."""
    page.wait_for_function("(sel) => ['done', 'error'].includes(document.querySelector(sel)?.dataset.state)",
                           arg=selector, timeout=timeout)
    return page.get_attribute(selector, "data-state")


def test_defenses_undo_the_digit_edit_trigger(app, page, trained_model):
    page = app(FLOW_HASH)
    page.wait_for_selector("#df-prox-run")
    wait_text(page, "#df-context", "none activated")
    assert page.get_attribute(PANEL, "data-problem") == "classification"
    assert page.get_attribute("#df-metrics-card", "data-after") == "0"
    shot(page, "0-clean", whole=False)

    # ---- a trained model (test_ui_backdoor.py trains this one in the page), plant, activate every test point by
    # digit edit (the backdoor panel above)
    fit_from_cpython(page, trained_model, FLOW_HASH)
    plant(page)
    page.click("#bd-activate")
    page.wait_for_selector("#bd-flipped")
    flipped = int(value(page, "#bd-flipped"))
    attempted = int(value(page, "#bd-attempted"))
    assert flipped > 0
    # scrolled into view, the panel notices the activation (no snapshot comes with it) and counts the activated points
    page.locator(PANEL).scroll_into_view_if_needed()
    page.wait_for_function(f"document.querySelector('#df-context-counts')?.dataset.activated === '{attempted}'")
    metrics = page.evaluate("window.__bp.call('defense_metrics')")
    asr_before = metrics["attack_success_rate"]
    assert asr_before["n"] == attempted
    assert value(page, "#df-m-attack_success_rate") == asr_before["value"]
    assert asr_before["value"] > 0.3

    # ---- A. proximity, NIST radius, NN Calculator's tie rule
    assert "relabels the point orange" in page.text_content("#df-tie-rule")
    page.click("#df-prox-run")
    assert wait_status(page, "#df-prox-status") == "done", page.text_content("#df-prox-status")
    restored = int(value(page, "#df-prox-restored"))
    assert page.text_content("#df-prox-restored") == f"{restored} of {flipped}"
    assert restored >= 0.9 * flipped, f"proximity restored {restored} of {flipped}"
    assert value(page, "#df-prox-asr") < 0.1
    assert value(page, "#df-prox-rauto") > 0 and value(page, "#df-prox-rsep") > 0
    assert value(page, "#df-prox-radius") == value(page, "#df-prox-rauto")
    # the table's after rows come from the same reply: true positives = restored / flipped (no abstentions)
    tpr = value(page, "#df-m-true_positive_rate")
    assert abs(tpr - restored / flipped) < 1e-12
    assert "[" in page.text_content("#df-row-true_positive_rate .df-ci")
    assert page.get_attribute("#df-metrics-card", "data-after") == "1"
    assert page.is_visible("#df-hist") and page.is_visible("#df-radius-curve")
    print(f"\nproximity: restored {restored} of {flipped} flipped, ASR {asr_before['value']:.3f} -> "
          f"{value(page, '#df-prox-asr'):.3f}")
    shot(page, "1-proximity", whole=False)

    # ---- the k-NN vote and "keep" ties also run; a bad radius is refused in the card
    page.check("#df-vote-knn")
    assert "k-NN" in page.text_content("#df-tie-rule")
    page.click("#df-prox-run")
    assert wait_status(page, "#df-prox-status") == "done"
    assert page.is_visible("#df-knn-curve")
    assert "k-NN, k = 5" in page.text_content("#df-prox-status")
    page.check("#df-radius-number")
    set_field(page, "#df-radius-value", "-1")
    page.check("#df-vote-radius")
    page.click("#df-prox-run")
    assert wait_status(page, "#df-prox-status") == "error"
    assert "radius must be" in page.text_content("#df-prox-status")

    # ---- B. randomized smoothing, sigma = 0.1, n = 200
    set_field(page, "#df-n", "200")
    assert page.input_value("#df-sigma") == "0.1"
    page.click("#df-smooth-run")
    assert wait_status(page, "#df-smooth-status", 90_000) == "done", page.text_content("#df-smooth-status")
    asr_after = value(page, "#df-smooth-asr")
    assert asr_after < 0.05, f"attack success after smoothing: {asr_after}"
    assert value(page, "#df-m-attack_success_rate_after") == asr_after
    assert value(page, "#df-smooth-rmax") > value(page, "#df-smooth-median-radius") * 0.99
    assert value(page, "#df-lipschitz") < 1e-3, "a 1e-7 trigger barely moves the smoothed score"
    assert page.is_visible("#df-cert-curve") and page.is_visible("#df-immunization")
    page.uncheck("#df-adaptive")
    assert "adaptive" not in page.text_content("#df-immunization-legend")
    page.check("#df-adaptive")
    print(f"smoothing: restored {int(value(page, '#df-smooth-restored'))} of {flipped}, ASR after {asr_after:.3f}, "
          f"abstained {int(value(page, '#df-smooth-abstained'))}")
    # a sigma past its limit is refused in the card, before Python
    set_field(page, "#df-sigma", "7")
    page.click("#df-smooth-run")
    assert wait_status(page, "#df-smooth-status") == "error"
    assert "σ must be" in page.text_content("#df-smooth-status")
    set_field(page, "#df-sigma", "0.1")
    shot(page, "2-smoothing", whole=False)

    # ---- Export: the result JSON and the tidy TSV, and a Replay link
    downloads = []
    page.on("download", lambda d: downloads.append(d))
    page.click("#df-export")
    assert wait_status(page, "#df-export-status") == "done", page.text_content("#df-export-status")
    wait_downloads(page, downloads, 2)  # the second download's event may come a moment after the status line
    names = sorted(d.suggested_filename for d in downloads)
    assert names == ["backdoor-playground-result.json", "backdoor-playground-result.tsv"]
    by_name = {d.suggested_filename: Path(d.path()) for d in downloads}
    result = json.loads(by_name["backdoor-playground-result.json"].read_text())
    assert "defense" in result and "metrics" in result
    assert result["defense"]["type"] == "smoothing"
    assert result["metrics"]["attack_success_rate_after"]["value"] == asr_after
    tsv = by_name["backdoor-playground-result.tsv"].read_text().splitlines()
    assert tsv[0].split("\t") == ["cell", "seed", "stage", "metric", "value"]
    assert len(tsv) > 10
    href = page.get_attribute("#df-replay-link", "href")
    assert href.startswith(page.evaluate("location.pathname") + "#replay=")
    encoded = href.split("#replay=", 1)[1]
    config = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    assert config["defense"]["type"] == "smoothing" and config["backdoor"]["activation"] == "digit-edit"
    shot(page, "3-exported", whole=False)

    # ---- a regression problem: a note instead of a failure; the old results are cleared (new model)
    page.select_option("#problem", "regression")
    page.wait_for_selector("#df-regression", state="visible")
    assert page.get_attribute(PANEL, "data-problem") == "regression"
    assert page.is_disabled("#df-prox-run") and page.is_disabled("#df-smooth-run")
    assert page.is_hidden("#df-prox-results") and page.is_hidden("#df-smooth-results")
    assert page.get_attribute("#df-metrics-card", "data-after") == "0"
    assert "cleared" in page.text_content("#df-stale")
    shot(page, "4-regression")


def _close(a, b, path="result"):
    """a == b, floats within 1e-9 relative (Pyodide's libm may differ from CPython's in the last bits)."""
    if isinstance(a, dict) and isinstance(b, dict):
        assert set(a) == set(b), f"{path}: keys differ: {set(a) ^ set(b)}"
        for k in a:
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{path}: lengths differ"
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def test_a_replay_link_reruns_the_experiment_as_the_command_line_does(app, page):
    from backdoor_playground.experiment import stages as experiment, replay

    # The signature backdoor: its trigger does not read the last digits of pre-activations, which differ by an
    # ulp between CPython (FMA-based BLAS) and Pyodide, so every number must match (the checksum's trigger counts
    # can differ by a point or two across the two platforms; docs/ARCHITECTURE.md).
    config = {"dataset": "circle", "networkShape": [4], "seed": "replay", "epochs": 40,
              "backdoor": {"type": "signature", "scheme": "toy-rsa", "bits": 24, "points": list(range(30)),
                           "forgery": {"method": "factor"}},
              "defense": {"type": "proximity", "radius": "auto"}}
    expected = experiment.strip_timing(experiment.run_experiment(config))
    app(replay.encode(config))
    page.wait_for_selector("#df-prox-restored[data-value]", timeout=30_000)
    assert int(page.get_attribute("#df-prox-restored", "data-value")) == expected["defense"]["restored"]
    assert "Replayed" in page.text_content("#df-prox-status")
    got = experiment.strip_timing(page.evaluate("window.__bp.call('experiment_result', {})")["result"])
    for section in ("clean", "backdoored", "activation", "forgery", "defense", "metrics"):
        _close(got[section], json.loads(json.dumps(expected[section])), section)
    page.wait_for_function("document.querySelector('#df-replay-link')?.href.includes('#replay=')")
    assert replay.decode(page.get_attribute("#df-replay-link", "href").split("#", 1)[1])["backdoor"]["scheme"] == "toy-rsa"
    shot(page, "5-replayed")
    # a damaged link pasted into the running page: it says why and the playground stays as it was
    epoch = page.text_content("#iter-number")
    page.evaluate("location.hash = '#replay=not-base64!'")
    page.wait_for_function("document.body.innerText.includes('Replay failed')")
    assert "damaged" in page.inner_text("body") and page.text_content("#iter-number") == epoch
    assert "replay=" not in page.evaluate("location.hash")  # the playground's own link is back
    # opened fresh, a damaged link boots the default playground with the same notice
    base = page.url.split("#")[0]
    page.goto("about:blank")
    page.goto(base + "#replay=not-base64!")
    page.wait_for_function("document.body.dataset.panels === '1' && document.body.innerText.includes('Replay failed')")


def test_a_long_smoothing_run_shows_progress_holds_training_and_cancels(app, page):
    """Issue 12 #11: smoothing with n = 100,000 runs in steps: a progress bar and Cancel after half a second; Play
    meanwhile does not pretend to train (training is held, and the page says so); Cancel stops it, nothing kept, and
    training resumes by itself (test_ui_first_visit.py checks the held epochs)."""
    page = app(FLOW_HASH)
    page.wait_for_selector("#df-smooth-run")
    page.locator("#df-smooth-card").scroll_into_view_if_needed()
    set_field(page, "#df-n", "100000")
    page.click("#df-smooth-run")
    page.wait_for_selector("#df-smooth-progress", state="visible", timeout=20_000)
    page.wait_for_function("Number(document.querySelector('#df-smooth-progress').dataset.fraction) > 0")
    assert page.is_enabled("#df-smooth-progress-cancel")
    epochs = page.evaluate(EPOCH_JS)
    page.click("#play-pause-button")
    page.wait_for_selector("#df-waiting", state="visible")
    assert "Training waits for smoothing" in page.text_content("#df-waiting")
    assert page.evaluate("document.body.classList.contains('held')")
    shot(page, "5-long-run")
    page.click("#df-smooth-progress-cancel")
    page.wait_for_function("document.querySelector('#df-smooth-card').dataset.run === 'cancelled'", timeout=20_000)
    assert "Cancelled" in page.text_content("#df-smooth-status")
    assert page.is_hidden("#df-smooth-progress") and page.is_hidden("#df-waiting")
    assert page.is_hidden("#df-smooth-results") and page.is_enabled("#df-smooth-run")
    # training runs again by itself once smoothing is over (Play was pressed while it ran)
    page.wait_for_function(f"{EPOCH_JS} > {epochs}")
    page.click("#play-pause-button")


def test_the_k_nearest_vote_reads_k_and_caps_it(app, page):
    """Issue 12 #6: with the k-NN vote, k = 0 was reported as a bad radius; k = 999 with 250 training points was
    accepted silently and the "by k" chart stopped at 15. Now k is the field checked, a k past the training size is
    capped with a note, and the chart reaches the chosen k."""
    page = app("dataset=circle&networkShape=4&seed=knn")
    page.wait_for_selector("#df-prox-run")
    n_train = len(page.evaluate("window.__bp.data().train")) // 3
    page.check("#df-vote-knn")
    set_field(page, "#df-radius-value", "")  # an empty radius: unused by a k-NN vote, so not read, not reported
    set_field(page, "#df-k", "0")
    page.click("#df-prox-run")
    assert wait_status(page, "#df-prox-status") == "error"
    status = page.text_content("#df-prox-status")
    assert "k" in status and "radius" not in status, status
    set_field(page, "#df-k", "999")
    page.click("#df-prox-run")
    assert wait_status(page, "#df-prox-status") == "done", page.text_content("#df-prox-status")
    wait_text(page, "#df-prox-note", f"k = 999 is more than the {n_train} training points")
    captions = page.evaluate("[...document.querySelectorAll('.df-figcaption')].map((e) => e.textContent).join(' ')")
    assert f"up to k = {n_train}" in captions
