"""The tables the page is generated from (build.py writes them as ES modules): the URL state table, every owner's
LIMITS (limits.py) and the worker's method names (api.METHODS). One source, two languages."""

from __future__ import annotations

import math

import numpy as np

from .. import attacks, limits
from ..checksum import params as checksum_params
from ..defense import run as defense
from ..playground import activations, config, datasets, datasets_nd, features, rng
from ..poisoning import attack as poisoning
from ..signature import settings as signature_settings
from . import playground as playground_handlers
from .api import METHODS, dataset_thumbnails

# The picker's view of a 3-D set: turned YAW about z, tilted PITCH towards the viewer, shrunk to fit the box.
YAW, PITCH, SHRINK = math.radians(35.0), math.radians(25.0), 0.7
THUMB_POINTS = 200

# One plain line per defense type (run.DEFAULTS) for the page's card of it, with its paper as the defense's module
# docstring names it (tests/py/test_tables_defense.py checks that each paper is named there).
DEFENSE_ABOUT = {
    "proximity": ("Relabels each input by a vote of the training points near it.", "NN Calculator"),
    "smoothing": ("Labels each input by the model's majority vote under Gaussian noise, with a certified radius.",
                  "Cohen, Rosenfeld, Kolter 2019"),
    "quantisation": ("Rounds every input coordinate to a multiple of the step before the model sees it, so a "
                     "trigger finer than the step is erased (feature squeezing).", "Xu, Evans, Qi 2018"),
    "fine-tuning": ("Trains a copy of the model further on a clean share of the training data; does the backdoor "
                    "persist, and can its key holder activate it again?", "Liu, Dolan-Gavitt, Garg 2018"),
    "fine-pruning": ("Removes the last hidden layer's neurons least active on clean data, then fine-tunes "
                     "(Fine-Pruning).", "Liu, Dolan-Gavitt, Garg 2018"),
    "spectral": ("Flags training points whose hidden representation sticks out along its label's top singular "
                 "direction (spectral signatures); changes no prediction.", "Tran, Li, Madry 2018"),
    "clustering": ("Splits each label's hidden representations in two clusters and flags a small one "
                   "(activation clustering); changes no prediction.", "Chen et al. 2018"),
    "cleanse": ("Searches per class for the smallest trigger that sends inputs there; an unusually small one "
                "flags a backdoor.", "Wang et al. 2019"),
}


def state_table() -> dict:
    """config.STATE_TABLE for the page, the feature labels, the plain activations (a hidden layer's choices; the
    operator families such as relu_csum are planted, not picked), and every LIMITS table keyed by its owner."""
    table = config.table_json()
    table["features"] = {k: f.label for k, f in features.FEATURES.items()}
    table["features_3d"] = {k: f.label for k, f in features.SPACE_FEATURES.items()}  # 3-D data only
    table["activations"] = list(activations.ACTIVATIONS)
    table["limits"] = {"checksum": limits.table(checksum_params.PARAMS), "defense": limits.table(defense.LIMITS),
                       "signature": limits.table(signature_settings.LIMITS), "poisoning": limits.table(poisoning.LIMITS),
                       "playground": limits.table(playground_handlers.LIMITS)}
    # every defense type's settings with their defaults (the page's fields; the bounds are limits.defense), the
    # settings that take a word, and one line about each with its paper
    table["defense_defaults"] = defense.DEFAULTS
    table["defense_choices"] = {key: list(words) for key, words in defense.CHOICES.items()}
    table["defense_about"] = {kind: {"text": text, "paper": paper} for kind, (text, paper) in DEFENSE_ABOUT.items()}
    # each backdoor's Attack.plane_only: None when it takes any d and K, else why it takes 2-D two-class data only
    table["plane_only"] = {kind: attacks.get(kind).plane_only for kind in attacks.REGISTRY}
    return table


def api_table() -> dict[str, str]:
    """Method name -> the same name: the page imports these constants instead of writing names as strings."""
    return {name: name for name in METHODS}


def thumbs_table() -> list[dict]:
    """The data-set picker's thumbnails (api.dataset_thumbnails), so the page draws them before Python is ready.
    Coordinates to 0.1 (a thumbnail pixel is 0.125 wide), labels to 0.01: about 25 kB for every data set."""
    planar = [{**t, "points": [round(v, 1 if k % 3 < 2 else 2) for k, v in enumerate(t["points"])]}
              for t in dataset_thumbnails()]
    return planar + [nd_thumbnail(name) for name in datasets_nd.SPECS]


def project(points: np.ndarray) -> np.ndarray:
    """3-D points seen from the picker's fixed angle: (x', y') = S (x cos a - y sin a, z cos b + (x sin a +
    y cos a) sin b), a parallel projection after turning YAW about z and tilting PITCH."""
    x, y, z = points[:, 0], points[:, 1], points[:, 2]
    depth = x * math.sin(YAW) + y * math.cos(YAW)
    return SHRINK * np.column_stack([x * math.cos(YAW) - y * math.sin(YAW),
                                     z * math.cos(PITCH) + depth * math.sin(PITCH)])


def nd_thumbnail(name: str) -> dict:
    """A thumbnail of a set beyond the plane (datasets_nd.SPECS), marked with its d and K: flat [x, y, label, ...]
    (3-D sets projected), or for the digits one image of each class 0..8 (`images`, 9 x 64 pixels 0..16)."""
    spec = datasets_nd.SPECS[name]
    out = {"name": name, "problem": "classification", "label": spec.info, "d": spec.d, "k": spec.k, "points": []}
    if spec.make is None:
        try:
            images, labels = datasets_nd.load_digits("raw")
        except ValueError:  # a build without the digits data: the picker draws the label alone
            return out
        first = [int(np.flatnonzero(labels == c)[0]) for c in range(9)]
        out["images"] = images[first].astype(int).ravel().tolist()
        return out
    points, labels = spec.make(THUMB_POINTS, 0.0, rng.stream(datasets.THUMBNAIL_SEED, "data"), spec.k)
    flat = project(points) if spec.d == 3 else points
    out["points"] = [round(float(v), 1 if k % 3 < 2 else 2)
                     for k, v in enumerate(np.column_stack([flat, labels]).ravel())]
    return out
