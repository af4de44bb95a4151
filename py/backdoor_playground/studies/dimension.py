"""The dimension study (the paper's open check 3, "scale the simulation to 3D inputs and compare backdoor activation
rates"; issue #14 item 5): the checksum and signature backdoors on d = 2 (circle; blobs with K = 2 and K = 10 for the
class comparison), d = 3 (circle3d) and d = 64 (the 8x8 digits divided by 16, K = 10). Per data set and seed one
network is trained; each backdoor is planted on a copy and activated on the first `points` test points
(experiment/matrix.attacked_copy: the experiment's own plant and activate), and defense/run.metrics measures:

    clean_accuracy            the clean model's test accuracy (cell backdoor=none, with data_scale)
    agreement                 backdoored vs clean labels on the untouched test points
    accidental_trigger_rate   the trigger fires on an untouched test point
    trigger_rate              activated points whose trigger is reached (checksum: key matched; signature: accepted)
    attack_success_rate       activated points the backdoored model labels with the attacker's target
    flip_rate                 activated points whose label the activation changed (k: the flips)
    median_abs_delta(_rel), max_abs_delta(_rel)   the move |dx| (max norm over the d coordinates), and over the
                              data's scale s = sqrt(mean_j var_j): the per-coordinate sd of the training points, as
                              an RMS over the d coordinates
    activation_seconds_per_point   the activation's wall-clock time / activated points (a timing)
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..defense import run as defense
from ..defense.attacked import untouched
from ..experiment import matrix
from . import registry
from .registry import Option

FEATURES_3D = ["x", "y", "z", "xSquared", "ySquared", "zSquared"]
# key -> (d, K, experiment config): networks that reach the accuracies on every default seed (circle3d 1.0,
# digits 0.958-0.972; blobs K = 10 about 0.9, near its overlap limit) in well under a second each
DATASETS: dict[str, tuple[int, int, dict]] = {
    "circle": (2, 2, {"dataset": "circle", "epochs": 300}),
    "blobs2": (2, 2, {"dataset": "blobs", "classes": 2, "networkShape": [8], "epochs": 300}),
    "blobs10": (2, 10, {"dataset": "blobs", "classes": 10, "networkShape": [8], "epochs": 300}),
    "circle3d": (3, 2, {"dataset": "circle3d", "features": FEATURES_3D, "networkShape": [6], "activation": "tanh",
                        "epochs": 60}),
    "digits": (64, 10, {"dataset": "digits", "digits_scale": "unit", "networkShape": [8], "activation": "tanh",
                        "learningRate": 0.1, "percTrainData": 80, "epochs": 100}),
}
BACKDOORS = ("checksum:decimal", "checksum:keyed", "checksum:parity", "signature:toy-rsa", "signature:ed25519")
DEFAULT_BACKDOORS = ("checksum:decimal", "signature:toy-rsa", "signature:ed25519")
POINTS = 100
RATES = ("agreement", "accidental_trigger_rate", "attack_success_rate")
DELTAS = ("median_abs_delta", "max_abs_delta", "activation_seconds_per_point")


def cell(data: str, backdoor: str) -> str:
    d, k, _ = DATASETS[data]
    return f"data={data} d={d} k={k} backdoor={backdoor}"


def plan(opts: dict, seeds: int) -> tuple[list, dict]:
    """One job per (data set, seed): train once, then plant and activate every backdoor on a copy."""
    configs = {name: DATASETS[name][2] for name in opts["datasets"]}
    for c in configs.values():
        matrix.parse_config({**c, "seed": "0"})  # a bad config fails before any work
    jobs = [(name, str(seed), configs[name], list(opts["backdoors"]), opts["points"])
            for name in opts["datasets"] for seed in range(seeds)]
    return jobs, {"configs": configs, "shapes": {n: {"d": DATASETS[n][0], "k": DATASETS[n][1]} for n in configs},
                  "backdoor_settings": {b: matrix.BACKDOORS[b] for b in opts["backdoors"]},
                  "scale": "s: the training points' per-coordinate sd, RMS over the d coordinates "
                           "(sqrt of the mean variance)",
                  "activated": f"the first {opts['points']} test points (all when the test set is smaller)"}


def data_scale(points: Any) -> float:
    """s = sqrt(mean_j var_j) of the (n, d) points: the per-coordinate standard deviation, RMS over coordinates."""
    P = np.asarray(points, dtype=np.float64)
    return float(np.sqrt(np.mean(P.var(axis=0))))


def _count(v: dict | None) -> tuple[Any, Any, Any]:
    return (None, None, None) if v is None else (v["value"], v["k"], v["n"])


def backdoor_rows(base: Any, data: str, seed: str, backdoor: str, points: int, scale: float) -> list[tuple]:
    """Rows (cell, seed, metric, value, k, n) of one backdoor planted and activated on a copy of `base`."""
    import copy

    from .. import attacks

    s = copy.deepcopy(base)
    m = len(s.data.test_points)
    settings = attacks.check({**matrix.BACKDOORS[backdoor], "points": list(range(min(points, m)))}, s.config)
    s.install(settings["type"], settings).activate_as(s, settings)
    att = s.attacked()
    out = defense.metrics(att)
    c = cell(data, backdoor)
    rows = [(c, seed, key, *_count(out[key])) for key in RATES]
    summary = att.activation or {}
    n_act, n_flip = int(att.activated.sum()), int(att.flipped.sum())
    reached = summary.get("matched", summary.get("accepted"))
    rows.append((c, seed, "trigger_rate", reached / n_act if n_act and reached is not None else None,
                 None if reached is None else int(reached), n_act))
    rows.append((c, seed, "flip_rate", n_flip / n_act if n_act else None, n_flip, n_act))
    for key in DELTAS:
        rows.append((c, seed, key, out[key], None, None))
    for key in DELTAS[:2]:
        rows.append((c, seed, key + "_rel", None if out[key] is None else out[key] / scale, None, None))
    return rows


def run_job(job: tuple) -> list[tuple]:
    """Rows of one data set and seed: the clean model's accuracy and the data's scale, then every backdoor."""
    data, seed, config, backdoors, points = job
    s = matrix.trained(config, seed)
    plain = untouched(s)
    scale = data_scale(s.data.train_points)
    right, m = int((plain.clean_pred == plain.test_labels).sum()), len(plain.test_points)
    rows: list[tuple] = [(cell(data, "none"), seed, "clean_accuracy", right / m if m else None, right, m),
                         (cell(data, "none"), seed, "data_scale", scale, None, None)]
    for bd in backdoors:
        rows.extend(backdoor_rows(s, data, seed, bd, points, scale))
    return rows


# ------------------------------------------------------------------------------------------- what it prints

COLUMNS = ("data", "d", "K", "backdoor", "agreement", "accidental", "trigger", "success", "flips",
           "median |dx|/s", "max |dx|/s", "ms/point")


def table(summary: Sequence[tuple], record: dict) -> list[list[str]]:
    """The headline table: one row per data set and backdoor (means over seeds; flips: pooled count / activated)."""
    from .runner import metric_means

    means = metric_means(summary)
    out = []
    for data in record["options"]["datasets"]:
        d, k, _ = DATASETS[data]
        for bd in record["options"]["backdoors"]:
            get = lambda key: means.get((cell(data, bd), key), {})  # noqa: E731
            flips = get("flip_rate")
            ms = get("activation_seconds_per_point").get("mean")
            out.append([data, str(d), str(k), bd, _num(get("agreement").get("mean"), 3),
                        _num(get("accidental_trigger_rate").get("mean"), 3), _num(get("trigger_rate").get("mean"), 2),
                        _num(get("attack_success_rate").get("mean"), 2),
                        "-" if flips.get("k") is None else f"{flips['k']}/{flips['n']}",
                        _sci(get("median_abs_delta_rel").get("mean")), _sci(get("max_abs_delta_rel").get("mean")),
                        "-" if ms is None else f"{ms * 1000:.2g}"])
    return out


def _num(v: float | None, digits: int) -> str:
    return "-" if v is None else f"{v:.{digits}f}"


def _sci(v: float | None) -> str:
    return "-" if v is None else ("0" if v == 0 else f"{v:.1e}")


def accuracy_line(summary: Sequence[tuple], record: dict) -> str:
    from .runner import metric_means

    means = metric_means(summary)
    parts = []
    for data in record["options"]["datasets"]:
        acc = means.get((cell(data, "none"), "clean_accuracy"), {})
        if acc.get("mean") is not None:
            parts.append(f"{data} {acc['mean']:.3f}")
    return "clean test accuracy (mean over seeds): " + ", ".join(parts)


def markdown(summary: Sequence[tuple], record: dict, columns: Sequence[str] = COLUMNS) -> str:
    """The table (or some of its columns) as Markdown: docs/STUDIES.md and README.md quote it."""
    pick = [COLUMNS.index(c) for c in columns]
    cells = [[columns[i].replace("|", "\\|") for i in range(len(pick))]] + [[r[i] for i in pick]
                                                                            for r in table(summary, record)]
    lines = ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(lines[:1] + ["|" + "|".join("---" for _ in pick) + "|"] + lines[1:]) + "\n"


def headline(summary: Sequence[tuple], record: dict) -> str:
    rows = table(summary, record)
    widths = [max(len(c), *(len(r[i]) for r in rows)) if rows else len(c) for i, c in enumerate(COLUMNS)]
    fmt = lambda r: "  " + "  ".join(v.rjust(w) if i > 3 or i in (1, 2) else v.ljust(w)  # noqa: E731
                                      for i, (v, w) in enumerate(zip(r, widths)))
    opts = record["options"]
    lines = [f"dimension study: {len(opts['datasets'])} data sets x {len(opts['backdoors'])} backdoors x "
             f"{record['seeds']} seeds, {opts['points']} activated test points per cell; s = the data's "
             f"per-coordinate sd (RMS over coordinates)", fmt(COLUMNS), *(fmt(r) for r in rows),
             "  " + accuracy_line(summary, record)]
    return "\n".join(lines) + "\n"


def draw(summary: Sequence[tuple], record: dict, plt: Any) -> tuple[Any, str]:
    from .dimension_figure import figure

    return figure(summary, record, plt)


STUDY = registry.register(registry.Study(
    name="dimension", doc="the checksum and signature backdoors on d = 2, 3 and 64 inputs, K = 2 vs 10 (issue #14)",
    options={
        "datasets": Option(list(DATASETS), registry.names(tuple(DATASETS)),
                           "data sets: circle, blobs2, blobs10 (d = 2), circle3d (d = 3), digits (d = 64)"),
        "backdoors": Option(list(DEFAULT_BACKDOORS), registry.names(BACKDOORS), "backdoors (matrix names)"),
        "points": Option(POINTS, registry.number(1, 100_000, integer=True), "test points activated per cell"),
    },
    plan=plan, run_job=run_job, headline=headline, draw=draw, seeds=5))
