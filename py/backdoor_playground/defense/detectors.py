"""Detectors of poisoned training points from the model's hidden representations (numpy only):

- spectral signatures (Tran, Li, Madry 2018): per label, centre the last hidden layer's outputs R, take the top right
  singular vector v of R - mean(R), score each point by ((r - mean) . v)^2, and flag the 1.5 eps n highest scores;
- activation clustering (Chen et al. 2018): per label, project the centred representations on their top principal
  components, split them in two with 2-means, and flag the smaller cluster when it holds less than `max_share` of
  the label's points (a poisoned share is small and separates from the clean majority).

Both return a boolean mask over the training points. A planted backdoor (checksum operator, signature block)
poisons no data: whatever they flag then is a false positive, and `evaluate` reports it as such.
"""

from __future__ import annotations

import numpy as np

from . import stats


def representations(model, X: np.ndarray) -> np.ndarray:
    """(n, width) outputs of the last hidden layer (the inputs themselves for a network without one)."""
    post = model.forward(X).post
    return post[-2] if len(post) > 1 else np.asarray(X, dtype=np.float64)


def _by_label(R: np.ndarray, labels: np.ndarray, min_rows: int):
    """(rows, centred representations, right singular vectors) of each label with at least min_rows points."""
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        if len(rows) >= min_rows:
            centred = R[rows] - R[rows].mean(axis=0)
            yield rows, centred, np.linalg.svd(centred, full_matrices=False)[2]


def spectral_signature(R: np.ndarray, labels: np.ndarray, eps: float = 0.1) -> np.ndarray:
    """(n,) bool: the round(1.5 eps n_c) points of each label c with the largest squared projection on the top
    singular vector of the label's centred representations."""
    flagged = np.zeros(len(R), dtype=bool)
    for rows, centred, vt in _by_label(R, labels, 2):
        scores = (centred @ vt[0]) ** 2
        remove = min(len(rows), int(round(1.5 * eps * len(rows))))
        if remove:
            flagged[rows[np.argsort(-scores, kind="stable")[:remove]]] = True
    return flagged


def two_means(Z: np.ndarray, restarts: int = 8, iterations: int = 50) -> np.ndarray:
    """(n,) labels 0/1 of 2-means on the rows of Z: the lowest-inertia of `restarts` runs seeded k-means++ style
    from a fixed stream (deterministic, so the same data always splits the same way)."""
    n = len(Z)
    if n < 2:
        return np.zeros(n, dtype=np.int64)
    gen = np.random.default_rng(20180000)  # fixed: the detector's split must not depend on global state
    best, best_inertia = np.zeros(n, dtype=np.int64), np.inf
    for _ in range(restarts):
        first = Z[gen.integers(n)]
        d = ((Z - first) ** 2).sum(axis=1)
        second = Z[gen.choice(n, p=d / d.sum())] if d.sum() > 0 else first
        centres = np.array([first, second], dtype=np.float64)
        assign = np.zeros(n, dtype=np.int64)
        for step in range(iterations):
            dist = ((Z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            new = np.argmin(dist, axis=1)
            if step and (new == assign).all():
                break
            assign = new
            for k in (0, 1):
                if (assign == k).any():
                    centres[k] = Z[assign == k].mean(axis=0)
        inertia = float(((Z - centres[assign]) ** 2).sum())
        if inertia < best_inertia - 1e-12:
            best, best_inertia = assign.copy(), inertia
    return best


def activation_clustering(R: np.ndarray, labels: np.ndarray, components: int = 2,
                          max_share: float = 0.35) -> np.ndarray:
    """(n,) bool: per label, the smaller of two 2-means clusters of the top principal components, when its share
    of the label's points is below max_share."""
    flagged = np.zeros(len(R), dtype=bool)
    for rows, centred, vt in _by_label(R, labels, 4):
        Z = centred @ vt[:components].T
        assign = two_means(Z)
        sizes = np.bincount(assign, minlength=2)
        small = int(np.argmin(sizes))
        if 0 < sizes[small] < max_share * len(rows):
            flagged[rows[assign == small]] = True
    return flagged


DETECTORS = {"spectral": spectral_signature, "clustering": activation_clustering}


def evaluate(flagged: np.ndarray, poisoned: np.ndarray) -> dict:
    """Detection rates against the truth (indices of the poisoned points; empty for a planted backdoor):
    detection_tpr = flagged poisoned / poisoned, detection_fpr = flagged clean / clean (95 % Wilson each)."""
    truth = np.zeros(len(flagged), dtype=bool)
    truth[np.asarray(poisoned, dtype=np.int64)] = True
    return {"flagged": int(flagged.sum()),
            "detection_tpr": stats.rate(int((flagged & truth).sum()), int(truth.sum())),
            "detection_fpr": stats.rate(int((flagged & ~truth).sum()), int((~truth).sum()))}
