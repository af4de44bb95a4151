"""The tables the page is generated from (build.py writes them as ES modules): the URL state table, every owner's
LIMITS (limits.py) and the worker's method names (api.METHODS). One source, two languages."""

from __future__ import annotations

from .. import limits
from ..checksum import params as checksum_params
from ..defense import run as defense
from ..playground import activations, config, features
from ..poisoning import attack as poisoning
from ..signature import settings as signature_settings
from .api import METHODS, dataset_thumbnails


def state_table() -> dict:
    """config.STATE_TABLE for the page, the feature labels, the plain activations (a hidden layer's choices; the
    operator families such as relu_csum are planted, not picked), and every LIMITS table keyed by its owner."""
    table = config.table_json()
    table["features"] = {k: f.label for k, f in features.FEATURES.items()}
    table["activations"] = list(activations.ACTIVATIONS)
    table["limits"] = {"checksum": limits.table(checksum_params.PARAMS), "defense": limits.table(defense.LIMITS),
                       "signature": limits.table(signature_settings.LIMITS), "poisoning": limits.table(poisoning.LIMITS)}
    return table


def api_table() -> dict[str, str]:
    """Method name -> the same name: the page imports these constants instead of writing names as strings."""
    return {name: name for name in METHODS}


def thumbs_table() -> list[dict]:
    """The data-set picker's thumbnails (api.dataset_thumbnails), so the page draws them before Python is ready.
    Coordinates to 0.1 (a thumbnail pixel is 0.125 wide), labels to 0.01: about 25 kB for every data set."""
    return [{**t, "points": [round(v, 1 if k % 3 < 2 else 2) for k, v in enumerate(t["points"])]}
            for t in dataset_thumbnails()]
