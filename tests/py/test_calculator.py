"""NN Calculator's buttons on a live session: memory round trips, averaging, analysis and CSV files."""

import numpy as np
import pytest

from backdoor_playground.worker import calculator
from backdoor_playground.playground import config
from backdoor_playground.session import Session


def session(**overrides) -> Session:
    cfg, notices = config.validate({"networkShape": [3], "seed": "calc", **overrides})
    assert notices == []
    return Session(cfg)


def params(s: Session) -> list[np.ndarray]:
    return [a.copy() for a in (*s.model.weights, *s.model.biases)]


def test_average_three_trained_models_then_restore():
    s = session()
    trained = []
    for init in range(3):
        s.config = {**s.config, "initSeed": init}
        s.rebuild_model()
        s.train(epochs=5)
        trained.append(params(s))
        calculator.model_memory(s, "add")
    assert calculator.memory_info(s)["model"]["count"] == 3
    calculator.model_memory(s, "average")
    s.config = {**s.config, "initSeed": 99}
    s.rebuild_model()
    reply = calculator.model_memory(s, "recall")
    assert reply["kind"] == "frame"
    for got, *each in zip(params(s), *trained):
        np.testing.assert_allclose(got, np.mean(each, axis=0), rtol=1e-12, atol=1e-15)
    # The output bias is part of what was averaged (NN Calculator skips it).
    assert s.model.biases[-1][0] == pytest.approx(np.mean([t[-1][0] for t in trained]))


def test_model_memory_rejects_a_different_shape():
    s = session()
    calculator.model_memory(s, "store")
    s.config = {**s.config, "networkShape": [4, 2]}
    s.rebuild_model()
    with pytest.raises(ValueError, match="2-3-1"):
        calculator.model_memory(s, "recall")


def test_data_memory_is_a_deep_copy_and_recall_restores_it():
    s = session()
    original = s.data.train_points.copy()
    calculator.data_memory(s, "store")
    s.data.train_points[0] = [5.5, 5.5]  # an edit after storing must not leak into memory
    s.config = {**s.config, "seed": "other"}
    s.data = type(s.data)(*(np.zeros_like(a) for a in (s.data.train_points, s.data.train_labels,
                                                        s.data.test_points, s.data.test_labels)), "x")
    reply = calculator.data_memory(s, "recall")
    assert reply["kind"] == "snapshot" and reply["data"]["source"] == "memory"
    np.testing.assert_array_equal(s.data.train_points, original)


def test_data_memory_add_and_subtract_change_the_stored_size():
    s = session()
    n_train = len(s.data.train_labels)
    calculator.data_memory(s, "store")
    calculator.data_memory(s, "add")
    assert calculator.memory_info(s)["data"]["n_train"] == 2 * n_train
    calculator.data_memory(s, "subtract")
    assert calculator.memory_info(s)["data"]["n_train"] == n_train
    with pytest.raises(ValueError):
        calculator.data_memory(s, "subtract")


def test_unknown_operations_are_refused():
    s = session()
    with pytest.raises(ValueError, match="unknown"):
        calculator.data_memory(s, "average")
    with pytest.raises(ValueError, match="unknown"):
        calculator.model_memory(s, "explode")


def test_sensitivity_runs_in_chunks_and_reports_per_layer_statistics():
    s = session()
    calculator.sensitivity_start(s, runs=2, iterations=3)
    for _ in range(200):
        progress = calculator.sensitivity_step(s, budget_ms=5)
        if "result" in progress:
            break
    result = progress["result"]
    assert result["finished"] and result["completed_runs"] == 2
    assert len(result["layers"]) == 2 and {"N", "P"} <= set(result["layers"][0])
    with pytest.raises(ValueError, match="no sensitivity"):
        calculator.sensitivity_step(s)


def test_csv_files_and_reports_have_the_expected_shape():
    s = session()
    nn_csv = calculator.save_nn_csv(s)
    assert nn_csv["filename"] == "networkModel.csv" and nn_csv["text"].count("\n") > 10
    files = calculator.save_results_csv(s)["files"]
    assert set(files) == {"stateHist.csv", "KLdivergence.csv", "overlapState.csv"}
    report = calculator.run_inefficiency(s)
    assert set(report) == {"train", "test"}
    regions = calculator.trojan_regions(s, 3)
    assert regions["level"] == 3 and regions["regions"]
