"""Session.update, the live path: what each kind of settings change keeps and what it rebuilds, and how uploaded
points are re-split (not regenerated) when only the seed or the train share changes."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.playground import config as cfg
from backdoor_playground.session import Session

BASE = {"dataset": "circle", "networkShape": [4, 2], "seed": "sess", "regularization": "L1",
        "regularizationRate": 0.001}


def make(**overrides) -> Session:
    config, notices = cfg.validate({**BASE, **overrides})
    assert notices == []
    return Session(config)


def change(s: Session, **patch) -> str:
    """What the page does: the whole config with the patch, validated, then Session.update."""
    config, notices = cfg.validate({**s.config, **patch})
    assert notices == []
    return s.update(config)


def params(s: Session) -> list[np.ndarray]:
    return [a.copy() for a in (*s.model.weights, *s.model.biases)]


def same(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(x.shape == y.shape and np.array_equal(x, y) for x, y in zip(a, b))


def points(s: Session) -> tuple[np.ndarray, ...]:
    d = s.data
    return d.train_points.copy(), d.train_labels.copy(), d.test_points.copy(), d.test_labels.copy()


def rows(pts: np.ndarray, labels: np.ndarray) -> list[tuple[float, float, float]]:
    """Points with their labels as a sorted list: the same multiset whatever the order or the split."""
    return sorted(map(tuple, np.column_stack([pts, labels]).tolist()))


# ---------------------------------------------------------------------------------------------- live settings

LIVE = [("learningRate", 0.3, "learning_rate"), ("batchSize", 3, "batch_size"),
        ("regularization", "L2", "regularization"), ("regularizationRate", 0.03, "regularization_rate")]


@pytest.mark.parametrize("key, value, attribute", LIVE)
def test_a_live_key_changes_the_trainer_without_a_reset(key, value, attribute):
    s, twin = make(), make()
    s.train(epochs=7)
    twin.train(epochs=7)
    before, data, trainer = params(s), points(s), s.trainer
    assert same(before, params(twin))

    assert change(s, **{key: value}) == "live"
    assert s.config[key] == value
    assert getattr(s.trainer, attribute) == value
    assert s.trainer is trainer and s.epoch == 7, "a live change keeps the trainer and its epoch count"
    assert same(params(s), before), "a live change keeps the weights"
    assert all(np.array_equal(a, b) for a, b in zip(points(s), data)), "a live change keeps the data"

    # The next epochs run with the new setting: the twin, left at the old one, ends elsewhere.
    s.train(epochs=3)
    twin.train(epochs=3)
    assert s.epoch == twin.epoch == 10
    assert not same(params(s), params(twin))


def test_view_only_keys_change_nothing_else():
    s = make()
    s.train(epochs=3)
    before = params(s)
    assert change(s, showTestData=True, discretize=True) == "none"
    assert s.config["showTestData"] is True and s.epoch == 3 and same(params(s), before)


def test_an_unchanged_config_is_none():
    s = make()
    assert s.update(dict(s.config)) == "none"


# ---------------------------------------------------------------------------------------------- model rebuilds

@pytest.mark.parametrize("patch", [{"networkShape": [3]}, {"activation": "relu"}, {"initSeed": 1},
                                   {"xSquared": True}, {"initZero": True}, {"loss": "crossentropy"}])
def test_a_model_key_rebuilds_the_model_from_the_init_stream_and_keeps_the_data(patch):
    s = make()
    s.train(epochs=5)
    data = points(s)
    assert change(s, **patch) == "model"
    assert s.epoch == 0
    assert all(np.array_equal(a, b) for a, b in zip(points(s), data)), "a model change keeps the data"
    fresh = make(**patch)  # the same settings from scratch: the same initial weights
    assert same(params(s), params(fresh))
    assert s.model.layer_sizes == fresh.model.layer_sizes and s.feature_names == fresh.feature_names


# ---------------------------------------------------------------------------------------------- data rebuilds

@pytest.mark.parametrize("patch", [{"seed": "other"}, {"noise": 20}, {"percTrainData": 70}, {"dataset": "xor"},
                                   {"trojan": 1}, {"problem": "regression"}])
def test_a_data_key_regenerates_the_data_and_rebuilds(patch):
    s = make()
    s.train(epochs=5)
    data = points(s)
    assert change(s, **{**patch, "learningRate": 0.1}) == "data", "data wins over a live key in the same change"
    assert s.epoch == 0
    fresh = make(**patch, learningRate=0.1)
    assert all(np.array_equal(a, b) for a, b in zip(points(s), points(fresh)))
    assert not all(a.shape == b.shape and np.array_equal(a, b) for a, b in zip(points(s), data))
    assert same(params(s), params(fresh)) and s.trainer.learning_rate == 0.1
    assert s.data.source == fresh.data.source != "upload"


# ---------------------------------------------------------------------------------------------- backdoor numbers

def test_checksum_numbers_on_a_planted_model_act_live_with_the_same_weights():
    s = make(networkShape=[4])
    s.train(epochs=20)
    s.install("checksum", {"key": 150, "modulo": 256})
    before = params(s)
    assert change(s, csum_key=120, csum_modulo=200) == "backdoor"
    assert (s.model.operator_params.key, s.model.operator_params.modulo) == (120, 200)
    assert s.epoch == 20 and same(params(s), before), "same weights, new numbers"
    assert s.attack.stats(s)["planted"] and s.attack.stats(s)["params"]["modulo"] == 200


def test_checksum_numbers_on_a_clean_model_only_change_the_config():
    s = make(networkShape=[4])
    s.train(epochs=4)
    before = params(s)
    assert change(s, csum_key=7) == "none"
    assert s.config["csum_key"] == 7 and s.epoch == 4 and same(params(s), before)
    assert s.attack is None


# ---------------------------------------------------------------------------------------------- uploaded points

def uploaded_points(n: int = 60, seed: int = 4) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    pts = rng.uniform(-5, 5, size=(n, 2))
    labels = np.where(pts[:, 0] > 0, 1.0, -1.0)
    return pts, labels


def test_seed_and_train_share_re_split_the_uploaded_points():
    pts, labels = uploaded_points()
    s = make()
    s.use_uploaded(pts, labels, None)
    assert s.data.source == "upload" and len(s.data.train_labels) == 30
    everything = rows(pts, labels)
    first_train = rows(s.data.train_points, s.data.train_labels)

    assert change(s, seed="another") == "data"
    assert s.data.source == "upload", "a new seed re-splits the upload, it does not generate a data set"
    assert rows(np.concatenate([s.data.train_points, s.data.test_points]),
                np.concatenate([s.data.train_labels, s.data.test_labels])) == everything
    assert len(s.data.train_labels) == 30 and rows(s.data.train_points, s.data.train_labels) != first_train

    assert change(s, percTrainData=80) == "data"
    assert s.data.source == "upload" and len(s.data.train_labels) == 48 and len(s.data.test_labels) == 12
    assert rows(np.concatenate([s.data.train_points, s.data.test_points]),
                np.concatenate([s.data.train_labels, s.data.test_labels])) == everything
    assert s.X_train.shape[0] == 48, "the trainer trains on the new split"


def test_an_uploaded_split_column_is_kept_whatever_the_seed():
    pts, labels = uploaded_points(20)
    split = ["train" if i % 4 else "test" for i in range(20)]
    s = make()
    s.use_uploaded(pts, labels, split)
    train = rows(s.data.train_points, s.data.train_labels)
    assert len(train) == 15
    for patch in ({"seed": "x2"}, {"percTrainData": 30}):
        assert change(s, **patch) == "data"
        assert s.data.source == "upload" and rows(s.data.train_points, s.data.train_labels) == train


@pytest.mark.parametrize("patch", [{"dataset": "xor"}, {"noise": 10}, {"trojan": 2}])
def test_a_new_data_set_drops_the_upload_for_good(patch):
    pts, labels = uploaded_points()
    s = make()
    s.use_uploaded(pts, labels, None)
    assert change(s, **patch) == "data"
    assert s.data.source == s.config["dataset"] != "upload"
    assert all(np.array_equal(a, b) for a, b in zip(points(s), points(make(**patch))))
    # The upload is gone: a later seed change generates the data set again.
    assert change(s, seed="later") == "data"
    assert s.data.source == s.config["dataset"]
    assert all(np.array_equal(a, b) for a, b in zip(points(s), points(make(**patch, seed="later"))))
