"""Randomized smoothing (Cohen, Rosenfeld, Kolter 2019) of a backdoored classifier on d-dimensional inputs:
g(x) = argmax_c P[f(x + e) = c], e ~ N(0, sigma^2 I_d); PREDICT, CERTIFY, certified accuracy, and Goldwasser et al.'s
evaluation-time immunization swept over sigma, against a plain and an adaptive (sigma-aware) attacker.

K classes as in Cohen et al.: K = 2 counts the +1 votes (as before); K > 2 counts every class, PREDICT takes the top
two counts n_A, n_B and abstains unless the two-sided binomial test of n_A out of n_A + n_B rejects p = 1/2, CERTIFY
guesses c_A from n0 votes and bounds p_A by Clopper-Pearson on its count among n. An abstention is 0 for K = 2 and -1
for K > 2 (Attacked.abstain). The adaptive attacker tries 16 directions: the circle's for d = 2, for d > 2 16 unit
vectors drawn once per run from its own stream.

Every random draw comes from the np.random.Generator the caller passes, so one seed gives the same numbers. The long
parts come in two forms: a *_steps generator that yields after each forward pass (the rows it evaluated), which a
resumable run (defense/job.py) steps within a time budget, and the one-shot function, that generator drained.
"""

from __future__ import annotations

import math
from typing import Any, Generator

import numpy as np

from . import stats

BATCH_ROWS = 20_000  # noisy rows per forward pass: bounded memory, still vectorised
ADAPTIVE_FACTORS = (1, 2, 3, 4, 6, 8)  # rho = c * sigma, smallest first
N_DIRECTIONS = 16
SCREEN_SAMPLES, SCREEN_MIN = 16, 3  # a cheap first look; a candidate the smoothed g labels target passes it with
#                                     probability >= P(Bin(16, 1/2) >= 3) = 0.998, so the screen loses ~nothing
MAX_ADAPTIVE_POINTS = 64  # the adaptive search runs on a seeded sample of at most this many activated points


def _as_points(points) -> np.ndarray:
    P = np.asarray(points, dtype=np.float64)
    return P if P.ndim == 2 else P.reshape(-1, 2)


def _k(att) -> int:
    return int(getattr(att, "k", 2))


def drain(steps: Generator[int, None, Any]) -> Any:
    """Run a step generator (the *_steps functions: each yields the noisy rows it just evaluated) to its end and
    return its value. The one-shot functions are their generators drained, so stepping changes no number."""
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def vote_counts_steps(att, points, owners, sigma: float, n: int, rng: np.random.Generator,
                      batch: int = BATCH_ROWS) -> Generator[int, None, np.ndarray]:
    """vote_counts, one forward pass of at most `batch` noisy rows per step (yields the rows done)."""
    pts = _as_points(points)
    owners = np.asarray(owners).astype(np.intp).ravel()
    m, d = pts.shape
    k = _k(att)
    counts = np.zeros(m if k == 2 else (m, k), dtype=np.int64)
    total = m * int(n)
    batch = max(1, int(batch))
    for start in range(0, total, batch):
        stop = min(total, start + batch)
        # rows are point-major (row r stands for point r // n); int64 rows, then a small intp index (wasm32)
        idx = (np.arange(start, stop, dtype=np.int64) // n).astype(np.intp)
        noisy = pts[idx] + sigma * rng.standard_normal((stop - start, d))
        if k == 2:
            plus = att.predict(noisy, owners[idx]) > 0
            counts += np.bincount(idx, weights=plus, minlength=m).astype(np.int64)
        else:
            labels = np.asarray(att.predict(noisy, owners[idx])).astype(np.intp)
            np.add.at(counts, (idx, labels), 1)
        yield stop - start
    return counts


def vote_counts(att, points, owners, sigma: float, n: int, rng: np.random.Generator,
                batch: int = BATCH_ROWS) -> np.ndarray:
    """Number of +1 labels of att.predict among n samples x + e, e ~ N(0, sigma^2 I), for each point x; for K > 2
    an (m, K) count of every class."""
    return drain(vote_counts_steps(att, points, owners, sigma, n, rng, batch))


def _abstain_where(top, n: int, alpha: float) -> np.ndarray:
    """True where the two-sided binomial test of top votes out of n cannot reject p = 1/2 at level alpha."""
    cache = {int(t): stats.binom_two_sided_p(int(t), n) > alpha for t in np.unique(top)}
    return np.array([cache[int(t)] for t in top], dtype=bool)


def predict(att, points, owners, sigma: float, n: int, alpha: float, rng: np.random.Generator) -> np.ndarray:
    """Cohen's PREDICT: the majority label of n noisy votes, 0 (abstain) if its binomial p-value exceeds alpha."""
    return drain(predict_steps(att, points, owners, sigma, n, alpha, rng))


def predict_steps(att, points, owners, sigma: float, n: int, alpha: float,
                  rng: np.random.Generator) -> Generator[int, None, np.ndarray]:
    plus = yield from vote_counts_steps(att, points, owners, sigma, n, rng)
    if _k(att) > 2:
        return _predict_classes(plus, alpha)
    labels = np.where(plus * 2 > n, 1.0, -1.0)
    labels[_abstain_where(np.maximum(plus, n - plus), n, alpha)] = 0.0
    return labels


def _predict_classes(counts: np.ndarray, alpha: float) -> np.ndarray:
    """K > 2 PREDICT from (m, K) counts: the top class, -1 (abstain) unless the binomial test of n_A out of
    n_A + n_B (the top two counts) rejects p = 1/2 at level alpha."""
    order = np.argsort(-counts, axis=1, kind="stable")
    rows = np.arange(len(counts))
    n_a, n_b = counts[rows, order[:, 0]], counts[rows, order[:, 1]]
    cache: dict[tuple[int, int], bool] = {}
    abstain = np.zeros(len(counts), dtype=bool)
    for i, (a, b) in enumerate(zip(n_a.tolist(), n_b.tolist())):
        if (a, b) not in cache:
            cache[(a, b)] = stats.binom_two_sided_p(a, a + b) > alpha
        abstain[i] = cache[(a, b)]
    return np.where(abstain, -1.0, order[:, 0].astype(np.float64))


def certify(att, points, owners, sigma: float, n0: int, n: int, alpha: float,
            rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """CERTIFY: c_A from n0 votes, pL = CP_lower(n_A of n, alpha); (c_A or 0 if pL < 1/2, R = sigma Phi^-1(pL))."""
    return drain(certify_steps(att, points, owners, sigma, n0, n, alpha, rng))


def certify_steps(att, points, owners, sigma: float, n0: int, n: int, alpha: float,
                  rng: np.random.Generator) -> Generator[int, None, tuple[np.ndarray, np.ndarray]]:
    # abstentions get a NaN radius (JSON: null); c_A on a tie of the n0 votes is -1
    plus0 = yield from vote_counts_steps(att, points, owners, sigma, n0, rng)
    multi = _k(att) > 2
    if multi:  # the first class on ties, as argmax
        guess = np.argmax(plus0, axis=1).astype(np.float64)
    else:
        guess = np.where(plus0 * 2 > n0, 1.0, -1.0)  # ties -> -1: argmax over the classes in order (-1, +1)
    plus = yield from vote_counts_steps(att, points, owners, sigma, n, rng)
    if multi:
        n_a = plus[np.arange(len(plus)), guess.astype(np.intp)]
    else:
        n_a = np.where(guess > 0, plus, n - plus)
    lower = {int(k): stats.clopper_pearson_lower(int(k), n, alpha) for k in np.unique(n_a)}
    p_lower = np.array([lower[int(k)] for k in n_a], dtype=np.float64)
    ok = p_lower >= 0.5
    radii = np.full(len(p_lower), np.nan)
    radii[ok] = [sigma * stats.norm_ppf(p) if p < 1.0 else math.inf for p in p_lower[ok]]
    return np.where(ok, guess, -1.0 if multi else 0.0), radii


def max_certifiable_radius(sigma: float, n: int, alpha: float) -> float | None:
    """R_max = sigma * Phi^-1(alpha^(1/n)) (every vote for one class); None when even that abstains."""
    p = alpha ** (1.0 / n)
    return sigma * stats.norm_ppf(p) if p >= 0.5 else None


def certified_accuracy_curve(labels, truth, radii, r_grid) -> list:
    """CertAcc(r) = fraction of points with label == truth and radius >= r, for each r (None for no points)."""
    labels, truth = np.asarray(labels, dtype=np.float64), np.asarray(truth, dtype=np.float64)
    radii = np.asarray(radii, dtype=np.float64)
    if not len(labels):
        return [None for _ in r_grid]
    right = labels == truth
    with np.errstate(invalid="ignore"):  # NaN radii (abstentions) compare False
        return [float(np.mean(right & (radii >= r))) for r in r_grid]


def lipschitz_bound(gamma: float, sigma: float) -> float:
    """2 sqrt(2/pi) gamma / sigma: the most a shift of size gamma moves the smoothed +-1 score (Salman et al.)."""
    return 2.0 * math.sqrt(2.0 / math.pi) * gamma / sigma


def _fraction(k, n) -> float | None:
    return float(k) / n if n else None


def _adaptive(att, chosen: np.ndarray, sigma: float, n: int, alpha: float, rng: np.random.Generator,
              plain_hit: np.ndarray) -> Generator[int, None, np.ndarray]:
    """|delta| / sigma of the smallest winning move rho = c sigma (16 directions) per chosen point; NaN = failed."""
    # a point whose plain trigger already beats g needs no move: its |delta| is the trigger's
    dim = att.test_points.shape[1] if len(att.test_points) else 2
    if dim == 2:
        angles = 2.0 * math.pi * np.arange(N_DIRECTIONS) / N_DIRECTIONS
        dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    else:  # d > 2: 16 random unit directions (from this attacker's own stream)
        dirs = rng.standard_normal((N_DIRECTIONS, dim))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
    trigger = np.linalg.norm(att.inputs[chosen] - att.test_points[chosen], axis=1)
    found = np.where(plain_hit, trigger / sigma, np.nan)
    for c in ADAPTIVE_FACTORS:
        pending = np.flatnonzero(np.isnan(found))
        if not len(pending):
            break
        idx = chosen[pending]
        cand = att.test_points[idx][:, None, :] + c * sigma * dirs[None, :, :]  # (P, 16, dim)
        owners = np.repeat(idx, N_DIRECTIONS)
        target = np.repeat(att.target[idx], N_DIRECTIONS)
        plus = yield from vote_counts_steps(att, cand.reshape(-1, dim), owners, sigma, SCREEN_SAMPLES, rng)
        if plus.ndim == 2:  # K > 2: the votes for the target class
            votes = plus[np.arange(len(plus)), target.astype(np.intp)].reshape(-1, N_DIRECTIONS)
        else:
            votes = np.where(target > 0, plus, SCREEN_SAMPLES - plus).reshape(-1, N_DIRECTIONS)
        done = np.zeros(len(pending), dtype=bool)
        for d in range(N_DIRECTIONS):  # direction by direction: a point stops at its first success
            check = np.flatnonzero(~done & (votes[:, d] >= SCREEN_MIN))
            if not len(check):
                continue
            labels = yield from predict_steps(att, cand[check, d], idx[check], sigma, n, alpha, rng)
            won = check[labels == att.target[idx[check]]]
            done[won] = True
        found[pending[done]] = c
    return found


adaptive_steps = _adaptive  # the adaptive attacker at one sigma, for the smoothing defense's own metrics (run.py)


def immunization_curve(att, sigmas, n: int, alpha: float, rng: np.random.Generator, adaptive: bool = False) -> dict:
    """Per sigma: ASR of g on activated inputs, abstention, accuracy on untouched points (+ the adaptive attacker)."""
    return drain(immunization_curve_steps(att, sigmas, n, alpha, rng, adaptive))


def immunization_curve_steps(att, sigmas, n: int, alpha: float, rng: np.random.Generator,
                             adaptive: bool = False) -> Generator[int, None, dict]:
    act = np.flatnonzero(att.activated)
    m = len(att.test_points)
    chosen = act
    if adaptive and len(act) > MAX_ADAPTIVE_POINTS:
        chosen = np.sort(rng.choice(act, MAX_ADAPTIVE_POINTS, replace=False))
    out = {"sigmas": [float(s) for s in sigmas], "n": int(n), "alpha": float(alpha), "activated": int(len(act)),
           "asr": [], "abstention": [], "clean_accuracy": []}
    if adaptive:
        out.update({"adaptive_points": int(len(chosen)), "asr_adaptive": [], "median_rho_over_sigma": [],
                    "factors": list(ADAPTIVE_FACTORS), "directions": N_DIRECTIONS})
    for sigma in sigmas:
        # the inputs the model is shown, then the untouched twins of the activated points (owner -1: no trigger)
        points = np.concatenate([att.inputs, att.test_points[act]])
        owners = np.concatenate([np.arange(m), np.full(len(act), -1)])
        labels = yield from predict_steps(att, points, owners, sigma, n, alpha, rng)
        at_inputs, clean = labels[:m], labels[:m].copy()
        clean[act] = labels[m:]
        hit = at_inputs[act] == att.target[act]
        out["asr"].append(_fraction(hit.sum(), len(act)))
        out["abstention"].append(_fraction((at_inputs == (-1.0 if _k(att) > 2 else 0.0)).sum(), m))
        out["clean_accuracy"].append(_fraction((clean == att.test_labels).sum(), m))
        if adaptive:
            rho = yield from _adaptive(att, chosen, sigma, n, alpha, rng, at_inputs[chosen] == att.target[chosen])
            won = rho[~np.isnan(rho)]
            out["asr_adaptive"].append(_fraction(len(won), len(chosen)))
            out["median_rho_over_sigma"].append(float(np.median(won)) if len(won) else None)
    return out
