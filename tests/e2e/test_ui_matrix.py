"""The matrix panel, driven as a user drives it: pick three backdoors and two defenses, Run with its progress bar,
and the grid equals the command line's matrix (experiment/matrix.run_matrix in CPython) on the same config; a
bigger run is cancelled and the page keeps working; clicking a cell replays that backdoor and that defense in the
playground's panels. Screenshots land in screenshots/matrix-*.png."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import EPOCH_JS, screenshot, set_field

from backdoor_playground.experiment import matrix, replay
from backdoor_playground.experiment.plan import parse_config

PANEL = "#matrix-panel"
CONFIG = {"dataset": "circle", "networkShape": [4], "activation": "relu", "epochs": 40}
HASH = "dataset=circle&networkShape=4&activation=relu&seed=42&epochs=40"
BACKDOORS = ["poisoning", "checksum:decimal", "signature:toy-rsa"]
DEFENSES = ["none", "proximity"]
# The decimal checksum reads the last digits of pre-activations, which differ by an ulp between CPython (FMA BLAS
# kernels) and Pyodide, so its trigger counts can differ by a point or two (docs/ARCHITECTURE.md); the other
# backdoors' cells must match exactly.
CHECKSUM_TOLERANCE = 2
CELL_KEYS = ("asrK", "asrN", "accK", "accN")


def shot(page, name: str) -> Path:
    """The whole page, and the panel on its own (easier to read)."""
    path = Path(screenshot(page, f"matrix-{name}-page")).with_name(f"matrix-{name}.png")
    page.locator(PANEL).screenshot(path=str(path))
    return path


def choose(page, backdoors: list[str], defenses: list[str]) -> None:
    for box, chosen in (("#mx-backdoors", backdoors), ("#mx-defenses", defenses)):
        for name in page.eval_on_selector_all(f"{box} input", "els => els.map((e) => e.value)"):
            page.set_checked(f'{box} input[value="{name}"]', name in chosen)


def wait_state(page, states: tuple[str, ...], timeout: float = 120_000) -> str:
    page.wait_for_function("(states) => states.includes(document.querySelector('#mx-progress').dataset.state)",
                           arg=list(states), timeout=timeout)
    return page.get_attribute("#mx-progress", "data-state")


def watch_progress(page) -> None:
    """Record every progress count the bar shows (a run can be faster than any polling)."""
    page.evaluate("""() => {
        window.__mxSeen = [];
        const p = document.querySelector('#mx-progress');
        new MutationObserver(() => window.__mxSeen.push([Number(p.dataset.done), p.hidden]))
            .observe(p, {attributes: true, attributeFilter: ['data-done', 'hidden']});
    }""")


def page_cells(page) -> dict:
    return {(c["backdoor"], c["defense"]): c for c in page.eval_on_selector_all(
        "#mx-grid td.mx-cell", "tds => tds.map((td) => ({...td.dataset}))")}


def cli_cells(rows) -> dict:
    out: dict = {}
    for b, d, _seed, metric, _value, k, n in rows:
        cell = out.setdefault((b, d), {})
        if metric == "attack_success_rate_after":
            cell["asrK"], cell["asrN"] = k, n
        elif metric == "clean_accuracy_after":
            cell["accK"], cell["accN"] = k, n
    return out


def test_the_matrix_equals_the_command_line_and_a_cell_replays(app, page):
    page = app(HASH)
    page.wait_for_selector(f"{PANEL}[data-ready='1']")
    assert page.input_value("#mx-epochs") == "40", "the epochs come from the playground's config"
    assert page.locator("#mx-backdoors input:checked").count() == len(matrix.DEFAULT_BACKDOORS)
    assert page.locator("#mx-defenses input:checked").count() == len(matrix.DEFENSES)
    shot(page, "0-ready")

    # ---- a small matrix: progress, then every cell
    choose(page, BACKDOORS, DEFENSES)
    watch_progress(page)
    page.click("#mx-run")
    assert wait_state(page, ("done", "error")) == "done", page.text_content("#mx-progress-text")
    total = 1 + len(BACKDOORS) * (1 + len(DEFENSES))
    seen = page.evaluate("window.__mxSeen")
    # shown under way before the end (how many units one worker step finishes depends on the machine's speed;
    # tests/py/test_matrix_run.py steps them one by one)
    assert any(not hidden and done < total for done, hidden in seen), f"no progress was shown: {seen}"
    assert page.get_attribute("#mx-progress", "data-done") == str(total)
    assert "Done: 6 cells" in page.text_content("#mx-progress-text")

    # the command line the panel gives runs the same config as CONFIG (the CLI replaces the seed)
    page.click("#mx-grid-card ~ * summary, #mx-run-card summary")
    command = page.text_content("#mx-command")
    assert "--seeds 1 --backdoors poisoning,checksum:decimal,signature:toy-rsa --defenses none,proximity" in command
    shown = json.loads(command.split("'")[1])
    assert parse_config({**shown, "seed": "0"}) == parse_config({**CONFIG, "seed": "0"})
    shot(page, "1-done")

    got = page_cells(page)
    expected = cli_cells(matrix.run_matrix(CONFIG, 1, BACKDOORS, DEFENSES))
    assert set(got) == set(expected) == {(b, d) for b in BACKDOORS for d in DEFENSES}
    for cell, want in expected.items():
        have = {k: None if got[cell][k] == "" else int(got[cell][k]) for k in CELL_KEYS}
        if cell[0].startswith("checksum"):
            assert all(abs(have[k] - want[k]) <= CHECKSUM_TOLERANCE for k in CELL_KEYS), (cell, have, want)
        else:
            assert have == want, (cell, have, want)
    # the colour follows attack success, the text is the clean accuracy
    rsa = got[("signature:toy-rsa", "none")]
    assert float(rsa["asr"]) >= 0.9 and "rgb(" in page.get_attribute(
        '#mx-grid td[data-backdoor="signature:toy-rsa"][data-defense="none"]', "style")
    title = page.get_attribute('#mx-grid td[data-backdoor="signature:toy-rsa"][data-defense="proximity"]', "title")
    assert "attack success after" in title and "clean accuracy after" in title and "[" in title  # Wilson interval

    # ---- click a cell: its Replay link loads that backdoor and that defense into the playground's panels
    cell = '#mx-grid td[data-backdoor="signature:toy-rsa"][data-defense="proximity"]'
    link = page.get_attribute(cell, "data-link")
    page.click(cell)  # location.hash = link; app/main.js replays it (then puts the playground's own link back)
    page.wait_for_selector("#df-prox-restored[data-value]", timeout=60_000)
    page.wait_for_function("document.querySelector('#df-prox-status')?.textContent.includes('Replayed')")
    config = replay.decode(link)
    assert config["backdoor"]["type"] == "signature" and config["defense"]["type"] == "proximity"
    result = page.evaluate("window.__bp.call('experiment_result', {})")["result"]
    after = result["metrics"]["attack_success_rate_after"]
    assert [after["k"], after["n"]] == [int(got[("signature:toy-rsa", "proximity")][k]) for k in ("asrK", "asrN")]
    assert page.get_attribute("#mx-replay-link", "href").endswith("#" + link)
    assert page.is_visible("#mx-replay-link") and page.locator("#mx-grid td.selected").count() == 1
    assert page.locator("#mx-grid td.mx-cell").count() == 6, "the grid stays after the replay"
    shot(page, "2-replayed")


def test_cancel_stops_a_bigger_matrix_and_the_page_keeps_working(app, page):
    page = app(HASH)
    page.wait_for_selector(f"{PANEL}[data-ready='1']")
    set_field(page, "#mx-seeds", "3")
    page.click("#mx-run")
    page.wait_for_function("Number(document.querySelector('#mx-progress').dataset.done) >= 2", timeout=60_000)
    assert page.is_disabled("#mx-run") and page.is_visible("#mx-progress-bar")
    page.click("#mx-cancel")
    assert wait_state(page, ("cancelled", "done", "error")) == "cancelled"
    assert "Cancelled" in page.text_content("#mx-progress-text")
    done, total = (int(page.get_attribute("#mx-progress", a)) for a in ("data-done", "data-total"))
    assert 2 <= done < total
    assert page.is_enabled("#mx-run") and page.is_disabled("#mx-cancel")
    shot(page, "3-cancelled")
    # the page keeps working: the playground trains, and a new matrix runs to the end
    epoch = page.evaluate(EPOCH_JS)
    page.click("#play-pause-button")
    # training waits behind the matrix unit in flight when Cancel came (a unit can take seconds on a busy machine)
    page.wait_for_function(f"{EPOCH_JS} > {epoch}", timeout=90_000)
    page.click("#play-pause-button")
    set_field(page, "#mx-seeds", "1")
    choose(page, ["signature:toy-rsa"], ["none"])
    page.click("#mx-run")
    assert wait_state(page, ("done", "error")) == "done"
    assert page.locator("#mx-grid td.mx-cell").count() == 1


def test_a_trojan_trigger_and_a_cell_without_a_defense_panel_replay(app, page):
    """Pick the poisoning trigger T3 and two defenses without a panel of their own: the grid equals the command
    line's with --trigger T3, and the replayed fine-tuning cell shows its numbers (the cell's) in the matrix panel and in
    the defense panel's card D."""
    page = app(HASH)
    page.wait_for_selector(f"{PANEL}[data-ready='1']")
    assert page.input_value("#mx-trigger") == "box"
    assert page.eval_on_selector_all("#mx-trigger option", "os => os.map((o) => o.value)") == [
        "box", *(f"T{k}" for k in range(1, 10))]
    choose(page, ["poisoning"], ["quantisation", "fine-tuning"])
    page.select_option("#mx-trigger", "T3")
    page.click("#mx-run")
    assert wait_state(page, ("done", "error")) == "done", page.text_content("#mx-progress-text")
    page.click("#mx-run-card summary")
    assert "--trigger T3" in page.text_content("#mx-command")
    got = page_cells(page)
    rows = matrix.run_matrix(CONFIG, 1, ["poisoning"], ["quantisation", "fine-tuning"], trigger="T3")
    expected = cli_cells(rows)
    for cell, want in expected.items():
        assert {k: int(got[cell][k]) for k in CELL_KEYS} == want, cell
    adaptive = {(r[0], r[1]): (r[5], r[6]) for r in rows if r[3] == "attack_success_rate_adaptive"}
    for cell, (k, n) in adaptive.items():
        assert (int(got[cell]["adaptiveK"]), int(got[cell]["adaptiveN"])) == (k, n), cell
    assert "adaptive attacker" in page.get_attribute(
        '#mx-grid td[data-backdoor="poisoning"][data-defense="quantisation"]', "title")

    cell = '#mx-grid td[data-backdoor="poisoning"][data-defense="fine-tuning"]'
    config = replay.decode(page.get_attribute(cell, "data-link"))
    assert config["backdoor"]["trigger"] == "T3" and config["defense"]["type"] == "fine-tuning"
    page.click(cell)
    page.wait_for_selector("#mx-replayed[data-done='1']", timeout=90_000)
    text = page.text_content("#mx-replayed")
    have = got[("poisoning", "fine-tuning")]
    k, n = adaptive[("poisoning", "fine-tuning")]
    assert f"({have['asrK']}/{have['asrN']})" in text and f"({have['accK']}/{have['accN']})" in text, text
    assert "adaptive attacker" in text and f"({k}/{n})" in text and "the defense panel shows it" in text, text
    # the defense panel's card D shows the replayed fine-tuning (it has no card of its own)
    page.wait_for_function("document.querySelector('#defense-panel').dataset.defense === 'fine-tuning'")
    assert page.get_attribute("#defense-panel", "data-shown-in") == "df-other-card"
    shot(page, "4-trojan-replayed")
