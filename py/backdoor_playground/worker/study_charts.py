"""The Studies view's figure data (worker/studies.py sends it, site/js/panels/studies/charts.js paints it): the same
panels as the command line's matplotlib figures (studies/figures.py, studies/dimension_figure.py), computed here from
a study's summary rows and record; and each study's headline numbers with their pooled 95 % Wilson intervals.
CHARTS: study name -> (summary, record) -> (charts, numbers)."""

from __future__ import annotations

from typing import Sequence

from ..studies import runner

COLOURS = {"decimal": "#1f77b4", "keyed": "#d62728", "parity": "#2ca02c"}
PROX_STYLES = {"false_positive_rate": "#d62728", "broken_rate": "#ff7f0e", "coverage": "#7f7f7f",
               "restore_rate": "#2ca02c", "accuracy_after": "#1f77b4"}


def _rate(means: dict, cell: str, metric: str, label: str) -> dict | None:
    m = means.get((cell, metric))
    if m is None:
        return None
    return {"label": label, **{k: m.get(k) for k in ("mean", "k", "n", "lo", "hi", "seeds")}}


def _series(means: dict, cells: list[str], metric: str) -> list:
    return [means.get((c, metric), {}).get("mean") for c in cells]


def _modulo_charts(summary: Sequence[tuple], record: dict) -> tuple[list, list]:
    """studies/figures.modulo_figure's four panels; numbers: each variant's rates at m = 20 (or the grid's nearest)."""
    from ..studies import modulo

    means = runner.metric_means(summary)
    moduli = sorted(record["options"]["moduli"])
    variants = record["options"]["variants"]
    bp = modulo.breakpoints(summary, record)
    budget = record.get("budget_s", 1.0)
    charts = []
    for metric, title, key in (("digit_edit_matched", "Digit edit: trigger reached", "digit_edit"),
                               ("search_matched", "Key holder's search: trigger within budget", "search"),
                               ("search_seconds", "Search seconds, median point", None),
                               ("accidental_trigger_rate", "Accidental triggers (solid), agreement (dashed)", None)):
        series, marks = [], [{"x": 20, "label": "20", "color": "#9aa5ad"}]
        for v in variants:
            cells = [modulo._cell(v, m) for m in moduli]
            series.append({"label": v, "color": COLOURS.get(v, "#6a1b9a"), "y": _series(means, cells, metric),
                           "dots": True})
            if metric == "accidental_trigger_rate":
                series.append({"label": f"{v} agreement", "color": COLOURS.get(v, "#6a1b9a"), "dash": [5, 3],
                               "y": _series(means, cells, "agreement")})
            if key and bp[v][key]:
                marks.append({"x": bp[v][key], "label": f"{v} {bp[v][key]}", "color": COLOURS.get(v), "dash": [2, 3]})
        if metric == "search_seconds":
            series.append({"label": "budget", "color": "#6a1b9a", "dash": [2, 3], "y": [budget] * len(moduli)})
        charts.append({"kind": "line", "id": metric, "title": title, "x": moduli, "xLog": True,
                       "xLabel": "modulo m", "yLabel": "seconds" if metric == "search_seconds" else "share of points",
                       "seconds": metric == "search_seconds", "series": series, "marks": marks})
    m20 = min(moduli, key=lambda m: abs(m - 20))
    numbers = []
    for v in variants:
        cell = modulo._cell(v, m20)
        for metric, label in (("digit_edit_matched", "digit edit reaches the trigger"),
                              ("search_matched", "search reaches it in budget"),
                              ("accidental_trigger_rate", "fires on clean points")):
            r = _rate(means, cell, metric, f"{v}, m = {m20}: {label}")
            if r:
                numbers.append(r)
    caption = modulo.verdict(summary, record) if "seeds" in record else ""
    return [{**c, "caption": caption if i == 0 else ""} for i, c in enumerate(charts)], numbers


def _proximity_charts(summary: Sequence[tuple], record: dict) -> tuple[list, list]:
    """studies/figures.proximity_figure's panels, one per data set; numbers: the auto radius's rates."""
    means = runner.metric_means(summary)
    radii = sorted(record["options"]["radii"])
    k = record["options"]["k"]
    charts, numbers = [], []
    for d in record["options"]["datasets"]:
        cells = [f"dataset={d} method=r={r:g}" for r in radii]
        series = [{"label": m.replace("_", " "), "color": c, "y": _series(means, cells, m), "dots": True}
                  for m, c in PROX_STYLES.items()]
        knn = means.get((f"dataset={d} method=knn{k}", "false_positive_rate"), {}).get("mean")
        if knn is not None:
            series.append({"label": f"{k}-NN false pos.", "color": "#d62728", "dash": [2, 3], "y": [knn] * len(radii)})
        marks = []
        for method in ("auto", "r_sep"):
            r = means.get((f"dataset={d} method={method}", "radius"), {}).get("mean")
            if r is not None:
                marks.append({"x": r, "label": method, "color": "#2b2b2b", "dash": [4, 3]})
        acc = means.get((f"dataset={d} method=none", "model_accuracy"), {}).get("mean")
        charts.append({"kind": "line", "id": f"proximity_{d}", "series": series, "marks": marks, "x": radii,
                       "xLog": True, "xLabel": "radius r", "yLabel": "share of test points",
                       "title": d + ("" if acc is None else f" (model accuracy {acc:.2f})"), "caption": ""})
        for metric, label in (("false_positive_rate", "auto radius: clean labels changed"),
                              ("restore_rate", "auto radius: flipped points restored")):
            r = _rate(means, f"dataset={d} method=auto", metric, f"{d}, {label}")
            if r:
                numbers.append(r)
    return charts, numbers


def _matrix_charts(summary: Sequence[tuple], record: dict) -> tuple[list, list]:
    """studies/figures.matrix_figure's heatmap: attack success after each defense; numbers: every cell's."""
    means = runner.metric_means(summary)
    bds = record.get("backdoors") or record["options"]["backdoors"]
    dfs = record.get("defenses") or record["options"]["defenses"]
    cell = lambda b, d: f"backdoor={b} defense={d}"  # noqa: E731
    values = [[means.get((cell(b, d), "attack_success_rate_after"), {}).get("mean") for d in dfs] for b in bds]
    numbers = [r for b in bds for d in dfs
               if (r := _rate(means, cell(b, d), "attack_success_rate_after", f"{b} × {d}: attack success after"))]
    return [{"kind": "heatmap", "id": "matrix", "title": "Attack success after each defense", "rows": bds,
             "cols": dfs, "values": values, "xLabel": "defense", "yLabel": "backdoor",
             "caption": "Rows: backdoors, columns: defenses; mean over seeds; n/a: no test point was activated."}], \
        numbers


# the dimension study's panels, as studies/dimension_figure.PANELS: metric, title, y axis, log y
DIM_PANELS = (("agreement", "Agreement with the clean model", "share of untouched points", False),
              ("accidental_trigger_rate", "Accidental trigger rate (untouched points)", "share of untouched points",
               False),
              ("attack_success_rate", "Activation success (label = target)", "share of activated points", False),
              ("flip_rate", "Flips (label changed) / activated", "share of activated points", False),
              ("median_abs_delta_rel", "Median |dx| / data sd (log)", "|dx| / s", True),
              ("activation_seconds_per_point", "Activation seconds per point (log)", "seconds per point", True))


def _dimension_charts(summary: Sequence[tuple], record: dict) -> tuple[list, list]:
    """studies/dimension_figure.figure's six panels: one group of bars per data set (d, K), one bar per backdoor,
    95 % Wilson intervals on the rates, log axes for |dx| / s and the time; numbers: each cell's activation success."""
    from ..studies.dimension import DATASETS, cell
    from ..studies.dimension_figure import COLOURS as BD_COLOURS
    from ..studies.dimension_figure import caption

    means = runner.metric_means(summary)
    datasets = [d for d in record["options"]["datasets"] if d in DATASETS]
    backdoors = record["options"]["backdoors"]
    groups = [{"label": d, "sub": f"d={DATASETS[d][0]} K={DATASETS[d][1]}"} for d in datasets]
    charts = []
    for metric, title, ylabel, log in DIM_PANELS:
        series = []
        for bd in backdoors:
            vals = []
            for d in datasets:
                m = means.get((cell(d, bd), metric), {})
                vals.append(None if m.get("mean") is None else {k: m.get(k) for k in ("mean", "lo", "hi", "k", "n")})
            series.append({"label": bd, "color": BD_COLOURS.get(bd, "#6a1b9a"), "values": vals})
        his = [v["hi"] for s in series for v in s["values"] if v and v.get("hi") is not None]
        los = [v["lo"] for s in series for v in s["values"] if v and v.get("lo") is not None]
        if log:
            y0, y1 = None, None
        elif metric == "agreement":
            y0, y1 = min([0.97] + [lo - 0.005 for lo in los]), 1.003
        elif metric == "accidental_trigger_rate":
            y0, y1 = 0.0, max([0.02] + [1.25 * hi for hi in his])
        else:
            y0, y1 = 0.0, 1.05
        charts.append({"kind": "bars", "id": f"dimension_{metric}", "title": title, "groups": groups,
                       "series": series, "log": log, "yMin": y0, "yMax": y1, "intervals": bool(los),
                       "seconds": metric == "activation_seconds_per_point", "xLabel": "data set (d inputs, K classes)",
                       "yLabel": ylabel, "caption": ""})
    try:  # the study's own words; a partial summary (a cancelled run, a trimmed file) may lack a measure
        charts[0]["caption"] = caption(means, datasets, backdoors)
    except (KeyError, ValueError):
        pass
    numbers = [r for d in datasets for bd in backdoors
               if (r := _rate(means, cell(d, bd), "attack_success_rate",
                              f"{d} (d = {DATASETS[d][0]}, K = {DATASETS[d][1]}), {bd}: activation success"))]
    return charts, numbers


# study -> (summary, record) -> (charts, headline numbers)
CHARTS = {"modulo": _modulo_charts, "proximity": _proximity_charts, "matrix": _matrix_charts,
          "dimension": _dimension_charts}
