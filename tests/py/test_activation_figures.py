"""Issue 12 #8: one definition of the activation's size and cost. median |dx| / max |dx| = the median / largest
max-norm move over the activated points, activation_seconds_per_point = total seconds / activated points: the same
keys and the same numbers in every backdoor's activation summary (checksum digit edit and search, the signature
block), in the metrics table (defense_metrics) and in the CLI's result JSON."""

from __future__ import annotations

import numpy as np
import pytest

from backdoor_playground.defense.attacked import activation_figures
from backdoor_playground.worker import api

KEYS = ("median_abs_delta", "max_abs_delta", "activation_seconds_per_point")


def test_activation_figures_by_hand():
    assert activation_figures([0.0, 1e-3, 2e-3, 5e-3], 2.0) == {
        "median_abs_delta": pytest.approx(1.5e-3), "max_abs_delta": 5e-3, "activation_seconds_per_point": 0.5}
    assert activation_figures([], 1.0) == dict.fromkeys(KEYS)
    assert activation_figures([1.0], None)["activation_seconds_per_point"] is None


def _same_in_summary_and_metrics(summary: dict, n_activated: int) -> None:
    table = api.call("defense_metrics")
    assert table["attack_success_rate"]["n"] == n_activated == summary["attempted"]
    for key in KEYS:
        assert summary[key] is not None and summary[key] == pytest.approx(table[key], rel=1e-12), key
    assert summary["activation_seconds_per_point"] == pytest.approx(summary["seconds"] / n_activated)
    # the old, differently defined keys are gone (one name per number)
    for old in ("sign_ms_per_point", "median_abs_delta_moved", "max_abs_delta_moved"):
        assert old not in summary
    for old in ("perturbation_median", "perturbation_max"):
        assert old not in table


@pytest.mark.parametrize("method, params", [("digit-edit", None), ("search", {"k": 1})])
def test_checksum_summary_and_metrics_agree(method, params):
    api.init(hash="dataset=circle&networkShape=4&csum_modulo=4")
    api.call("train", {"epochs": 50})
    api.call("plant")
    points = list(range(0, 40, 2))
    r = api.call("activate", {"method": method, "points": points, **({"params": params} if params else {})})
    s = r["summary"]
    deltas = [rec["delta"] for rec in r["records"]]
    assert s["max_abs_delta"] == max(deltas)  # over every activated point, not only the flipped ones
    assert s["flipped"] < s["attempted"] or max(deltas) == max(rec["delta"] for rec in r["records"] if rec["flipped"])
    _same_in_summary_and_metrics(s, len(points))


def test_signature_summary_and_metrics_agree():
    api.init(hash="dataset=circle&networkShape=4")
    api.call("train", {"epochs": 50})
    api.call("signature_install", {"scheme": "ed25519"})
    points = list(range(10))
    s = api.call("signature_activate", {"points": points})["summary"]
    _same_in_summary_and_metrics(s, len(points))
    # the time per point is the whole activation's (signing, writing the carrier, verifying), not signing alone
    assert s["activation_seconds_per_point"] * len(points) == pytest.approx(s["seconds"])


def test_cli_result_names_them_alike():
    from backdoor_playground.experiment import stages

    _, result = stages.run_session({"dataset": "circle", "networkShape": [4], "epochs": 30,
                                    "backdoor": {"type": "checksum", "modulo": 4},
                                    "defense": {"type": "proximity"}})
    activation, metrics = result["activation"], result["metrics"]
    for key in KEYS[:2]:
        assert activation[key] == pytest.approx(metrics[key], rel=1e-12), key
    assert np.isfinite(metrics["activation_seconds_per_point"])


# ---------------------------------------------------------------------------------------------------------------
# issue 12 #9: the texts Python sends read right ("an Ed25519"); the page turns their 2^-44 / 7.5e-09 into 2⁻⁴⁴ /
# 7.5 × 10⁻⁹ (format.js mathText, checked in the browser tests)


@pytest.mark.parametrize("word, expected", [("Ed25519", "an"), ("RSA-2048 FDH", "an"), ("Lamport one-time", "a"),
                                            ("toy RSA-FDH", "a"), ("8", "an"), ("18", "an"), ("11", "an"),
                                            ("16", "a"), ("32", "a"), ("80", "an"), ("512", "a")])
def test_article(word, expected):
    from backdoor_playground.signature.settings import article

    assert article(word) == expected


@pytest.mark.parametrize("scheme", ["ed25519", "rsa", "lamport", "toy-rsa"])
def test_descriptions_use_the_right_article(scheme):
    api.init(hash="dataset=circle&networkShape=4")
    view = api.call("signature_install", {"scheme": scheme})["view"]
    text = view["description"]
    assert "a Ed25519" not in text and "a RSA" not in text and "a 8-bit" not in text and "a 18-bit" not in text
    if scheme == "ed25519":
        assert "an Ed25519 (RFC 8032) signature" in text
