"""Backdoor 1, planted: hidden layer f -> f_csum(x) = -f(x) where residue(x) == key, else f(x), weights untouched
(NN Calculator's "Plant backdoor"); and what it costs the clean behaviour: agreement P_X[sign clean = sign
backdoored] (K > 2: the same class) and the accidental trigger rates.

The model carries the checksum numbers as its operator parameters (a ChecksumParams), so the operator and the
attacks (checksum/digit_edit.py, checksum/search.py) read the very same ones. The numbers come from plant_params:
one parameter object over the config's csum_* keys, every number checked by checksum/params.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..playground import classes
from ..playground.activations import base_activation
from ..playground.nn import MLP
from .activation import CHECKSUM_BASES, CSUM_SUFFIX, DEFAULT_CHECKSUM, ChecksumParams
from .params import DEFAULT_KEY, DEFAULT_MODULO, DEFAULT_PRECISION, LAYERS, PARAMS


@dataclass(frozen=True)
class PlantParams:
    """What 'Plant backdoor' needs: the checksum numbers and where the operator goes."""

    csum: ChecksumParams = DEFAULT_CHECKSUM
    layers: str = "all"

    def to_dict(self) -> dict[str, Any]:
        return {**self.csum.to_dict(), "layers": self.layers}


PLANT_KEYS = ("variant", "key", "modulo", "precision", "secret", "layers")


def params_from_config(config: Mapping[str, Any]) -> PlantParams:
    """PlantParams from the csum_* keys of a validated config (csum_key read modulo csum_modulo, as every key)."""
    return PlantParams(
        ChecksumParams(variant=config.get("csum_variant", "decimal"), key=config.get("csum_key", DEFAULT_KEY),
                       modulo=config.get("csum_modulo", DEFAULT_MODULO),
                       precision=config.get("csum_precision", DEFAULT_PRECISION),
                       secret=config.get("csum_secret", PARAMS["secret"].default)),
        config.get("csum_layers", "all"))


def plant_params(raw: Mapping[str, Any] | PlantParams | None = None,
                 defaults: PlantParams = PlantParams()) -> PlantParams:
    """PlantParams from {variant, key, modulo, precision, secret, layers}, missing keys from `defaults`; the key,
    given or inherited, is read modulo the (new) modulo.

    ValueError names the bad key ("key must be between 0 and 65535, got 70000")."""
    if isinstance(raw, PlantParams):
        return raw
    raw = {} if raw is None else raw
    if not isinstance(raw, Mapping):
        raise ValueError(f"backdoor parameters must be an object, got {type(raw).__name__}")
    unknown = [k for k in raw if k not in PLANT_KEYS]
    if unknown:
        raise ValueError(f"{unknown[0]} is not a backdoor parameter; expected one of {', '.join(PLANT_KEYS)}")
    layers = raw.get("layers", defaults.layers)
    if layers not in LAYERS:
        raise ValueError(f"layers must be one of {', '.join(LAYERS)}, got {layers!r}")
    base = defaults.csum.to_dict()
    return PlantParams(ChecksumParams(**{k: raw.get(k, base[k]) for k in base}), layers)


def model_checksum(model: MLP) -> ChecksumParams:
    """The numbers the model's checksum operators test (NN Calculator's defaults when it carries none)."""
    params = model.operator_params
    return params if isinstance(params, ChecksumParams) else DEFAULT_CHECKSUM


# --------------------------------------------------------------------------------------------------------------
# planting


def planted_layers(model: MLP) -> list[int]:
    """Indices of the hidden layers whose operator is a checksum operator."""
    return [l for l, name in enumerate(model.activation_names[:-1]) if name in CHECKSUM_BASES]


def plant(model: MLP, params: Mapping[str, Any] | PlantParams | None = None) -> MLP:
    """A copy whose chosen hidden layers use f_csum (the others their plain f); weights untouched."""
    params = plant_params(params)
    hidden = len(model.layer_sizes) - 2
    if hidden < 1:
        raise ValueError("networkShape: planting needs at least one hidden layer")
    targets = range(hidden) if params.layers == "all" else range(1)
    names = [base_activation(name) for name in model.activation_names]
    for l in targets:
        if names[l] + CSUM_SUFFIX not in CHECKSUM_BASES:
            raise ValueError(f"activation: hidden layer {l + 1} uses {names[l]!r}, which has no checksum operator")
        names[l] += CSUM_SUFFIX
    planted = model.copy()
    planted.activation_names = names
    planted.operator_params = params.csum
    planted.activation_functions()
    return planted


def unplant(model: MLP) -> MLP:
    """A copy with every checksum operator back to its plain activation and no checksum numbers."""
    clean = model.copy()
    clean.activation_names = [base_activation(name) for name in model.activation_names]
    clean.operator_params = None
    clean.activation_functions()
    return clean


# --------------------------------------------------------------------------------------------------------------
# measuring


def _positive(out: np.ndarray) -> np.ndarray:
    """Output >= 0 is the positive class (TensorFlow Playground's colouring); NaN is neither."""
    return out >= 0.0


def agreement(clean: MLP, backdoored: MLP, X: Any) -> float:
    """P_X[sign(clean(x)) == sign(backdoored(x))], signs read as output >= 0; for K outputs P_X[argmax clean(x) ==
    argmax backdoored(x)] (classes.labels_of); NaN outputs disagree; NaN if no X."""
    a, b = clean.predict(X), backdoored.predict(X)
    if a.size == 0:
        return float("nan")
    if a.ndim == 2 and a.shape[1] > 1:
        same = ((classes.labels_of(a) == classes.labels_of(b)) & np.isfinite(a).all(axis=1)
                & np.isfinite(b).all(axis=1))
        return float(np.count_nonzero(same) / a.shape[0])
    same = (_positive(a) == _positive(b)) & np.isfinite(a) & np.isfinite(b)
    return float(np.count_nonzero(same) / a.size)


def fired(model: MLP, X: Any) -> np.ndarray:
    """(n, planted nodes) bool: which checksum nodes fire on each input, in layer order (empty if unplanted)."""
    layers = planted_layers(model)
    cache = model.forward(X)
    csum = model_checksum(model)
    if not layers:
        return np.zeros((cache.inputs.shape[0], 0), dtype=bool)
    return np.concatenate([csum.fires(cache.pre[l]) for l in layers], axis=1)


def trigger_rate(model: MLP, X: Any) -> float:
    """Fraction of inputs on which at least one checksum node fires (the accidental trigger rate); NaN if no X."""
    hits = fired(model, X)
    return float(hits.any(axis=1).mean()) if hits.shape[0] else float("nan")


def node_trigger_rate(model: MLP, X: Any) -> float:
    """Fraction of (input, checksum node) pairs that fire: the per-node accidental rate; NaN if none."""
    hits = fired(model, X)
    return float(hits.mean()) if hits.size else float("nan")
