"""Node activation functions: URL name -> Activation(f, df, f_into), as TensorFlow Playground's `Activations`.

`f` maps a layer's pre-activations (x @ W + b) to its outputs; `df(pre, post)` is d post / d pre, given both
so that each function can use whichever is cheaper (tanh and sigmoid reuse `post`, ReLU needs `pre`);
`f_into(pre, out)` writes f(pre) into an existing array (the network keeps reusable layer buffers).
All work elementwise on arrays of any shape. The type stays general on purpose: checksum activations
(built by a factory with parameters) are Activations too, and may leave f_into out.

Checksum activations ("<base>_csum", NN Calculator's ReLU_CSUM and Linear_CSUM, plus tanh and sigmoid) are
f(x) = -base(x) if residue(x) == key else base(x), with the derivative of the base (as NN Calculator trains
them). Their numbers live in one `ChecksumParams` (variant, key, modulo, precision, secret) that the model carries,
so the operator and every attack read the same values. They are built on demand and are not in ACTIVATIONS.
"""

from __future__ import annotations

import functools
import math
import operator
from dataclasses import asdict, dataclass
from typing import Any, Callable, Mapping

import numpy as np

from ..checksum import residues as checksum

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


CSUM_SUFFIX = "_csum"
# checksum operator name -> the plain activation it wraps
CHECKSUM_BASES: dict[str, str] = {base + CSUM_SUFFIX: base for base in ("relu", "linear", "tanh", "sigmoid")}
CSUM_VARIANTS = tuple(checksum.VARIANTS)
MAX_CSUM_SECRET = 2**53 - 1  # JavaScript reads larger integers inexactly


def _param_int(name: str, value: Any, low: int, high: int) -> int:
    """`value` as an int in [low, high] (integral floats accepted, bools not); ValueError naming `name`."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            number = int(value)
        else:
            raise ValueError(f"{name} must be an integer, got {value!r}") from None
    if not low <= number <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {number}")
    return number


@dataclass(frozen=True)
class ChecksumParams:
    """The numbers a checksum operator tests: residue_variant(x; modulo, precision[, secret]) == key."""

    variant: str = "decimal"
    key: int = checksum.DEFAULT_KEY
    modulo: int = checksum.DEFAULT_MODULO
    precision: int = checksum.DEFAULT_PRECISION
    secret: int = 0  # the keyed variant's PRF key; unused by the others

    def __post_init__(self) -> None:
        if not isinstance(self.variant, str) or self.variant not in CSUM_VARIANTS:
            raise ValueError(f"variant {self.variant!r} is not one of {', '.join(CSUM_VARIANTS)}")
        modulo = _param_int("modulo", self.modulo, 2, checksum.MAX_MODULO)
        object.__setattr__(self, "modulo", modulo)
        object.__setattr__(self, "precision", _param_int("precision", self.precision, 1, 17))
        object.__setattr__(self, "key", _param_int("key", self.key, 0, modulo - 1))
        object.__setattr__(self, "secret", _param_int("secret", self.secret, 0, MAX_CSUM_SECRET))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "ChecksumParams":
        """Parameters from plain data; unknown keys raise ValueError naming them."""
        if not isinstance(d, Mapping):
            raise ValueError(f"checksum parameters must be an object, got {type(d).__name__}")
        unknown = [k for k in d if k not in cls.__dataclass_fields__]
        if unknown:
            raise ValueError(f"unknown checksum parameter {unknown[0]!r}; expected variant, key, modulo, precision, "
                             "secret")
        return cls(**d)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def checker(self) -> Any:
        """The checksum.VARIANTS object for this variant (the keyed one under this secret)."""
        return _keyed_checker(self.secret) if self.variant == "keyed" else checksum.VARIANTS[self.variant]

    def residue(self, values: np.ndarray) -> np.ndarray:
        """Residue of every value (int64, same shape; -1 for NaN/inf, which never matches)."""
        return np.asarray(self.checker().residue(values, self.modulo, self.precision), dtype=np.int64)

    def fires(self, values: np.ndarray) -> np.ndarray:
        """residue(values) == key, elementwise."""
        return self.residue(values) == self.key


DEFAULT_CHECKSUM = ChecksumParams()


@functools.lru_cache(maxsize=16)
def _keyed_checker(secret: int) -> Any:
    """KeyedChecksum under `secret`, built once (its sub-keys cost a SHA-256)."""
    return checksum.VARIANTS["keyed"].with_secret(secret)


def _checksum_activation(name: str, params: ChecksumParams) -> Activation:
    """f(x) = -base(x) where residue(x) == key, else base(x); f'(x) = base'(x)."""
    base = ACTIVATIONS[CHECKSUM_BASES[name]]

    def f_into(pre: np.ndarray, out: np.ndarray) -> None:
        hit = params.fires(pre)  # before writing: `out` may be `pre` itself
        base.apply_into(pre, out)
        np.negative(out, out=out, where=hit)

    def f(pre: np.ndarray) -> np.ndarray:
        out = np.empty_like(pre, dtype=np.float64)
        f_into(pre, out)
        return out

    return Activation(name, f, base.df, f_into)


@functools.lru_cache(maxsize=64)
def _cached_checksum_activation(name: str, params: ChecksumParams) -> Activation:
    return _checksum_activation(name, params)


def is_checksum(name: str) -> bool:
    """True for a checksum operator name such as "relu_csum"."""
    return name in CHECKSUM_BASES


def get_activation(name: str, csum: ChecksumParams | None = None) -> Activation:
    """The Activation called `name`; a checksum operator tests `csum` (NN Calculator's 150/256/15 when None).

    ValueError if there is no such activation."""
    if isinstance(name, str) and name in CHECKSUM_BASES:
        if csum is not None and not isinstance(csum, ChecksumParams):
            raise ValueError(f"csum must be ChecksumParams or None, got {type(csum).__name__}")
        return _cached_checksum_activation(name, csum or DEFAULT_CHECKSUM)
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        known = ", ".join([*ACTIVATIONS, *CHECKSUM_BASES])
        raise ValueError(f"unknown activation {name!r}; expected one of {known}") from None
