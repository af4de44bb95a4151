"""The 8x8 digits data (playground/digits.py): what build.py converted from scikit-learn's copy of UCI optdigits.

Runs in CPython (from the source checkout's generated file) and inside Pyodide (from the built wheel, as the page's
worker loads it)."""

from __future__ import annotations

import hashlib
import sys

import numpy as np
import pytest

from backdoor_playground.playground import digits

# scikit-learn's load_digits(): images per class 0..9 (its documentation, and np.bincount of its target).
SKLEARN_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
# Image 0 is a "0"; its first two rows, as in the optdigits CSV's first line.
IMAGE0_ROWS01 = [0, 0, 5, 13, 9, 1, 0, 0, 0, 0, 13, 15, 10, 15, 5, 0]


def test_shapes_types_and_range():
    images, labels = digits.load()
    assert images.shape == (1797, 64) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16
    assert np.array_equal(images, np.round(images))  # integers 0..16: the count of "on" bits in a 4x4 block
    assert set(np.unique(labels)) == set(range(10))


def test_label_counts_are_sklearns():
    _, labels = digits.load()
    classes, counts = np.unique(labels, return_counts=True)
    assert classes.tolist() == list(range(10)) and counts.tolist() == SKLEARN_COUNTS
    # np.bincount wants np.intp, which is int32 in Pyodide (wasm32): int64 labels need a cast there.
    assert np.bincount(labels.astype(np.intp), minlength=10).tolist() == SKLEARN_COUNTS


def test_known_pixels():
    images, labels = digits.load()
    assert labels[:10].tolist() == list(range(10))  # the file starts 0, 1, ..., 9
    assert images[0, :16].tolist() == IMAGE0_ROWS01
    assert images[0].reshape(8, 8)[:, 0].tolist() == [0] * 8  # a centred "0": the left column is empty
    assert images[0].sum() == 294 and images[1].sum() == 313 and labels[-1] == 8


def test_every_load_is_the_same_and_independent():
    a_images, a_labels = digits.load()
    a_images[0, 0] = 99.0  # the caller owns its arrays
    b_images, b_labels = digits.load()
    assert b_images[0, 0] == 0.0 and np.array_equal(a_labels, b_labels)
    digest = hashlib.sha256(b_images.tobytes() + b_labels.tobytes()).hexdigest()
    assert digest == hashlib.sha256(digits.load()[0].tobytes() + digits.load()[1].tobytes()).hexdigest()


def test_the_loaded_file_is_the_pinned_one():
    raw = digits.resource().read_bytes()
    assert hashlib.sha256(raw).hexdigest() == digits.SHA256
    if sys.platform == "emscripten":  # inside Pyodide: the file came with the installed wheel, like in the worker
        assert "site-packages" in str(digits.resource())


def test_a_missing_file_says_how_to_get_it(tmp_path):
    with pytest.raises(ValueError, match=r"^dataset: .*missing.*run `python3 build\.py build` first, it fetches the "
                                         r"digits data"):
        digits.read(tmp_path / "digits.npy")


def test_a_corrupt_file_is_refused(tmp_path):
    raw = bytearray(digits.resource().read_bytes())
    raw[-5] ^= 1  # one pixel of the last image
    bad = tmp_path / "digits.npy"
    bad.write_bytes(bytes(raw))
    with pytest.raises(digits.DigitsDataError, match=r"^dataset: .*corrupt \(sha256 [0-9a-f]{64}, expected "):
        digits.read(bad)
    bad.write_bytes(b"")
    with pytest.raises(digits.DigitsDataError, match="corrupt"):
        digits.read(bad)
