"""The backdoor x defense matrix (experiment/matrix.py, `python3 -m backdoor_playground matrix`): every pair through
the Attack protocol and the defenses, tidy rows with exactly the documented columns, a pooled Wilson summary, the
same rows whatever --jobs is, and the qualitative result pinned with margins on fixed seeds."""

from __future__ import annotations

import json

import pytest

from backdoor_playground.experiment import cli, matrix

CONFIG = {"dataset": "circle", "networkShape": [8], "activation": "relu", "epochs": 200}
BACKDOORS = ["poisoning", "checksum:decimal", "signature:toy-rsa", "csum-signature"]
DEFENSES = ["none", "proximity", "smoothing"]


@pytest.fixture(scope="module")
def rows():
    return matrix.run_matrix(CONFIG, 1, BACKDOORS, DEFENSES, workers=1)


def mean(summary, backdoor, defense, metric):
    return next(s[4] for s in summary if s[:3] == (backdoor, defense, metric))


def test_every_pair_has_its_metrics(rows):
    cells = {(r[0], r[1]) for r in rows}
    assert cells == {(b, d) for b in BACKDOORS for d in DEFENSES}
    metrics = {r[3] for r in rows if r[1] == "proximity"}
    assert {"clean_accuracy_after", "attack_success_rate_after", "detection_tpr", "detection_fpr",
            "abstention_rate", "seconds"} <= metrics
    assert "detection_tpr" not in {r[3] for r in rows if r[1] == "none"}, "the undefended column detects nothing"


def test_the_qualitative_result_on_a_fixed_seed(rows):
    """Input-space defenses stop the input-specific, tiny triggers (checksum, signature) and not the poisoned
    region, whose training points vote for the target; the clean accuracy stays up everywhere."""
    s = matrix.summarize(rows)
    assert mean(s, "signature:toy-rsa", "none", "attack_success_rate_after") >= 0.95
    assert mean(s, "signature:toy-rsa", "proximity", "attack_success_rate_after") <= 0.1
    assert mean(s, "checksum:decimal", "proximity", "attack_success_rate_after") <= 0.05
    assert mean(s, "checksum:decimal", "smoothing", "attack_success_rate_after") <= 0.05
    assert mean(s, "poisoning", "none", "attack_success_rate_after") >= 0.9
    assert mean(s, "poisoning", "proximity", "attack_success_rate_after") >= 0.9
    assert all(mean(s, b, d, "clean_accuracy_after") >= 0.95 for b in BACKDOORS for d in DEFENSES)
    assert mean(s, "csum-signature", "none", "attack_success_rate_after") is None  # it triggers nothing: n = 0


def test_the_issue_s_pinned_results_for_the_new_columns():
    """The poison detectors catch the poisoned points; quantisation far above the trigger size stops the decimal
    checksum; the signature backdoor survives fine-tuning (persistence) and the key holder re-activates it."""
    # epochs 300: at 200 epochs seed "0"'s poisoned points do not yet split from the clean ones in the last layer
    rows = matrix.run_matrix({**CONFIG, "epochs": 300}, 1, ["poisoning", "checksum:decimal", "signature:toy-rsa"],
                             ["quantisation", "fine-tuning", "clustering", "spectral"], workers=1)
    s = matrix.summarize(rows)
    assert mean(s, "poisoning", "clustering", "detection_tpr") >= 0.8
    assert mean(s, "poisoning", "clustering", "detection_fpr") <= 0.1
    assert mean(s, "checksum:decimal", "quantisation", "attack_success_rate_after") <= 0.05
    assert mean(s, "signature:toy-rsa", "fine-tuning", "attack_success_rate_after") >= 0.95
    assert mean(s, "signature:toy-rsa", "fine-tuning", "attack_success_rate_adaptive") >= 0.95
    assert mean(s, "signature:toy-rsa", "quantisation", "attack_success_rate_adaptive") == 0.0
    assert mean(s, "signature:toy-rsa", "spectral", "detection_tpr") is None, "a plant poisons no training point"


def test_the_summary_pools_the_counts_into_one_wilson_interval(rows):
    two = matrix.run_matrix(CONFIG, 2, ["checksum:decimal"], ["none"], workers=1)
    s = matrix.summarize(two)
    row = next(r for r in s if r[2] == "attack_success_rate_after")
    per_seed = [r for r in two if r[3] == "attack_success_rate_after"]
    assert row[3] == 2 and row[6] == sum(r[5] for r in per_seed) and row[7] == sum(r[6] for r in per_seed)
    assert row[8] <= row[6] / row[7] <= row[9]


def test_the_command_line(tmp_path, capsys):
    config = tmp_path / "c.json"
    config.write_text(json.dumps(CONFIG))
    out = tmp_path / "matrix.tsv"
    args = ["matrix", str(config), "--seeds", "1", "--backdoors", "checksum:decimal,signature:toy-rsa",
            "--defenses", "none,proximity", "--out", str(out)]
    assert cli.main([*args, "--jobs", "1"]) == 0
    printed = capsys.readouterr().out
    assert "attack success after / clean accuracy after" in printed and "signature:toy-rsa" in printed
    lines = out.read_text().splitlines()
    assert lines[0].split("\t") == ["backdoor", "defense", "seed", "metric", "value"]
    summary = (tmp_path / "matrix.summary.tsv").read_text().splitlines()
    assert summary[0].split("\t") == list(matrix.SUMMARY_COLUMNS)
    one = [line for line in lines if "\tseconds\t" not in line]
    assert cli.main([*args, "--jobs", "2"]) == 0
    two = [line for line in out.read_text().splitlines() if "\tseconds\t" not in line]
    assert one == two, "the same rows whatever --jobs is"
    capsys.readouterr()
    for flag, bad, valid in (("--backdoors", "chcksum:decimal", "checksum:decimal"), ("--defenses", "prox", "none")):
        assert cli.main(["matrix", str(config), flag, bad, "--out", str(out)]) == cli.EXIT_BAD_INPUT
        err = capsys.readouterr().err
        assert err.startswith(f"error: {flag[2:-1]} '{bad}' is not one of") and valid in err
