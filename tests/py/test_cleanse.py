"""Neural Cleanse (defense/cleanse.py): the K-class path on a tiny hand-built model, the K = 2 degenerate case, the
settings checks, and the playground's network with and without a poisoning backdoor."""

import numpy as np
import pytest

from backdoor_playground.defense import cleanse
from backdoor_playground.defense.cleanse_model import MLPClassifier, output_input_gradient
from backdoor_playground.playground import config as cfg
from backdoor_playground.playground import features, rng
from backdoor_playground.session import Session



@pytest.fixture(scope="module")
def trained_session():
    s = Session(cfg.from_hash("")[0])
    s.train(epochs=200)
    return s


ANGLES = np.radians(30.0 + 60.0 * np.arange(6))
CENTRES = 4.0 * np.stack([np.cos(ANGLES), np.sin(ANGLES)], axis=1)  # six classes around the origin


class Centroids:
    """K = 6 nearest-centroid classes, scores s_k = -|x - mu_k|^2 / 4; with a band class 0 also gets
    +40 sigmoid(4 (y - 5)): a universal trigger (y near 6) that needs a mask on one coordinate only."""

    n_classes = 6

    def __init__(self, band: bool):
        self.band = band

    def scores(self, X):
        diff = X[:, None, :] - CENTRES[None]
        s = -(diff ** 2).sum(axis=2) / 4.0
        ds = -diff / 2.0  # (n, K, 2)
        if self.band:
            sig = 1.0 / (1.0 + np.exp(-4.0 * (X[:, 1] - 5.0)))
            s[:, 0] += 40.0 * sig
            ds[:, 0, 1] += 40.0 * 4.0 * sig * (1.0 - sig)
        return s, ds

    def labels(self, X):
        return np.argmax(self.scores(X)[0], axis=1)

    def loss_grad(self, X, c):
        s, ds = self.scores(X)
        top = s.max(axis=1, keepdims=True)
        e = np.exp(s - top)
        soft = e / e.sum(axis=1, keepdims=True)
        loss = -np.log(soft[:, c])
        w = soft.copy()
        w[:, c] -= 1.0
        return np.argmax(s, axis=1), loss, (w[:, :, None] * ds).sum(axis=1)


def points(n=200):
    return rng.stream("test", "data").uniform(-6, 6, size=(n, 2))


@pytest.fixture(scope="module")
def k6():
    """Neural Cleanse on the infected and on the clean K = 6 model, from the same seeded starts."""
    return {band: cleanse.cleanse(Centroids(band=band), points(), cleanse.check({}), rng.stream("t", "defense"))
            for band in (True, False)}


def test_k6_flags_the_class_with_a_universal_trigger(k6):
    out = k6[True]
    l1 = [c["l1"] for c in out["classes"]]
    assert all(c["reached"] for c in out["classes"])
    assert out["flagged"] == [0]
    assert out["classes"][0]["anomaly_index"] > 2
    assert l1[0] == min(l1)
    # the trigger is a mask on y towards the top of the box: 12 (1 - m_y) <= the band's reach
    c0 = out["classes"][0]
    assert c0["mask"][0] < 0.1 and c0["mask"][1] > 0.8 and c0["pattern"][1] > 5
    assert not any("two classes" in n for n in out["notes"])


def test_k6_clean_model_flags_nothing_and_the_trigger_shrinks_the_mask(k6):
    out, infected = k6[False], k6[True]
    assert out["flagged"] == []
    assert infected["classes"][0]["l1"] < out["classes"][0]["l1"] - 0.2


def test_success_rate_is_checked_on_the_returned_trigger():
    clf = Centroids(band=True)
    X = points(80)
    out = cleanse.cleanse(clf, X, cleanse.check({"success": 0.9, "steps": 60, "restarts": 4}), rng.stream("t", "defense"))
    own = clf.labels(X)
    for c in out["classes"]:
        rest = X[own != c["class"]]
        moved = (1 - np.array(c["mask"])) * rest + np.array(c["mask"]) * np.array(c["pattern"])
        k = int((clf.labels(moved) == c["class"]).sum())
        assert (k, len(rest)) == (c["success"]["k"], c["success"]["n"])
        assert k >= 0.9 * len(rest)
        assert c["success"]["lo"] <= c["success"]["value"] <= c["success"]["hi"]


def test_deterministic_for_a_seed_and_different_across_seeds():
    X = points(60)
    quick = cleanse.check({"steps": 40, "restarts": 3})
    a = cleanse.cleanse(Centroids(True), X, quick, rng.stream("s", "defense"))
    b = cleanse.cleanse(Centroids(True), X, quick, rng.stream("s", "defense"))
    c = cleanse.cleanse(Centroids(True), X, quick, rng.stream("other", "defense"))
    assert a == b
    assert [x["mask"] for x in a["classes"]] != [x["mask"] for x in c["classes"]]


def test_anomaly_index_of_two_classes_is_always_the_same():
    for l1 in ([0.1, 1.9], [1.0, 1.5], [0.3, 0.31]):
        index, med, mad = cleanse.anomaly_index(l1)
        assert index[0] == pytest.approx(index[1]) == pytest.approx(1 / 1.4826)
    index, _, mad = cleanse.anomaly_index([1.0, 1.0])
    assert mad == 0 and list(index) == [0.0, 0.0]
    index, med, mad = cleanse.anomaly_index([1.0, 1.1, 0.9, 1.0, 0.2])
    assert med == 1.0 and mad == pytest.approx(1.4826 * 0.1)
    assert index[4] == pytest.approx(0.8 / (1.4826 * 0.1))


@pytest.mark.parametrize("raw, key", [({"success": 1.5}, "defense.success"), ({"steps": 2}, "defense.steps"),
                                      ({"restarts": 0.5}, "defense.restarts"), ({"lr": 0}, "defense.lr"),
                                      ({"radius": 1}, "defense.radius"), ({"type": "smoothing"}, "defense.type")])
def test_check_names_the_bad_key(raw, key):
    with pytest.raises(ValueError, match=rf"^{key}"):
        cleanse.check(raw)


def test_check_fills_defaults():
    assert cleanse.check({}) == {"type": "cleanse", **{k: v.default for k, v in cleanse.LIMITS.items()}}


def test_mlp_input_gradient_matches_finite_differences():
    names = ["x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY", "sinXTimesY", "cir", "avg"]
    from backdoor_playground.playground.nn import MLP
    model = MLP(len(names), [3, 2], ["tanh", "relu"], "tanh", rng.stream("g", "init"))
    clf = MLPClassifier(model, names)
    X = points(7) / 3
    for c in (0, 1):
        labels, loss, grad = clf.loss_grad(X, c)
        h = 1e-6
        for j in (0, 1):
            e = np.zeros(2)
            e[j] = h
            num = (clf.loss_grad(X + e, c)[1] - clf.loss_grad(X - e, c)[1]) / (2 * h)
            assert np.allclose(grad[:, j], num, atol=1e-5)
        assert list(labels) == list(clf.labels(X))
    out, d = output_input_gradient(model, features.feature_matrix(X, names))
    assert np.allclose(out, model.predict(features.feature_matrix(X, names)))


def test_k2_playground_network_says_the_index_cannot_flag(trained_session):
    s = trained_session
    out = cleanse.run(s, s.attacked(), {}, rng.stream(s.config["seed"], "defense"))
    assert [c["label"] for c in out["classes"]] == [-1.0, 1.0]
    assert out["flagged"] == []
    assert any("two classes" in n for n in out["notes"])
    assert all(c["anomaly_index"] == pytest.approx(1 / 1.4826) for c in out["classes"])
    assert out["target"] is None and "clean" not in out
    for c in out["classes"]:
        assert 0 <= c["l1"] <= 2 and c["success"]["value"] >= 0.95
        assert c["fires"]["k"] == 0  # no backdoor: the model is its own clean reference


def test_poisoning_reports_the_clean_comparison_and_the_trigger_region(trained_session):
    import copy
    s = copy.deepcopy(trained_session)
    settings = {"type": "poisoning"}
    s.install("poisoning", settings).activate_as(s, {**settings, "points": "all"})
    out = cleanse.run(s, s.attacked(), {}, rng.stream(s.config["seed"], "defense"))
    assert out["target"] == 1
    assert len(out["clean"]["classes"]) == 2
    target = out["classes"][1]
    assert target["l1_clean"] == out["clean"]["classes"][1]["l1"]
    assert target["pattern_to_trigger"] >= 0 and "lands_in_trigger" in target
    lo, hi = out["trigger_region"]
    assert lo[0] < 4.5 < hi[0] and lo[1] < -4.5 < hi[1]
    assert any("target class +1" in n for n in out["notes"])
