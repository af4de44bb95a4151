"""Tier 2: the package's tests and a fixed scenario run inside real Pyodide (Node.js), against the built wheel."""

from __future__ import annotations

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


def test_package_tests_pass_inside_pyodide():
    res = run_node("pytest", "-q", "-p", "no:randomly")
    tail = "\n".join(res.stdout.splitlines()[-30:])
    assert res.returncode == 0, f"pytest inside Pyodide failed (exit {res.returncode}):\n{tail}\n{res.stderr[-3000:]}"
    passed = re.search(r"(\d+) passed", res.stdout)
    assert passed and int(passed.group(1)) >= 20, tail
    print(f"inside Pyodide: {passed.group(0)}")


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
