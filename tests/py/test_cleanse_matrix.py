"""Neural Cleanse as the matrix's "cleanse" column: its metrics for a poisoning, a checksum and a signature backdoor,
and the two-class reality (the anomaly index flags nothing: detection 0, no false positive)."""

from __future__ import annotations

import pytest

from backdoor_playground.experiment import matrix, matrix_columns

CONFIG = {"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 200}
BACKDOORS = ["poisoning", "checksum:decimal", "signature:toy-rsa"]


@pytest.fixture(scope="module")
def summary():
    return matrix.summarize(matrix.run_matrix(CONFIG, 1, BACKDOORS, ["cleanse"], workers=1))


def value(summary, backdoor, metric):
    return next(s for s in summary if s[:3] == (backdoor, "cleanse", metric))


def test_cleanse_is_the_last_column():
    assert list(matrix_columns.COLUMNS)[-1] == "cleanse"


def test_every_backdoor_gets_the_cleanse_metrics(summary):
    for b in BACKDOORS:
        for metric in ("detection_tpr", "detection_fpr", "anomaly_index", "trigger_l1", "seconds",
                       "clean_accuracy_after", "attack_success_rate_after"):
            value(summary, b, metric)
        assert 0.0 < value(summary, b, "trigger_l1")[4] <= 2.0  # the plane: a full mask sends everything to a point
        # two classes: the anomaly index is 1/1.4826 for both, nothing is flagged
        assert value(summary, b, "anomaly_index")[4] == pytest.approx(1 / 1.4826)
        fpr = value(summary, b, "detection_fpr")
        assert fpr[4] == 0.0 and fpr[6:8] == (0, 1 if b == "poisoning" else 2)  # classes other than the target


def test_detection_has_a_target_only_for_the_poisoning_backdoor(summary):
    assert value(summary, "poisoning", "detection_tpr")[6:8] == (0, 1)
    for b in ("checksum:decimal", "signature:toy-rsa"):
        assert value(summary, b, "detection_tpr")[4] is None  # the target is the opposite of each point's label


def test_input_specific_triggers_leave_the_mask_as_on_the_clean_network(summary):
    """The signature block leaves the network as it is: no clean L1 to compare; the checksum operator changes the
    network only at its trigger residues, so the clean model's L1 is the same within noise."""
    assert value(summary, "signature:toy-rsa", "trigger_l1_clean")[4] is None
    l1, l1_clean = (value(summary, "checksum:decimal", m)[4] for m in ("trigger_l1", "trigger_l1_clean"))
    assert l1 == pytest.approx(l1_clean, abs=0.1)
