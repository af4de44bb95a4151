"""The study runner: names and options, the files it writes (tidy TSV, pooled summary, JSON record, figure), the
modulo and proximity studies' rows on tiny grids, and the command line's errors."""

from __future__ import annotations

import csv
import json

import pytest

from backdoor_playground.experiment import cli
from backdoor_playground.studies import figures, modulo, runner

TINY_PROXIMITY = ["datasets=circle,csum-grid", "radii=0.5,2", "epochs=20"]
TINY_MODULO = ["moduli=2,20,1024", "variants=decimal,keyed", "epochs=20", "search_points=2",
               "max_trials=20000", "calibrate_ms=5"]


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f, delimiter="\t"))


@pytest.fixture(scope="module")
def proximity_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("proximity")
    assert cli.main(["study", "proximity", "--seeds", "2", "--jobs", "1", "--out", str(out),
                     *(a for o in TINY_PROXIMITY for a in ("--option", o))]) == 0
    return out


def test_proximity_writes_tidy_rows_summary_record_and_figure(proximity_run, capsys):
    tsv = read_tsv(proximity_run / "proximity.tsv")
    assert tsv[0] == ["cell", "seed", "metric", "value"]
    cells = {r[0] for r in tsv[1:]}
    for d in ("circle", "csum-grid"):
        assert {f"dataset={d} method={m}" for m in ("r=0.5", "r=2", "auto", "r_sep", "knn5", "none")} <= cells
    assert {r[1] for r in tsv[1:]} == {"0", "1"}
    metrics = {r[2] for r in tsv[1:]}
    assert {"false_positive_rate", "coverage", "restore_rate", "accuracy_after", "radius"} <= metrics
    # coverage grows with the radius; every rate is a share
    rates = {(r[0], r[1], r[2]): float(r[3]) for r in tsv[1:] if r[3] not in ("", "None")}
    for d in ("circle", "csum-grid"):
        for seed in "01":
            small, large = (rates[(f"dataset={d} method={m}", seed, "coverage")] for m in ("r=0.5", "r=2"))
            assert 0 <= small <= large <= 1
    summary = read_tsv(proximity_run / "proximity.summary.tsv")
    assert summary[0] == list(runner.SUMMARY_COLUMNS)
    row = next(r for r in summary if r[0] == "dataset=circle method=auto" and r[1] == "false_positive_rate")
    assert row[2] == "2" and int(row[6]) == 2 * 250 and float(row[7]) <= float(row[3]) <= float(row[8])
    record = json.loads((proximity_run / "proximity.json").read_text())
    assert record["study"] == "proximity" and record["seeds"] == 2 and record["executor"] == "local"
    assert record["options"]["datasets"] == ["circle", "csum-grid"] and record["configs"]["circle"]["epochs"] == 20
    assert {"platform", "cpu_count"} <= set(record["machine"]) and record["versions"]["numpy"]
    assert "git_commit" in record and record["figure"]["caption"]
    assert (proximity_run / "proximity.svg").read_text().lstrip().startswith("<?xml")
    assert (proximity_run / "proximity.png").read_bytes()[:4] == b"\x89PNG"


def test_the_figure_is_reproducible(proximity_run, tmp_path):
    """Same data, same SVG bytes (no date, fixed ids): the committed figures only change when the numbers do."""
    study, rows, record = runner.run("proximity", 1, TINY_PROXIMITY[:1] + ["radii=1", "epochs=5"], 1)
    runner.write(study, rows, record, tmp_path / "a")
    runner.write(study, rows, record, tmp_path / "b")
    assert (tmp_path / "a" / "proximity.svg").read_bytes() == (tmp_path / "b" / "proximity.svg").read_bytes()


def test_without_matplotlib_the_data_is_written_and_the_hint_printed(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(figures, "pyplot", lambda: None)
    assert cli.main(["study", "proximity", "--seeds", "1", "--jobs", "1", "--out", str(tmp_path),
                     "--option", "datasets=circle", "--option", "radii=1", "--option", "epochs=5"]) == 0
    out = capsys.readouterr().out
    assert runner.FIGURES_HINT in out and "proximity study" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proximity.json", "proximity.summary.tsv", "proximity.tsv"]
    assert json.loads((tmp_path / "proximity.json").read_text())["figure"] is None


def test_modulo_rows_breakpoints_and_caption(tmp_path):
    study, rows, record = runner.run("modulo", 1, TINY_MODULO, 1)
    by = {(c, m): (v, k, n) for c, _s, m, v, k, n in rows}
    # key 150: the decimal checksum's digit sums (1336..1481) never leave residue 150 mod 1024
    assert by[("variant=decimal modulo=1024", "p_key")][0] == 0.0
    assert by[("variant=decimal modulo=1024", "digit_edit_matched")][1] == 0
    assert by[("variant=decimal modulo=1024", "search_matched")][1] == 0
    assert by[("variant=keyed modulo=1024", "search_matched")][1:] == (2, 2)  # 1/1024 per trial, 20000 trials
    # m = 2: a node fires on about half of the inputs, so nearly every test point trips one by accident
    assert by[("variant=keyed modulo=2", "accidental_trigger_rate")][0] > 0.5
    assert record["search_max_trials"] == {"decimal": 20000, "keyed": 20000}
    summary = runner.summarize(rows)
    bp = modulo.breakpoints(summary, record)
    assert bp["decimal"]["digit_edit"] == 1024 and bp["decimal"]["search"] == 1024
    assert bp["keyed"] == {"digit_edit": None, "search": None}
    caption = modulo.verdict(summary, record)
    assert "property of the checksum" in caption and "values below 20" in caption
    paths, text = runner.write(study, rows, record, tmp_path)
    assert "modulo study" in text and (tmp_path / "modulo.png").exists()


def test_the_matrix_study_has_the_matrix_rows(tmp_path):
    from backdoor_playground.experiment import matrix

    options = ["backdoors=poisoning,checksum:decimal", "defenses=none,proximity", "epochs=5"]
    _, rows, record = runner.run("matrix", 1, options, 1)
    direct = matrix.run_matrix({**matrix.BENCH_CONFIG, "epochs": 5}, 1, ["poisoning", "checksum:decimal"],
                               ["none", "proximity"])
    assert [r for r in rows if r[2] != "seconds"] == [
        (f"backdoor={b} defense={d}", s, m, v, k, n) for b, d, s, m, v, k, n in direct if m != "seconds"]
    assert record["backdoors"] == ["poisoning", "checksum:decimal"] and record["trigger"] == "box"
    assert "attack success after / clean accuracy after" in runner.write(runner.get_study("matrix"), rows, record,
                                                                         tmp_path)[1]


@pytest.mark.parametrize("argv, message", [
    (["study", "nope"], "study 'nope' is not one of modulo, proximity, matrix, dimension"),
    (["study", "dimension", "--option", "points=0"], "points must be between 1 and 100000"),
    (["study", "proximity", "--option", "colour=red"], "takes KEY=VALUE with KEY one of datasets, radii, k, epochs"),
    (["study", "proximity", "--option", "datasets=circle,moon"], "datasets: 'moon' is not one of circle"),
    (["study", "proximity", "--executor", "spark"], "--executor 'spark' is not one of local, dask://HOST:PORT, ray"),
    (["study", "modulo", "--option", "moduli=1"], "modulo must be between 2 and 65536"),
])
def test_bad_names_and_options_exit_2_listing_the_valid_ones(argv, message, tmp_path, capsys):
    assert cli.main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err
    assert not list(tmp_path.iterdir())  # nothing written before the error


def test_a_missing_engine_says_how_to_install_it(monkeypatch, tmp_path, capsys):
    import builtins

    real_import = builtins.__import__

    def no_ray(name, *args, **kwargs):
        if name == "ray":
            raise ImportError("no ray here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    assert cli.main(["study", "proximity", "--executor", "ray", "--seeds", "1", "--option", "datasets=circle",
                     "--option", "epochs=1", "--out", str(tmp_path)]) == 2
    assert "pip install './py[ray]'" in capsys.readouterr().err
