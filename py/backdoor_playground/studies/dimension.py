"""The dimension study (the paper's open check 3: scale to 3-D inputs; issue #14 defines it: d = 2, 3, 64, the
checksum and signature backdoors) waits for those backdoors to take d > 2. The 3-D data sets exist
(playground/datasets_nd.py: circle3d, ...), but planting either backdoor on them is refused for now."""

from __future__ import annotations

from . import registry

STUDY = registry.register(registry.Study(
    name="dimension", doc="the checksum and signature backdoors on d = 2, 3 and 64 inputs (issue #14)",
    unavailable="needs issue #14's backdoors on d > 2: the 3-D and digits data sets are there, but the checksum and "
                "signature backdoors take 2-D two-class data only for now"))
