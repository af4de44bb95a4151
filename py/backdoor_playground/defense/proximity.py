"""NN Calculator's proximity defense ("Label Proximity" + "Robust to Backdoor"), vectorised and with its bugs fixed:
training-pair distance histograms, the NIST radius objective, the r-separation radius, and radius / k-NN votes.

The defended labels are always a new array: ground truth, the backdoored model's labels and the vote stay apart
(NN Calculator overwrites its test labels in place).

Any d and K (issue 14): distances are Euclidean in d dimensions. With K > 2 classes (labels 0..K-1) the pair
histograms split pairs into same-class and different-class ones; the radius rule keeps NN Calculator's objective
with both same-class counts pooled, h_same^2 / h_diff (for K = 2 it is h_NN h_PP / h_NP); r_sep is half the
smallest distance between points of different classes; the votes are majority votes over the K labels (a tie goes to
the lowest tied class under "negative", NN Calculator's otherwise-branch, or to the fallback under "keep").
"""

from __future__ import annotations

import math

import numpy as np

BIN_WIDTH = math.sqrt(2.0)
MIN_BINS = 12  # NN Calculator's 12 bins of sqrt(2): the diagonal of the 12 x 12 data box
DEFAULT_RADIUS = 2.0 * math.sqrt(2.0)  # NN Calculator's radius when Label Proximity has not run
CHUNK_CELLS = 1 << 21  # distance-matrix cells per chunk: a few MB, also inside a wasm32 heap


def _as_points(points) -> np.ndarray:
    """(n, d) points; a flat array is read as 2-D points."""
    return _as_points_d(points)


def _positive(labels) -> np.ndarray:
    return np.asarray(labels, dtype=np.float64).ravel() > 0


def is_multiclass(labels) -> bool:
    """True for labels 0..K-1 of K > 2 classes (a 0 or a label above 1), False for +1 / -1."""
    y = np.asarray(labels, dtype=np.float64).ravel()
    return bool(len(y) and np.all(y >= 0) and np.any((y == 0) | (y > 1)))


def _as_points_d(points) -> np.ndarray:
    P = np.asarray(points, dtype=np.float64)
    return P if P.ndim == 2 else P.reshape(-1, 2)


def _chunks(rows: int, cols: int):
    """Row ranges [a, b) whose rows x cols distance block stays under CHUNK_CELLS."""
    step = max(1, CHUNK_CELLS // max(1, cols))
    for a in range(0, rows, step):
        yield a, min(rows, a + step)


def _distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """D[i, j] = |a_i - b_j| (Euclidean)."""
    # from coordinate differences: |a|^2 + |b|^2 - 2ab cancels badly for nearby points, and in 2-D costs the same
    dx = a[:, None, 0] - b[None, :, 0]
    dy = a[:, None, 1] - b[None, :, 1]
    acc = dx * dx + dy * dy
    for c in range(2, a.shape[1]):
        dc = a[:, None, c] - b[None, :, c]
        acc += dc * dc
    return np.sqrt(acc)


def distance_histograms(points, labels, bin_width: float = BIN_WIDTH) -> dict:
    """Counts of |x_i - x_j|, i < j, in bins [i w, (i+1) w) (>= 12 bins), split into N-N, P-P and N-P pairs; for
    K > 2 classes into same-class ("same", also given as nn and pp) and different-class ("diff", also np) pairs."""
    pts = _as_points(points)
    multi = is_multiclass(labels)
    y = np.asarray(labels, dtype=np.float64).ravel()
    pos = _positive(labels)
    n = len(pts)
    counts = np.zeros(3 * (MIN_BINS + 1), dtype=np.int64)  # index 3 * bin + kind, kind = number of +1 ends
    top = 0.0
    for a, b in _chunks(n, n):
        if a + 1 >= n:
            break
        d = _distances(pts[a:b], pts[a + 1:])  # column c is point a + 1 + c; keep j > i only
        rows = np.arange(a, b)[:, None]
        upper = np.arange(a + 1, n)[None, :] > rows
        if multi:  # kind 2 = same class, 1 = different classes (nn stays empty and is filled below)
            kind = np.where(y[a:b, None] == y[None, a + 1:], 2, 1).astype(np.int64)
        else:
            kind = pos[a:b, None].astype(np.int64) + pos[None, a + 1:].astype(np.int64)
        dd, kk = d[upper], kind[upper]
        if not len(dd):
            continue
        top = max(top, float(dd.max()))
        # NN Calculator indexes past its last bin here (bug 8); the bincount simply grows
        bins = np.floor(dd / bin_width).astype(np.intp)
        size = max(len(counts), 3 * (int(bins.max()) + 1))
        if size > len(counts):
            counts = np.concatenate([counts, np.zeros(size - len(counts), dtype=np.int64)])
        counts += np.bincount(bins * 3 + kk.astype(np.intp), minlength=size)
    n_bins = max(MIN_BINS, int(math.ceil(top / bin_width)))
    per = counts.reshape(-1, 3)
    if len(per) > n_bins:  # a distance of exactly n_bins * w lands one past the end: close the last bin
        per = np.vstack([per[:n_bins - 1], per[n_bins - 1:].sum(axis=0)])
    per = np.vstack([per, np.zeros((n_bins - len(per), 3), dtype=np.int64)])
    nn, np_, pp = (per[:, i].tolist() for i in range(3))
    if multi:
        return {"edges": [i * bin_width for i in range(n_bins + 1)], "bin_width": bin_width,
                "same": pp, "diff": np_, "nn": pp, "pp": pp, "np": np_, "classes": "same / different",
                "pairs": {"same": int(sum(pp)), "diff": int(sum(np_))}}
    return {"edges": [i * bin_width for i in range(n_bins + 1)], "bin_width": bin_width,
            "nn": nn, "pp": pp, "np": np_,
            "pairs": {"nn": int(sum(nn)), "pp": int(sum(pp)), "np": int(sum(np_))}}


def nist_radius(hist: dict) -> dict:
    """r* = (i* + 1/2) w for i* = argmax_i h_NN[i] h_PP[i] / h_NP[i] over bins with h_NP[i] > 0 (lowest on ties)."""
    width = hist["bin_width"]
    # K > 2: nn and pp are both the same-class counts, so the objective is h_same^2 / h_diff
    objective = [nn * pp / npc if npc > 0 else None for nn, pp, npc in zip(hist["nn"], hist["pp"], hist["np"])]
    best = None
    for i, j in enumerate(objective):
        if j is not None and (best is None or j > objective[best]):  # strict: ties keep the lowest bin
            best = i
    if best is None:
        return {"radius": DEFAULT_RADIUS, "bin": None, "objective": objective,
                "note": "no training pair of opposite labels: NN Calculator's default radius 2*sqrt(2)"}
    return {"radius": (best + 0.5) * width, "bin": best, "objective": objective,
            "max_objective": objective[best]}


def separation_radius(points, labels) -> float | None:
    """r_sep = 1/2 min |x_i - x_j| over i labelled +1, j labelled -1 (Yang et al. 2020); None without both."""
    pts = _as_points(points)
    if is_multiclass(labels):  # K > 2: each class against all the others
        y = np.asarray(labels, dtype=np.float64).ravel()
        groups = [y == c for c in np.unique(y)[:-1]]
    else:
        groups = [_positive(labels)]
    best = math.inf
    for pos in groups:
        p, q = pts[pos], pts[~pos]
        if not len(p) or not len(q):
            continue
        for a, b in _chunks(len(p), len(q)):
            best = min(best, float(_distances(p[a:b], q).min()))
    return 0.5 * best if best < math.inf else None


def neighbour_counts(train_points, train_labels, queries, radii) -> tuple[np.ndarray, np.ndarray]:
    """(pos, neg), each (len(radii), m): training points labelled +1 / -1 with |x - q| <= r, per radius r."""
    train = _as_points(train_points)
    pos = _positive(train_labels)
    q = _as_points(queries)
    radii = np.atleast_1d(np.asarray(radii, dtype=np.float64))
    n_pos = np.zeros((len(radii), len(q)), dtype=np.int64)
    n_neg = np.zeros_like(n_pos)
    if not len(train):
        return n_pos, n_neg
    for a, b in _chunks(len(q), len(train)):
        d = _distances(q[a:b], train)
        for i, r in enumerate(radii):
            inside = d <= r
            n_pos[i, a:b] = inside[:, pos].sum(axis=1)
            n_neg[i, a:b] = inside[:, ~pos].sum(axis=1)
    return n_pos, n_neg


def vote_from_counts(n_pos, n_neg, fallback, ties: str = "negative") -> np.ndarray:
    """sign(n_pos - n_neg); a tie -> -1 ("negative") or the fallback ("keep"); no neighbour -> the fallback."""
    # "negative" is NN Calculator's rule (a tie falls in its otherwise-branch); the fallback is the model's label
    if ties not in ("negative", "keep"):
        raise ValueError(f"ties must be \"negative\" or \"keep\", got {ties!r}")
    n_pos, n_neg = np.asarray(n_pos), np.asarray(n_neg)
    fallback = np.broadcast_to(np.asarray(fallback, dtype=np.float64), n_pos.shape)
    tie = fallback if ties == "keep" else -1.0
    out = np.where(n_pos > n_neg, 1.0, np.where(n_neg > n_pos, -1.0, tie))
    return np.where(n_pos + n_neg == 0, fallback, out)


def radius_vote(train_points, train_labels, queries, radius: float, fallback, ties: str = "negative") -> dict:
    """Radius-neighbour majority vote: {"labels", "pos", "neg"} (arrays over queries; pos/neg = neighbour counts)."""
    if not (isinstance(radius, (int, float)) and radius >= 0 and math.isfinite(radius)):
        raise ValueError(f"radius must be a finite number >= 0, got {radius!r}")
    n_pos, n_neg = neighbour_counts(train_points, train_labels, queries, [radius])
    return {"labels": vote_from_counts(n_pos[0], n_neg[0], fallback, ties), "pos": n_pos[0], "neg": n_neg[0]}


def nearest_labels(train_points, train_labels, queries, k: int) -> np.ndarray:
    """(m, min(k, n)) labels (+1 / -1) of each query's nearest training points, nearest first (lower index on equal
    distance)."""
    return nearest_classes(train_points, np.where(_positive(train_labels), 1.0, -1.0), queries, k)


def knn_from_nearest(nearest: np.ndarray, k: int, fallback) -> np.ndarray:
    """Majority of the first k columns of `nearest`; a tie (even k) or no neighbours -> the fallback."""
    s = nearest[:, :k].sum(axis=1)
    fallback = np.broadcast_to(np.asarray(fallback, dtype=np.float64), s.shape)
    return np.where(s > 0, 1.0, np.where(s < 0, -1.0, fallback))


def knn_vote(train_points, train_labels, queries, k: int, fallback=-1.0) -> np.ndarray:
    """sign(sum of the k nearest training labels); a tie (even k) -> the fallback (e.g. the model's own label)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    return knn_from_nearest(nearest_labels(train_points, train_labels, queries, k), k, fallback)


# ---------------------------------------------------------------------------------------------------- K > 2 classes


def class_counts(train_points, train_labels, queries, radii, k: int) -> np.ndarray:
    """(len(radii), m, K) training points of each class 0..K-1 with |x - q| <= r, per radius r."""
    train = _as_points(train_points)
    y = np.asarray(train_labels, dtype=np.float64).ravel().astype(np.int64)
    q = _as_points(queries)
    radii = np.atleast_1d(np.asarray(radii, dtype=np.float64))
    out = np.zeros((len(radii), len(q), k), dtype=np.int64)
    if not len(train):
        return out
    onehot = np.zeros((len(train), k), dtype=np.int64)
    onehot[np.arange(len(train)), y] = 1
    for a, b in _chunks(len(q), len(train)):
        d = _distances(q[a:b], train)
        for i, r in enumerate(radii):
            out[i, a:b] = (d <= r).astype(np.int64) @ onehot
    return out


def vote_from_class_counts(counts, fallback, ties: str = "negative") -> np.ndarray:
    """argmax_c counts[:, c]; a tie -> the lowest tied class ("negative") or the fallback ("keep"); no neighbour ->
    the fallback."""
    if ties not in ("negative", "keep"):
        raise ValueError(f"ties must be \"negative\" or \"keep\", got {ties!r}")
    counts = np.asarray(counts)
    fallback = np.broadcast_to(np.asarray(fallback, dtype=np.float64), counts.shape[:1])
    top = counts.max(axis=1)
    tie = (counts == top[:, None]).sum(axis=1) > 1
    out = counts.argmax(axis=1).astype(np.float64)
    if ties == "keep":
        out = np.where(tie, fallback, out)
    return np.where(top == 0, fallback, out)


def nearest_classes(train_points, train_labels, queries, k: int) -> np.ndarray:
    """(m, min(k, n)) class labels of each query's nearest training points, nearest first (as nearest_labels)."""
    train = _as_points(train_points)
    labels = np.asarray(train_labels, dtype=np.float64).ravel()
    q = _as_points(queries)
    k = min(int(k), len(train))
    out = np.zeros((len(q), k))
    if not k:
        return out
    for a, b in _chunks(len(q), len(train)):
        order = np.argsort(_distances(q[a:b], train), axis=1, kind="stable")[:, :k]
        out[a:b] = labels[order]
    return out


def knn_from_nearest_classes(nearest: np.ndarray, k: int, n_classes: int, fallback) -> np.ndarray:
    """Majority class of the first k columns of `nearest` (K classes); a tie or no neighbours -> the fallback."""
    first = nearest[:, :k].astype(np.int64)
    counts = np.zeros((len(first), n_classes), dtype=np.int64)
    for c in range(n_classes):
        counts[:, c] = (first == c).sum(axis=1)
    return vote_from_class_counts(counts, fallback, "keep")
