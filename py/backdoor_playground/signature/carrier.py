"""Where a signature rides in a d-dimensional input: a fixed-point lattice x = u * 2^-44 - 8 in every coordinate,
u an integer in [0, 2^48) (the 2-D playground's and the 3-D sets'; `WIDE`, [-32, 32) with u < 2^50, holds raw digit
pixels 0..16).

Every lattice value is exactly a float64 (a multiple of 2^-44 below 32 in magnitude needs at most 49 significand
bits) and (x + offset) * 2^44 gives u back exactly, so writing bits into u and reading them back is bit-exact in
CPython and in Pyodide alike (no decimal formatting, no platform libm).

Bits carrier (toy RSA): a payload of b bits (the target class on top, then the signature) fills the low
c = ceil(b / d) bits of each of the d coordinates (coordinate j holds payload bits j c .. j c + c - 1), so the
capacity grows with d: at most d (T - 8) bits (T = 48: 80 bits in 2-D, 120 in 3-D, 2,560 in 64-D), keeping at least
8 message bits per coordinate. The message is (c, u_1 >> c, ..., u_d >> c), so moving the point by more than
2^(c-44) changes the message. Certificate carrier (Lamport, RSA, Ed25519): the message is the lattice point at full
precision (c = 0) and the signature rides in a separate certificate input.

The signed message is always message || class byte (the target's class index 0..K-1; for K = 2 label +1 is 1 and
-1 is 0), so a signature for one class is useless for any other. `format_mask` is the verifier's cheap vectorised
format check: off-lattice points, points outside the box and all-zero carriers never reach Verify (grid points,
ordinary test points, integer or /16 digit pixels and noisy samples almost never pass it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

FRACTION_BITS = 44                 # lattice step 2^-44 ~ 5.7e-14
TOTAL_BITS = 48                    # u in [0, 2^48): x in [-8, 8)
OFFSET = 8.0                       # |x| < 8 covers the data box [-6, 6] plus noise
SCALE = float(1 << FRACTION_BITS)  # exact power of two: multiplying by it never rounds
STEP = 1.0 / SCALE
U_LIMIT = 1 << TOTAL_BITS
MESSAGE_BITS = 8                   # high bits per coordinate the payload never takes
MAX_PAYLOAD_BITS = 2 * (TOTAL_BITS - MESSAGE_BITS)  # in 2-D
TAG = b"bdpg-sig1"                 # domain separation: these bytes are signed by nothing else


@dataclass(frozen=True)
class Lattice:
    """x = u * 2^-44 - offset with u in [0, 2^total_bits) in each coordinate; offset = 2^(total_bits - 45)."""

    total_bits: int = TOTAL_BITS

    @property
    def offset(self) -> float:
        return float(2.0 ** (self.total_bits - 1 - FRACTION_BITS))

    @property
    def u_limit(self) -> int:
        return 1 << self.total_bits

    @property
    def coord_bytes(self) -> int:
        return (self.total_bits + 7) // 8

    def box(self, d: int) -> str:
        return f"[{-self.offset:g}, {self.offset:g})^{d}"


LATTICE = Lattice(TOTAL_BITS)      # [-8, 8): the 2-D playground, the 3-D sets, digits scaled to 0..1
WIDE = Lattice(TOTAL_BITS + 2)     # [-32, 32): raw digit pixels 0..16


def lattice_for(points: Any, d: int) -> Lattice:
    """LATTICE in 2-D (always, as it has been) and whenever every point lies inside [-8, 8); WIDE otherwise."""
    P = np.asarray(points, dtype=np.float64)
    if d == 2 or not P.size or float(np.max(np.abs(P))) < LATTICE.offset:
        return LATTICE
    return WIDE


def max_payload_bits(d: int = 2, lat: Lattice = LATTICE) -> int:
    """The carrier's capacity: d (T - 8) bits (at least 8 message bits stay in each coordinate)."""
    return int(d) * (lat.total_bits - MESSAGE_BITS)


def capacity(d: int, lat: Lattice = LATTICE) -> dict:
    """What fits in a d-coordinate input at the carrier's precision: the payload capacity, and for each scheme's
    signature (toy RSA 48-bit at most, Ed25519 512 bits = R || S, RSA-2048 2,048, Lamport 65,536) with one target
    byte's worth of class bits whether it fits and the move it would cost."""
    cap = max_payload_bits(d, lat)
    fits = {}
    for name, sig in (("toy-rsa-48", 48), ("ed25519", 512), ("rsa", 2048), ("lamport", 256 * 256)):
        b = sig + 4  # up to 4 class bits (K <= 10)
        fits[name] = {"signature_bits": sig, "fits": b <= cap,
                      "perturbation_bound": perturbation_bound(b, d, lat) if b <= cap else None}
    return {"d": int(d), "capacity_bits": cap, "bits_per_coordinate_max": lat.total_bits - MESSAGE_BITS,
            "lattice_step": STEP, "box": lat.box(d), "fits": fits}


def bits_per_coordinate(payload_bits: int, d: int = 2, lat: Lattice = LATTICE) -> int:
    """c = ceil(b / d) low bits of each coordinate carry the payload."""
    b, top = int(payload_bits), max_payload_bits(d, lat)
    if not 1 <= b <= top:
        raise ValueError(f"payload bits must be between 1 and {top}, got {payload_bits!r}")
    return -(-b // int(d))


def perturbation_bound(payload_bits: int, d: int = 2, lat: Lattice = LATTICE) -> float:
    """|delta| < 2^(c - 44) per coordinate for a b-bit payload (2^-44 for a certificate: c = 0)."""
    c = bits_per_coordinate(payload_bits, d, lat) if payload_bits else 0
    return float(2.0 ** (c - FRACTION_BITS)) if c else STEP


def _as_points(points: Any) -> np.ndarray:
    """(k, d) float64: a flat array is one point, a 2-D array is points by rows."""
    P = np.asarray(points, dtype=np.float64)
    return P.reshape(1, -1) if P.ndim <= 1 else P.reshape(len(P), -1)


def lattice_u(points: Any, lat: Lattice = LATTICE) -> tuple[np.ndarray, np.ndarray]:
    """(u (k, d) int64, ok (k,) bool): ok where every coordinate is a lattice point inside the box."""
    P = _as_points(points)
    with np.errstate(invalid="ignore"):
        t = (P + lat.offset) * SCALE  # exact for lattice points; anything else fails the round trip below
        inside = np.isfinite(t) & (t >= 0) & (t < lat.u_limit)
        u = np.where(inside, t, 0.0).astype(np.int64)
    # the round trip rejects off-lattice points whose x + offset happened to round onto a lattice value
    back = u.astype(np.float64) * STEP - lat.offset
    ok = (inside & (back == P)).all(axis=1)
    return u, ok


def snap(point: Any, lat: Lattice = LATTICE) -> tuple[int, ...] | None:
    """Nearest lattice point (u_1, ..., u_d) of a point (|delta| <= 2^-45 per coordinate), or None outside the box."""
    p = _as_points(point)[0]
    if not np.isfinite(p).all():
        return None
    # p * 2^44 is exact and round() of a float is exact: adding the offset first would round p + 8 to 2^-49 or so
    base = int(lat.offset) * (1 << FRACTION_BITS)
    u = tuple(round(float(v) * SCALE) + base for v in p)
    return None if min(u) < 0 or max(u) >= lat.u_limit else u


def point_of(*u: int, lat: Lattice = LATTICE) -> tuple[float, ...]:
    """The float64 coordinates of lattice point (u_1, ..., u_d): exact."""
    return tuple(v * STEP - lat.offset for v in u)


def message_bytes(c: int, *high: int, lat: Lattice = LATTICE) -> bytes:
    """The message a signature covers: tag, c, and the high bits of each coordinate (6 bytes each in [-8, 8),
    7 in the wide box; big-endian)."""
    return TAG + bytes([c]) + b"".join(int(h).to_bytes(lat.coord_bytes, "big") for h in high)


def class_index(target: float, k: int = 2) -> int:
    """The class byte of a target label: 1 for +1 and 0 for -1 (K = 2), the class itself for K > 2."""
    return (1 if target > 0 else 0) if k == 2 else int(target)


def class_label(index: int, k: int = 2) -> float | None:
    """The label of a class byte (+1.0 / -1.0 for K = 2, the index for K > 2), None when it is not a class of K."""
    if not 0 <= index < k:
        return None
    return (1.0 if index else -1.0) if k == 2 else float(index)


def target_bits(k: int = 2) -> int:
    """Payload bits the class index takes: 1 for K = 2, ceil(log2 K) otherwise (4 for K = 10)."""
    return max(1, (int(k) - 1).bit_length())


def signed_message(message: bytes, target: float, k: int = 2) -> bytes:
    """message || class byte (K = 2: 1 for label +1, 0 for label -1): what Sign and Verify see."""
    return bytes(message) + bytes([class_index(target, k)])


def join_payload(target: float, signature: int, signature_bits: int, k: int = 2) -> int:
    """payload = class index * 2^sigbits + signature (b = sigbits + target_bits(K) bits)."""
    if not 0 <= signature < (1 << signature_bits):
        raise ValueError(f"the signature does not fit in {signature_bits} bits")
    return (class_index(target, k) << signature_bits) | signature


def split_payload(payload: int, signature_bits: int, k: int = 2) -> tuple[float | None, int]:
    """(target label, or None when the class bits name no class of K; signature int) from a payload."""
    index = payload >> signature_bits & ((1 << target_bits(k)) - 1)
    return class_label(index, k), payload & ((1 << signature_bits) - 1)


def encode(point: Any, payload: int, payload_bits: int, lat: Lattice = LATTICE
           ) -> tuple[tuple[float, ...], bytes, float]:
    """Snap, clear the low c bits of each coordinate and write the payload: (point, message, |delta| max-norm).

    |delta| < 2^(c - 44): the snap moves u by at most 1/2 and the rewrite of the low bits by at most 2^c - 1."""
    p = _as_points(point)[0]
    d = len(p)
    c = bits_per_coordinate(payload_bits, d, lat)
    if not 0 < payload < (1 << payload_bits):
        raise ValueError(f"the payload must be a nonzero {payload_bits}-bit integer (all-zero carriers are "
                         "rejected by the format check)")
    u = snap(p, lat)
    if u is None:
        raise ValueError(f"the point lies outside the lattice box {lat.box(d)}")
    high = [v >> c for v in u]
    mask = (1 << c) - 1
    moved = point_of(*((h << c) | (payload >> (j * c) & mask) for j, h in enumerate(high)), lat=lat)
    return moved, message_bytes(c, *high, lat=lat), float(np.max(np.abs(np.subtract(moved, p))))


def message_of(point: Any, payload_bits: int, lat: Lattice = LATTICE) -> bytes | None:
    """The message the snapped point would carry (high bits after clearing c low bits): what activation signs."""
    p = _as_points(point)[0]
    c = bits_per_coordinate(payload_bits, len(p), lat)
    u = snap(p, lat)
    return None if u is None else message_bytes(c, *(v >> c for v in u), lat=lat)


def format_mask(points: Any, payload_bits: int, lat: Lattice = LATTICE) -> np.ndarray:
    """(k,) bool: on the lattice, inside the box, a nonzero carrier and no stray bit above the payload.

    Vectorised over the whole array: a 100 x 100 grid costs a few numpy calls per coordinate and no Verify."""
    P = _as_points(points)
    d = P.shape[1]
    c = bits_per_coordinate(payload_bits, d, lat)
    u, ok = lattice_u(P, lat)
    low = u & np.int64((1 << c) - 1)
    nonzero = np.zeros(len(P), dtype=bool)
    for j in range(d):
        # coordinate j holds payload bits j c ..; above bit b of the payload it must be zero (the spare bits)
        used = min(c, max(0, int(payload_bits) - j * c))
        nonzero |= low[:, j] != 0
        ok &= (low[:, j] >> np.int64(used)) == 0
    return ok & nonzero


def decode(point: Any, payload_bits: int, lat: Lattice = LATTICE) -> tuple[bytes, int] | None:
    """(message, payload) of one point, or None when it fails the format check."""
    if not format_mask(point, payload_bits, lat)[0]:
        return None
    u, _ = lattice_u(point, lat)
    row = [int(v) for v in u[0]]
    c = bits_per_coordinate(payload_bits, len(row), lat)
    mask = (1 << c) - 1
    payload = sum((v & mask) << (j * c) for j, v in enumerate(row))
    return message_bytes(c, *(v >> c for v in row), lat=lat), payload


def certificate_message(point: Any, lat: Lattice = LATTICE) -> bytes | None:
    """The full-precision lattice message (c = 0) of a point exactly on the lattice, else None."""
    u, ok = lattice_u(point, lat)
    if not ok[0]:
        return None
    return message_bytes(0, *(int(v) for v in u[0]), lat=lat)


def snap_point(point: Any, lat: Lattice = LATTICE) -> tuple[tuple[float, ...], bytes, float]:
    """Snap to the lattice for a certificate scheme: (point, full-precision message, |delta| <= 2^-45)."""
    p = _as_points(point)[0]
    u = snap(p, lat)
    if u is None:
        raise ValueError(f"the point lies outside the lattice box {lat.box(len(p))}")
    moved = point_of(*u, lat=lat)
    return moved, message_bytes(0, *u, lat=lat), float(np.max(np.abs(np.subtract(moved, p))))


def make_certificate(target: float, signature: bytes, k: int = 2) -> bytes:
    """A certificate input: the class byte, then the signature bytes."""
    return bytes([class_index(target, k)]) + bytes(signature)


def read_certificate(certificate: Any, k: int = 2) -> tuple[float, bytes] | None:
    """(target label, signature) of a certificate, or None when it is malformed or names no class of K."""
    if not isinstance(certificate, (bytes, bytearray)) or len(certificate) < 2 or certificate[0] >= k:
        return None
    return class_label(certificate[0], k), bytes(certificate[1:])


def neighbour_messages(points: Any, labels: Any, skip: set, limit: int, k: int = 2, lat: Lattice = LATTICE
                       ) -> dict[bytes, tuple[int, tuple, float]]:
    """Up to `limit` full-precision signed messages near the points: each snapped point not in `skip` and its 2d
    lattice neighbours (+1 along each coordinate, then -1), then the neighbours of the points in `skip` (whose own
    cell was signed); the target first (the other label for K = 2, the next class for K > 2), then the label itself
    -> {signed message: (i, point, target)}."""
    out: dict[bytes, tuple[int, tuple, float]] = {}
    pts = _as_points(points)
    d = pts.shape[1]
    steps = [tuple(0 for _ in range(d))] + [tuple(s if j == i else 0 for j in range(d))
                                            for s in (1, -1) for i in range(d)]
    order = [i for i in range(len(pts)) if i not in skip] + [i for i in range(len(pts)) if i in skip]
    for i in order:
        u = snap(pts[i], lat)
        if u is None:
            continue
        label = float(labels[i])
        other = -label if k == 2 else float((int(label) + 1) % k)
        for step in steps[1 if i in skip else 0:]:
            for target in (other, label):
                if len(out) < limit:
                    v = tuple(a + b for a, b in zip(u, step))
                    out[signed_message(message_bytes(0, *v, lat=lat), target, k)] = (i, point_of(*v, lat=lat),
                                                                                       target)
    return out
