"""What the checksum panel measures about the live model: a key holder's search cost on this device, and the
residue histograms of the first-layer pre-activations (NN Calculator's checksum of each value, per variant)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

import numpy as np

from ..playground import features
from .. import checksum as backdoor
from .attack import config_params

if TYPE_CHECKING:
    from ..session import Session


def search_estimate(s: "Session", rates: Mapping[str, float], budget_s: float = 1.0, k: int = 1,
                    variant: str | None = None, modulo: int | None = None, precision: int | None = None,
                    key: int | None = None, trials_per_s: float | None = None) -> dict:
    """What a k-node search costs at `trials_per_s` (default: `rates` of the variant, from calibrate()):
    {variant, trials_per_s, p_key, expected_trials, predicted_seconds, over_budget, max_modulo, max_k, text}.

    Numbers default to the config's; max_modulo is None when not even m = 2 fits; max_k is 0 when not even k = 1
    fits."""
    c = s.config
    params = config_params(c, {"variant": variant or c["csum_variant"],
                               "modulo": c["csum_modulo"] if modulo is None else modulo,
                               "precision": c["csum_precision"] if precision is None else precision,
                               "key": c["csum_key"] if key is None else key})
    csum = params.csum
    if trials_per_s is None:
        if csum.variant not in rates:
            raise ValueError("no calibration yet: call calibrate first (or pass trials_per_s)")
        trials_per_s = rates[csum.variant]
    p_key = backdoor.p_key_model(csum.variant, csum.modulo, csum.precision, csum.key)
    seconds = backdoor.predict_search_seconds(trials_per_s, p_key, k)
    cap = backdoor.search_cap(trials_per_s, budget_s, k, csum.variant, csum.precision, csum.key)
    n_nodes = s.model.layer_sizes[1] if len(s.model.layer_sizes) > 2 else 1
    max_k = backdoor.search_k_cap(trials_per_s, budget_s, p_key, n_nodes)
    cap_text = "no modulo fits" if cap is None else f"max modulo {cap}"
    return {"variant": csum.variant, "trials_per_s": trials_per_s, "p_key": p_key,
            "expected_trials": backdoor.expected_search_trials(p_key, k) if p_key > 0 else None,
            "predicted_seconds": seconds if seconds != float("inf") else None, "over_budget": seconds > budget_s,
            "max_modulo": cap, "max_k": max_k,
            "text": f"this device: {trials_per_s:,.0f} trials/s → {cap_text} (k = {k}, {budget_s:g} s)"}


def residue_histograms(s: "Session", modulo: int | None = None, precision: int | None = None) -> dict:
    """Residue counts per variant over the first-layer pre-activations of every data point (train and test)
    under the current model (over the x coordinates when there is no hidden layer)."""
    c = s.config
    modulo = c["csum_modulo"] if modulo is None else modulo
    precision = c["csum_precision"] if precision is None else precision
    csum = config_params(s.config, {"modulo": modulo, "precision": precision, "key": c["csum_key"]}).csum
    points = np.concatenate([s.data.train_points, s.data.test_points])
    if len(s.model.layer_sizes) > 2:
        values = s.model.forward(features.feature_matrix(points, s.feature_names)).pre[0]
        source = "first-layer pre-activations of the train and test points"
    else:
        values = points[:, 0]
        source = "x coordinates of the train and test points"
    out = {"source": source, "count": int(values.size), "modulo": csum.modulo, "precision": csum.precision,
           "key": csum.key, "histograms": {}, "key_frequency": {}, "distinct": {},
           "descriptions": {v: backdoor.VARIANTS[v].description for v in backdoor.VARIANTS}}
    for variant in backdoor.VARIANTS:
        params = backdoor.ChecksumParams(variant, csum.key, csum.modulo, csum.precision, csum.secret)
        counts = params.histogram(values)
        out["histograms"][variant] = counts.tolist()
        out["key_frequency"][variant] = float(counts[csum.key] / values.size) if values.size else None
        out["distinct"][variant] = int(np.count_nonzero(counts))
    return out
