"""The studies' figures, drawn with matplotlib when it is installed (`pip install './py[plots]'`); without it the
runner writes the data and says how to get them. SVG output is made reproducible (no date, fixed ids)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from .registry import Study

COLOURS = {"decimal": "#1f77b4", "keyed": "#d62728", "parity": "#2ca02c"}


def pyplot() -> Any | None:
    """matplotlib.pyplot on the Agg backend, or None when matplotlib is not installed."""
    try:
        import matplotlib
    except ImportError:
        return None
    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "backdoor-playground-studies"
    import matplotlib.pyplot as plt

    return plt


def draw(study: Study, summary: Sequence[tuple], record: dict, base: Path) -> dict | None:
    """Write base.svg and base.png; {"files", "caption"}, or None without matplotlib (or a figure)."""
    plt = pyplot()
    if plt is None or study.draw is None:
        return None
    fig, caption = study.draw(summary, record, plt)
    files = [f"{base}.svg", f"{base}.png"]
    fig.savefig(files[0], metadata={"Date": None})
    fig.savefig(files[1], dpi=110, metadata={"Software": None})
    plt.close(fig)
    import matplotlib

    return {"files": files, "caption": caption, "matplotlib": matplotlib.__version__}


def _series(summary: Sequence[tuple], key: str, metric: str, where: dict[str, str]) -> list[tuple[float, float]]:
    """(x, mean) pairs: x from the cell's `key`, for cells matching `where`."""
    from .runner import parse_cell

    out = []
    for cell, m, _seeds, mean, *_ in summary:
        c = parse_cell(cell)
        if m == metric and mean is not None and all(c.get(k) == v for k, v in where.items()):
            try:
                out.append((float(c[key].removeprefix("r=")), mean))
            except ValueError:
                continue
    return sorted(out)


def modulo_figure(summary: Sequence[tuple], record: dict, plt: Any, bp: dict, verdict: str) -> tuple[Any, str]:
    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), sharex=True)
    panels = [("digit_edit_matched", "digit edit: trigger reached (share of test points)", False),
              ("search_matched", "key holder's search: trigger within budget (share)", False),
              ("search_seconds", "search seconds, median point", True),
              ("accidental_trigger_rate", "accidental trigger rate (solid) / agreement (dashed)", False)]
    for ax, (metric, title, log) in zip(axes.ravel(), panels):
        for v in record["options"]["variants"]:
            pts = _series(summary, "modulo", metric, {"variant": v})
            if pts:
                ax.plot(*zip(*pts), marker="o", ms=3, color=COLOURS.get(v), label=v)
            if metric == "accidental_trigger_rate":
                agree = _series(summary, "modulo", "agreement", {"variant": v})
                if agree:
                    ax.plot(*zip(*agree), ls="--", color=COLOURS.get(v))
            key = {"digit_edit_matched": "digit_edit", "search_matched": "search"}.get(metric)
            if key and bp[v][key]:
                ax.axvline(bp[v][key], color=COLOURS.get(v), ls=":", lw=1.5)
        if metric == "search_seconds":
            ax.axhline(record["budget_s"], color="k", ls=":", lw=1, label="budget")
        ax.axvline(20, color="0.6", lw=0.8)
        ax.set_xscale("log", base=2)
        if log:
            ax.set_yscale("log")
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    axes[1, 0].legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("modulo m (grey line: the paper's 20; dotted: breakpoints)")
    fig.suptitle("Checksum backdoor vs modulo m", fontsize=12)
    fig.tight_layout()
    return fig, verdict


def proximity_figure(summary: Sequence[tuple], record: dict, plt: Any) -> tuple[Any, str]:
    from .runner import metric_means

    datasets = record["options"]["datasets"]
    cols = min(4, len(datasets))
    rows = -(-len(datasets) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.4 * cols, 3.0 * rows + 0.6), sharex=True, sharey=True,
                             squeeze=False)
    means = metric_means(summary)
    k = record["options"]["k"]
    styles = {"false_positive_rate": "#d62728", "broken_rate": "#ff7f0e", "coverage": "#7f7f7f",
              "restore_rate": "#2ca02c", "accuracy_after": "#1f77b4"}
    worst = None
    for ax, d in zip(axes.ravel(), datasets):
        for metric, colour in styles.items():
            pts = _series(summary, "method", metric, {"dataset": d})
            if pts:
                ax.plot(*zip(*pts), color=colour, label=metric.replace("_", " "), lw=1.4)
        for method, marker in (("auto", "o"), ("r_sep", "s")):
            r = means.get((f"dataset={d} method={method}", "radius"), {}).get("mean")
            fp = means.get((f"dataset={d} method={method}", "false_positive_rate"), {}).get("mean")
            if r is not None and fp is not None:
                ax.plot([r], [fp], marker=marker, color="k", ls="none", ms=5, label=f"{method} (false pos.)")
        knn = means.get((f"dataset={d} method=knn{k}", "false_positive_rate"), {}).get("mean")
        if knn is not None:
            ax.axhline(knn, color="#d62728", ls=":", lw=1, label=f"{k}-NN false pos.")
        auto_fp = means.get((f"dataset={d} method=auto", "false_positive_rate"), {}).get("mean")
        if auto_fp is not None and (worst is None or auto_fp > worst[1]):
            worst = (d, auto_fp)
        ax.set_xscale("log")
        ticks = [t for t in (0.1, 0.3, 1.0, 3.0) if min(record["options"]["radii"]) <= t <= 6.0]
        ax.set_xticks(ticks, [f"{t:g}" for t in ticks])
        ax.minorticks_off()
        acc = means.get((f"dataset={d} method=none", "model_accuracy"), {}).get("mean")
        ax.set_title(d + ("" if acc is None else f" (model accuracy {acc:.2f})"), fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.ravel()[len(datasets):]:
        ax.axis("off")
    for ax in axes[-1]:
        ax.set_xlabel("radius r")
    axes[0, 0].legend(fontsize=6, loc="center left")
    fig.suptitle("Proximity defense by radius (checksum digit edit activated on the test set)", fontsize=12)
    fig.tight_layout()
    caption = "Per data set: share of test labels the vote changes at untouched points (false positives), of " \
              "right labels it makes wrong (broken), of test points with a training neighbour within r (coverage), " \
              "of flipped points restored, and accuracy after"
    if worst:
        caption += f"; NN Calculator's auto radius changes most clean labels on {worst[0]} ({worst[1]:.1%})"
    return fig, caption + "."


def matrix_figure(summary: Sequence[tuple], record: dict, plt: Any) -> tuple[Any, str]:
    import numpy as np

    from .runner import metric_means

    means = metric_means(summary)
    bds, dfs = record["backdoors"], record["defenses"]
    grid = np.full((len(bds), len(dfs)), np.nan)
    for i, b in enumerate(bds):
        for j, d in enumerate(dfs):
            v = means.get((f"backdoor={b} defense={d}", "attack_success_rate_after"), {}).get("mean")
            grid[i, j] = np.nan if v is None else v
    fig, ax = plt.subplots(figsize=(0.95 * len(dfs) + 3.5, 0.45 * len(bds) + 2))
    im = ax.imshow(grid, vmin=0, vmax=1, cmap="Reds", aspect="auto")
    ax.set_xticks(range(len(dfs)), dfs, rotation=40, ha="right", fontsize=8)
    ax.set_yticks(range(len(bds)), bds, fontsize=8)
    for i in range(len(bds)):
        for j in range(len(dfs)):
            value = grid[i, j]
            ax.text(j, i, "n/a" if np.isnan(value) else f"{value:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if value > 0.6 else "black")
    fig.colorbar(im, ax=ax, label="attack success after the defense")
    fig.tight_layout()
    return fig, ("Attack success after each defense (rows: backdoors, columns: defenses; mean over seeds; n/a: no test "
                 "point was activated).")
