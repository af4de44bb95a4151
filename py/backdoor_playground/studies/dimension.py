"""The dimension study (the paper's open check 3: scale to 3-D inputs) waits for issue #14's 3-D data sets."""

from __future__ import annotations

from ..playground import datasets
from . import registry

NEEDS = "circle3d"

STUDY = registry.register(registry.Study(
    name="dimension", doc="the checksum backdoor and the defenses on 2-D vs 3-D inputs",
    unavailable=None if hasattr(datasets, "circle3d") or NEEDS in getattr(datasets, "CLASSIFY_DATASETS", {}) else
    "needs issue #14's data sets (circle3d in playground/datasets.py), which are not there yet"))
