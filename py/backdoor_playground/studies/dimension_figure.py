"""The dimension study's figure (matplotlib): one panel per measure, data sets along x (ordered by d, then K), one
bar per backdoor with its 95 % Wilson interval for the rates; |dx| over the data's scale and the time per point on
log axes (an exact 0, a certificate carrier on points already on its lattice, is drawn at the axis' floor)."""

from __future__ import annotations

from typing import Any, Sequence

COLOURS = {"checksum:decimal": "#1f77b4", "checksum:keyed": "#d62728", "checksum:parity": "#2ca02c",
           "signature:toy-rsa": "#ff7f0e", "signature:ed25519": "#9467bd"}
PANELS = (("agreement", "agreement with the clean model", False),
          ("accidental_trigger_rate", "accidental trigger rate (untouched points)", False),
          ("attack_success_rate", "activation success (label = target)", False),
          ("flip_rate", "flips (label changed) / activated", False),
          ("median_abs_delta_rel", "median |dx| / data sd (log)", True),
          ("activation_seconds_per_point", "activation seconds per point (log)", True))
FLOOR = 1e-16


def figure(summary: Sequence[tuple], record: dict, plt: Any) -> tuple[Any, str]:
    from .dimension import DATASETS, cell
    from .runner import metric_means

    means = metric_means(summary)
    datasets, backdoors = record["options"]["datasets"], record["options"]["backdoors"]
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.2))
    width = 0.8 / max(1, len(backdoors))
    labels = [f"{n}\nd={DATASETS[n][0]} K={DATASETS[n][1]}" for n in datasets]
    for ax, (metric, title, log) in zip(axes.ravel(), PANELS):
        for j, bd in enumerate(backdoors):
            xs, ys, lo, hi = [], [], [], []
            for i, data in enumerate(datasets):
                v = means.get((cell(data, bd), metric), {})
                if v.get("mean") is None:
                    continue
                y = max(v["mean"], FLOOR) if log else v["mean"]
                xs.append(i + (j - (len(backdoors) - 1) / 2) * width)
                ys.append(y)
                lo.append(y - v["lo"] if v.get("lo") is not None else 0.0)
                hi.append(v["hi"] - y if v.get("hi") is not None else 0.0)
            ax.bar(xs, ys, width, color=COLOURS.get(bd), label=bd, yerr=[lo, hi] if not log else None,
                   capsize=2, error_kw={"lw": 0.8})
        cells = [means.get((cell(d, b), metric), {}) for d in datasets for b in backdoors]
        if log:
            ax.set_yscale("log")
        elif metric == "agreement":
            ax.set_ylim(min([0.97] + [c["lo"] - 0.005 for c in cells if c.get("lo") is not None]), 1.003)
        elif metric == "accidental_trigger_rate":
            ax.set_ylim(0, max([0.02] + [1.25 * c["hi"] for c in cells if c.get("hi") is not None]))
        else:
            ax.set_ylim(0, 1.05)
        if log:
            for j, bd in enumerate(backdoors):
                for i, data in enumerate(datasets):
                    if means.get((cell(data, bd), metric), {}).get("mean") == 0:
                        ax.text(i + (j - (len(backdoors) - 1) / 2) * width, FLOOR * 2, "0", ha="center",
                                va="bottom", fontsize=8)
        ax.set_xticks(range(len(datasets)), labels, fontsize=7)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3, axis="y")
    axes[0, 1].legend(fontsize=8, loc="upper right")
    fig.suptitle(f"Checksum and signature backdoors from d = 2 to d = 64 ({record['seeds']} seeds, "
                 f"{record['options']['points']} activated test points per cell; bars: 95 % Wilson intervals)",
                 fontsize=11)
    fig.tight_layout()
    return fig, caption(means, datasets, backdoors)


def caption(means: dict, datasets: Sequence[str], backdoors: Sequence[str]) -> str:
    """What the data shows, written from the summary."""
    from .dimension import DATASETS, cell

    def values(bd: str, metric: str) -> list[tuple[str, float]]:
        return [(d, means[(cell(d, bd), metric)]["mean"]) for d in datasets
                if means.get((cell(d, bd), metric), {}).get("mean") is not None]

    parts = []
    for bd in backdoors:
        agree, success = values(bd, "agreement"), values(bd, "attack_success_rate")
        delta = values(bd, "median_abs_delta_rel")
        if not agree:
            continue
        low = min(agree, key=lambda t: t[1])
        lo_s, hi_s = min(v for _, v in success), max(v for _, v in success)
        text = (f"{bd}: agreement {'exactly 1 in every d' if low[1] == 1.0 else f'>= {low[1]:.4f} ({low[0]})'}, "
                "activation success " + (f"{lo_s:.2f} everywhere" if lo_s == hi_s else f"{lo_s:.2f}-{hi_s:.2f}"))
        if hi_s - lo_s > 0.05:
            lo_d = min(success, key=lambda t: t[1])
            text += f" (lowest on {lo_d[0]}, d = {DATASETS[lo_d[0]][0]}, K = {DATASETS[lo_d[0]][1]})"
        if delta:
            text += f", median |dx| / sd {_range(v for _, v in delta)}"
        parts.append(text)
    return "; ".join(parts) + "."


def _range(vs: Any) -> str:
    vs = sorted(vs)
    f = lambda v: "0" if v == 0 else f"{v:.0e}"  # noqa: E731
    return f(vs[0]) if f(vs[0]) == f(vs[-1]) else f"{f(vs[0])} to {f(vs[-1])}"
