"""NN Calculator's buttons on a live Session: data and model memory, trojan regions, inference, inefficiency,
sensitivity and its CSV files. api.py exposes these to the worker; each returns plain data."""

from __future__ import annotations

from typing import Any

from ..nistcalc import inefficiency, nistcsv, trojans
from ..nistcalc.memory import DataMemory, ModelMemory
from ..session import Data, Session

DATA_OPS = ("clear", "store", "add", "subtract", "recall")
MODEL_OPS = ("clear", "store", "add", "subtract", "average", "recall")


def _memories(s: Session) -> tuple[DataMemory, ModelMemory]:
    """The session's memories, created on first use."""
    if s.data_memory is None or s.model_memory is None:
        s.data_memory, s.model_memory = DataMemory(), ModelMemory()
    return s.data_memory, s.model_memory


def memory_info(s: Session) -> dict:
    data_mem, model_mem = _memories(s)
    return {"data": data_mem.summary(), "model": model_mem.summary(),
            "tooltips": {"data": {op: DataMemory.describe(op) for op in DATA_OPS},
                         "model": {op: ModelMemory.describe(op) for op in MODEL_OPS}}}


def data_memory(s: Session, op: str) -> dict:
    """D MC / MS / M+ / M− / MR. Recall replaces the data (deep copies) and rebuilds the network, as NN Calculator."""
    if op not in DATA_OPS:
        raise ValueError(f"unknown data memory operation {op!r}; expected one of {', '.join(DATA_OPS)}")
    mem, _ = _memories(s)
    problem = s.config["problem"]
    if op == "clear":
        mem.clear()
    elif op == "store":
        mem.store(s.data, problem, source=s.data.source)
    elif op == "add":
        mem.add(s.data, problem, source=s.data.source)
    elif op == "subtract":
        mem.subtract(s.data, problem)
    else:
        stored = mem.recall()
        if stored.get("problem") and stored["problem"] != problem:
            raise ValueError(f"the data memory holds {stored['problem']} data; switch the problem type to "
                             f"{stored['problem']} first")
        s.data = Data(stored["train_points"], stored["train_labels"], stored["test_points"], stored["test_labels"],
                      "memory")
        s.uploaded = None
        s.rebuild_model()
        return {"kind": "snapshot", "memory": memory_info(s), **s.snapshot()}
    return {"kind": "memory", "memory": memory_info(s)}


def model_memory(s: Session, op: str) -> dict:
    """NN MC / MS / M+ / M− / AVG / MR. Recall writes the stored parameters into the current network."""
    if op not in MODEL_OPS:
        raise ValueError(f"unknown model memory operation {op!r}; expected one of {', '.join(MODEL_OPS)}")
    _, mem = _memories(s)
    if op == "recall":
        mem.recall(s.model)
        s.make_trainer()  # gradients carried over from before the recall belong to other weights
        return {"kind": "frame", "memory": memory_info(s), "frame": s.frame()}
    if op == "clear":
        mem.clear()
    elif op == "average":
        mem.average()
    else:
        getattr(mem, op)(s.model)
    return {"kind": "memory", "memory": memory_info(s)}


def trojan_regions(s: Session, level: int | None = None) -> dict:
    return trojans.trojan_info(s.config["trojan"] if level is None else level)


def run_inference(s: Session) -> dict:
    return inefficiency.inference(s.model, s.X_train, s.data.train_labels, s.X_test, s.data.test_labels)


def run_inefficiency(s: Session) -> dict:
    return inefficiency.inefficiency_report(s.model, s.X_train, s.data.train_labels, s.X_test, s.data.test_labels)


def sensitivity_start(s: Session, runs: int = 3, iterations: int = 100) -> dict:
    s.sensitivity_job = inefficiency.SensitivityRun(s.config, s.model, runs, iterations)
    return s.sensitivity_job.progress()


def sensitivity_step(s: Session, budget_ms: float = 50.0) -> dict:
    """One short chunk of the running sensitivity analysis; the page loops, so it can show progress and cancel."""
    job = s.sensitivity_job
    if job is None:
        raise ValueError("no sensitivity analysis is running")
    progress: dict[str, Any] = job.step(budget_ms)
    if job.done:
        progress["result"] = job.result()
        s.sensitivity_job = None
    return progress


def sensitivity_cancel(s: Session) -> dict:
    job = s.sensitivity_job
    if job is None:
        return {"cancelled": False}
    job.cancel()
    s.sensitivity_job = None
    return {"cancelled": True, "result": job.result()}


def save_nn_csv(s: Session) -> dict:
    return {"filename": "networkModel.csv", "text": nistcsv.save_nn_csv(s.config, s.model, s.data)}


def save_results_csv(s: Session, split: str = "test") -> dict:
    """stateHist.csv, KLdivergence.csv and overlapState.csv, computed now (never stale); NN Calculator saves test."""
    if split not in ("train", "test"):
        raise ValueError("split must be 'train' or 'test'")
    X, y = (s.X_train, s.data.train_labels) if split == "train" else (s.X_test, s.data.test_labels)
    return {"files": nistcsv.save_results_csv(inefficiency.kl_inefficiency(s.model, X, y))}
