"""Executors: a study and a sweep on a dask LocalCluster (one in-process worker) give the local pool's TSVs byte for
byte, timing rows aside; the matrix command's executor path gives matrix.run_matrix's rows."""

from __future__ import annotations

import pytest

from backdoor_playground.experiment import matrix, sweep
from backdoor_playground.studies import executors, runner

SWEEP = {"dataset": "circle", "networkShape": [4], "epochs": 10,
         "backdoor": {"type": "checksum", "activation": "digit-edit", "points": [0, 1, 2, 3]}}
MODULO = ["moduli=2,256", "variants=keyed", "epochs=10", "search_points=2", "max_trials=5000", "calibrate_ms=5"]


@pytest.fixture(scope="module")
def dask_address():
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1",
                      dashboard_address=None) as cluster:
        host, port = cluster.scheduler_address.removeprefix("tcp://").rsplit(":", 1)
        yield f"dask://{host}:{port}"


def without_timings(tsv: str) -> str:
    lines = tsv.splitlines()
    metric = lines[0].split("\t").index("metric")
    return "\n".join(l for l in lines if not runner.is_timing(l.split("\t")[metric]))


def study_tsv(executor: str, workers: int | None, tmp_path, name: str) -> str:
    study, rows, record = runner.run("modulo", 2, MODULO, workers, executor)
    runner.write(study, rows, record, tmp_path / name)
    return (tmp_path / name / "modulo.tsv").read_text()


def test_a_study_on_dask_matches_the_local_pool(dask_address, tmp_path):
    pool = study_tsv("local", 2, tmp_path, "pool")
    dask = study_tsv(dask_address, None, tmp_path, "dask")
    assert "search_seconds" in pool and "search_matched" in pool  # the timing rows exist, and are left out below
    assert without_timings(dask) == without_timings(pool)
    assert len(without_timings(pool).splitlines()) > 10


def test_a_sweep_on_dask_matches_the_local_pool(dask_address):
    pool = sweep.run_sweep(SWEEP, ["backdoor.modulo=20,64"], 2, 2, "local")
    dask = sweep.run_sweep(SWEEP, ["backdoor.modulo=20,64"], 2, None, dask_address)
    assert without_timings(sweep.to_tsv(sweep.TSV_COLUMNS, dask)) == without_timings(
        sweep.to_tsv(sweep.TSV_COLUMNS, pool))


def test_the_matrix_through_an_executor_gives_run_matrix_rows():
    config = {"dataset": "circle", "epochs": 10}
    names = (["poisoning", "checksum:decimal"], ["none", "proximity"])
    direct = matrix.run_matrix(config, 1, *names)
    mapped = executors.run_matrix(config, 1, *names, workers=1, executor="local")
    assert [r for r in mapped if r[3] != "seconds"] == [r for r in direct if r[3] != "seconds"]


@pytest.mark.parametrize("spec", ["dask://", "dask://host", "dask://host:port", "local2", "", "rayy"])
def test_bad_executor_specs_are_refused(spec):
    with pytest.raises(ValueError, match="--executor"):
        executors.check_executor(spec)


def test_good_executor_specs_pass():
    for spec in ("local", "dask://10.0.0.5:8786", "ray", "ray://head:10001"):
        assert executors.check_executor(spec) == spec


@pytest.mark.parametrize("command", ["sweep", "matrix"])
def test_sweep_and_matrix_commands_take_the_executor_option(command, tmp_path, capsys):
    import json

    from backdoor_playground.experiment import cli

    config = tmp_path / "c.json"
    config.write_text(json.dumps(SWEEP if command == "sweep" else {"dataset": "circle", "epochs": 5}))
    out = tmp_path / "out.tsv"
    assert cli.main([command, str(config), "--seeds", "1", "--executor", "dask:/x", "--out", str(out)]) == 2
    assert "--executor 'dask:/x' is not one of local, dask://HOST:PORT, ray" in capsys.readouterr().err
    assert not out.exists()
    extra = ["--backdoors", "poisoning", "--defenses", "none"] if command == "matrix" else []
    assert cli.main([command, str(config), "--seeds", "1", "--executor", "local", *extra, "--out", str(out)]) == 0
    assert out.read_text().startswith("cell\tseed" if command == "sweep" else "backdoor\tdefense")
