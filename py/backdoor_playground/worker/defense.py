"""Worker handlers for the defenses (each takes the live Session first): thin calls into defense/run.py and, for a
run the page watches and can stop, defense/job.py (defend_start / defend_step / defend_cancel). A defense without
steps (quantisation, fine-tuning, the detectors: not in run.STEPPED) runs through the registry as `defend` runs it,
as a job of one step."""

from __future__ import annotations

from ..defense import registry, run as defense
from ..defense.job import DefenseJob
from ..defense.stepped import SteppedJob
from ..playground import rng
from ..session import Session


def _attacked(s: Session):
    if not len(s.data.test_points):
        raise ValueError("the defenses need test points (raise the share of test data)")
    return s.attacked()  # raises ValueError for a regression problem


def _check_curves(curves) -> None:
    if not isinstance(curves, bool):
        raise ValueError(f"curves must be true or false, got {curves!r}")


def _adopt(s: Session, att, settings: dict, out: dict) -> dict:
    """A finished run's result plus "metrics", kept as s.defended (drawing, export, Replay)."""
    out["metrics"] = defense.metrics(att, out)
    s.defended, s.defense_settings = out, settings
    return out


def defend(s: Session, params: dict | None = None, curves: bool = True) -> dict:
    """run_defense(params) on the session's attacked test set, plus "metrics"; kept as s.defended for drawing. A
    defense the panel does not step (quantisation, fine-tuning, the detectors, Neural Cleanse) runs through the
    registry as the experiment runs it: its section plus "metrics" (the table and its column metrics)."""
    _check_curves(curves)
    att = _attacked(s)
    settings = defense.check_defense({} if params is None else params)
    if settings["type"] not in defense.STEPPED:
        return _registry(s, settings)
    out = defense.run_defense(att, settings, rng.stream(s.config["seed"], "defense"), curves=curves)
    return _adopt(s, att, settings, out)


def _registry(s: Session, settings: dict) -> dict:
    """A defense without steps, as the experiment runs it (registry.stage_defend): its section plus "metrics"."""
    result: dict = {}
    registry.stage_defend(s, settings, result)
    return {**result["defense"], "metrics": result["metrics"]}


def _in_one_step(s: Session, settings: dict):
    """_registry as a generator with no yield: a SteppedJob's first step runs all of it."""
    yield from ()
    return _registry(s, settings)


def defend_start(s: Session, params: dict | None = None, curves: bool = True) -> dict:
    """Start defend(params) as a resumable run (a new one replaces any running); returns its progress."""
    _check_curves(curves)
    att = _attacked(s)
    settings = defense.check_defense({} if params is None else params)
    if settings["type"] in defense.STEPPED:
        job: SteppedJob = DefenseJob(att, settings, rng.stream(s.config["seed"], "defense"), curves)
    else:  # one step; its result is defend's reply (registry.stage_defend kept it for the export and Replay)
        job = SteppedJob(settings["type"], _in_one_step(s, settings), 1)
    s.defense_job = (job, att)
    return job.progress()


def defend_step(s: Session, budget_ms: float = 50.0) -> dict:
    """Run the started defense for about budget_ms: {type, done, total, fraction, finished, cancelled, seconds};
    when finished also "result": defend's reply (the same numbers as defend with the same parameters)."""
    if s.defense_job is None:
        raise ValueError("no defense is running (it finished, was cancelled, or the model changed)")
    job, att = s.defense_job
    if not isinstance(job, DefenseJob):  # its one step ends it, and fine-tuning copies the session (no generator)
        s.defense_job = None
    progress = job.step(budget_ms)
    if job.finished:
        s.defense_job = None
        progress["result"] = (_adopt(s, att, job.params, job.result) if isinstance(job, DefenseJob)
                              else job.result)
    return progress


def defend_cancel(s: Session) -> dict:
    """Stop the running defense (nothing kept); {"cancelled": True, "finished": True, ...} or cancelled False."""
    if s.defense_job is None:
        return {"cancelled": False, "finished": True}
    job, _ = s.defense_job
    s.defense_job = None
    return job.cancel()


def defense_metrics(s: Session) -> dict:
    """The metrics table without a defense (clean / backdoored accuracy, agreement, attack success, cost)."""
    return defense.metrics(_attacked(s))
