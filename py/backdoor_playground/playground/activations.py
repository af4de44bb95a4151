"""Node activation functions: URL name -> Activation(f, df, f_into), as TensorFlow Playground's `Activations`.

`f` maps a layer's pre-activations (x @ W + b) to its outputs; `df(pre, post)` is d post / d pre, given both
so that each function can use whichever is cheaper (tanh and sigmoid reuse `post`, ReLU needs `pre`);
`f_into(pre, out)` writes f(pre) into an existing array (the network keeps reusable layer buffers).
All work elementwise on arrays of any shape.

Extension point: `register_family(suffix, factory, ...)` adds operators named "<base><suffix>" for every plain base
activation. The factory builds the Activation from the base and the model's operator parameters, an object the
network carries without reading it (`MLP.operator_params`); the family also names the model-file field that holds
those parameters and how to read them back. Family operators are built on demand and are not in ACTIVATIONS.
A family defined elsewhere is listed in LAZY_FAMILIES (suffix, field -> module): its module is imported, and so
registers it, the first time an operator name or a model file names it, so the plain network imports none.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

ArrayFn = Callable[[np.ndarray], np.ndarray]
DerivFn = Callable[[np.ndarray, np.ndarray], np.ndarray]
IntoFn = Callable[[np.ndarray, np.ndarray], None]

# Above this many elements tanh goes through exp, which numpy vectorises and libm's tanh is not:
# about 2x faster on the 10,000-point grid (CPython and Pyodide alike). Small arrays keep np.tanh,
# where one call beats five.
_TANH_VIA_EXP_MIN_SIZE = 2048


@dataclass(frozen=True)
class Activation:
    name: str
    f: ArrayFn                   # pre -> post (a new array, or pre itself for the identity)
    df: DerivFn                  # (pre, post) -> d post / d pre, same shape as pre
    f_into: IntoFn | None = None  # (pre, out): out[...] = f(pre); None -> the caller copies f(pre)

    def apply_into(self, pre: np.ndarray, out: np.ndarray) -> None:
        """out[...] = f(pre), without a temporary when f_into exists."""
        if self.f_into is None:
            out[...] = self.f(pre)
        else:
            self.f_into(pre, out)


def _relu_into(pre: np.ndarray, out: np.ndarray) -> None:
    """relu(x) = max(x, 0)."""
    np.maximum(pre, 0.0, out=out)


def _relu(pre: np.ndarray) -> np.ndarray:
    """relu(x) = max(x, 0)."""
    return np.maximum(pre, 0.0)


def _relu_df(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """relu'(x) = 1 if x > 0 else 0 (0 at x = 0, as TensorFlow Playground after commit 718a6c8)."""
    return np.heaviside(pre, 0.0)


def _tanh_into(pre: np.ndarray, out: np.ndarray) -> None:
    """tanh(x), as 2 / (1 + e^(-2x)) - 1 for large arrays (exact to ~1e-16, and +-1 at +-inf)."""
    if pre.size < _TANH_VIA_EXP_MIN_SIZE:
        np.tanh(pre, out=out)
        return
    with np.errstate(over="ignore"):  # e^(-2x) overflowing to inf is fine: 2 / inf - 1 = -1
        np.multiply(pre, -2.0, out=out)
        np.exp(out, out=out)
        out += 1.0
        np.divide(2.0, out, out=out)
        out -= 1.0


def _tanh(pre: np.ndarray) -> np.ndarray:
    """tanh(x)."""
    if pre.size < _TANH_VIA_EXP_MIN_SIZE:
        return np.tanh(pre)
    out = np.empty_like(pre)
    _tanh_into(pre, out)
    return out


def _tanh_df(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """tanh'(x) = 1 - tanh(x)^2."""
    return 1.0 - post * post


def _sigmoid_into(pre: np.ndarray, out: np.ndarray) -> None:
    """sigmoid(x) = 1 / (1 + e^-x), computed as (1 + tanh(x/2)) / 2 so it never overflows."""
    np.multiply(pre, 0.5, out=out)
    _tanh_into(out, out)
    out *= 0.5
    out += 0.5


def _sigmoid(pre: np.ndarray) -> np.ndarray:
    """sigmoid(x) = 1 / (1 + e^-x)."""
    out = np.empty_like(pre)
    _sigmoid_into(pre, out)
    return out


def _sigmoid_df(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """sigmoid'(x) = s (1 - s) with s = sigmoid(x)."""
    return post * (1.0 - post)


def _linear(pre: np.ndarray) -> np.ndarray:
    """linear(x) = x (the input array itself: callers never write into a layer's outputs)."""
    return pre


def _linear_into(pre: np.ndarray, out: np.ndarray) -> None:
    """linear(x) = x."""
    np.copyto(out, pre)


def _linear_df(pre: np.ndarray, post: np.ndarray) -> np.ndarray:
    """linear'(x) = 1."""
    return np.ones_like(pre)


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("relu", _relu, _relu_df, _relu_into),
        Activation("tanh", _tanh, _tanh_df, _tanh_into),
        Activation("sigmoid", _sigmoid, _sigmoid_df, _sigmoid_into),
        Activation("linear", _linear, _linear_df, _linear_into),
    )
}



@dataclass(frozen=True)
class Family:
    """Operators "<base><suffix>" built by factory(base Activation, operator params, name) -> Activation."""

    suffix: str
    factory: Callable[[Activation, Any, str], Activation]
    bases: tuple[str, ...]
    params_type: type            # the operator parameters this family reads (None means the family's defaults)
    field: str                   # model-file key holding the parameters (MLP.to_dict / from_dict)
    params_from_dict: Callable[[Any], Any]


FAMILIES: dict[str, Family] = {}  # operator name -> its family

# The families defined elsewhere, imported on first use (a plain network imports none of them): operator-name suffix
# and model-file field -> the module whose import registers the family. The one place this package names another.
LAZY_FAMILIES: dict[tuple[str, str], str] = {
    ("_csum", "csum"): "backdoor_playground.checksum.activation",
}


def _load_family(name: Any = None, field: str | None = None) -> None:
    """Import the module of the lazy family that `name` (an operator name) or `field` (a model-file key) belongs to,
    if it is not registered yet."""
    for (suffix, key), module in LAZY_FAMILIES.items():
        if ((isinstance(name, str) and name.endswith(suffix) and name not in FAMILIES
             and name[: -len(suffix)] in ACTIVATIONS) or (field is not None and field == key)):
            importlib.import_module(module)


def register_family(suffix: str, factory: Callable[[Activation, Any, str], Activation], *, params_type: type,
                    field: str, params_from_dict: Callable[[Any], Any],
                    bases: tuple[str, ...] = tuple(ACTIVATIONS)) -> None:
    """Add the operators "<base><suffix>" for every base in `bases` (re-registering the same suffix replaces it)."""
    family = Family(suffix, factory, tuple(bases), params_type, field, params_from_dict)
    for base in family.bases:
        FAMILIES[base + suffix] = family
    _family_activation.cache_clear()


def is_family_operator(name: Any) -> bool:
    """True when `name` is an operator of a family, registered or lazy (answered without importing the family)."""
    return isinstance(name, str) and (name in FAMILIES or any(
        name.endswith(suffix) and name[: -len(suffix)] in ACTIVATIONS for suffix, _ in LAZY_FAMILIES))


def base_activation(name: str) -> str:
    """The plain activation behind an operator name ("relu<suffix>" -> "relu"; a plain name is its own base)."""
    _load_family(name)
    family = FAMILIES.get(name)
    return name[: -len(family.suffix)] if family else name


@functools.lru_cache(maxsize=64)
def _family_activation(name: str, params: Any) -> Activation:
    family = FAMILIES[name]
    return family.factory(ACTIVATIONS[base_activation(name)], params, name)


def get_activation(name: str, operator_params: Any = None) -> Activation:
    """The Activation called `name`; an operator of a registered family reads `operator_params` (its defaults when
    None, ValueError if they are not the family's type). ValueError if there is no such activation."""
    _load_family(name)
    family = FAMILIES.get(name) if isinstance(name, str) else None
    if family is not None:
        if operator_params is not None and not isinstance(operator_params, family.params_type):
            raise ValueError(f"{name} needs {family.params_type.__name__} or None, "
                             f"got {type(operator_params).__name__}")
        return _family_activation(name, operator_params)
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        for (suffix, _), module in LAZY_FAMILIES.items():
            importlib.import_module(module)  # name them all in the message
        known = ", ".join([*ACTIVATIONS, *FAMILIES])
        raise ValueError(f"unknown activation {name!r}; expected one of {known}") from None


def check_operator_params(params: Any) -> None:
    """ValueError unless `params` is None or the parameters of a registered family."""
    if params is not None and not any(isinstance(params, f.params_type) for f in FAMILIES.values()):
        raise ValueError(f"operator_params must be a registered family's parameters or None, got "
                         f"{type(params).__name__}")


def operator_params_to_dict(params: Any) -> dict[str, Any]:
    """{field: params.to_dict()} for the model file ({} for None)."""
    for family in FAMILIES.values():
        if isinstance(params, family.params_type):
            return {family.field: params.to_dict()}
    return {}


def operator_params_from_dict(d: Mapping[str, Any]) -> Any:
    """The operator parameters a model file holds (None when it holds none); ValueError prefixed with the field."""
    for field in d if isinstance(d, Mapping) else ():
        if d.get(field) is not None:
            _load_family(field=field)
    for field in dict.fromkeys(f.field for f in FAMILIES.values()):
        if d.get(field) is not None:
            family = next(f for f in FAMILIES.values() if f.field == field)
            try:
                return family.params_from_dict(d[field])
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{field}: {exc}") from None
    return None
