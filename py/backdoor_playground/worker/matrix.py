"""Worker handlers for the backdoor x defense matrix (each takes the live Session first): experiment/matrix.py's
MatrixRun in short calls between training chunks. The matrix trains its own sessions from the live playground's
config with the command line's seeds "0".."n-1", so its cells equal `python3 -m backdoor_playground matrix` on
that config, and the live playground is never touched."""

from __future__ import annotations

from typing import Any

from ..experiment import matrix, replay
from ..limits import int_in
from ..playground import config as cfg
from ..playground.state_table import STATE_TABLE
from ..session import Session

DEFAULT_EPOCHS = 300
ALWAYS = ("dataset", "networkShape", "activation", "epochs")  # the keys the matrix's config always names
_run: matrix.MatrixRun | None = None


def _epochs_limit() -> tuple[int, int]:
    prop = next(p for p in STATE_TABLE if p.name == "epochs")
    return 1, int(prop.hi)


def _playground_config(s: Session, epochs: Any = None) -> dict:
    """The live playground's config as the matrix trains it: the clean model's config (a planted backdoor's
    operators swapped back), with `epochs` (default: the config's, else the epochs trained, else 300)."""
    if s.uploaded is not None:
        raise ValueError("the matrix generates its data from the config: it cannot use an uploaded CSV")
    if s.config["problem"] == "regression":
        raise ValueError("the matrix needs a classification problem")
    if epochs is None:
        epochs = s.config.get("epochs") or s.epoch or DEFAULT_EPOCHS
    config = {**s.config, "epochs": int_in("epochs", epochs, *_epochs_limit())}
    if s.attack is not None:
        config.update(s.attack.clean_config(config))
    # only what differs from the defaults (the seed goes: the matrix's seeds replace it), so the config the page
    # shows for the command line, and the cells' Replay links, stay short
    defaults, _ = cfg.validate({})
    return {k: v for k, v in config.items() if k in ALWAYS or (k != "seed" and v != defaults.get(k))}


def matrix_names(s: Session) -> dict:
    """The names the matrix knows (backdoors, defenses), the defaults, and the limits of seeds and epochs."""
    return {"backdoors": list(matrix.BACKDOORS), "defenses": list(matrix.DEFENSES),
            "triggers": list(matrix.TRIGGERS), "default_trigger": "box",
            "default_backdoors": list(matrix.DEFAULT_BACKDOORS), "default_defenses": list(matrix.DEFENSES),
            "max_seeds": matrix.MAX_SEEDS, "max_epochs": _epochs_limit()[1], "default_epochs": DEFAULT_EPOCHS}


def matrix_start(s: Session, backdoors: list | None = None, defenses: list | None = None, seeds: int = 1,
                 epochs: Any = None, trigger: str = "box") -> dict:
    """Start a matrix on the live playground's config (a running one is dropped); the progress (matrix_step).
    `trigger`: the poisoning row's trigger ("box" or NN Calculator's trojan region "T1".."T9")."""
    global _run
    _run = None
    _run = matrix.MatrixRun(_playground_config(s, epochs), seeds, backdoors, defenses, trigger)
    return _run.progress()


def _live() -> matrix.MatrixRun:
    if _run is None:
        raise ValueError("no matrix is running: call matrix_start first")
    return _run


def matrix_step(s: Session, budget_ms: float = 100.0) -> dict:
    """Run whole units for about budget_ms: {done, total, finished, cancelled, seconds, running, backdoors,
    defenses, seeds, trigger, config, cells: [{backdoor, defense, seeds, metrics: {metric: {mean, sd, k, n, lo, hi}},
    link}]}."""
    return _live().step(float(budget_ms))


def matrix_cancel(s: Session) -> dict:
    """Stop the matrix between units: the progress with the cells finished so far."""
    return _live().cancel()


def matrix_cell_config(s: Session, backdoor: str, defense: str, seed: str = "0", epochs: Any = None,
                       trigger: str = "box") -> dict:
    """{config, link}: the experiment config of one cell on the live playground's config (the backdoor's and the
    defense's settings added) and its Replay link, which re-runs that cell."""
    config = matrix.cell_config(_playground_config(s, epochs), backdoor, defense, str(seed), trigger)
    return {"config": config, "link": replay.encode(config)}
