"""Every matrix cell is replayable (experiment/matrix.cell_config, defense/registry.py): the experiment config of
a cell, run by the experiment pipeline (what `python3 -m backdoor_playground experiment CELL.json` and the page's
Replay link run), gives that cell's numbers exactly, for every column, on one seed; the smoothing column reports its
adaptive attacker, and a column without one leaves that metric empty (None), not 0."""

from __future__ import annotations

import pytest

from backdoor_playground.defense import run as defense
from backdoor_playground.experiment import matrix, replay, stages

CONFIG = {"dataset": "circle", "networkShape": [4], "activation": "relu", "epochs": 80}
# the experiment's metrics table names the undefended column's two numbers as the backdoor's own
UNDEFENDED = {"clean_accuracy_after": "backdoored_accuracy", "attack_success_rate_after": "attack_success_rate"}
ADAPTIVE = {"smoothing", "quantisation", "fine-tuning", "fine-pruning"}


@pytest.fixture(scope="module")
def cells():
    run = matrix.MatrixRun(CONFIG, 1, ["poisoning", "checksum:decimal"], None)
    run.step(float("inf"))
    assert run.finished and not run.cancelled
    return {(c["backdoor"], c["defense"]): c for c in run.cells()}


def test_every_column_is_a_registered_defense():
    assert set(matrix.REPLAYABLE) == set(matrix.DEFENSES)
    for name, params in matrix.REPLAYABLE.items():
        if name == "none":
            assert params is None
            continue
        assert params is not None and params["type"] in defense.DEFENSE_TYPES, name
        assert name.split(":")[0] == params["type"], "a column is named by its defense's type"


@pytest.mark.parametrize("column", list(matrix.DEFENSES))
def test_a_cells_experiment_gives_the_cells_numbers(cells, column):
    backdoor = "poisoning"
    cell = cells[(backdoor, column)]
    config = replay.decode(cell["link"])
    assert config == matrix.cell_config(CONFIG, backdoor, column)
    assert ("defense" in config) == (column != "none")
    result = stages.run_experiment(config)
    if column != "none":
        assert result["defense"]["type"] == config["defense"]["type"]
    compared = 0
    for metric, got in cell["metrics"].items():
        if metric == "seconds":
            continue
        want = result["metrics"].get(UNDEFENDED.get(metric, metric) if column == "none" else metric)
        if got["k"] is None and isinstance(want, (int, float)):  # a plain number (Neural Cleanse's L1, index)
            assert want == got["mean"], metric
        elif got["k"] is None:  # a metric this column leaves empty
            assert got["mean"] is None and want is None, metric
        else:
            assert (want["value"], want["k"], want["n"]) == (got["mean"], got["k"], got["n"]), metric
        compared += 1
    assert compared >= 3


def test_the_adaptive_attacker_where_it_applies(cells):
    for (backdoor, column), cell in cells.items():
        adaptive = cell["metrics"]["attack_success_rate_adaptive"]
        if column in ADAPTIVE:
            assert adaptive["n"] > 0 and adaptive["mean"] is not None, (backdoor, column)
        else:
            assert adaptive["mean"] is None and adaptive["k"] is None, (backdoor, column)
    # the checksum's trigger drowns in smoothing's noise; the sigma-aware attacker who may move further does better
    smooth = cells[("checksum:decimal", "smoothing")]["metrics"]
    assert smooth["attack_success_rate_adaptive"]["mean"] >= smooth["attack_success_rate_after"]["mean"]


def test_a_checksum_cell_replays_too(cells):
    cell = cells[("checksum:decimal", "fine-pruning")]
    result = stages.run_experiment(replay.decode(cell["link"]))
    for metric in ("clean_accuracy_after", "attack_success_rate_after", "attack_success_rate_adaptive"):
        want = result["metrics"][metric]
        assert (want["k"], want["n"]) == (cell["metrics"][metric]["k"], cell["metrics"][metric]["n"]), metric
    assert result["defense"]["pruned"], "fine-pruning names the neurons it cut"


def test_the_trigger_reaches_the_cells_config():
    config = matrix.cell_config(CONFIG, "poisoning", "spectral", trigger="T3")
    assert config["backdoor"]["trigger"] == "T3" and config["backdoor"]["target"] == -1
    assert "trigger" not in matrix.cell_config(CONFIG, "signature:toy-rsa", "none", trigger="T3")["backdoor"]
    with pytest.raises(ValueError, match="^trigger .*T10.*"):
        matrix.MatrixRun(CONFIG, 1, ["poisoning"], ["none"], trigger="T10")


def test_the_command_line_takes_the_trigger(tmp_path, capsys):
    from backdoor_playground.experiment import cli

    config = tmp_path / "matrix.json"
    config.write_text('{"dataset": "circle", "networkShape": [4], "activation": "relu", "epochs": 40}')
    out = tmp_path / "m.tsv"
    assert cli.main(["matrix", str(config), "--seeds", "1", "--backdoors", "poisoning", "--defenses", "none,spectral",
                     "--trigger", "T10", "--out", str(out)]) == cli.EXIT_BAD_INPUT
    assert "trigger" in capsys.readouterr().err and not out.exists()
    assert cli.main(["matrix", str(config), "--seeds", "1", "--backdoors", "poisoning", "--defenses", "none,spectral",
                     "--trigger", "T5", "--out", str(out)]) == 0
    rows = [line.split("\t") for line in out.read_text().splitlines()[1:]]
    expected = matrix.run_matrix({"dataset": "circle", "networkShape": [4], "activation": "relu", "epochs": 40}, 1,
                                 ["poisoning"], ["none", "spectral"], trigger="T5")
    assert [r[:4] for r in rows] == [[b, d, s, m] for b, d, s, m, *_ in expected]
    assert ["poisoning", "none", "0", "attack_success_rate_adaptive", ""] in rows, "empty, not 0"
    tpr = next(r for r in rows if r[1] == "spectral" and r[3] == "detection_tpr")
    assert float(tpr[4]) == next(v for b, d, s, m, v, *_ in expected if d == "spectral" and m == "detection_tpr")
