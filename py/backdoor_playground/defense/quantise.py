"""Input quantisation (feature squeezing, Xu, Evans, Qi 2018, used against backdoor triggers): the model sees
Q(x) = q round(x / q), so every input detail finer than the step q is erased before it reaches the network. A trigger
written in the low digits (the checksum's digit edit, the signature's carrier bits) is rounded away; a visible one
(a poisoned region wider than q) survives. The cost is accuracy near the decision boundary, which grows with q.

The adaptive attacker knows the defense and activates in the quantised lattice: besides its own trigger (which may
survive), it queries the backdoored model on the lattice points within `reach` steps of Q(x) and succeeds where one
gets the target label while the clean model still gives that lattice point the point's clean label (a trigger, not
a move across the boundary).

Any d: Q rounds every coordinate. The attacker's lattice neighbourhood is the full (2 reach + 1)^d cube for d <= 3;
for d > 3 (the digits: 5^64 points) it is the 2 reach d + 1 lattice points that differ from Q(x) in one coordinate.
"""

from __future__ import annotations

import numpy as np

STEPS = (1e-9, 1e-6, 1e-3, 1e-2, 0.05, 0.1, 0.25, 0.5, 1.0)  # the sweep over q


def quantise(points: np.ndarray, q: float) -> np.ndarray:
    """Q(x) = q round(x / q), coordinate by coordinate."""
    return q * np.round(np.asarray(points, dtype=np.float64) / q)


def defended_labels(att, q: float) -> tuple[np.ndarray, np.ndarray]:
    """(labels at the inputs the attacker chose, labels at the untouched test points), both after quantisation."""
    m = len(att.test_points)
    owners = np.full(m, -1)
    return att.predict(quantise(att.inputs, q), owners), att.predict(quantise(att.test_points, q), owners)


def adaptive_success(att, q: float, reach: int = 2) -> np.ndarray:
    """(m,) bool over the test points: an activated point whose trigger survives quantisation, or whose
    (2 reach + 1)^2 lattice neighbourhood around Q(x) holds a point where the backdoored model says the target and
    the clean model the clean label."""
    act = np.flatnonzero(att.activated)
    out = np.zeros(len(att.test_points), dtype=bool)
    if not len(act):
        return out
    steps = np.arange(-reach, reach + 1) * q
    d = att.test_points.shape[1]
    if d <= 3:
        offsets = np.array(np.meshgrid(*([steps] * d), indexing="ij")).reshape(d, -1).T
    else:  # one coordinate at a time (and Q(x) itself once)
        offsets = np.zeros((1 + 2 * reach * d, d))
        nonzero = steps[steps != 0]
        for c in range(d):
            offsets[1 + c * len(nonzero):1 + (c + 1) * len(nonzero), c] = nonzero
    base = quantise(att.test_points[act], q)
    candidates = (base[:, None, :] + offsets[None, :, :]).reshape(-1, d)
    owners = np.full(len(candidates), -1)
    bd = att.predict(candidates, owners).reshape(len(act), -1)
    clean = att.clean_predict(candidates).reshape(len(act), -1)
    target = att.target[act][:, None]
    survives = defended_labels(att, q)[0][act] == att.target[act]
    out[act] = survives | ((bd == target) & (clean == att.clean_pred[act][:, None])).any(axis=1)
    return out
