"""The Studies view, driven as a user drives it: run the modulo study on a tiny grid (progress bar, training held),
its headline counts equal the command line's (studies/runner.run in CPython) for the same options; a bigger run is
cancelled and keeps the jobs finished; a proximity study written by the command line loads and draws; a bad file
says why and the page keeps working. Screenshots at 1280 and 768 px, light and dark: screenshots/studies-*.png."""

from __future__ import annotations

from pathlib import Path

from conftest import screenshot

from backdoor_playground.studies import runner

PANEL = "#studies-panel"
TINY_MODULO = {"moduli": "2,20,256", "variants": "decimal,parity", "epochs": "5", "search_points": "1",
               "max_trials": "200", "calibrate_ms": "5"}
TINY_PROXIMITY = {"datasets": "circle,spiral", "radii": "0.2,0.5,2", "epochs": "5"}
# The checksums read the last digits of pre-activations, which differ by an ulp between CPython and Pyodide
# (docs/ARCHITECTURE.md): a count may differ by a point or two; the n of every rate must match exactly.
CHECKSUM_TOLERANCE = 2


def wait_state(page, states: tuple[str, ...], timeout: float = 180_000) -> str:
    page.wait_for_function("(states) => states.includes(document.querySelector('#st-progress').dataset.state)",
                           arg=list(states), timeout=timeout)
    return page.get_attribute("#st-progress", "data-state")


def watch(page) -> None:
    """Record every progress count the bar shows and whether training was held meanwhile."""
    page.evaluate("""() => {
        window.__stSeen = [];
        const p = document.querySelector('#st-progress');
        new MutationObserver(() => window.__stSeen.push([Number(p.dataset.done), Number(p.dataset.total),
            document.body.classList.contains('held')]))
            .observe(p, {attributes: true, attributeFilter: ['data-done']});
    }""")


def set_options(page, options: dict[str, str], seeds: int) -> None:
    for key, value in options.items():
        page.fill(f"#st-opt-{key}", value)
    page.fill("#st-seeds", str(seeds))


def numbers(page) -> dict:
    return {r["label"]: r for r in page.eval_on_selector_all(
        "#st-numbers tbody tr", "trs => trs.map((tr) => ({...tr.dataset}))")}


def cli_numbers(name: str, seeds: int, options: dict[str, str]) -> dict:
    """The same headline numbers from the command line's run (worker/studies.py's view of runner.run's rows)."""
    from backdoor_playground.worker import studies as ws

    study, rows, record = runner.run(name, seeds, [f"{k}={v}" for k, v in options.items()], workers=1)
    view = ws.CHARTS[name]
    return {n["label"]: n for n in view(runner.summarize(rows), record)[1]}


def shot(page, name: str) -> Path:
    path = Path(screenshot(page, f"studies-{name}-page")).with_name(f"studies-{name}.png")
    page.locator(PANEL).screenshot(path=str(path))
    return path


def test_run_cancel_load_and_the_command_line_s_numbers(app, page, tmp_path):
    page = app()
    page.wait_for_selector(f"{PANEL}[data-ready='1']", timeout=60_000)
    assert page.eval_on_selector("#st-study", "s => s.value") == "modulo"
    assert page.is_disabled("#st-download")

    # 1. the modulo study on a tiny grid: progress, training held, the command line's numbers
    set_options(page, TINY_MODULO, 2)
    watch(page)
    page.locator("#st-run").scroll_into_view_if_needed()
    page.click("#st-run")
    assert wait_state(page, ("done", "error")) == "done", page.text_content("#st-progress-text")
    seen = page.evaluate("window.__stSeen")
    total = seen[-1][1]
    assert total == 4 and seen[-1][0] == total  # 2 seeds x 2 variants
    # the bar showed the run under way before its end (how many jobs fit in one worker step depends on the machine's
    # speed: on a fast hour all four tiny jobs land in one step; tests/py/test_worker_studies.py steps them one by one)
    assert any(done < total and t == total for done, t, _ in seen), seen
    assert all(held for done, t, held in seen if done < t), seen  # Play waits while the study runs
    page.wait_for_function("!document.body.classList.contains('held')")
    assert page.locator(".st-figure canvas").count() == 4
    assert "--seeds 2" in page.text_content("#st-command") and "max_trials=200" in page.text_content("#st-command")
    got, want = numbers(page), cli_numbers("modulo", 2, TINY_MODULO)
    assert set(got) == set(want) and len(want) == 6
    for label, w in want.items():
        assert got[label]["n"] == str(w["n"]), label
        assert abs(int(got[label]["k"]) - w["k"]) <= CHECKSUM_TOLERANCE, (label, got[label], w)
    assert "[" in page.text_content("#st-numbers tbody tr td.st-num")  # a Wilson interval
    assert page.is_enabled("#st-download")
    for width in (1280, 768):
        for theme in ("light", "dark"):
            page.emulate_media(color_scheme=theme)
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"modulo-{width}-{theme}")
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 2. a bigger run, cancelled: the finished jobs stay, the page keeps working
    set_options(page, {**TINY_MODULO, "moduli": "2,4,8,16,20,32,64,256", "epochs": "30"}, 5)
    page.click("#st-run")
    page.wait_for_function("(p => p.dataset.state === 'running' && Number(p.dataset.done) >= 1)(document.querySelector('#st-progress'))",
                           timeout=120_000)
    page.click("#st-cancel")
    assert wait_state(page, ("cancelled", "done", "error")) == "cancelled"
    done = int(page.get_attribute("#st-progress", "data-done"))
    assert 1 <= done < int(page.get_attribute("#st-progress", "data-total"))
    assert "Cancelled" in page.text_content("#st-progress-text")
    assert page.is_enabled("#st-run")

    # 3. a proximity study written by the command line: its summary TSV and JSON load and draw
    study, rows, record = runner.run("proximity", 1, [f"{k}={v}" for k, v in TINY_PROXIMITY.items()], workers=1)
    paths, _ = runner.write(study, rows, record, tmp_path)
    page.set_input_files("#st-file", [str(tmp_path / "proximity.summary.tsv"), str(tmp_path / "proximity.json")])
    page.wait_for_selector(f"{PANEL}[data-loaded='proximity']", timeout=30_000)
    assert page.locator(".st-figure").count() == 2
    assert [t.strip() for t in page.locator(".st-figtitle").all_text_contents()][0].startswith("circle")
    assert "proximity.summary.tsv" in page.text_content("#st-source")
    got = numbers(page)
    want = cli_numbers("proximity", 1, TINY_PROXIMITY)
    assert {k: (v["k"], v["n"]) for k, v in got.items()} == {k: (str(v["k"]), str(v["n"])) for k, v in want.items()}
    painted = page.evaluate("""() => {
        const c = document.querySelector('.st-figure canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let ink = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
        return ink; }""")
    assert painted > 1000
    for theme in ("light", "dark"):
        page.emulate_media(color_scheme=theme)
        shot(page, f"proximity-loaded-1280-{theme}")
    page.emulate_media(color_scheme="light")

    # 4. a bad file: a clear message, the figures stay
    bad = tmp_path / "broken.tsv"
    bad.write_text("cell\tseed\tmetric\tvalue\nx=1\t0\tm\tnot-a-number\n", encoding="utf-8")
    page.set_input_files("#st-file", str(bad))
    page.wait_for_function("document.querySelector('#st-load-status').textContent.startsWith('Not loaded')")
    assert "line 2" in page.text_content("#st-load-status")
    assert page.locator(".st-figure").count() == 2
