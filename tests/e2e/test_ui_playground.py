"""Tier 3, the playground: training controls, pictures, editing, URL state and files, as a user drives them.

The tests share one booted page (conftest's `shared_app`: each opens its link on it as a hash change); the worker
crash test keeps its own page."""

from __future__ import annotations

import json

import numpy as np

from conftest import screenshot, settle

EPOCH_JS = "Number(document.querySelector('#iter-number').textContent.replace(/,/g, ''))"


def epoch(page) -> int:
    return page.evaluate(EPOCH_JS)


def heatmap_rgba(page) -> np.ndarray:
    data = page.evaluate("""() => {
        const c = document.querySelector('#heatmap canvas');
        return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    }""")
    return np.asarray(data, dtype=np.int16)


def wait_idle(page) -> None:
    """Let any reply in flight land and be drawn."""
    settle(page)


def worker_epoch(page) -> int:
    """The epoch the worker itself is at, asked after the chunk in flight (if any) has landed. (The `frame` call
    also sets the worker's hovered node: none here, as on the page.)"""
    return page.evaluate("async () => (await window.__bp.call('frame', {hover: null})).epoch")


def play_until(page, epochs: int) -> None:
    """Play until the counter reaches `epochs`, then pause and let the last frame land."""
    page.click("#play-pause-button")
    page.wait_for_function(f"{EPOCH_JS} >= {epochs}", timeout=20_000)
    page.click("#play-pause-button")
    wait_idle(page)


def test_play_pause_step(shared_app):
    page = shared_app("seed=play")
    assert epoch(page) == 0
    before = heatmap_rgba(page)
    page.click("#play-pause-button")
    page.wait_for_function(f"{EPOCH_JS} >= 30", timeout=20_000)
    page.click("#play-pause-button")
    wait_idle(page)
    paused_at = epoch(page)
    # Still playing, the loop would start a new chunk as soon as each worker call ends (Player.exclusive), so
    # each of these round trips would find the worker one chunk further on.
    assert worker_epoch(page) == paused_at, "pause must stop training"
    assert worker_epoch(page) == paused_at, "pause must stop training"
    wait_idle(page)
    assert epoch(page) == paused_at, "pause must stop training"
    assert not page.evaluate("document.body.classList.contains('playing')")
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === {paused_at + 1}", timeout=10_000)
    wait_idle(page)
    assert epoch(page) == paused_at + 1, "step adds exactly one epoch"
    after = heatmap_rgba(page)
    assert np.abs(after - before).sum() > 0, "the decision boundary must change with training"
    assert page.text_content("#loss-train") not in ("", "–")
    screenshot(page, "playground-trained")


def test_learning_rate_changes_while_playing_without_reset(shared_app):
    page = shared_app("seed=live")
    page.click("#play-pause-button")
    page.wait_for_function(f"{EPOCH_JS} >= 20", timeout=20_000)
    at_change = epoch(page)
    page.select_option("#learningRate", "0.1")
    page.wait_for_function(f"{EPOCH_JS} >= {at_change + 20}", timeout=20_000)
    page.click("#play-pause-button")
    assert "learningRate=0.1" in page.evaluate("location.hash")


def test_reset_keeps_initial_weights_and_reinitialise_draws_new_ones(shared_app):
    page = shared_app("seed=reset&networkShape=3")
    first = page.evaluate("() => document.querySelector('#network').innerHTML.length")  # the view exists
    assert first > 0
    w0 = weights_on_page(page)
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === 1")
    page.click("#reset-button")
    page.wait_for_function(f"{EPOCH_JS} === 0")
    wait_idle(page)
    assert weights_on_page(page) == w0
    page.click("#reinit-button")
    page.wait_for_function("location.hash.includes('initSeed=1')")
    wait_idle(page)
    assert weights_on_page(page) != w0


def weights_on_page(page):
    """Weights as the worker last sent them (the page keeps the last frame for drawing)."""
    return page.evaluate("() => JSON.stringify(window.__bp.frame().weights)")


def test_editing_a_weight_in_the_diagram_changes_the_picture(shared_app):
    page = shared_app("seed=edit&networkShape=2")
    before = heatmap_rgba(page)
    link = page.locator('.net-link-hit[data-l="1"][data-i="0"][data-j="0"]')
    link.hover(force=True)
    page.wait_for_selector(".hovercard:not([hidden])")
    assert "Weight is" in page.text_content(".hovercard")
    link.click(force=True)
    page.fill(".hovercard-input", "-4")
    page.press(".hovercard-input", "Enter")
    page.wait_for_function("JSON.parse(JSON.stringify(window.__bp.frame().weights))[1][0][0] === -4")
    wait_idle(page)
    after = heatmap_rgba(page)
    assert np.abs(after - before).sum() > 1000
    screenshot(page, "playground-weight-edited")


def test_hovering_a_neuron_shows_its_heatmap(shared_app):
    page = shared_app("seed=hover&networkShape=4")
    output = heatmap_rgba(page)
    page.hover('.net-node[data-id="1"]')
    page.wait_for_function("window.__bp.frame().hover === '1'")
    wait_idle(page)
    assert np.abs(heatmap_rgba(page) - output).sum() > 0
    page.mouse.move(5, 5)
    page.wait_for_function("window.__bp.frame().hover == null")


def test_tensorflow_playground_link_opens_with_its_settings(shared_app):
    tfp = ("activation=relu&batchSize=17&dataset=xor&regDataset=reg-plane&learningRate=0.1&regularizationRate=0.003"
           "&noise=15&networkShape=5,3,2&seed=0.12345&showTestData=true&discretize=true&percTrainData=70&x=true"
           "&y=false&xTimesY=true&xSquared=false&ySquared=false&cosX=false&sinX=true&cosY=false&sinY=false"
           "&collectStats=false&problem=classification&initZero=false&hideText=false&regularization=L2")
    page = shared_app(tfp)
    assert page.input_value("#activations") == "relu"
    assert page.input_value("#learningRate") == "0.1"
    assert page.input_value("#regularizations") == "L2"
    assert page.input_value("#regularRate") == "0.003"
    assert page.input_value("#batchSize") == "17"
    assert page.input_value("#noise") == "15"
    assert page.input_value("#percTrainData") == "70"
    assert page.is_checked("#show-test-data") and page.is_checked("#discretize")
    assert page.evaluate("document.querySelectorAll('.net-node.net-hidden').length") == 10
    model = page.evaluate("window.__bp.model()")
    assert model["features"] == ["x", "xTimesY", "sinX"]
    assert model["layer_sizes"] == [3, 5, 3, 2, 1]
    assert page.locator('#dataset-thumbs [data-dataset="xor"]').get_attribute("class").find("selected") >= 0
    screenshot(page, "playground-tfp-link")


def test_bad_url_values_fall_back_with_a_visible_notice(shared_app):
    page = shared_app("learningRate=70&networkShape=9,9,9,9,9,9,9,9&noise=2000&seed=%ZZ&activation=bogus")
    notices = page.text_content("#notices")
    assert "learningRate" in notices and "networkShape" in notices and "activation" in notices
    assert page.input_value("#learningRate") == "0.03"
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === 1")
    screenshot(page, "playground-bad-url")


def test_hide_controls_from_the_url(shared_app):
    page = shared_app("learningRate_hide=true&noise_hide=true")
    assert not page.is_visible(".ui-learningRate")
    assert not page.is_visible(".ui-noise")
    assert page.is_visible(".ui-batchSize")


def test_csv_upload_trains_and_bad_csv_is_reported(shared_app, tmp_path):
    page = shared_app("seed=csv")
    rows = ["x,y,label"]
    rng = np.random.default_rng(3)
    for x, y in rng.uniform(-5, 5, size=(120, 2)):
        rows.append(f"{x:.4f},{y:.4f},{1 if x > 0 else 0}")
    good = tmp_path / "points.csv"
    good.write_text("\n".join(rows))
    page.set_input_files("#csv-upload", str(good))
    page.wait_for_function("window.__bp.data().source === 'upload'")
    data = page.evaluate("window.__bp.data()")
    assert (len(data["train"]) + len(data["test"])) // 3 == 120
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === 1")
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y,label\n1,2,1\n3,abc,0\n")
    page.set_input_files("#csv-upload", str(bad))
    page.wait_for_selector("#notices li.error")
    assert "row 3" in page.text_content("#notices")
    assert page.evaluate("window.__bp.data().source") == "upload"
    assert epoch(page) == 1, "a bad file leaves the current playground untouched"
    screenshot(page, "playground-csv")


def test_model_export_import_round_trip(shared_app, tmp_path):
    page = shared_app("seed=export&networkShape=3,2")
    play_until(page, 10)
    trained = weights_on_page(page)
    with page.expect_download() as info:
        page.click("#model-export")
    path = tmp_path / "model.json"
    info.value.save_as(path)
    doc = json.loads(path.read_text())
    assert doc["format"] == "backdoor-playground-model"
    page.click("#reinit-button")
    page.wait_for_function("location.hash.includes('initSeed=1')")
    wait_idle(page)
    assert weights_on_page(page) != trained
    page.set_input_files("#model-import", str(path))
    page.wait_for_function(f"() => JSON.stringify(window.__bp.frame().weights) === {json.dumps(trained)}")
    damaged = tmp_path / "damaged.json"
    damaged.write_text(path.read_text()[:-40])
    page.set_input_files("#model-import", str(damaged))
    page.wait_for_selector("#notices li.error")
    assert weights_on_page(page) == trained, "a damaged file leaves the model untouched"


def test_regression_problem_trains(shared_app):
    page = shared_app("problem=regression&regDataset=reg-gauss&seed=reg")
    assert page.input_value("#problem") == "regression"
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === 1")
    assert page.text_content("#acc-test") == "–"
    assert page.locator('#dataset-thumbs [data-dataset="reg-gauss"]').count() == 1


def test_a_worker_crash_restarts_python_with_the_same_settings_and_weights(app, problems):
    page = app("seed=crash&networkShape=3&learningRate=0.1")
    play_until(page, 15)
    trained = weights_on_page(page)
    # Simulate the worker dying (as a Pyodide fatal error or an out-of-memory kill would).
    page.evaluate("window.__bp.worker().onerror(new ErrorEvent('error', {message: 'simulated crash'}))")
    page.wait_for_selector("#notices li.error")
    assert "simulated crash" in page.text_content("#notices")
    page.wait_for_function("document.querySelector('#notices').textContent.includes('Python restarted')",
                           timeout=60_000)
    assert weights_on_page(page) == trained
    page.click("#next-step-button")
    page.wait_for_function(f"{EPOCH_JS} === 1")
    assert "learningRate=0.1" in page.evaluate("location.hash")
    assert page.evaluate("document.body.dataset.error") is None
    screenshot(page, "playground-recovered")
