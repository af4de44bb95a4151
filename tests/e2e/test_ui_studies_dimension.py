"""The dimension study in the Studies view: run on a tiny grid in the page, its six bar charts (the command line's
figure, studies/dimension_figure.py) are drawn with axis titles, a legend and PNG / SVG / Copy, and its headline
counts equal the command line's (studies/runner.run in CPython) for the same options; the summary TSV and JSON the
command line writes load into the same charts. Screenshots at 1280 and 768 px, light and dark:
screenshots/studies-dimension-*.png."""

from __future__ import annotations

from pathlib import Path

from conftest import SHOTS, screenshot
from test_ui_studies import CHECKSUM_TOLERANCE, PANEL, cli_numbers, numbers, set_options, wait_state

from backdoor_playground.studies import runner

TINY = {"datasets": "circle3d,blobs10", "backdoors": "checksum:decimal,signature:toy-rsa", "points": "6"}
PANELS = ["agreement", "accidental_trigger_rate", "attack_success_rate", "flip_rate", "median_abs_delta_rel",
          "activation_seconds_per_point"]
INK_JS = """(sel) => {
    const c = document.querySelector(sel);
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
    return ink; }"""


def shot(page, name: str, whole: bool = True) -> Path:
    """The panel, and with `whole` the whole page (a whole-page screenshot costs seconds: once per view)."""
    path = SHOTS / f"studies-dimension-{name}.png"
    if whole:
        screenshot(page, f"studies-dimension-{name}-page")
    page.locator(PANEL).screenshot(path=str(path))
    return path


def charts_ok(page) -> None:
    ids = page.eval_on_selector_all(".st-figure.st-bars", "fs => fs.map((f) => f.dataset.chart)")
    assert ids == [f"dimension_{p}" for p in PANELS]
    for chart in ids:
        fig = f".st-figure[data-chart='{chart}']"
        assert page.evaluate(INK_JS, f"{fig} canvas") > 2000, chart
        legend = page.text_content(f"{fig} .st-legend")
        assert "checksum:decimal" in legend and "signature:toy-rsa" in legend
        assert ("95 % Wilson interval" in legend) == (chart not in ("dimension_median_abs_delta_rel",
                                                                    "dimension_activation_seconds_per_point"))
        assert page.locator(f"{fig} .fig-png").count() == 1 and page.locator(f"{fig} .fig-svg").count() == 1
        assert page.locator(f"{fig} .fig-copy").count() == 1
        label = page.get_attribute(f"{fig} canvas", "aria-label")
        assert "against data set (d inputs, K classes)" in label, label


def test_dimension_runs_in_the_page_and_loads_the_command_line_s_files(app, page, tmp_path):
    page = app()
    page.wait_for_selector(f"{PANEL}[data-ready='1']", timeout=60_000)
    page.select_option("#st-study", "dimension")
    assert page.input_value("#st-opt-points") == "50" and page.input_value("#st-seeds") == "1"
    assert page.input_value("#st-opt-datasets") == "circle,blobs2,blobs10,circle3d,digits"

    # 1. a tiny grid in the page: the six charts, the command line's counts
    set_options(page, TINY, 2)
    page.locator("#st-run").scroll_into_view_if_needed()
    page.click("#st-run")
    assert wait_state(page, ("done", "error")) == "done", page.text_content("#st-progress-text")
    assert page.get_attribute("#st-progress", "data-total") == "4"  # 2 data sets x 2 seeds
    charts_ok(page)
    assert "study dimension --seeds 2" in page.text_content("#st-command")
    got, want = numbers(page), cli_numbers("dimension", 2, TINY)
    assert set(got) == set(want) and len(want) == 4
    for label, w in want.items():
        assert got[label]["n"] == str(w["n"]) == "12", label
        tolerance = CHECKSUM_TOLERANCE if "checksum" in label else 0  # the signature's counts match exactly
        assert abs(int(got[label]["k"]) - w["k"]) <= tolerance, (label, got[label], w)
    with page.expect_download() as dl:
        page.click(".st-figure[data-chart='dimension_attack_success_rate'] .fig-png")
    assert dl.value.suggested_filename.endswith(".png") and "dimension" in dl.value.suggested_filename
    for width in (1280, 768):
        for theme in ("light", "dark"):
            page.emulate_media(color_scheme=theme)
            page.set_viewport_size({"width": width, "height": 900})
            shot(page, f"{width}-{theme}", whole=(width, theme) == (1280, "light"))
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 2. the command line's files of the same grid (1 seed): the same charts, its counts exactly
    study, rows, record = runner.run("dimension", 1, [f"{k}={v}" for k, v in TINY.items()], workers=1)
    runner.write(study, rows, record, tmp_path)
    page.select_option("#st-study", "modulo")
    page.set_input_files("#st-file", [str(tmp_path / "dimension.summary.tsv"), str(tmp_path / "dimension.json")])
    page.wait_for_selector(f"{PANEL}[data-loaded='dimension']", timeout=30_000)
    assert page.eval_on_selector("#st-study", "s => s.value") == "dimension"
    assert "dimension.summary.tsv" in page.text_content("#st-source")
    charts_ok(page)
    got, want = numbers(page), cli_numbers("dimension", 1, TINY)
    assert {k: (v["k"], v["n"]) for k, v in got.items()} == {k: (str(v["k"]), str(v["n"])) for k, v in want.items()}
    assert page.text_content("#st-headline").startswith("dimension study: 2 data sets x 2 backdoors x 1 seeds")
    page.emulate_media(color_scheme="dark")
    shot(page, "loaded-1280-dark")
    page.emulate_media(color_scheme="light")
