"""Sweeps: the --set grammar, the grid, the tidy rows' shape, the summary's arithmetic and the command line."""

from __future__ import annotations

import json
import statistics

import pytest

from backdoor_playground.experiment import cli
from backdoor_playground.experiment import stages as experiment, sweep

BASE = {"dataset": "circle", "networkShape": [4], "epochs": 20,
        "backdoor": {"type": "checksum", "activation": "digit-edit", "points": [0, 1, 2, 3, 4, 5]}}



def test_parse_assignment_reads_json_values_and_plain_strings():
    assert sweep.parse_assignment("backdoor.modulo=20,64,256") == (("backdoor", "modulo"), [20, 64, 256])
    assert sweep.parse_assignment("noise=0, 12.5") == (("noise",), [0, 12.5])
    assert sweep.parse_assignment("backdoor.variant=decimal,keyed") == (("backdoor", "variant"),
                                                                         ["decimal", "keyed"])
    for bad in ("modulo", "=1,2", "backdoor..modulo=1", "modulo="):
        with pytest.raises(ValueError, match="--set"):
            sweep.parse_assignment(bad)


def test_cells_are_the_cartesian_product():
    grid = sweep.cells(BASE, ["backdoor.modulo=20,64", "noise=0,10,20"])
    assert len(grid) == 6
    labels = [label for label, _ in grid]
    assert labels[0] == "backdoor.modulo=20 noise=0" and len(set(labels)) == 6
    modulo_noise = {(c["backdoor"]["modulo"], c["noise"]) for _, c in grid}
    assert modulo_noise == {(m, n) for m in (20, 64) for n in (0, 10, 20)}
    assert BASE["backdoor"].get("modulo") is None  # the base config is not mutated
    assert sweep.cells(BASE, []) == [("base", BASE)]


def test_a_bad_cell_fails_before_any_run():
    with pytest.raises(ValueError, match=r"cell backdoor.modulo=1: backdoor.modulo"):
        sweep.jobs_for(BASE, ["backdoor.modulo=64,1"], 2)
    with pytest.raises(ValueError, match="--seeds"):
        sweep.jobs_for(BASE, [], 0)


def test_the_readme_sweep_keeps_the_key_and_reads_it_modulo_each_m():
    # README: sweep CONFIG.json --set backdoor.modulo=20,64,256 with the backdoor's key 150 (read as key mod m)
    with_key = {**BASE, "backdoor": {**BASE["backdoor"], "key": 150}}
    assert len(sweep.jobs_for(with_key, ["backdoor.modulo=20,64,256"], 2)) == 6
    result = experiment.run_experiment({**with_key, "epochs": 0, "backdoor": {**with_key["backdoor"], "modulo": 20,
                                                                            "points": [0]}})
    assert (result["backdoored"]["params"]["modulo"], result["backdoored"]["params"]["key"]) == (20, 150 % 20)


@pytest.fixture(scope="module")
def rows():
    return sweep.run_sweep(BASE, ["backdoor.modulo=20,64"], 2, workers=2)


def test_tidy_rows_one_per_cell_seed_stage_metric(rows):
    assert all(len(r) == len(sweep.TSV_COLUMNS) for r in rows)
    runs = {(r[0], r[1]) for r in rows}
    assert runs == {(f"backdoor.modulo={m}", s) for m in (20, 64) for s in ("0", "1")}
    keys_per_run = {run: {(r[2], r[3]) for r in rows if (r[0], r[1]) == run} for run in runs}
    first = next(iter(keys_per_run.values()))
    assert all(k == first for k in keys_per_run.values())  # every run reports the same metrics
    assert len({(r[0], r[1], r[2], r[3]) for r in rows}) == len(rows)  # no duplicates
    stages = {stage for stage, _ in first}
    assert {"clean", "backdoored", "activation"} <= stages
    assert ("clean", "test_accuracy") in first and ("activation", "flipped") in first


def test_pool_and_single_process_give_the_same_rows(rows):
    single = sweep.run_sweep(BASE, ["backdoor.modulo=20,64"], 2, workers=1)

    def stable(rs):
        return [r for r in rs if r[3].split(".")[-1] not in experiment.TIMING_KEYS]

    assert stable(single) == stable(rows)


def test_summary_is_mean_and_sd_per_cell(rows):
    summary = sweep.summarize(rows)
    cell = "backdoor.modulo=20"
    values = [r[4] for r in rows if r[0] == cell and r[2] == "clean" and r[3] == "test_accuracy"]
    line = next(s for s in summary if s[:3] == (cell, "clean", "test_accuracy"))
    assert line[3] == 2 and line[4] == pytest.approx(statistics.fmean(values))
    assert line[5] == pytest.approx(statistics.stdev(values))
    assert len(summary) == len(rows) // 2  # two seeds per cell


def test_cli_writes_tidy_and_summary_tsv(tmp_path, capsys):
    config = tmp_path / "c.json"
    config.write_text(json.dumps({**BASE, "epochs": 5}))
    out = tmp_path / "results.tsv"
    code = cli.main(["sweep", str(config), "--seeds", "2", "--set", "backdoor.modulo=20,64", "--jobs", "1",
                     "--out", str(out)])
    assert code == 0
    lines = out.read_text().splitlines()
    assert lines[0].split("\t") == list(sweep.TSV_COLUMNS)
    assert all(len(line.split("\t")) == 5 for line in lines[1:])
    summary = (tmp_path / "results.summary.tsv").read_text().splitlines()
    assert summary[0].split("\t") == list(sweep.SUMMARY_COLUMNS)
    printed = capsys.readouterr().out.splitlines()
    # the headline table: a header and one row per cell (the full summary is in the file), not a line per metric
    assert printed[0].split()[:3] == ["cell", "seeds", "clean"] and "agreement" in printed[0]
    cell_rows = [line for line in printed if line.startswith("backdoor.modulo=")]
    assert [r.split()[0] for r in cell_rows] == ["backdoor.modulo=20", "backdoor.modulo=64"]
    assert all("±" in r and r.split()[1] == "2" for r in cell_rows) and len(printed) <= 5
    assert cli.main(["sweep", str(config), "--set", "backdoor.modulo"]) == cli.EXIT_BAD_INPUT
    assert "error: --set" in capsys.readouterr().err
    assert cli.main(["sweep", str(config), "--out", str(tmp_path / "nowhere" / "r.tsv")]) == cli.EXIT_BAD_INPUT
    assert "folder does not exist" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--jobs", "--seeds"])
def test_cli_refuses_zero_jobs_and_seeds(tmp_path, capsys, flag):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(BASE))
    with pytest.raises(SystemExit) as exit_:
        cli.main(["sweep", str(config), flag, "0"])
    assert exit_.value.code == cli.EXIT_BAD_INPUT
    assert f"argument {flag}: must be at least 1, got 0" in capsys.readouterr().err
