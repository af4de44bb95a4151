"""Tier 2: the package's tests and a fixed scenario run inside real Pyodide (Node.js), against the built wheel."""

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


def run_node(*args: str) -> subprocess.CompletedProcess:
    if not shutil.which("node"):
        pytest.fail("node is required for the Pyodide tier")
    if not os.environ.get("BP_WHEEL"):
        pytest.fail("BP_WHEEL is not set: run the suite with `python3 build.py test`")
    return subprocess.run(["node", str(RUNNER), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


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


def test_package_tests_pass_inside_pyodide():
    """Pyodide runs exactly the CPython tier's tests/py minus tests/conftest.py's CPYTHON_ONLY, and all pass."""
    # The CPython tier, collected as CPython collects it (same rootdir, pytest.ini and conftest files), while the
    # Pyodide run goes on.
    collect = subprocess.Popen([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:playwright",
                                "-p", "no:xdist", "tests/py"], cwd=ROOT, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    res = run_node("pytest", "-v", "-p", "no:randomly")
    out, err = collect.communicate(timeout=300)
    assert collect.returncode == 0, f"collecting tests/py in CPython failed:\n{out[-3000:]}\n{err[-3000:]}"
    cpython = [line for line in out.splitlines() if line.startswith("tests/py/")]
    assert len(cpython) == len(set(cpython)) and len(cpython) > 500, out[-3000:]

    shared = load_shared_conftest()
    excluded = {nodeid: shared.cpython_only_reason(nodeid) for nodeid in cpython
                if shared.cpython_only_reason(nodeid)}
    stale = [key for key in shared.CPYTHON_ONLY if not any(names(nodeid, key) for nodeid in cpython)]
    assert not stale, f"CPYTHON_ONLY names tests that do not exist: {stale}"
    expected = set(cpython) - set(excluded)

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
    print(f"CPython tier: {len(cpython)} tests; inside Pyodide: {len(passed)} passed; excluded: {len(excluded)}")


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
