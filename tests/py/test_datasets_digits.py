"""The digits data set's side of the hook: playground/digits.load() is called lazily (faked here), scaled, split
with the config's train share, and trains a 64-input, 10-class network."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from backdoor_playground.playground import config as c
from backdoor_playground.playground import datasets as ds
from backdoor_playground.session import Session

MODULE = "backdoor_playground.playground.digits"


@pytest.fixture
def fake_digits(monkeypatch):
    """A fake digits.load(): 10 classes of 8x8 images 0..16, each class a bright pixel block of its own."""
    rng = np.random.default_rng(0)
    labels = np.arange(1797, dtype=np.int64) % 10
    images = rng.integers(0, 3, size=(1797, 64)).astype(np.float64)
    for k in range(10):
        images[labels == k, 6 * k:6 * k + 4] = 16.0
    calls = []

    def load():
        calls.append(1)
        return images.copy(), labels.copy()

    import backdoor_playground.playground as pkg
    fake = types.ModuleType(MODULE)
    fake.load = load
    monkeypatch.setitem(sys.modules, MODULE, fake)
    monkeypatch.setattr(pkg, "digits", fake, raising=False)
    return images, labels, calls


def test_digits_are_loaded_lazily_split_by_the_config_and_scaled(fake_digits):
    images, labels, calls = fake_digits
    data = ds.make_dataset("digits", 0, "3", 60)
    assert calls == [1] and (data.d, data.k) == (64, 10)
    assert data.train_points.shape == (1078, 64) and data.test_points.shape == (719, 64)
    assert set(data.train_labels.tolist()) == set(map(float, range(10)))
    again = ds.make_dataset("digits", 0, "3", 60)
    assert np.array_equal(again.train_points, data.train_points)
    unit = ds.make_dataset("digits", 0, "3", 60, digits_scale="unit")
    np.testing.assert_array_equal(unit.train_points * 16.0, data.train_points)
    with pytest.raises(ValueError, match="digits_scale"):
        ds.make_dataset("digits", 0, "3", 60, digits_scale="half")


def test_digits_session_has_64_pixel_inputs_10_outputs_and_no_plane_grids(fake_digits):
    config, _ = c.validate({"dataset": "digits", "digits_scale": "unit", "networkShape": [8], "epochs": 10,
                            "learningRate": 0.3})
    s = Session(config)
    assert s.shape == (64, 10) and s.model.layer_sizes == (64, 8, 10) and s.feature_names[:2] == ["px0", "px1"]
    s.train(epochs=10)
    m = s.metrics()
    assert m["acc_test"] >= 0.9 and len(m["confusion_test"]) == 10
    frame = s.frame()
    assert frame["layout"] == [] and frame["d"] == 64 and frame["k"] == 10


def test_bad_digits_data_is_refused(fake_digits, monkeypatch):
    images, labels, _ = fake_digits
    monkeypatch.setattr(sys.modules[MODULE], "load", lambda: (images * 2, labels))
    with pytest.raises(ValueError, match="pixel values must lie in 0..16"):
        ds.make_dataset("digits", 0, "3", 60)


def test_a_build_without_the_digits_module_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, MODULE, None)  # import of the module is refused, as when the file is absent
    with pytest.raises(ValueError, match="^dataset digits: its data is not part of this build"):
        ds.make_dataset("digits", 0, "3", 60)
