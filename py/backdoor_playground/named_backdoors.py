"""The named backdoors: one table, name -> the config's backdoor object (its other settings take their defaults),
from which each use selects its rows: the matrix (experiment/matrix.py), the games (games/__init__.py) and the
studies that name backdoors. A new backdoor is added here once (and its type in attacks.REGISTRY); a use that offers
it adds its name to its selection.

Names: a backdoor's config `type`, with its variant after a colon (`checksum:keyed`, `signature:ed25519`).
"""

from __future__ import annotations

from typing import Iterable

NAMED: dict[str, dict] = {
    "poisoning": {"type": "poisoning"},
    "checksum:decimal": {"type": "checksum", "variant": "decimal"},
    "checksum:keyed": {"type": "checksum", "variant": "keyed"},
    "checksum:parity": {"type": "checksum", "variant": "parity"},
    "signature:toy-rsa": {"type": "signature", "scheme": "toy-rsa"},
    "signature:lamport": {"type": "signature", "scheme": "lamport"},
    "signature:rsa": {"type": "signature", "scheme": "rsa"},
    "signature:ed25519": {"type": "signature", "scheme": "ed25519"},
    "csum-signature": {"type": "csum-signature"},
}


def select(names: Iterable[str] | None = None, *, without: Iterable[str] = ()) -> dict[str, dict]:
    """The rows of NAMED named in `names` (all when None) less those in `without`, in NAMED's order, each object a
    copy; ValueError on a name NAMED does not have (a typo in a selection fails at import, not in a run)."""
    chosen, dropped = set(NAMED if names is None else names), set(without)
    unknown = sorted((chosen | dropped) - set(NAMED))
    if unknown:
        raise ValueError(f"backdoor: {', '.join(unknown)} not in the named backdoors; allowed: {', '.join(NAMED)}")
    return {name: dict(obj) for name, obj in NAMED.items() if name in chosen and name not in dropped}
