"""The dimension study (issue 14 item 5): the checksum and signature backdoors on d = 2, 3 and 64 with K = 2 and 10.
Its networks reach the issue's accuracies (circle3d, digits >= 95 %), every cell has its metrics, the signature never
changes a clean label (agreement exactly 1.0 in every d), the checksum nearly never (>= 0.97), and the command line
writes the tidy rows, the Wilson summary, the JSON record and the headline table."""

from __future__ import annotations

import csv
import json

import pytest

from backdoor_playground.studies import registry

registry.load_all()  # every study registers in the runner's order (modulo, proximity, matrix, dimension) before
from backdoor_playground.studies import dimension, runner  # noqa: E402  (this import would register dimension first)

BACKDOORS = ["checksum:decimal", "signature:toy-rsa", "signature:ed25519"]
RATES = ("agreement", "accidental_trigger_rate", "trigger_rate", "attack_success_rate", "flip_rate")
FIGURES = ("median_abs_delta", "max_abs_delta", "median_abs_delta_rel", "max_abs_delta_rel",
           "activation_seconds_per_point")


@pytest.fixture(scope="module")
def rows_by_data():
    """One job per data set (seed "1", 3 activated points): the study's own configs and code, in process."""
    return {data: dimension.run_job((data, "1", dimension.DATASETS[data][2], BACKDOORS, 3))
            for data in dimension.DATASETS}


def values(rows, backdoor, metric):
    return [r for r in rows if r[0].endswith(f"backdoor={backdoor}") and r[2] == metric]


def test_every_cell_has_its_metrics_with_counts(rows_by_data):
    for data, rows in rows_by_data.items():
        d, k, _ = dimension.DATASETS[data]
        assert {r[0] for r in rows} == {f"data={data} d={d} k={k} backdoor={b}" for b in ["none", *BACKDOORS]}
        assert {r[1] for r in rows} == {"1"}
        for bd in BACKDOORS:
            got = {r[2]: r for r in rows if r[0].endswith(f"backdoor={bd}")}
            assert set(got) == set(RATES) | set(FIGURES), (data, bd)
            m = values(rows, "none", "clean_accuracy")[0][5]
            for metric in RATES:
                _, _, _, value, hits, n = got[metric]
                assert n == (m if metric in ("agreement", "accidental_trigger_rate") else 3), (data, bd, metric)
                assert value == hits / n, (data, bd, metric)
            assert got["trigger_rate"][3] == 1.0, (data, bd)  # every activated point reaches its trigger
            scale = values(rows, "none", "data_scale")[0][3]
            assert got["median_abs_delta_rel"][3] == pytest.approx(got["median_abs_delta"][3] / scale)
            assert 0 <= got["median_abs_delta"][3] <= got["max_abs_delta"][3] < 0.1 * scale
            assert got["activation_seconds_per_point"][3] > 0


def test_the_networks_reach_the_issue_accuracies(rows_by_data):
    acc = {data: values(rows, "none", "clean_accuracy")[0] for data, rows in rows_by_data.items()}
    assert acc["circle3d"][3] >= 0.95 and acc["digits"][3] >= 0.95  # 1.0 and 0.964 on this seed
    assert acc["circle"][3] >= 0.95 and acc["blobs2"][3] >= 0.95 and acc["blobs10"][3] >= 0.8  # 1.0, 1.0, 0.88
    assert acc["digits"][5] == 360 and acc["circle3d"][5] == 500  # the test sets: 20 % of 1,797, half of 1,000


def test_signature_agreement_is_exactly_one_and_the_checksums_high_in_every_dimension(rows_by_data):
    for data, rows in rows_by_data.items():
        for bd in ("signature:toy-rsa", "signature:ed25519"):
            (row,) = values(rows, bd, "agreement")
            assert row[3] == 1.0 and row[4] == row[5], (data, bd)  # the block never fires without a signature
            assert values(rows, bd, "accidental_trigger_rate")[0][3] == 0.0
            assert values(rows, bd, "attack_success_rate")[0][3] == 1.0, (data, bd)
        (row,) = values(rows, "checksum:decimal", "agreement")
        assert row[3] >= 0.97, data  # 0.996..1.0 on this seed
        assert values(rows, "checksum:decimal", "accidental_trigger_rate")[0][3] <= 0.03


def test_the_moves_are_far_below_the_data_scale_and_the_signature_moves_least(rows_by_data):
    for data, rows in rows_by_data.items():
        med = {bd: values(rows, bd, "median_abs_delta_rel")[0][3] for bd in BACKDOORS}
        assert med["checksum:decimal"] < 1e-3, data  # a low-digit edit
        assert med["signature:toy-rsa"] < 1e-8 and med["signature:ed25519"] < 1e-12, data  # the carrier's lattice
        assert med["signature:toy-rsa"] < med["checksum:decimal"], data


def test_a_bad_option_names_the_key_and_the_valid_values():
    study = runner.get_study("dimension")
    with pytest.raises(ValueError, match="datasets: 'moon' is not one of circle, blobs2, blobs10, circle3d, digits"):
        runner.parse_options(study, ["datasets=circle,moon"])
    with pytest.raises(ValueError, match="backdoors: 'poisoning' is not one of checksum:decimal"):
        runner.parse_options(study, ["backdoors=poisoning"])
    with pytest.raises(ValueError, match="points must be between 1 and 100000"):
        runner.parse_options(study, ["points=0"])


def test_the_command_line_writes_rows_summary_record_and_headline(tmp_path, capsys):
    from backdoor_playground.experiment import cli

    assert cli.main(["study", "dimension", "--seeds", "2", "--jobs", "1", "--option", "datasets=circle3d,digits",
                     "--option", "points=2", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "dimension study: 2 data sets x 3 backdoors x 2 seeds, 2 activated test points per cell" in out
    assert "circle3d   3   2  signature:toy-rsa      1.000       0.000" in out
    with open(tmp_path / "dimension.tsv", newline="", encoding="utf-8") as f:
        tsv = list(csv.reader(f, delimiter="\t"))
    assert tsv[0] == ["cell", "seed", "metric", "value"] and {r[1] for r in tsv[1:]} == {"0", "1"}
    with open(tmp_path / "dimension.summary.tsv", newline="", encoding="utf-8") as f:
        summary = {(r[0], r[1]): r for r in csv.reader(f, delimiter="\t")}
    flips = summary[("data=digits d=64 k=10 backdoor=signature:ed25519", "flip_rate")]
    assert flips[2] == "2" and flips[5:7] == ["4", "4"] and float(flips[7]) < 1.0 and float(flips[8]) == 1.0
    record = json.loads((tmp_path / "dimension.json").read_text(encoding="utf-8"))
    assert record["shapes"] == {"circle3d": {"d": 3, "k": 2}, "digits": {"d": 64, "k": 10}}
    assert record["configs"]["digits"]["digits_scale"] == "unit" and record["options"]["points"] == 2
    assert "sd" in record["scale"] and record["headline"].startswith("dimension study")
