"""The matrix in steps (experiment/matrix.MatrixRun) and its worker handlers (worker/matrix.py): stepping gives the
command line's rows, a step runs whole units within its budget, Cancel stops between units, each cell's Replay
link re-runs that cell, and the live playground is never touched."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.experiment import matrix, replay, stages
from backdoor_playground.experiment.plan import parse_config
from backdoor_playground.worker import api

CONFIG = {"dataset": "circle", "networkShape": [4], "activation": "relu", "epochs": 60}
BACKDOORS = ["poisoning", "signature:toy-rsa"]
DEFENSES = ["none", "proximity", "smoothing"]


def untimed(rows):
    return [r for r in rows if r[3] != "seconds"]


@pytest.fixture(scope="module")
def finished():
    run = matrix.MatrixRun(CONFIG, 1, BACKDOORS, DEFENSES)
    steps = 0
    while not run.finished:
        run.step(0.0)
        steps += 1
    return run, steps


def test_stepping_gives_the_command_lines_rows(finished):
    run, _ = finished
    assert untimed(run.rows) == untimed(matrix.run_matrix(CONFIG, 1, BACKDOORS, DEFENSES))
    p = run.progress()
    assert p["done"] == p["total"] == 1 + len(BACKDOORS) * (1 + len(DEFENSES)) and p["finished"]
    assert not p["cancelled"] and p["running"] == ""
    assert {(c["backdoor"], c["defense"]) for c in p["cells"]} == {(b, d) for b in BACKDOORS for d in DEFENSES}


def test_a_step_runs_whole_units_within_its_budget(finished):
    run, steps = finished
    assert steps == len(run.units), "a zero budget runs exactly one unit per step"
    big = matrix.MatrixRun(CONFIG, 1, ["signature:toy-rsa"], ["none"])
    assert big.step(1e9)["finished"] and big.done == 3


def test_cancel_stops_between_units():
    run = matrix.MatrixRun(CONFIG, 2, BACKDOORS, ["none"])
    run.step(0.0)
    run.step(0.0)
    p = run.cancel()
    assert p["cancelled"] and p["finished"] and p["done"] == 2 and p["cells"] == []
    assert run.step(1e9)["done"] == 2, "a cancelled run does nothing more"


def test_each_cells_replay_link_reruns_that_cell(finished):
    run, _ = finished
    cells = {(c["backdoor"], c["defense"]): c for c in run.progress()["cells"]}
    for (b, d), cell in cells.items():
        if d == "proximity" or (b, d) == ("poisoning", "smoothing"):
            continue  # two cells are enough for a replay each (the rest share the code)
        config = replay.decode(cell["link"])
        assert config["seed"] == "0" and config["backdoor"]["type"] == b.split(":")[0]
        assert ("defense" in config) == (d != "none")
        result = stages.run_experiment(config)
        metrics = result["metrics"]
        asr = metrics["attack_success_rate" if d == "none" else "attack_success_rate_after"]
        acc = metrics["backdoored_accuracy" if d == "none" else "clean_accuracy_after"]
        assert (asr["k"], asr["n"]) == (cell["metrics"]["attack_success_rate_after"]["k"],
                                        cell["metrics"]["attack_success_rate_after"]["n"]), (b, d)
        assert (acc["k"], acc["n"]) == (cell["metrics"]["clean_accuracy_after"]["k"],
                                        cell["metrics"]["clean_accuracy_after"]["n"]), (b, d)


def test_the_worker_handlers_leave_the_live_playground_alone():
    api.init(config={**CONFIG, "seed": "live", "epochs": 0})
    s = api.session()
    s.train(epochs=20)
    weights = [w.copy() for w in s.model.weights]
    names = api.call("matrix_names")
    assert names["backdoors"] == list(matrix.BACKDOORS) and names["default_defenses"][0] == "none"
    p = api.call("matrix_start", {"backdoors": ["signature:toy-rsa"], "defenses": ["none", "proximity"],
                                  "epochs": 30})
    assert p["done"] == 0 and p["total"] == 4 and p["config"] == {**CONFIG, "epochs": 30}, "only what differs"
    assert parse_config({**p["config"], "seed": "x"}) == parse_config({**s.config, "epochs": 30, "seed": "x"})
    while not p["finished"]:
        p = api.call("matrix_step", {"budget_ms": 0})
    assert len(p["cells"]) == 2 and all(c["seeds"] == 1 for c in p["cells"])
    expected = untimed(matrix.run_matrix({**CONFIG, "epochs": 30}, 1, ["signature:toy-rsa"], ["none", "proximity"]))
    got = {(c["backdoor"], c["defense"], m): (v["k"], v["n"], v["mean"]) for c in p["cells"]
           for m, v in c["metrics"].items() if m != "seconds"}
    assert got == {(r[0], r[1], r[3]): (r[5], r[6], r[4]) for r in expected}, "the command line's cells"
    assert s is api.session() and s.epoch == 20
    assert all(np.array_equal(a, b) for a, b in zip(weights, s.model.weights))
    assert api.call("matrix_start", {})["config"]["epochs"] == 20, "default: the epochs trained"
    assert api.call("matrix_cancel")["cancelled"]
    cell = api.call("matrix_cell_config", {"backdoor": "poisoning", "defense": "smoothing", "epochs": 30})
    assert cell["config"]["defense"]["type"] == "smoothing" and replay.decode(cell["link"]) == cell["config"]
    with pytest.raises(ValueError, match="backdoor 'nope' is not one of"):
        api.call("matrix_start", {"backdoors": ["nope"]})
    with pytest.raises(ValueError, match="seeds must be between"):
        api.call("matrix_start", {"seeds": 0})
    with pytest.raises(ValueError, match="epochs must be"):
        api.call("matrix_start", {"epochs": -1})
