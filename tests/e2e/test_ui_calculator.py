"""Tier 3, the NN Calculator tools panel: memories, trojan regions, Inference / Inefficiency / Sensitivity and the
CSV files, driven as a user drives them (issue 7).

The tests share one booted page (conftest's `shared_app`, through `calc_app` below), except the trojan test, which
reloads."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from backdoor_playground.worker import api
from backdoor_playground.nistcalc.memory import ModelMemory
from conftest import clear_calculator_outputs, screenshot, settle, wait_downloads

EPOCH_JS = "Number(document.querySelector('#iter-number').textContent.replace(/,/g, ''))"
PANEL = "#calculator-panel"


@pytest.fixture
def calc_app(shared_app):
    """`shared_app`, then conftest.clear_calculator_outputs (no result an earlier test left)."""

    def open_app(hash_: str = ""):
        page = shared_app(hash_)
        clear_calculator_outputs(page)
        return page

    return open_app


def epoch(page) -> int:
    return page.evaluate(EPOCH_JS)


def params(page) -> list[np.ndarray]:
    """Every weight matrix and bias vector the page last received (window.__bp.frame()), as float64 arrays."""
    frame = page.evaluate("() => { const f = window.__bp.frame(); return {w: f.weights, b: f.biases}; }")
    return [np.asarray(w, dtype=np.float64) for w in frame["w"]] + [np.asarray(b, dtype=np.float64)
                                                                     for b in frame["b"]]


def train(page, epochs: int) -> None:
    for _ in range(epochs):
        start = epoch(page)
        page.click("#next-step-button")
        page.wait_for_function(f"{EPOCH_JS} === {start + 1}")
    settle(page)


def wait_status(page, kind: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => (document.querySelector(sel)?.textContent || '').includes(text)",
        arg=[f"#calc-{kind}-status", text], timeout=15_000)


def wait_keys_done(page, kind: str) -> None:
    """Wait until the memory keypad has finished its key press (the panel marks it aria-busy meanwhile)."""
    page.wait_for_function("(sel) => !document.querySelector(sel).hasAttribute('aria-busy')",
                           arg=f"#calc-{kind}-keys", timeout=15_000)


def wait_network(page, n_matrices: int) -> None:
    """Wait until the page holds a network with n_matrices weight matrices (after a shape change)."""
    page.wait_for_function("(n) => window.__bp.frame().weights.length === n", arg=n_matrices, timeout=15_000)


def wait_tooltips(page, kind: str) -> None:
    """Wait until every key of a memory keypad has its tooltip: they come with Python's memory_info reply, which
    may land after the page reports its panels ready (data-panels="1")."""
    page.wait_for_function("(sel) => [...document.querySelectorAll(sel)].every((b) => b.title !== '')",
                           arg=f"#calc-{kind}-keys button", timeout=15_000)


def shot(page, name: str) -> Path:
    return screenshot(page, f"calculator-{name}")


def panel_shot(page, name: str) -> Path:
    path = Path(screenshot(page, f"calculator-{name}-page"))
    page.locator(PANEL).screenshot(path=str(path.with_name(f"calculator-{name}.png")))
    return path.with_name(f"calculator-{name}.png")


# ---------------------------------------------------------------------------------------------------- memories


def test_model_memory_store_add_average_recall(calc_app):
    page = calc_app("seed=calc&networkShape=4,2")
    wait_status(page, "model", "empty")
    tips = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#calc-model-keys button')]
        .map((b) => [b.dataset.op, b.title]))""")
    for op in ("clear", "recall", "add", "subtract", "store", "average"):  # memory.py's exact texts
        assert tips[op] == ModelMemory.describe(op), op
    assert "memory − current network" in tips["subtract"]

    w0 = params(page)
    page.click("#calc-model-store")
    wait_status(page, "model", "1 network")
    assert "shape 2-4-2-1" in page.text_content("#calc-model-status")
    shot(page, "model-1-stored")

    train(page, 3)
    w1 = params(page)
    assert not all(np.array_equal(a, b) for a, b in zip(w0, w1)), "training must change the weights"
    page.click("#calc-model-add")
    wait_status(page, "model", "sum of 2 networks")
    shot(page, "model-2-added")

    train(page, 3)
    w2 = params(page)
    page.click("#calc-model-add")
    wait_status(page, "model", "sum of 3 networks")
    shot(page, "model-3-added-again")

    page.click("#calc-model-average")
    wait_status(page, "model", "the average of 3 networks")
    assert all(np.array_equal(a, b) for a, b in zip(params(page), w2)), "AVG changes the memory only"
    shot(page, "model-4-averaged")

    page.click("#calc-model-recall")
    page.wait_for_function(f"{EPOCH_JS} === 0")
    wait_keys_done(page, "model")
    settle(page)
    restored = params(page)
    expected = [(a + b + c) / 3 for a, b, c in zip(w0, w1, w2)]
    assert len(restored) == len(expected) == 6  # 3 weight matrices + 3 bias vectors (output bias included)
    for got, want in zip(restored, expected):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    # The output node's bias too (NN Calculator drops it).
    assert restored[-1].shape == (1,)
    assert page.locator("#notices li.error").count() == 0
    shot(page, "model-5-recalled")


def test_model_recall_with_another_shape_is_refused(calc_app, shared_problems):
    page = calc_app("seed=shape&networkShape=4,2")
    page.click("#calc-model-store")
    wait_status(page, "model", "shape 2-4-2-1")
    page.click("#add-layers")
    page.wait_for_function("location.hash.includes('networkShape=4,2,2')")
    wait_network(page, 4)
    before = params(page)
    page.click("#calc-model-recall")
    notice = page.wait_for_selector("#notices li.error")
    text = notice.text_content()
    assert text.startswith("NN MR: the network in memory") and "2-4-2-1" in text and "2-4-2-2-1" in text and "must match" in text, text
    wait_keys_done(page, "model")
    settle(page)
    after = params(page)
    assert len(after) == len(before) and all(np.array_equal(a, b) for a, b in zip(before, after)), \
        "a refused recall must leave the network as it was"
    shot(page, "model-shape-mismatch")
    # Back to the stored shape, the recall works.
    page.click("#notices li.error .notice-close")
    page.click("#remove-layers")
    page.wait_for_function("!location.hash.includes('networkShape=4,2,2')")
    wait_network(page, 3)
    page.click("#calc-model-recall")
    # the recall's outcome either way: the key flashes (done) or an error notice appears
    page.wait_for_function("document.querySelector('#calc-model-recall').classList.contains('calc-flash') || "
                           "!!document.querySelector('#notices li.error')", timeout=15_000)
    wait_keys_done(page, "model")
    assert page.locator("#notices li.error").count() == 0


def test_data_memory_store_change_recall(calc_app):
    page = calc_app("seed=dmem")
    wait_tooltips(page, "data")
    original = page.evaluate("window.__bp.data()")
    tips = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#calc-data-keys button')]
        .map((b) => [b.dataset.op, b.title]))""")
    assert tips["subtract"].startswith("D M−: remove as many points from the end")
    assert tips["regen"].startswith("D RG")
    page.click("#calc-data-store")
    wait_status(page, "data", "250 train + 250 test classification points")
    page.click("#calc-data-regen")  # D RG: a new sample
    page.wait_for_function("(train) => window.__bp.data().train[0] !== train", arg=original["train"][0])
    assert page.evaluate("window.__bp.data()")["train"] != original["train"]
    page.click("#calc-data-add")
    wait_status(page, "data", "500 train + 500 test classification points from 2 data sets")
    page.click("#calc-data-subtract")
    wait_status(page, "data", "250 train + 250 test classification points")
    shot(page, "data-1-stored-regenerated")
    page.click("#calc-data-recall")
    page.wait_for_function("window.__bp.data().source === 'memory'")
    restored = page.evaluate("window.__bp.data()")
    assert restored["train"] == original["train"] and restored["test"] == original["test"]
    assert epoch(page) == 0
    shot(page, "data-2-recalled")
    page.click("#calc-data-clear")
    wait_status(page, "data", "empty")


# ------------------------------------------------------------------------------------------------------ trojans


def region_ink_pixels(page, x0: float, x1: float, y0: float, y1: float) -> int:
    """Overlay pixels of the region outline colour inside the data-coordinate box [x0, x1] x [y0, y1]."""
    return page.evaluate("""([x0, x1, y0, y1]) => {
        const c = document.querySelector('#heatmap .heatmap-overlay');
        const s = c.width / 12, px = (x) => Math.round((x + 6) * s), py = (y) => Math.round((6 - y) * s);
        const left = px(x0), top = py(y1), w = Math.max(1, px(x1) - left), h = Math.max(1, py(y0) - top);
        const d = c.getContext('2d').getImageData(left, top, w, h).data;
        let n = 0;
        for (let k = 0; k < d.length; k += 4) {
            if (d[k + 3] > 200 && Math.abs(d[k] - 58) < 40 && Math.abs(d[k + 1] - 29) < 40 && Math.abs(d[k + 2] - 82) < 40) n++;
        }
        return n;
    }""", [x0, x1, y0, y1])


def set_trojan(page, level: int) -> None:
    page.eval_on_selector("#trojan", "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('change')); }",
                          level)


def test_trojan_region_drawn_and_kept_in_url(app):
    page = app("seed=troj")
    assert page.get_attribute("#heatmap .heatmap-plot", "data-regions") in (None, "")
    set_trojan(page, 3)
    page.wait_for_function("location.hash.includes('trojan=3')")
    page.wait_for_selector("#heatmap .heatmap-plot[data-regions='rect']")
    # The square [1.5, 3.5]^2: its left edge is drawn, empty space beside it is not.
    assert region_ink_pixels(page, 1.4, 1.6, 1.6, 3.4) > 15
    assert region_ink_pixels(page, -1.6, -1.4, 1.6, 3.4) < 3
    assert page.text_content("#calc-trojan-level") == "T3"
    assert "[1.5, 3.5]" in page.text_content("#calc-trojan-text")
    assert "inside the dashed outline" in page.text_content("#trojan-effect")
    # Every point inside the square is labelled -1.
    data = np.asarray(page.evaluate("window.__bp.data().train"), dtype=np.float64).reshape(-1, 3)
    inside = (data[:, 0] >= 1.5) & (data[:, 0] <= 3.5) & (data[:, 1] >= 1.5) & (data[:, 1] <= 3.5)
    assert inside.any() and (data[inside, 2] == -1).all()
    shot(page, "trojan-3")

    page.reload()
    page.wait_for_function("document.body.dataset.ready === '1'")
    assert "trojan=3" in page.evaluate("location.hash")
    page.wait_for_selector("#heatmap .heatmap-plot[data-regions='rect']")
    assert page.input_value("#trojan") == "3"
    assert region_ink_pixels(page, 1.4, 1.6, 1.6, 3.4) > 15

    set_trojan(page, 7)
    page.wait_for_selector("#heatmap .heatmap-plot[data-regions='disk,disk']")
    set_trojan(page, 10)
    page.wait_for_selector("#heatmap .heatmap-plot[data-regions='checksum']")
    assert "Fletcher" in page.text_content("#calc-trojan-text")
    shot(page, "trojan-10")
    set_trojan(page, 0)
    page.wait_for_function("document.querySelector('#heatmap .heatmap-plot').dataset.regions === ''")
    assert "trojan=" not in page.evaluate("location.hash") or "trojan=0" in page.evaluate("location.hash")


# ----------------------------------------------------------------------------------------------------- analysis


def test_inference_and_inefficiency(calc_app):
    page = calc_app("seed=kl&networkShape=4,2")
    train(page, 5)
    page.click("#calc-inference")
    line = page.wait_for_selector("#calc-inference-out .calc-result-line")
    assert line.text_content().startswith("MSE Train loss: ")
    page.click("#calc-inefficiency")
    page.wait_for_selector("#calc-inefficiency-out .calc-kl-table")
    assert page.locator("#calc-inefficiency-out .calc-kl-table").count() == 2  # train and test
    values = page.eval_on_selector_all("#calc-inefficiency-out td.calc-kl", "tds => tds.map(td => td.dataset.value)")
    assert len(values) == 2 * 3 * 2  # splits x layers x labels
    assert all(v != "" and math.isfinite(float(v)) for v in values), values
    for split in page.query_selector_all("#calc-inefficiency-out .calc-split"):
        assert math.isfinite(float(split.query_selector(".calc-avg-arith").text_content()))
        geo = split.query_selector(".calc-avg-geo").text_content()
        # A negative layer sum (possible with NN Calculator's q) leaves the geometric mean undefined, with a note.
        assert math.isfinite(float(geo)) if geo != "undefined" else "geometric average is undefined" in \
            split.query_selector(".calc-notes").text_content()
    assert page.locator("#calc-inefficiency-out canvas.calc-hist-canvas").count() == 2 * 3 * 2
    assert page.locator("#calc-inefficiency-out .calc-overlap-table").count() == 2
    panel_shot(page, "inefficiency")


def test_inefficiency_with_a_label_absent(calc_app):
    page = calc_app("seed=absent")
    rng = np.random.default_rng(3)
    rows = ["x,y,label,split"]
    for _ in range(40):
        x, y = rng.uniform(-5, 5, 2)
        rows.append(f"{x:.4f},{y:.4f},{1 if x > 0 else -1},train")
    for _ in range(20):
        x, y = rng.uniform(0.5, 5, 2)
        rows.append(f"{x:.4f},{y:.4f},1,test")
    page.set_input_files("#csv-upload", files=[{"name": "p.csv", "mimeType": "text/csv",
                                                  "buffer": ("\n".join(rows) + "\n").encode()}])
    page.wait_for_function("window.__bp.data().source === 'upload'")
    page.click("#calc-inefficiency")
    test_split = page.wait_for_selector("#calc-inefficiency-out .calc-split[data-split='test']")
    assert "no points with ground-truth label N" in test_split.text_content()
    values = page.eval_on_selector_all(".calc-split[data-split='test'] td.calc-kl",
                                       "tds => tds.map(td => [td.textContent, td.dataset.value])")
    assert [v for v in values[0::2]] == [["—", ""]] * 3  # KL(N): undefined, not NaN or infinity
    assert all(math.isfinite(float(v[1])) for v in values[1::2])
    panel_shot(page, "inefficiency-label-absent")


def test_sensitivity_finishes_and_cancels(calc_app):
    page = calc_app("seed=sens&networkShape=3")
    page.fill("#calc-sens-runs", "2")
    page.fill("#calc-sens-iterations", "5")
    page.click("#calc-sensitivity")
    page.wait_for_selector("#calc-sensitivity-out .calc-sens-result[data-finished='true']", timeout=30_000)
    assert page.get_attribute("#calc-sens-progress [role=progressbar]", "aria-valuenow") == "100"
    assert page.get_attribute("#calc-sens-progress", "data-state") == "done"
    means = page.eval_on_selector_all(".calc-sens-table td.calc-sens-value", "tds => tds.map(td => td.dataset.mean)")
    assert len(means) == 2 * 2 and all(math.isfinite(float(m)) for m in means)
    assert "±" in page.text_content(".calc-sens-table")
    assert epoch(page) == 0, "Sensitivity trains a copy: the page's network is left alone"
    panel_shot(page, "sensitivity-done")

    page.fill("#calc-sens-runs", "20")
    page.fill("#calc-sens-iterations", "2000")
    page.click("#calc-sensitivity")
    page.wait_for_function("Number(document.querySelector('#calc-sens-progress [role=progressbar]')"
                           ".getAttribute('aria-valuenow')) >= 1",
                           timeout=30_000)
    panel_shot(page, "sensitivity-running")
    page.click("#calc-sens-cancel")
    page.wait_for_selector("#calc-sens-progress[data-state='cancelled']", timeout=15_000)
    result = page.wait_for_selector(".calc-sens-result[data-finished='false']")
    assert "cancelled" in result.text_content()
    assert int(page.get_attribute("#calc-sens-progress [role=progressbar]", "aria-valuenow")) < 100
    # the page's one progress line (ui/progress.js): Cancel stays in the line, off once the run ended
    assert page.is_disabled("#calc-sens-cancel") and page.is_enabled("#calc-sensitivity")


# -------------------------------------------------------------------------------------------------------- files


def test_save_nn_and_results_csv(calc_app):
    hash_ = "seed=csv&networkShape=3,2"
    page = calc_app(hash_)
    with page.expect_download() as info:
        page.click("#calc-save-nn")
    download = info.value
    assert download.suggested_filename == "networkModel.csv"
    text = Path(download.path()).read_text()
    lines = text.split("\n")
    assert lines[:4] == ["problem:classification", "number of samples:500", "noise:0", "trojan:0"]
    assert "num Hidden Layers:2" in lines and "network length:4" in lines
    assert lines[lines.index("network length:4") + 1] == "currentLayer:0, currentLayer length:2"
    # The same file CPython writes for the same settings (the initial weights are identical).
    api.init(hash_)
    assert text == api.call("save_nn_csv")["text"]

    downloads = []
    page.on("download", lambda d: downloads.append(d))
    page.click("#calc-save-results")
    page.wait_for_function("document.querySelectorAll('#calc-file-links a').length === 3")
    wait_downloads(page, downloads, 3)
    files = {d.suggested_filename: Path(d.path()).read_text() for d in downloads}
    assert set(files) == {"stateHist.csv", "KLdivergence.csv", "overlapState.csv"}
    assert files["stateHist.csv"].startswith("layer, label, state, state occurrence \n")
    assert files["KLdivergence.csv"].startswith("layer, label, KL divergence, non-zero state count, Max freq state, "
                                                "Max freq state count, Min freq state, Min freq state count  \n")
    assert files["overlapState.csv"].startswith("layer, number of overlapping states, overlapping states  \n")
    assert files == api.call("save_results_csv", {"split": "test"})["files"]
    panel_shot(page, "files")
