"""The proximity study (the paper's open check 2: the proximity defense on data sets that break its Lipschitz
assumption, "to quantify false positive rates"): for every classification data set, train, plant the decimal
checksum and activate it on the test set by the digit edit, then vote labels by the training points within a
radius r (a grid, NN Calculator's auto radius, r_sep) or by the k nearest (defense/proximity.py), and count:

    false_positive_rate  test points whose untouched label the vote changes (clean labels changed)
    coverage             test points with at least one training point within r (k-NN: every point)
    restore_rate         flipped points whose label the vote brings back to the clean model's
    broken_rate          test points the model labels right (untouched) that the vote labels wrong: the false
                         positives that cost accuracy (on a data set the model fits badly, a "false positive" can
                         also be a correction)
    accuracy_after       labels after the vote (at the activated inputs) equal to the ground truth
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from ..defense import proximity as prox
from ..defense.run import outcome
from ..experiment import matrix
from ..playground.datasets import CLASSIFY_DATASETS
from . import registry
from .registry import Option

RADII = (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0)
BACKDOOR = "checksum:decimal"


def _cell(dataset: str, method: str) -> str:
    return f"dataset={dataset} method={method}"


def plan(opts: dict, seeds: int) -> tuple[list, dict]:
    """One job per (data set, seed): train, attack, vote at every radius, auto, r_sep and k-NN."""
    configs = {d: {"dataset": d, "epochs": opts["epochs"]} for d in opts["datasets"]}
    for c in configs.values():
        matrix.parse_config({**c, "seed": "0"})
    jobs = [(d, str(seed), configs[d], list(opts["radii"]), opts["k"]) for d in opts["datasets"]
            for seed in range(seeds)]
    return jobs, {"configs": configs, "backdoor": matrix.BACKDOORS[BACKDOOR], "ties": "negative"}


def _rows(cell: str, seed: str, att: Any, labels: np.ndarray, labels_clean: np.ndarray, bd_clean: np.ndarray,
          covered: np.ndarray | None, radius: float | None) -> list[tuple]:
    o = outcome(att, labels, labels_clean, bd_clean)
    m = len(att.test_points)
    rows = [(cell, seed, "false_positive_rate", o["clean_changed"] / m if m else None, o["clean_changed"], m),
            (cell, seed, "restore_rate", o["restored"] / o["flipped"] if o["flipped"] else None, o["restored"],
             o["flipped"]),
            (cell, seed, "accuracy_after", o["accuracy_after"], int((labels == att.test_labels).sum()), m)]
    broken = int(((labels_clean != att.test_labels) & (bd_clean == att.test_labels)).sum())
    rows.append((cell, seed, "broken_rate", broken / m if m else None, broken, m))
    if covered is not None:
        rows.append((cell, seed, "coverage", float(covered.mean()) if m else None, int(covered.sum()), m))
    if radius is not None:
        rows.append((cell, seed, "radius", float(radius), None, None))
    return rows


def run_job(job: tuple) -> list[tuple]:
    """Rows (cell, seed, metric, value, k, n) of one data set and seed, every method."""
    dataset, seed, config, radii, k = job
    s = matrix.trained(config, seed)
    _, att = matrix.attacked_copy(s, BACKDOOR)
    bd_clean = att.untouched_pred
    m = len(att.test_points)
    queries = np.concatenate([att.inputs, att.test_points])
    fallback = np.concatenate([att.bd_pred, bd_clean])  # no neighbour: the model's own label stays
    auto = prox.nist_radius(prox.distance_histograms(att.train_points, att.train_labels))["radius"]
    r_sep = prox.separation_radius(att.train_points, att.train_labels)
    methods = [(f"r={r:g}", r) for r in radii] + [("auto", auto)] + ([("r_sep", r_sep)] if r_sep is not None else [])
    n_pos, n_neg = prox.neighbour_counts(att.train_points, att.train_labels, queries, [r for _, r in methods])
    rows: list[tuple] = [(_cell(dataset, "none"), seed, "flipped", int(att.flipped.sum()), None, None),
                         (_cell(dataset, "none"), seed, "accuracy_after",
                          float(np.mean(att.bd_pred == att.test_labels)) if m else None,
                          int((att.bd_pred == att.test_labels).sum()), m),
                         (_cell(dataset, "none"), seed, "model_accuracy",
                          float(np.mean(bd_clean == att.test_labels)) if m else None,
                          int((bd_clean == att.test_labels).sum()), m)]
    for i, (name, r) in enumerate(methods):
        vote = prox.vote_from_counts(n_pos[i], n_neg[i], fallback, "negative")
        covered = (n_pos[i, m:] + n_neg[i, m:]) > 0
        rows.extend(_rows(_cell(dataset, name), seed, att, vote[:m], vote[m:], bd_clean, covered,
                          r if name in ("auto", "r_sep") else None))
    nearest = prox.nearest_labels(att.train_points, att.train_labels, queries, k)
    vote = prox.knn_from_nearest(nearest, k, fallback)
    rows.extend(_rows(_cell(dataset, f"knn{k}"), seed, att, vote[:m], vote[m:], bd_clean, None, None))
    return rows


def headline(summary: Sequence[tuple], record: dict) -> str:
    from .runner import metric_means

    means = metric_means(summary)
    lines = [f"proximity study: {len(record['options']['datasets'])} data sets x {record['seeds']} seeds "
             f"(false positives / restored / accuracy after, mean over seeds)",
             f"  {'data set':12} {'auto':>17} {'r_sep':>17} {'knn' + str(record['options']['k']):>17}"]
    for d in record["options"]["datasets"]:
        parts = []
        for method in ("auto", "r_sep", f"knn{record['options']['k']}"):
            get = [means.get((_cell(d, method), key), {}).get("mean") for key in
                   ("false_positive_rate", "restore_rate", "accuracy_after")]
            parts.append("/".join("-" if v is None else f"{v:.2f}" for v in get))
        lines.append(f"  {d:12} " + " ".join(f"{p:>17}" for p in parts))
    return "\n".join(lines) + "\n"


def draw(summary: Sequence[tuple], record: dict, plt: Any) -> tuple[Any, str]:
    from .figures import proximity_figure

    return proximity_figure(summary, record, plt)


STUDY = registry.register(registry.Study(
    name="proximity", doc="the proximity defense on every data set: false positives, coverage, restores, accuracy",
    options={
        "datasets": Option(list(CLASSIFY_DATASETS), registry.names(tuple(CLASSIFY_DATASETS)), "data sets"),
        "radii": Option(list(RADII), registry.floats, "the radius grid"),
        "k": Option(5, registry.number(1, 999, integer=True), "k of the k-NN vote"),
        "epochs": Option(300, registry.number(1, 10_000, integer=True), "training epochs"),
    },
    plan=plan, run_job=run_job, headline=headline, draw=draw, seeds=3))
