"""Tier 2: the package's tests and a fixed scenario run inside real Pyodide (Node.js), against the built wheel.

tests/py runs in SHARDS shards (a fixed split of its files, shard_files()), one Node process each, so that pytest-xdist
can run them beside each other and beside the browser tests (tests/xdist_schedule.py makes each shard a unit of its
own). Each shard checks that exactly its files' CPython tests minus CPYTHON_ONLY passed inside Pyodide;
test_the_shards_cover_tests_py_and_cpython_only_names_real_tests checks that the shards are every file of tests/py
and that CPYTHON_ONLY names no test that does not exist."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tests" / "pyodide" / "run_in_pyodide.mjs"
pytestmark = pytest.mark.cpython_only

SHARDS = 4
# Seconds a tests/py file takes inside Pyodide under Node (measured with --durations=0, 116 s in all; the files not
# listed take less than a second). Used only to balance the shards: a stale figure costs balance, never a result.
WEIGHTS: dict[str, float] = {
    "test_kd_defenses.py": 13.9, "test_worker_studies.py": 12.2, "test_matrix_replay.py": 10.3,
    "test_kd_checksum.py": 9.3, "test_kd_cleanse.py": 7.3, "test_checksum_decimal.py": 7.3, "test_cleanse.py": 6.0,
    "test_defense.py": 5.1, "test_cleanse_matrix.py": 4.1, "test_defense_job.py": 4.0, "test_matrix_run.py": 3.7,
    "test_games.py": 3.0, "test_study_dimension.py": 2.1, "test_kd_signature.py": 1.9, "test_sigschemes.py": 1.7,
    "test_finetune.py": 1.7, "test_poisoning.py": 1.6, "test_checksum_cost.py": 1.3, "test_replay.py": 1.2,
    "test_experiment.py": 1.2, "test_dims.py": 1.2, "test_checksum_match.py": 1.1, "test_train.py": 1.0,
    "test_layout.py": 1.0, "test_ed25519.py": 1.0,
}
LIGHT = 0.3  # a file not in WEIGHTS


def py_test_files() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "tests" / "py").glob("test_*.py"))


def shard_files() -> list[list[str]]:
    """tests/py's files in SHARDS lists of about equal time: the heaviest file first, each to the lightest shard so
    far (ties: the lower shard). The same files give the same shards."""
    shards: list[list[str]] = [[] for _ in range(SHARDS)]
    load = [0.0] * SHARDS
    for file in sorted(py_test_files(), key=lambda f: (-WEIGHTS.get(Path(f).name, LIGHT), f)):
        i = min(range(SHARDS), key=lambda k: (load[k], k))
        shards[i].append(file)
        load[i] += WEIGHTS.get(Path(file).name, LIGHT)
    return [sorted(files) for files in shards]


def run_node(*args: str) -> subprocess.CompletedProcess:
    if not shutil.which("node"):
        pytest.fail("node is required for the Pyodide tier")
    if not os.environ.get("BP_WHEEL"):
        pytest.fail("BP_WHEEL is not set: run the suite with `python3 build.py test`")
    return subprocess.run(["node", str(RUNNER), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def collect_in_cpython(*paths: str) -> subprocess.Popen:
    """CPython collecting `paths` as its tier does (same rootdir, pytest.ini and conftest files), in the background."""
    return subprocess.Popen([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:playwright",
                             "-p", "no:xdist", *paths], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def collected(proc: subprocess.Popen) -> list[str]:
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, f"collecting tests/py in CPython failed:\n{out[-3000:]}\n{err[-3000:]}"
    nodeids = [line for line in out.splitlines() if line.startswith("tests/py/")]
    assert len(nodeids) == len(set(nodeids)), out[-3000:]
    return nodeids


def load_shared_conftest():
    """tests/conftest.py, where the exclusion list lives (imported under its own name: "conftest" is ambiguous)."""
    spec = importlib.util.spec_from_file_location("bp_tests_conftest", ROOT / "tests" / "conftest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def names(nodeid: str, key: str) -> bool:
    """Whether the CPYTHON_ONLY key ("file" or "file::function") names the test nodeid."""
    path, _, name = nodeid.partition("::")
    return key in (path.removeprefix("tests/py/"), f"{path.removeprefix('tests/py/')}::{name.split('[')[0]}")


def short(nodeids) -> str:
    """At most 20 node ids, each cut to 150 characters (some parameters are kilobytes long)."""
    return "\n".join(n if len(n) <= 150 else n[:150] + "…" for n in sorted(nodeids)[:20])


# One line per test in pytest -v's output: "tests/py/test_x.py::test_y[a] PASSED    [ 12%]".
OUTCOME = re.compile(r"^(tests/py/.+?) (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b", re.M)


def test_the_shards_cover_tests_py_and_cpython_only_names_real_tests():
    """Every tests/py file is in exactly one shard, and every CPYTHON_ONLY key names a test CPython collects."""
    shards = shard_files()
    files = [f for shard in shards for f in shard]
    assert sorted(files) == py_test_files() and len(files) == len(set(files))
    assert all(shards), f"a shard without files: {shards}"
    cpython = collected(collect_in_cpython("tests/py"))
    assert len(cpython) > 500
    assert {n.split("::")[0] for n in cpython} <= set(files)
    shared = load_shared_conftest()
    stale = [key for key in shared.CPYTHON_ONLY if not any(names(nodeid, key) for nodeid in cpython)]
    assert not stale, f"CPYTHON_ONLY names tests that do not exist: {stale}"


@pytest.mark.parametrize("shard", range(SHARDS))
def test_package_tests_pass_inside_pyodide(shard):
    """Pyodide runs exactly the CPython tier's tests of this shard's files minus tests/conftest.py's CPYTHON_ONLY,
    and all pass."""
    files = shard_files()[shard]
    collect = collect_in_cpython(*files)  # while the Pyodide run goes on
    res = run_node("pytest", "-v", "-p", "no:randomly", *files)
    cpython = collected(collect)
    shared = load_shared_conftest()
    excluded = {nodeid: shared.cpython_only_reason(nodeid) for nodeid in cpython
                if shared.cpython_only_reason(nodeid)}
    expected = set(cpython) - set(excluded)
    assert expected, f"shard {shard} ({files}) has no test to run inside Pyodide"

    tail = "\n".join(res.stdout.splitlines()[-30:])
    assert res.returncode == 0, f"pytest inside Pyodide failed (exit {res.returncode}):\n{tail}\n{res.stderr[-3000:]}"
    outcomes = OUTCOME.findall(res.stdout)
    passed = {nodeid for nodeid, outcome in outcomes if outcome == "PASSED"}
    others = [f"{nodeid} {outcome}" for nodeid, outcome in outcomes if outcome != "PASSED"]
    assert not others, "inside Pyodide, tests did not pass (skips hide failures):\n" + short(others)
    assert passed == expected, (
        f"inside Pyodide {len(passed)} tests passed, the CPython tier minus CPYTHON_ONLY has {len(expected)};\n"
        f"missing in Pyodide: {short(expected - passed)}\nunknown to CPython: {short(passed - expected)}")
    summary = re.search(r"(\d+) passed", tail)
    assert summary and int(summary.group(1)) == len(expected), tail
    print(f"shard {shard}: CPython: {len(cpython)} tests; inside Pyodide: {len(passed)} passed; "
          f"excluded: {len(excluded)}")


def test_same_numbers_in_cpython_and_pyodide():
    sys.path.insert(0, str(ROOT / "tests" / "pyodide"))
    import scenario  # noqa: E402

    here = scenario.run()
    res = run_node("script", "tests/pyodide/scenario.py")
    assert res.returncode == 0, res.stderr[-3000:]
    line = next(l for l in res.stdout.splitlines() if l.startswith("SCENARIO "))
    there = json.loads(line[len("SCENARIO "):])
    assert there["platform"] == "emscripten" and there["numpy"] == "2.0.2"
    for name in ("circle_tanh", "spiral_relu_l1"):
        a, b = here[name], there[name]
        assert a["data_sum"] == b["data_sum"], name  # data generation is exact
        np.testing.assert_allclose(b["weights"], a["weights"], rtol=1e-12, atol=1e-13, err_msg=name)
        assert b["loss_train"] == pytest.approx(a["loss_train"], rel=1e-12), name
        assert b["loss_test"] == pytest.approx(a["loss_test"], rel=1e-12), name
