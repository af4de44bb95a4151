"""The worker's module, as the page drives it: init, update (live / model / data / backdoor), train, the CSV upload
and its re-split, export_csv, and call()'s dispatch and errors. Plain data in and out."""

from __future__ import annotations

import importlib
import json

import numpy as np
import pytest

from backdoor_playground.worker import api
from backdoor_playground.playground import modelio

HASH = "dataset=circle&networkShape=4,2&seed=api"


def weights(frame: dict) -> list:
    return [frame["weights"], frame["biases"]]


def rows(flat: list) -> list[tuple]:
    """A data_view list [x, y, label, ...] as sorted (x, y, label) rows."""
    return sorted(map(tuple, np.asarray(flat, dtype=np.float64).reshape(-1, 3).tolist()))


def csv_text(n: int = 40, split: bool = False) -> str:
    rng = np.random.default_rng(8)
    lines = ["x,y,label" + (",split" if split else "")]
    for i, (x, y) in enumerate(rng.uniform(-5, 5, size=(n, 2))):
        lines.append(f"{x:.4f},{y:.4f},{1 if x > 0 else -1}" + ((",train" if i % 4 else ",test") if split else ""))
    return "\n".join(lines) + "\n"


@pytest.fixture()
def snap() -> dict:
    return api.init(hash=HASH)


# ---------------------------------------------------------------------------------------------------- init

def test_init_returns_the_whole_state_as_plain_data(snap):
    assert set(snap) >= {"config", "hash", "notices", "data", "model", "frame"}
    assert snap["notices"] == [] and "seed=api" in snap["hash"] and snap["config"]["networkShape"] == [4, 2]
    assert snap["model"]["layer_sizes"] == [2, 4, 2, 1] and snap["frame"]["epoch"] == 0
    assert len(snap["data"]["train"]) == 3 * 250 and snap["data"]["source"] == "circle"
    assert api.init(hash=HASH)["frame"]["weights"] == snap["frame"]["weights"], "same link, same initial weights"


def test_init_falls_back_on_bad_values_with_notices():
    out = api.init(hash="learningRate=70&networkShape=9,9,9,9,9,9,9,9&activation=bogus")
    assert out["config"]["learningRate"] == 0.03 and out["config"]["activation"] == "tanh"
    assert any("learningRate" in n for n in out["notices"]) and any("activation" in n for n in out["notices"])
    assert api.init(config={"dataset": "xor", "seed": "c"})["data"]["source"] == "xor"


def test_every_call_before_init_says_so():
    importlib.reload(api)  # a fresh worker: no playground yet
    for method in ("train", "update", "export_csv", "frame"):
        with pytest.raises(ValueError, match="call init first"):
            api.call(method, {"patch": {}} if method == "update" else {})
    assert api.call("info")["package"]  # info needs no playground


# ---------------------------------------------------------------------------------------------------- update

def test_train_counts_epochs(snap):
    frame = api.call("train", {"epochs": 3})
    assert frame["epochs_run"] == 3 and frame["epoch"] == 3
    assert weights(frame) != weights(snap["frame"])
    frame = api.call("train", {"budget_ms": 5})
    assert frame["epochs_run"] >= 1 and frame["epoch"] == 3 + frame["epochs_run"]


def test_a_live_update_keeps_weights_and_epochs(snap):
    trained = api.call("train", {"epochs": 6})
    reply = api.call("update", {"patch": {'learningRate': 0.3, 'batchSize': 4}})
    assert reply["kind"] == "live"
    assert "frame" not in reply and "data" not in reply, "a live change sends no snapshot"
    assert "learningRate=0.3" in reply["hash"] and reply["config"]["batchSize"] == 4
    now = api.call("frame")
    assert now["epoch"] == 6 and weights(now) == weights(trained)
    # The new rate applies from the next epoch: a twin at the old rate ends elsewhere.
    after = api.call("train", {"epochs": 2})
    assert after["epoch"] == 8
    api.init(hash=HASH)
    api.call("train", {"epochs": 6})
    assert weights(api.call("train", {"epochs": 2})) != weights(after)


def test_a_view_only_update_is_none(snap):
    api.call("train", {"epochs": 2})
    reply = api.call("update", {"patch": {'showTestData': True}})
    assert reply["kind"] == "none" and reply["config"]["showTestData"] is True and "frame" not in reply
    assert api.call("frame")["epoch"] == 2


def test_a_model_update_rebuilds_with_a_snapshot(snap):
    api.call("train", {"epochs": 5})
    reply = api.call("update", {"patch": {'networkShape': [3]}})
    assert reply["kind"] == "model"
    assert reply["frame"]["epoch"] == 0 and reply["model"]["layer_sizes"] == [2, 3, 1]
    assert reply["data"] == snap["data"], "a model change keeps the data"
    assert weights(reply["frame"]) == weights(api.init(hash=HASH.replace("4,2", "3"))["frame"])


def test_a_data_update_regenerates_with_a_snapshot(snap):
    api.call("train", {"epochs": 5})
    reply = api.call("update", {"patch": {'seed': 'other', 'learningRate': 0.1}})
    assert reply["kind"] == "data" and reply["frame"]["epoch"] == 0
    assert reply["data"]["train"] != snap["data"]["train"] and reply["data"]["source"] == "circle"
    assert reply["data"] == api.init(hash=HASH.replace("seed=api", "seed=other"))["data"]


def test_bad_update_values_fall_back_with_notices(snap):
    api.call("train", {"epochs": 2})
    reply = api.call("update", {"patch": {'learningRate': 'fast', 'batchSize': 500}})
    assert reply["kind"] == "none"
    assert reply["config"]["learningRate"] == 0.03 and reply["config"]["batchSize"] == 10
    assert any("learningRate" in n for n in reply["notices"]) and any("batchSize" in n for n in reply["notices"])
    assert api.call("frame")["epoch"] == 2


def test_checksum_numbers_on_a_planted_model_keep_the_weights():
    api.init(hash="dataset=circle&networkShape=4&seed=bd")
    api.call("train", {"epochs": 30})
    planted = api.call("plant", {"params": {'key': 150, 'modulo': 256}})
    reply = api.call("update", {"patch": {'csum_key': 100, 'csum_modulo': 128}})
    assert reply["kind"] == "backdoor"
    assert weights(reply["frame"]) == weights(planted["frame"]) and reply["frame"]["epoch"] == 30
    assert reply["backdoor"]["planted"] and reply["backdoor"]["params"]["modulo"] == 128
    assert reply["backdoor"]["params"]["key"] == 100
    assert "csum_modulo=128" in reply["hash"]


# ---------------------------------------------------------------------------------------------------- CSV files

def test_import_csv_then_seed_and_share_re_split_the_upload(snap):
    out = api.call("import_csv", {"text": csv_text(40)})
    assert out["data"]["source"] == "upload" and out["frame"]["epoch"] == 0
    assert out["notices"] == ["using 40 uploaded points (they are not part of the link)"]
    everything = rows(out["data"]["train"] + out["data"]["test"])
    assert len(everything) == 40 and len(out["data"]["train"]) == 3 * 20

    reply = api.call("update", {"patch": {'seed': 'resplit'}})
    assert reply["kind"] == "data" and reply["data"]["source"] == "upload", "the upload is re-split, not replaced"
    assert rows(reply["data"]["train"] + reply["data"]["test"]) == everything
    assert rows(reply["data"]["train"]) != rows(out["data"]["train"])

    reply = api.call("update", {"patch": {'percTrainData': 70}})
    assert reply["data"]["source"] == "upload" and len(reply["data"]["train"]) == 3 * 28
    assert rows(reply["data"]["train"] + reply["data"]["test"]) == everything


def test_a_new_data_set_drops_the_upload(snap):
    api.call("import_csv", {"text": csv_text(40)})
    reply = api.call("update", {"patch": {'dataset': 'xor'}})
    assert reply["kind"] == "data" and reply["data"]["source"] == "xor"
    assert len(reply["data"]["train"]) + len(reply["data"]["test"]) == 3 * 500
    reply = api.call("update", {"patch": {'seed': 'after'}})
    assert reply["data"]["source"] == "xor", "the upload does not come back"


def test_export_csv_round_trips_the_current_split(snap):
    text = csv_text(40, split=True)
    api.call("import_csv", {"text": text})
    reply = api.call("update", {"patch": {'seed': 'ignored'}})  # the file's own split column wins over the seed
    assert reply["data"]["source"] == "upload"
    pts, labels, split = modelio.parse_data_csv(api.call("export_csv"))
    assert split.count("train") == 30 and split.count("test") == 10
    file_pts, file_labels, file_split = modelio.parse_data_csv(text)
    for part in ("train", "test"):
        exported = [(*p, l) for p, l, s in zip(pts.tolist(), labels.tolist(), split) if s == part]
        given = [(*p, l) for p, l, s in zip(file_pts.tolist(), file_labels.tolist(), file_split) if s == part]
        assert sorted(exported) == sorted(given) == rows(reply["data"][part])


def test_export_csv_of_generated_data_is_the_snapshot(snap):
    pts, labels, split = modelio.parse_data_csv(api.call("export_csv"))
    train = [i for i, s in enumerate(split) if s == "train"]
    np.testing.assert_array_equal(np.column_stack([pts[train], labels[train]]).ravel(), snap["data"]["train"])


def test_a_bad_csv_changes_nothing(snap):
    api.call("train", {"epochs": 3})
    with pytest.raises(ValueError, match="row 3"):
        api.call("import_csv", {"text": 'x,y,label\n1,2,1\n3,abc,-1\n'})
    assert api.call("frame")["epoch"] == 3
    assert modelio.parse_data_csv(api.call("export_csv"))[0].shape == (500, 2)


# ---------------------------------------------------------------------------------------------------- call()

def test_call_dispatches_to_the_public_functions(snap):
    assert api.call("train", {"epochs": 2})["epoch"] == 2
    assert api.call("update", {"patch": {"learningRate": 0.1}})["kind"] == "live"
    assert api.call("frame")["epoch"] == 2
    assert api.call("memory_info")["data"]["empty"], "handlers on the session dispatch too"


def test_call_refuses_unknown_methods_and_bad_arguments(snap):
    for method in ("nope", "", "_session", "session_handler", "__init__"):
        with pytest.raises(ValueError, match="unknown method"):
            api.call(method, {})
    with pytest.raises(TypeError):
        api.call("train", {"epochs": 1, "bogus": 2})
    with pytest.raises(TypeError):
        api.call("update", {})  # patch is required
    with pytest.raises(TypeError):
        api.call("memory_info", {"extra": 1})
    assert api.call("frame")["epoch"] == 0, "refused calls change nothing"


def test_a_model_file_keeps_its_epoch_count(snap):
    """Importing a trained model resumes its epoch count (issue 12 #12); an older file without one starts at 0."""
    api.call("train", {"epochs": 7})
    document = api.call("export_model")
    assert document["epoch"] == 7
    api.init(hash="dataset=xor")
    snapshot = api.call("import_model", {"text": json.dumps(document)})
    assert snapshot["frame"]["epoch"] == 7 and api.call("train", {"epochs": 2})["epoch"] == 9
    older = {k: v for k, v in document.items() if k != "epoch"}
    assert api.call("import_model", {"text": json.dumps(older)})["frame"]["epoch"] == 0
    for bad in (-1, 2.5, True, "7"):
        with pytest.raises(ValueError, match="^epoch"):
            api.call("import_model", {"text": json.dumps({**document, "epoch": bad})})
