"""Backdoor 1 (the checksum inside the operator): planting and measuring (checksum/plant.py), and the page's
session/api calls around them.

Expected values come from the spec's checksum table (csum(0.5) = 67, csum(1.234) = 72, csum(-6.523397043823967) =
114 at m = 256, p = 15), from hand-built one-node networks whose pre-activation is the input itself, from
independent recomputation (csum on recorded pre-activations, fresh forward passes on recorded points), or from
arithmetic done by hand in the comments.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from backdoor_nets import DOUGHNUT, identity_net, trained_doughnut

from backdoor_playground import checksum as bd, checksum as ck
from backdoor_playground.checksum import ChecksumParams
from backdoor_playground.playground import config as cfg, grid
from backdoor_playground.playground.features import feature_matrix
from backdoor_playground.playground.nn import MLP
from backdoor_playground.worker import api
from backdoor_playground.worker import checksum as checksum_handlers


@pytest.fixture(scope="module")
def doughnut():
    """The issue's workflow: circle, [4] ReLU, 500 epochs; (session, clean model, planted model)."""
    return trained_doughnut()

# ----------------------------------------------------------------------------------------------------------------------
# planting and measuring


def test_plant_keeps_weights_and_swaps_operators():
    model = MLP(2, [3, 2], ["relu", "linear"], "tanh", np.random.default_rng(0))
    planted = bd.plant(model, {"key": 99, "layers": "all"})
    assert planted.activation_names == ["relu_csum", "linear_csum", "tanh"]
    assert planted.operator_params == ChecksumParams(key=99)
    for a, b in zip(model.weights + model.biases, planted.weights + planted.biases):
        np.testing.assert_array_equal(a, b)
    # the original is untouched
    assert model.activation_names == ["relu", "linear", "tanh"] and model.operator_params is None
    first = bd.plant(planted, {"layers": "first"})
    assert first.activation_names == ["relu_csum", "linear", "tanh"] and bd.planted_layers(first) == [0]
    back = bd.unplant(planted)
    assert back.activation_names == ["relu", "linear", "tanh"] and back.operator_params is None
    np.testing.assert_array_equal(back.parameter_vector(), model.parameter_vector())


def test_plant_refuses_what_it_cannot_plant():
    with pytest.raises(ValueError, match="^networkShape"):
        bd.plant(MLP(2, [], [], "tanh", np.random.default_rng(0)), {})
    model = MLP(2, [2], ["relu"], "tanh", np.random.default_rng(0))
    with pytest.raises(ValueError, match="^layers"):
        bd.plant(model, {"layers": "last"})
    with pytest.raises(ValueError, match="^colour"):
        bd.plant(model, {"colour": 1})
    with pytest.raises(ValueError, match="^key"):
        bd.plant(model, {"key": 65536})
    assert bd.plant(model, {"key": 300}).operator_params.key == 300 % 256  # the key rule: read modulo m


def test_agreement_and_trigger_rate_on_a_hand_built_net():
    clean = identity_net("relu")
    planted = bd.plant(clean, {"key": 67})
    X = np.array([[0.5], [1.234], [-1.0], [0.5]])  # only 0.5 fires (csum 67); -1 gives relu 0 either way
    assert bd.trigger_rate(planted, X) == 0.5
    assert bd.node_trigger_rate(planted, X) == 0.5
    # outputs: clean 0.5, 1.234, 0, 0.5; planted -0.5, 1.234, 0, -0.5: the two 0.5s change sign
    assert bd.agreement(clean, planted, X) == 0.5
    assert bd.trigger_rate(clean, X) == 0.0  # nothing planted, nothing fires


def test_params_from_config_reads_the_key_modulo_m():
    config, _ = cfg.validate({"csum_modulo": 20, "csum_variant": "parity", "csum_layers": "first"})
    params = bd.params_from_config(config)
    assert params.csum == ChecksumParams(variant="parity", key=150 % 20, modulo=20)
    assert params.layers == "first"


def test_doughnut_plant_keeps_agreement(doughnut):
    s, clean, planted = doughnut
    X_grid = feature_matrix(grid.grid_points(100), s.feature_names)
    assert bd.agreement(clean, planted, s.X_test) >= 0.97
    assert bd.agreement(clean, planted, X_grid) >= 0.97
    assert 0 < bd.node_trigger_rate(planted, X_grid) < 0.01  # NN Calculator: ~0.1 % of node evaluations


# ----------------------------------------------------------------------------------------------------------------------
# session and api


@pytest.fixture()
def page(doughnut):
    """An api session holding the trained doughnut model (unplanted)."""
    s, clean, _ = doughnut
    api.init(config=DOUGHNUT)
    api.session().model = clean.copy()
    api.session().make_trainer()
    return api.session()


def test_api_plant_records_the_backdoor_in_config_and_link(page):
    reply = api.call("plant", {"params": {'key': 150}})
    assert reply["config"]["activations"] == ["relu_csum"]
    assert "activations=relu_csum" in reply["hash"]
    stats = reply["backdoor"]
    assert stats["planted"] and stats["layers"] == [1] and stats["agreement"] >= 0.97
    assert stats["agreement_grid"] >= 0.97 and 0 <= stats["trigger_rate"] < 0.05
    assert len(reply["frame"]["grids"]) > 0
    assert page.attack.clean_model is not None and page.attack.clean_model.activation_names[0] == "relu"


def test_api_model_file_round_trips_a_planted_model(page):
    api.call("plant", {"params": {'variant': 'keyed', 'modulo': 64, 'key': 5, 'secret': 77}})
    X = page.X_test
    before = page.model.predict(X)
    document = api.call("export_model")
    assert document["config"]["csum_variant"] == "keyed" and document["config"]["csum_secret"] == 77
    api.call("import_model", {"text": json.dumps(document)})
    after = api.session().model
    assert after.operator_params == ChecksumParams("keyed", 5, 64, 15, 77)
    np.testing.assert_array_equal(after.predict(X), before)


def test_api_new_numbers_act_live_and_unplant_restores(page):
    api.call("plant")
    reply = api.call("update", {"patch": {'csum_key': 120, 'learningRate': 0.1}})
    assert reply["kind"] == "backdoor" and page.model.operator_params.key == 120 and "frame" in reply
    assert page.trainer.learning_rate == 0.1
    reply = api.call("unplant")
    assert reply["config"]["activations"] == [] and page.model.activation_names == ["relu", "tanh"]
    assert reply["backdoor"]["planted"] is False
    api.call("plant")
    reply = api.call("update", {"patch": {'activation': 'tanh'}})  # the menu after planting: tanh everywhere, a fresh model
    assert reply["kind"] == "model" and reply["config"]["activations"] == []
    assert api.session().model.activation_names == ["tanh", "tanh"] and api.session().attack is None


def test_api_activate_and_search(page):
    api.call("plant")
    result = api.call("activate", {"method": 'digit-edit', "points": [0, 1, 2, 3]})
    assert result["summary"]["attempted"] == 4 and page.attack.activated is result
    assert 0 <= result["summary"]["test_accuracy_after"] <= 1
    with pytest.raises(ValueError, match="method"):
        api.call("activate", {"method": 'guess'})
    api.call("plant", {"params": {'variant': 'keyed', 'modulo': 16}})
    progress = api.call("search_start", {"points": [0, 1], "params": {'k': 1}})
    assert progress["total"] == 2 and not progress["finished"]
    while not progress["finished"]:
        progress = api.call("search_step", {"budget_ms": 20})
    assert progress["result"]["summary"]["matched"] == 2
    api.call("search_start", {"points": 'all', "params": {'k': 4}})
    assert api.call("search_cancel")["cancelled"]
    with pytest.raises(ValueError, match="search_start"):
        api.call("search_step")


def test_api_calibration_estimate_and_histograms(page):
    with pytest.raises(ValueError, match="calibrate"):
        checksum_handlers._trials_per_s.clear()
        api.call("search_estimate", {"variant": 'keyed'})
    estimate = api.call("search_estimate", {"variant": 'keyed', "modulo": 256, "k": 2, "budget_s": 1.0, "trials_per_s": 65536.0})
    assert estimate["expected_trials"] == 65536 and estimate["predicted_seconds"] == pytest.approx(1.0)
    assert estimate["max_modulo"] == 256 and estimate["max_k"] == 2 and "max modulo 256" in estimate["text"]
    assert set(api.call("calibrate", {"budget_ms": 30})["trials_per_s"]) == set(ck.VARIANTS)
    hist = api.call("residue_histograms", {"modulo": 64})
    n = len(page.data.train_labels) + len(page.data.test_labels)
    assert hist["count"] == 4 * n
    for variant, counts in hist["histograms"].items():
        assert len(counts) == 64 and sum(counts) == 4 * n
    assert hist["distinct"]["keyed"] == 64 and hist["distinct"]["decimal"] < 64
