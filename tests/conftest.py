"""Shared by every tier. Kept free of browser imports: this file is also collected inside Pyodide."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# CPython runs the package from the source tree; inside Pyodide it is imported from the installed wheel.
if sys.platform != "emscripten":
    sys.path.insert(0, str(ROOT / "py"))
    os.environ.setdefault("BP_DIST", str(ROOT / "dist"))

# The tests/py tests that do not run inside Pyodide, each with its reason: the ONLY place that excludes one.
# Keys are "file::test function" or "file" (every test in it). They get the cpython_only marker here; the Pyodide
# tier deselects that marker and checks that it ran every other test of tests/py (tests/pyodide/test_pyodide_tier.py).
HYPOTHESIS = "hypothesis is not installed inside Pyodide (property test / fuzzing)"
CPYTHON_ONLY: dict[str, str] = {
    "test_checksum_decimal.py::test_property_csum_equals_reference": HYPOTHESIS,
    "test_checksum_match.py::test_property_match_equals_reference": HYPOTHESIS,
    "test_config.py::test_fuzz_from_hash_never_raises": HYPOTHESIS,
    "test_config.py::test_fuzz_from_hash_of_plausible_pairs": HYPOTHESIS,
    "test_config.py::test_fuzz_validate_gives_typed_configs_or_clean_errors": HYPOTHESIS,
    "test_config.py::test_fuzz_hash_round_trip": HYPOTHESIS,
    "test_modelio.py::test_fuzz_parse_data_csv": HYPOTHESIS,
    "test_modelio.py::test_fuzz_parse_model_json_text": HYPOTHESIS,
    "test_modelio.py::test_fuzz_parse_model_json_values": HYPOTHESIS,
    "test_modelio.py::test_fuzz_mutations_of_a_valid_file": HYPOTHESIS,
    "test_nistcsv.py::test_js_number_round_trips": HYPOTHESIS,
    "test_experiment.py::test_python_dash_m_entry_point": "starts `python -m backdoor_playground` in a subprocess "
                                                          "(Pyodide has no subprocesses)",
    "test_sigschemes.py::test_shipped_rsa_key_is_what_the_generator_makes": "regenerating the 2048-bit RSA key "
                                                                            "takes many seconds in wasm",
    "test_readme.py::test_readme_command_runs_as_written": "runs the README's command lines in subprocesses "
                                                           "(Pyodide has no subprocesses)",
    "test_matrix.py": "the whole grid on a process pool is the command line's business (minutes in wasm); the "
                      "page's matrix is checked against it end to end",
    "test_sweep.py": "sweeps run on a process pool and write files: the command line's business, not the page's",
    "test_study.py": "studies write files and draw with matplotlib (not in Pyodide): the command line's business",
    "test_study_dimension.py::test_the_command_line_writes_rows_summary_record_and_headline": "the study's command "
        "line writes files and draws with matplotlib (not in Pyodide), as test_study.py",
    "test_study_executors.py": "process pools and a dask cluster: neither exists in Pyodide",
}
TIER = "tests/py/"


def cpython_only_reason(nodeid: str) -> str | None:
    """Why the test `nodeid` (relative to the repository, e.g. "tests/py/test_x.py::test_y[1]") stays out of
    Pyodide, or None when it runs there too."""
    path, _, name = nodeid.partition("::")
    if not path.startswith(TIER):
        return None
    file = path[len(TIER):]
    return CPYTHON_ONLY.get(f"{file}::{name.split('[')[0]}") or CPYTHON_ONLY.get(file)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items):
    stray = []
    for item in items:
        if not item.nodeid.startswith(TIER):
            continue
        if cpython_only_reason(item.nodeid):
            item.add_marker(pytest.mark.cpython_only)
        elif item.get_closest_marker("cpython_only"):
            stray.append(item.nodeid)
    if stray:
        raise pytest.UsageError("cpython_only is given by tests/conftest.py's CPYTHON_ONLY (with a reason), not by "
                                "a marker in the test file: " + ", ".join(stray))


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook; inside Pyodide there is no xdist
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile` (build.py test) as tests/xdist_schedule.py does it: longest file first, the Pyodide tier's shards
    as units of their own."""
    if config.getvalue("dist") != "loadfile":
        return None
    import importlib.util

    spec = importlib.util.spec_from_file_location("bp_xdist_schedule", ROOT / "tests" / "xdist_schedule.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.LongestFirst(config, log)
