"""The checksum operator: f_csum(x) = -f(x) where residue(x) == key, else f(x), with f's derivative (NN Calculator's
ReLU_CSUM and Linear_CSUM, as it trains them; here also tanh_csum and sigmoid_csum).

Its numbers live in one `ChecksumParams` (variant, key, modulo, precision, secret) that the model carries as its
opaque `operator_params`, so the operator and every attack read the same values. Importing this module registers
the "_csum" family with the activation registry (playground/activations.py); the package's __init__ does so, so
the names work wherever a model can be built.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass
from typing import Any, Mapping

import numpy as np

from ..playground.activations import Activation, register_family
from .params import DEFAULT_KEY, DEFAULT_MODULO, DEFAULT_PRECISION, PARAMS, VARIANT_NAMES, check, reduce_key
from .variants import VARIANTS

CSUM_SUFFIX = "_csum"
CSUM_FIELD = "csum"  # the model file's key for the numbers
# checksum operator name -> the plain activation it wraps
CHECKSUM_BASES: dict[str, str] = {base + CSUM_SUFFIX: base for base in ("relu", "linear", "tanh", "sigmoid")}


@dataclass(frozen=True)
class ChecksumParams:
    """The numbers a checksum operator tests: residue_variant(x; modulo, precision[, secret]) == key (key mod m)."""

    variant: str = "decimal"
    key: int = DEFAULT_KEY
    modulo: int = DEFAULT_MODULO
    precision: int = DEFAULT_PRECISION
    secret: int = PARAMS["secret"].default  # the keyed variant's PRF key; unused by the others

    def __post_init__(self) -> None:
        if not isinstance(self.variant, str) or self.variant not in VARIANT_NAMES:
            raise ValueError(f"variant {self.variant!r} is not one of {', '.join(VARIANT_NAMES)}")
        modulo = check("modulo", self.modulo)
        object.__setattr__(self, "modulo", modulo)
        object.__setattr__(self, "precision", check("precision", self.precision))
        object.__setattr__(self, "key", reduce_key(self.key, modulo))
        object.__setattr__(self, "secret", check("secret", self.secret))

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
        """The VARIANTS object for this variant (the keyed one under this secret)."""
        return _keyed_checker(self.secret) if self.variant == "keyed" else VARIANTS[self.variant]

    def residue(self, values: np.ndarray) -> np.ndarray:
        """Residue of every value (int64, same shape; -1 for NaN/inf, which never matches)."""
        return np.asarray(self.checker().residue(values, self.modulo, self.precision), dtype=np.int64)

    def fires(self, values: np.ndarray) -> np.ndarray:
        """residue(values) == key, elementwise."""
        return self.residue(values) == self.key

    def histogram(self, values: Any) -> np.ndarray:
        """counts[r] = #{finite values with residue r}, r = 0 .. m-1 (int64, length m)."""
        residues = self.residue(values).ravel()
        # intp: bincount refuses int64 where intp is 32-bit (wasm32); -1 (non-finite) has no residue
        return np.bincount(residues[residues >= 0].astype(np.intp), minlength=self.modulo)


DEFAULT_CHECKSUM = ChecksumParams()


@functools.lru_cache(maxsize=16)
def _keyed_checker(secret: int) -> Any:
    """KeyedChecksum under `secret`, built once (its sub-keys cost a SHA-256)."""
    return VARIANTS["keyed"].with_secret(secret)


def checksum_activation(base: Activation, params: ChecksumParams | None, name: str) -> Activation:
    """f(x) = -base(x) where residue(x) == key, else base(x); f'(x) = base'(x). None means NN Calculator's numbers."""
    params = DEFAULT_CHECKSUM if params is None else params

    def f_into(pre: np.ndarray, out: np.ndarray) -> None:
        hit = params.fires(pre)  # before writing: `out` may be `pre` itself
        base.apply_into(pre, out)
        np.negative(out, out=out, where=hit)

    def f(pre: np.ndarray) -> np.ndarray:
        out = np.empty_like(pre, dtype=np.float64)
        f_into(pre, out)
        return out

    return Activation(name, f, base.df, f_into)


register_family(CSUM_SUFFIX, checksum_activation, params_type=ChecksumParams, field=CSUM_FIELD,
                params_from_dict=ChecksumParams.from_dict, bases=tuple(CHECKSUM_BASES.values()))
