"""Neural Cleanse (defense/cleanse.py) beyond the plane: the playground network's input gradient with the 3-D and
pixel features and K softmax outputs, the data box of d > 3 inputs, and runs on circle3d and blobs4 sessions."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.defense import cleanse
from backdoor_playground.defense.cleanse_model import MLPClassifier
from backdoor_playground.experiment.stages import run_experiment
from backdoor_playground.playground import rng
from backdoor_playground.playground.nn import MLP


def finite_difference_check(clf: MLPClassifier, X: np.ndarray) -> None:
    """The analytic input gradient of every class's loss equals central differences, coordinate by coordinate."""
    h = 1e-6
    for c in range(clf.n_classes):
        labels, _, grad = clf.loss_grad(X, c)
        assert list(labels) == list(clf.labels(X))
        for j in range(X.shape[1]):
            e = np.zeros(X.shape[1])
            e[j] = h
            num = (clf.loss_grad(X + e, c)[1] - clf.loss_grad(X - e, c)[1]) / (2 * h)
            assert np.allclose(grad[:, j], num, atol=1e-5), (c, j)


def test_gradient_through_the_3d_features():
    names = ["x", "y", "z", "xSquared", "zSquared", "xTimesZ", "yTimesZ", "xTimesY"]
    model = MLP(len(names), [4], ["tanh"], "tanh", rng.stream("g", "init"))
    clf = MLPClassifier(model, names)
    assert clf.n_classes == 2 and clf.class_labels == (-1.0, 1.0)
    finite_difference_check(clf, rng.stream("g", "data").uniform(-2, 2, size=(6, 3)))


def test_gradient_through_k_softmax_outputs_and_pixel_inputs():
    names = [f"px{i}" for i in range(5)]
    model = MLP(5, [6], ["relu"], "linear", rng.stream("g", "init"), n_outputs=4)
    clf = MLPClassifier(model, names)
    assert clf.n_classes == 4 and clf.class_labels == (0.0, 1.0, 2.0, 3.0)
    X = rng.stream("g", "data").uniform(0, 1, size=(6, 5))
    finite_difference_check(clf, X)
    out = model.predict(X)
    assert list(clf.labels(X)) == list(np.argmax(out, axis=1))


def test_the_pattern_box_is_the_datas_range_beyond_three_dimensions():
    X = np.array([[0.0, 1.0, 5.0, 2.0], [3.0, 0.5, 7.0, 2.0]])
    lo, hi = cleanse.data_box(X)
    assert list(lo) == [0.0, 0.5, 5.0, 2.0] and list(hi) == [3.0, 1.0, 7.0, 2.0]
    assert cleanse.data_box(X[:, :3]) == cleanse.BOX


@pytest.mark.parametrize("config", [
    {"dataset": "circle3d", "epochs": 60, "networkShape": [6],
     "features": ["x", "y", "z", "xSquared", "ySquared", "zSquared"]},
    {"dataset": "blobs4", "epochs": 200, "networkShape": [8]},
])
def test_cleanse_runs_beyond_the_plane_with_poisoning(config):
    result = run_experiment({**config, "seed": "0", "backdoor": {"type": "poisoning"}, "defense": {"type": "cleanse"}})
    out = result["defense"]
    k = 2 if config["dataset"] == "circle3d" else 4
    assert len(out["classes"]) == k and len(out["clean"]["classes"]) == k
    d = 3 if config["dataset"] == "circle3d" else 2
    for c in out["classes"]:
        assert len(c["mask"]) == d and 0.0 <= c["l1"] <= d
        assert all(-6.0 <= p <= 6.0 for p in c["pattern"])
    if k > 2:  # the index is computed across four classes, not the two-class constant
        assert not any("two classes" in n for n in out["notes"])
        assert len({round(c["anomaly_index"], 6) for c in out["classes"]}) > 1
    assert out["target"] is not None  # poisoning has one target class
