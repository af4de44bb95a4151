"""The worker's side of issue 14's page views: the 3-D slice height (frame z), the digits' predictions in a frame,
the picker's thumbnails of the sets beyond the plane, and the checksum calibration beside 3-D / 64-D data."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.playground import classes, datasets_nd
from backdoor_playground.worker import api, tables
from backdoor_playground.worker import playground as handlers


def test_frame_z_moves_the_slice_and_later_frames_keep_it():
    api.init(hash="dataset=circle3d&z=true&seed=kd")
    s = api.session()
    at0 = handlers.frame(s)
    moved = handlers.frame(s, z=4.5)
    assert moved["z"] == 4.5 and at0["z"] == 0.0
    assert moved["grids"] != at0["grids"]  # the picture is the slice at the new height
    assert handlers.train(s, epochs=1)["z"] == 4.5
    with pytest.raises(ValueError, match=r"^z must be a number in \[-6, 6\]"):
        handlers.frame(s, z=6.5)
    assert handlers.frame(s)["z"] == 4.5  # a refused height changes nothing


def test_frame_z_is_refused_on_planar_data():
    api.init(hash="dataset=spiral3")
    with pytest.raises(ValueError, match=r"^z: the slice height applies to 3-D data only; this data is 2-D"):
        handlers.frame(api.session(), z=1.0)


def test_a_digits_frame_carries_each_test_images_predicted_class():
    api.init(hash="dataset=digits&networkShape=8&seed=kd")
    s = api.session()
    frame = handlers.train(s, epochs=3)
    pred = np.frombuffer(frame["test_pred"], dtype=np.uint8)
    assert pred.shape == (len(s.data.test_labels),)
    assert np.array_equal(pred, np.argmax(s.model.predict(s.X_test), axis=1))
    assert np.mean(pred == s.data.test_labels) == pytest.approx(frame["acc_test"])
    assert np.sum(np.diag(frame["confusion_test"])) == np.sum(pred == s.data.test_labels)


def test_thumbnails_of_the_sets_beyond_the_plane():
    thumbs = {t["name"]: t for t in tables.thumbs_table()}
    planar = [t for t in thumbs.values() if "d" not in t]
    assert {t["name"] for t in planar}.isdisjoint(datasets_nd.SPECS)
    for name, spec in datasets_nd.SPECS.items():
        t = thumbs[name]
        assert (t["d"], t["k"], t["problem"]) == (spec.d, spec.k, "classification")
        if spec.make is None:  # the digits: nine images, one per class 0..8
            assert len(t["images"]) == 9 * 64 and 0 <= min(t["images"]) and max(t["images"]) <= 16
            continue
        rows = np.asarray(t["points"]).reshape(-1, 3)
        assert len(rows) == tables.THUMB_POINTS
        assert np.abs(rows[:, :2]).max() <= 6.0  # 3-D sets projected into the picture's box
        classes.check_labels(rows[:, 2], spec.k)


def test_the_slice_height_limit_reaches_the_page():
    z = tables.state_table()["limits"]["playground"]["z"]
    assert (z["low"], z["high"], z["default"], z["integer"]) == (-6.0, 6.0, 0.0, False)


@pytest.mark.parametrize("hash_", ["dataset=circle3d&z=true", "dataset=digits&networkShape=8"])
def test_the_checksum_calibration_runs_beside_data_beyond_the_plane(hash_):
    api.init(hash=hash_)
    rates = api.call("calibrate", {"budget_ms": 20})["trials_per_s"]
    assert rates and all(v > 0 for v in rates.values())
