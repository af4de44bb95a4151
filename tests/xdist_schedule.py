"""How `python3 build.py test` (pytest-xdist, `--dist loadfile`) hands tests to its workers: tests/conftest.py returns
LongestFirst for `--dist loadfile`.

As loadfile, a whole test file is one unit of work (its module fixtures stay in one process), except in the files of
SPLIT, whose tests are units of their own (the Pyodide tier's shards: several minutes in one file otherwise). Unlike
xdist's loadfile, which starts the files with the most tests first, the units start longest first (COST, seconds a
unit took on the 2-core machine, quiet; a unit not listed is estimated by its tier), and a worker is given its next
unit only when it is down to its last test (xdist's worker holds its last test until it knows the next one), so no
unit waits behind a long one while another worker idles at the end of the run.

Only the order and the split change: every test runs, in its file's order."""

from __future__ import annotations

from xdist.scheduler.loadscope import LoadScopeScheduling

SPLIT = ("tests/pyodide/",)

# Seconds per unit on the 2-core machine when quiet (about 0.3 x the sums of a file's tests measured with
# `python3 build.py test tests --durations=0` on a busy one). Estimates for ordering only: a stale entry costs
# balance, never a result.
COST: dict[str, float] = {
    # the Pyodide tier's units (its shards: PER_TEST)
    "tests/pyodide/test_pyodide_tier.py::test_the_shards_cover_tests_py_and_cpython_only_names_real_tests": 5,
    "tests/pyodide/test_pyodide_tier.py::test_same_numbers_in_cpython_and_pyodide": 8,
    "tests/e2e/test_ui_kd_backdoors.py": 80,
    "tests/e2e/test_ui_playground.py": 64,
    "tests/e2e/test_ui_layout.py": 53,
    "tests/e2e/test_ui_backdoor.py": 47,
    "tests/e2e/test_ui_calculator.py": 44,
    "tests/e2e/test_ui_defense.py": 38,
    "tests/e2e/test_ui_figures.py": 36,
    "tests/e2e/test_ui_kd.py": 32,
    "tests/e2e/test_ui_studies_dimension.py": 29,
    "tests/e2e/test_ui_first_visit.py": 26,
    "tests/py/test_readme.py": 26,
    "tests/e2e/test_ui_foundation.py": 24,
    "tests/e2e/test_ui_kd_digits.py": 20,
    "tests/e2e/test_ui_matrix.py": 20,
    "tests/e2e/test_ui_cleanse.py": 20,
    "tests/e2e/test_ui_studies.py": 18,
    "tests/builder/test_build.py": 17,
    "tests/e2e/test_ui_signature.py": 15,
    "tests/py/test_kd_defenses.py": 14,
    "tests/e2e/test_ui_csp.py": 14,
    "tests/py/test_kd_cleanse.py": 7,
    "tests/py/test_study_dimension.py": 7,
    "tests/py/test_kd_checksum.py": 6,
    "tests/py/test_matrix.py": 5,
    "tests/py/test_study_executors.py": 5,
    "tests/py/test_cleanse_matrix.py": 5,
    "tests/py/test_study.py": 5,
    "tests/py/test_defense_job.py": 5,
    "tests/py/test_games.py": 4,
}
# A unit not in COST: seconds per test by tier (a Pyodide shard boots Node and Pyodide, a browser test a page).
PER_TEST = {"tests/pyodide/": 35.0, "tests/e2e/": 6.0, "tests/builder/": 2.0}
PER_PY_TEST = 0.05


def estimate(scope: str, tests: int) -> float:
    """The expected seconds of a unit of `tests` tests named `scope` (a file, or one test's node id in SPLIT)."""
    if scope in COST:
        return COST[scope]
    for tier, seconds in PER_TEST.items():
        if scope.startswith(tier):
            return seconds * tests
    return PER_PY_TEST * tests


class LongestFirst(LoadScopeScheduling):
    """loadfile, longest unit first, the next unit sent to a worker only when it is down to its last test."""

    def _split_scope(self, nodeid: str) -> str:
        path = nodeid.split("::", 1)[0]
        return nodeid if path.startswith(SPLIT) else path

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.collection is not None:  # a node joined late: give it work
            for node in self.nodes:
                self._reschedule(node)
            return
        if not self._check_nodes_have_same_collection():
            self.log("**Different tests collected, aborting run**")
            return
        self.collection = list(next(iter(self.registered_collections.values())))
        if not self.collection:
            return
        units: dict[str, dict[str, bool]] = {}
        for nodeid in self.collection:
            units.setdefault(self._split_scope(nodeid), {})[nodeid] = False
        # sorted() is stable: equal estimates keep the collection's order
        for scope in sorted(units, key=lambda s: -estimate(s, len(units[s]))):
            self.workqueue[scope] = units[scope]
        for _ in range(max(0, len(self.nodes) - len(self.workqueue))):
            unused, _assigned = self.assigned_work.popitem()
            unused.shutdown()
        for node in self.nodes:
            self._reschedule(node)

    def _reschedule(self, node) -> None:
        if node.shutting_down:
            return
        # the worker runs a test only once it knows the next one: at one pending test it needs more work
        while self.workqueue and self._pending_of(self.assigned_work[node]) <= 1:
            self._assign_work_unit(node)
        if not self.workqueue:
            node.shutdown()  # it runs what it holds, then stops
