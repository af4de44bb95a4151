"""A study in steps (studies/steps.py, for the page's worker): the same rows as the runner, progress, cancel.
In process, no files: runs in CPython and in Pyodide."""

from __future__ import annotations

import pytest

from backdoor_playground.studies import runner
from backdoor_playground.studies.steps import StudyRun

TINY = ["datasets=circle,csum-grid", "radii=0.5,2", "epochs=5"]


def test_steps_give_the_runner_s_rows_and_summary():
    _, rows, _ = runner.run("proximity", 2, TINY, workers=1)
    run = StudyRun("proximity", 2, TINY)
    first = run.step(0.0)
    assert first["done"] == 1 and first["total"] == 4 and not first["finished"] and first["headline"] is None
    while not run.finished:
        last = run.step(0.0)
    assert run.rows == rows
    assert last["finished"] and last["done"] == 4 and "proximity study: 2 data sets x 2 seeds" in last["headline"]
    assert [tuple(r) for r in last["summary"]] == [tuple(None if v != v else v for v in r)
                                                  for r in runner.summarize(rows)]


def test_cancel_stops_between_jobs_and_keeps_the_finished_ones():
    run = StudyRun("proximity", 2, TINY)
    run.step(0.0)
    stopped = run.cancel()
    assert stopped["cancelled"] and stopped["finished"] and stopped["done"] == 1
    assert {r[0].split()[0] for r in run.rows} == {"dataset=circle"} and {r[1] for r in run.rows} == {"0"}
    assert run.step(0.0)["done"] == 1  # nothing more runs


def test_a_bad_study_or_option_is_refused_before_any_work():
    with pytest.raises(ValueError, match="study 'moon' is not one of"):
        StudyRun("moon")
    with pytest.raises(ValueError, match="radii must be positive finite numbers"):
        StudyRun("proximity", 1, ["radii=-1"])
