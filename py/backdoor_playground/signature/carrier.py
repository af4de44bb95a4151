"""Where a signature rides in a 2-D input: a fixed-point lattice x = u * 2^-44 - 8, u an integer in [0, 2^48).

Every lattice value is exactly a float64 (a multiple of 2^-44 below 8 in magnitude needs at most 47 significand
bits) and (x + 8) * 2^44 gives u back exactly, so writing bits into u and reading them back is bit-exact in CPython
and in Pyodide alike (no decimal formatting, no platform libm).

Bits carrier (toy RSA): a payload of b bits (the target bit on top, then the signature) fills the low c = ceil(b/2)
bits of u_x (payload's low c bits) and u_y (the rest); the message is (c, u_x >> c, u_y >> c), so moving the
point by more than 2^(c-44) changes the message. Certificate carrier (Lamport, RSA, Ed25519): the message is the
lattice point at full precision (c = 0) and the signature rides in a separate certificate input.

The signed message is always message || target bit, so a signature for one label is useless for the other.
`format_mask` is the verifier's cheap vectorised format check: off-lattice points, points outside the box and
all-zero carriers never reach Verify (grid points, ordinary test points and noisy samples almost never pass it).
"""

from __future__ import annotations

from typing import Any

import numpy as np

FRACTION_BITS = 44                 # lattice step 2^-44 ~ 5.7e-14
TOTAL_BITS = 48                    # u in [0, 2^48): x in [-8, 8)
OFFSET = 8.0                       # |x| < 8 covers the data box [-6, 6] plus noise
SCALE = float(1 << FRACTION_BITS)  # exact power of two: multiplying by it never rounds
STEP = 1.0 / SCALE
U_LIMIT = 1 << TOTAL_BITS
MAX_PAYLOAD_BITS = 2 * (TOTAL_BITS - 8)  # keep at least 8 message bits per coordinate
TAG = b"bdpg-sig1"                 # domain separation: these bytes are signed by nothing else


def bits_per_coordinate(payload_bits: int) -> int:
    """c = ceil(b / 2) low bits of each coordinate carry the payload."""
    b = int(payload_bits)
    if not 1 <= b <= MAX_PAYLOAD_BITS:
        raise ValueError(f"payload bits must be between 1 and {MAX_PAYLOAD_BITS}, got {payload_bits!r}")
    return (b + 1) // 2


def perturbation_bound(payload_bits: int) -> float:
    """|delta| < 2^(c - 44) per coordinate for a b-bit payload (2^-44 for a certificate: c = 0)."""
    c = bits_per_coordinate(payload_bits) if payload_bits else 0
    return float(2.0 ** (c - FRACTION_BITS)) if c else STEP


def _as_points(points: Any) -> np.ndarray:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def lattice_u(points: Any) -> tuple[np.ndarray, np.ndarray]:
    """(u (k, 2) int64, ok (k,) bool): ok where both coordinates are lattice points inside [-8, 8)."""
    P = _as_points(points)
    with np.errstate(invalid="ignore"):
        t = (P + OFFSET) * SCALE  # exact for lattice points; anything else fails the round trip below
        inside = np.isfinite(t) & (t >= 0) & (t < U_LIMIT)
        u = np.where(inside, t, 0.0).astype(np.int64)
    # the round trip rejects off-lattice points whose x + 8 happened to round onto a lattice value
    back = u.astype(np.float64) * STEP - OFFSET
    ok = (inside & (back == P)).all(axis=1)
    return u, ok


def snap(point: Any) -> tuple[int, int] | None:
    """Nearest lattice point (u_x, u_y) of a point (|delta| <= 2^-45 per coordinate), or None outside [-8, 8)."""
    p = _as_points(point)[0]
    if not np.isfinite(p).all():
        return None
    # p * 2^44 is exact and round() of a float is exact: adding 8 first would round p + 8 to 2^-49 or so
    u = tuple(round(float(v) * SCALE) + 8 * (1 << FRACTION_BITS) for v in p)
    return None if min(u) < 0 or max(u) >= U_LIMIT else u


def point_of(ux: int, uy: int) -> tuple[float, float]:
    """The float64 coordinates of lattice point (u_x, u_y): exact."""
    return ux * STEP - OFFSET, uy * STEP - OFFSET


def message_bytes(c: int, hx: int, hy: int) -> bytes:
    """The message a signature covers: tag, c, and the high bits of each coordinate (6 bytes each, big-endian)."""
    return TAG + bytes([c]) + int(hx).to_bytes(6, "big") + int(hy).to_bytes(6, "big")


def signed_message(message: bytes, target: float) -> bytes:
    """message || target bit (1 for label +1, 0 for label -1): what Sign and Verify see."""
    return bytes(message) + (b"\x01" if target > 0 else b"\x00")


def join_payload(target: float, signature: int, signature_bits: int) -> int:
    """payload = target bit * 2^sigbits + signature (b = sigbits + 1 bits)."""
    if not 0 <= signature < (1 << signature_bits):
        raise ValueError(f"the signature does not fit in {signature_bits} bits")
    return ((1 if target > 0 else 0) << signature_bits) | signature


def split_payload(payload: int, signature_bits: int) -> tuple[float, int]:
    """(target label +1.0 / -1.0, signature int) from a payload."""
    return (1.0 if payload >> signature_bits & 1 else -1.0), payload & ((1 << signature_bits) - 1)


def encode(point: Any, payload: int, payload_bits: int) -> tuple[tuple[float, float], bytes, float]:
    """Snap, clear the low c bits of each coordinate and write the payload: ((x, y), message, |delta| max-norm).

    |delta| < 2^(c - 44): the snap moves u by at most 1/2 and the rewrite of the low bits by at most 2^c - 1."""
    c = bits_per_coordinate(payload_bits)
    if not 0 < payload < (1 << payload_bits):
        raise ValueError(f"the payload must be a nonzero {payload_bits}-bit integer (all-zero carriers are "
                         "rejected by the format check)")
    u = snap(point)
    if u is None:
        raise ValueError("the point lies outside the lattice box [-8, 8)^2")
    hx, hy = u[0] >> c, u[1] >> c
    mask = (1 << c) - 1
    ux, uy = (hx << c) | (payload & mask), (hy << c) | (payload >> c)
    x, y = point_of(ux, uy)
    p = _as_points(point)[0]
    return (x, y), message_bytes(c, hx, hy), float(max(abs(x - p[0]), abs(y - p[1])))


def message_of(point: Any, payload_bits: int) -> bytes | None:
    """The message the snapped point would carry (high bits after clearing c low bits): what activation signs."""
    c = bits_per_coordinate(payload_bits)
    u = snap(point)
    return None if u is None else message_bytes(c, u[0] >> c, u[1] >> c)


def format_mask(points: Any, payload_bits: int) -> np.ndarray:
    """(k,) bool: on the lattice, inside the box, a nonzero carrier and no stray bit above the payload.

    Vectorised over the whole array: a 100 x 100 grid costs a few numpy calls and no Verify."""
    c = bits_per_coordinate(payload_bits)
    u, ok = lattice_u(points)
    mask = np.int64((1 << c) - 1)
    lo_x, lo_y = u[:, 0] & mask, u[:, 1] & mask
    # for odd b the top carrier bit of y is unused and must be zero
    spare = lo_y >> np.int64(payload_bits - c)
    return ok & ((lo_x | lo_y) != 0) & (spare == 0)


def decode(point: Any, payload_bits: int) -> tuple[bytes, int] | None:
    """(message, payload) of one point, or None when it fails the format check."""
    if not format_mask(point, payload_bits)[0]:
        return None
    c = bits_per_coordinate(payload_bits)
    u, _ = lattice_u(point)
    ux, uy = int(u[0, 0]), int(u[0, 1])
    mask = (1 << c) - 1
    return message_bytes(c, ux >> c, uy >> c), (ux & mask) | ((uy & mask) << c)


def certificate_message(point: Any) -> bytes | None:
    """The full-precision lattice message (c = 0) of a point exactly on the lattice, else None."""
    u, ok = lattice_u(point)
    if not ok[0]:
        return None
    return message_bytes(0, int(u[0, 0]), int(u[0, 1]))


def snap_point(point: Any) -> tuple[tuple[float, float], bytes, float]:
    """Snap to the lattice for a certificate scheme: ((x, y), full-precision message, |delta| <= 2^-45)."""
    u = snap(point)
    if u is None:
        raise ValueError("the point lies outside the lattice box [-8, 8)^2")
    x, y = point_of(*u)
    p = _as_points(point)[0]
    return (x, y), message_bytes(0, *u), float(max(abs(x - p[0]), abs(y - p[1])))


def make_certificate(target: float, signature: bytes) -> bytes:
    """A certificate input: the target bit byte, then the signature bytes."""
    return (b"\x01" if target > 0 else b"\x00") + bytes(signature)


def read_certificate(certificate: Any) -> tuple[float, bytes] | None:
    """(target label, signature) of a certificate, or None when it is malformed."""
    if not isinstance(certificate, (bytes, bytearray)) or len(certificate) < 2 or certificate[0] > 1:
        return None
    return (1.0 if certificate[0] else -1.0), bytes(certificate[1:])


def neighbour_messages(points: Any, labels: Any, skip: set, limit: int) -> dict[bytes, tuple[int, tuple, float]]:
    """Up to `limit` full-precision signed messages near the points: each snapped point not in `skip` and its four
    lattice neighbours, then the neighbours of the points in `skip` (whose own cell was signed), the target
    opposite to `labels[i]` first -> {signed message: (i, (x, y), target)}."""
    out: dict[bytes, tuple[int, tuple, float]] = {}
    pts = _as_points(points)
    order = [i for i in range(len(pts)) if i not in skip] + [i for i in range(len(pts)) if i in skip]
    for i in order:
        u = snap(pts[i])
        if u is None:
            continue
        for dx, dy in ((0, 0), (1, 0), (0, 1), (-1, 0), (0, -1))[1 if i in skip else 0:]:
            for target in (-float(labels[i]), float(labels[i])):
                if len(out) < limit:
                    v = (u[0] + dx, u[1] + dy)
                    out[signed_message(message_bytes(0, *v), target)] = (i, point_of(*v), target)
    return out
