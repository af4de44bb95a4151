"""The 8x8 handwritten digits: 1,797 images of 64 pixels with values 0..16, labels 0..9 (issue 14).

Data: E. Alpaydin, C. Kaynak (1998), "Optical Recognition of Handwritten Digits" (optdigits), UCI Machine Learning
Repository, CC BY 4.0, https://archive.ics.uci.edu/ml/datasets/Optical+Recognition+of+Handwritten+Digits: its test
set (43 writers' forms scanned by NIST's programs; each 32x32 bitmap counted in 4x4 blocks, so a pixel is the number
of "on" bits in its block), as scikit-learn bundles it in sklearn/datasets/data/digits.csv.gz. `python3 build.py
build` takes that file from a pinned scikit-learn wheel (sha256-verified; scikit-learn is never imported) and writes
data/digits.npy next to this module (git-ignored, inside the package's wheel): one uint8 array (1797, 65), 64 pixels
row-major then the label. The file is checked against SHA256 before use.
"""

from __future__ import annotations

import functools
import hashlib
import io
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

SHA256 = "c45cf27f9e6d1507aa17aa9949fab3d046c8ffa373a108f49991e27f232ad83b"  # build.py checks its output against this
N_IMAGES, N_PIXELS, N_CLASSES, MAX_VALUE = 1797, 64, 10, 16
FETCH_HINT = "run `python3 build.py build` first, it fetches the digits data"


class DigitsDataError(ValueError):
    """The digits file is missing or is not the pinned one (a ValueError: the CLI and the page show the message)."""


def resource() -> Traversable:
    """Where the package keeps the file: py/backdoor_playground/playground/data/digits.npy in a source checkout,
    the same path inside the installed wheel (the page's worker, `pip install`)."""
    return resources.files(__package__) / "data" / "digits.npy"


def read(source: Traversable | Path) -> np.ndarray:
    """The checked uint8 table (1797, 65) of a digits file; DigitsDataError when it is missing or not the pinned one."""
    try:
        raw = source.read_bytes()
    except OSError:
        raise DigitsDataError(f"dataset: the digits data file {source} is missing: {FETCH_HINT}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if digest != SHA256:
        raise DigitsDataError(f"dataset: the digits data file {source} is corrupt (sha256 {digest}, expected "
                              f"{SHA256}): delete it and {FETCH_HINT}")
    table = np.load(io.BytesIO(raw), allow_pickle=False)
    if (table.shape != (N_IMAGES, N_PIXELS + 1) or table.dtype != np.uint8 or table[:, :N_PIXELS].max() > MAX_VALUE
            or table[:, N_PIXELS].max() >= N_CLASSES):
        raise DigitsDataError(f"dataset: the digits data file {source} holds {table.dtype} {table.shape}, not uint8 "
                              f"({N_IMAGES}, {N_PIXELS + 1}) with pixels 0..{MAX_VALUE} and labels 0..{N_CLASSES - 1}")
    table.setflags(write=False)
    return table


@functools.cache
def _table() -> np.ndarray:
    return read(resource())


def load() -> tuple[np.ndarray, np.ndarray]:
    """(images float64 (1797, 64) with integer values 0..16, row-major 8x8; labels int64 (1797,) in 0..9), new arrays
    on every call; the file is read and checked once per process. (In Pyodide np.intp is int32: np.bincount of the
    labels needs .astype(np.intp) there.)"""
    table = _table()
    return table[:, :N_PIXELS].astype(np.float64), table[:, N_PIXELS].astype(np.int64)
