"""Micro-benchmarks that `python3 build.py bench` runs inside the browser's worker (api.benchmark), so the figures
are the visitor's: Pyodide in Chromium, not CPython. Each returns milliseconds (medians); nothing here is asserted."""

from __future__ import annotations

import statistics
import time
from typing import Callable

import numpy as np

from .. import checksum
from ..playground import config, features, grid
from ..session import Session

# The decimal checksum's residues span ~80 values, so beyond m ~ 90 its key 150 stops occurring: stop at 256.
SEARCH_MODULI = {"decimal": (16, 64, 256), "keyed": (16, 256, 4096), "parity": (16, 256, 4096)}
SEARCH_POINTS = 9


def median_ms(fn: Callable[[], object], repeats: int = 7) -> float:
    """Median wall time of fn() in milliseconds, after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def csum_grid_ms() -> float:
    """csum of a heatmap's 10,000 pre-activation-like values."""
    values = np.tanh(grid.grid_points(grid.GRID_N) @ np.array([0.7, -0.4])) * 4.0
    return median_ms(lambda: checksum.csum(values))


def trained_doughnut(epochs: int = 400) -> Session:
    """The paper's doughnut: circle, x and y, [4] ReLU, trained clean."""
    cfg, _ = config.validate({"dataset": "circle", "networkShape": [4], "activation": "relu", "seed": "bench"})
    s = Session(cfg)
    s.train(epochs=epochs)
    return s


def digit_edit_ms(s: Session) -> float:
    """NN Calculator's activation on every test point of the planted doughnut."""
    planted = checksum.plant(s.model, {})
    names = s.feature_names
    return median_ms(lambda: checksum.activate_digit_edit(planted, s.data.test_points, names), repeats=5)


def search_ms(s: Session, trials_per_s: dict) -> list[dict]:
    """Per variant and modulus: measured search time per point next to the calibration's prediction."""
    rows = []
    names = s.feature_names
    for variant in checksum.VARIANTS:
        for modulo in SEARCH_MODULI[variant]:
            key = checksum.reduce_key(150, modulo)
            planted = checksum.plant(s.model, {"variant": variant, "modulo": modulo, "key": key})
            per_point = []
            for index in range(SEARCH_POINTS):
                run = checksum.SearchRun(planted, s.data.test_points, names, {"k": 1}, [index], seed="bench")
                t0 = time.perf_counter()
                run.run()
                per_point.append((time.perf_counter() - t0) * 1000.0)
            # Medians: the decimal checksum's per-point cost is heavy-tailed (some points are nearly out of
            # reach), and the calibration predicts the median point for it.
            measured = statistics.median(per_point)
            p_key = checksum.p_key_model(variant, modulo, 15, key)
            predicted = checksum.predict_search_seconds(trials_per_s[variant], p_key, 1) * 1000.0
            rows.append({"variant": variant, "modulo": modulo, "measured_ms": round(measured, 2),
                         "predicted_ms": round(predicted, 2) if np.isfinite(predicted) else None})
    return rows


def planted_frame_ms(s: Session) -> float:
    """One frame of the planted doughnut: every neuron over the 100x100 grid, checksums included."""
    planted = checksum.plant(s.model, {})
    return median_ms(lambda: grid.network_grids(planted, s.feature_names), repeats=5)


def defense_ms(s: Session) -> dict:
    """Proximity on 1,000 training points (all curves) and smoothing at n = 1000 on the activated doughnut."""
    from ..defense import attacked, run as defense
    from ..playground import rng

    gen = np.random.default_rng(7)
    train = gen.uniform(-6, 6, (1000, 2))
    labels = np.where(np.hypot(train[:, 0], train[:, 1]) < 3.0, 1.0, -1.0)
    attack = s.install("checksum", {})
    activated = attack.activate(s, "digit-edit", "all")
    att = s.attacked()
    big = attacked.from_records(train_points=train, train_labels=labels, test_points=att.test_points,
                                test_labels=att.test_labels, records=activated["records"], predict=att.predict,
                                clean_predict=att.clean_predict, backdoor="checksum")
    out = {"proximity_ms_1000": median_ms(lambda: defense.run_defense(
        big, {"type": "proximity"}, rng.stream(0, "defense")), repeats=3)}
    smooth = {"type": "smoothing", "sigma": 0.1, "n0": 100, "n": 1000, "alpha": 0.001}
    out["smoothing_ms_n1000"] = median_ms(lambda: defense.run_defense(
        att, smooth, rng.stream(0, "defense"), curves=False), repeats=3)
    s.remove_attack()  # the operators go, the weights stay: the next figures see the clean doughnut
    return {k: round(v, 1) for k, v in out.items()}


def signature_figures(s: Session) -> dict:
    """Sign / verify ms per scheme, and the selector over the 100 x 100 heatmap: measured with the format
    check's short-circuit, and what Verify on all 10^4 points would cost (verify_ms x 10^4)."""
    from ..signature import schemes as sigschemes
    from ..signature.block import SignatureBackdoor

    times = sigschemes.bench(repeats=5)
    points = grid.grid_points(grid.GRID_N)
    clean = s.model.predict(features.feature_matrix(points, s.feature_names))
    heatmap = {}
    for name in sigschemes.SCHEMES:
        sig = SignatureBackdoor(name, 32 if name == "toy-rsa" else None, s.config["seed"], "flip")
        # 10 selector passes a timing: one pass can be shorter than the browser clock's 0.1 ms step
        heatmap[name] = round(median_ms(lambda: [sig.select(clean, points) for _ in range(10)], repeats=5) / 10, 3)
    return {"sign_ms": {k: round(v, 4) for k, v in times["sign_ms"].items()},
            "verify_ms": {k: round(v, 4) for k, v in times["verify_ms"].items()},
            "heatmap_select_ms": heatmap,
            "heatmap_verify_all_ms": {k: round(v * 1e4, 1) for k, v in times["verify_ms"].items()}}


def matrix_s() -> float:
    """Seconds for the default matrix (experiment/matrix.BENCH_CONFIG: 5 backdoors x every defense column, one
    seed) run as the page's panel runs it (MatrixRun), once: it takes seconds."""
    from ..experiment import matrix

    t0 = time.perf_counter()
    matrix.MatrixRun(matrix.BENCH_CONFIG, 1).step(float("inf"))
    return time.perf_counter() - t0


def study_page_s(name: str) -> float:
    """Seconds for a study on the Studies view's default grid (worker/studies.PAGE_DEFAULTS), run as the view runs it."""
    from ..studies.steps import StudyRun
    from .studies import PAGE_DEFAULTS

    page = PAGE_DEFAULTS[name]
    t0 = time.perf_counter()
    StudyRun(name, page["seeds"], [f"{k}={v}" for k, v in page["options"].items()]).step(float("inf"))
    return time.perf_counter() - t0


def digits_figures() -> dict:
    """Issue 14's digits network alone: digits_train_s (64 -> 32 -> 10, 30 epochs, 1,000 images)."""
    from . import benchmark_kd

    return {"digits_train_s": round(benchmark_kd.digits_train_s(), 3)}


def run_all(only: str = "") -> dict:
    """Every figure at once (several seconds in the browser); only="digits": the digits network's figure alone."""
    if only == "digits":
        return digits_figures()
    if only:
        raise ValueError(f"only={only!r}: use \"\" (every figure) or \"digits\"")
    out: dict = {"csum_grid_ms": round(csum_grid_ms(), 2)}
    s = trained_doughnut()
    out["activation_ms_digit_edit"] = round(digit_edit_ms(s), 2)
    out["planted_frame_ms"] = round(planted_frame_ms(s), 2)
    rates = checksum.calibrate(300.0, s.feature_names)
    out["trials_per_s"] = {k: round(v) for k, v in rates.items()}
    out["search_ms"] = search_ms(s, rates)
    out.update(defense_ms(s))
    out.update(signature_figures(s))
    out["matrix_s_browser"] = round(matrix_s(), 2)
    from . import benchmark_kd  # issue 14's views: the digits network and the 3-D slice

    out.update(digits_figures())
    out["slice_ms_worker"] = round(benchmark_kd.slice_ms(), 2)
    out["study_modulo_page_s"] = round(study_page_s("modulo"), 2)
    out["study_proximity_page_s"] = round(study_page_s("proximity"), 2)
    out["study_dimension_page_s"] = round(study_page_s("dimension"), 2)
    return out
