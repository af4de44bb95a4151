"""The Attack protocol: what every backdoor implements, and the one registry of backdoors by their config `type`.

An experiment, a replay, the worker and the defenses see a backdoor only through this protocol, so none of them
branches on its type. Adding a backdoor means adding one module that subclasses `Attack` and one line in
`REGISTRY` below (modules are imported on first use, so the page's boot pays only for what it uses).

The life of an attack on a Session `s`:
    settings = cls.check(raw, s.config)       # the config's `backdoor` object, checked, defaults filled in
    attack = cls.install(s, settings)        # plant: the network (or the data) now carries the backdoor
    s.set_attack(attack)                     # one backdoor at a time; the last defense no longer applies
    attack.activate_as(s, settings)          # the attacker triggers it on the chosen test points
    attack.forge_as(s, settings)             # a key-less attacker tries (where that applies)
    s.attacked()                             # the test set under attack, for every defense and metric
    attack.sections(s)                       # the result's "backdoored", "activation", "forgery" sections
    attack.settings                          # what a Replay link re-runs: kept up to date by the page's actions
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any, ClassVar, Mapping

from .limits import not_one_of, unknown_key
from .playground.activations import FAMILIES

if TYPE_CHECKING:
    from .defense.attacked import Attacked
    from .playground.nn import MLP
    from .session import Session

# config `type` -> "module:Class" (relative to this package)
REGISTRY: dict[str, str] = {
    "checksum": "checksum.attack:ChecksumAttack",
    "csum-signature": "checksum.csumsig_attack:CsumSignatureAttack",
    "signature": "signature.attack:SignatureAttack",
    "poisoning": "poisoning.attack:PoisoningAttack",
}


def get(kind: Any) -> type["Attack"]:
    """The Attack class registered for a config `type`; ValueError naming the valid ones."""
    if not isinstance(kind, str) or kind not in REGISTRY:
        raise not_one_of("backdoor.type", kind, REGISTRY)
    module, _, name = REGISTRY[kind].partition(":")
    return getattr(importlib.import_module(f"{__package__}.{module}"), name)


def check(raw: Any, config: dict) -> dict:
    """A config's `backdoor` object checked by its type's rules; ValueError messages start with "backdoor."."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"backdoor must be an object, got {type(raw).__name__}")
    kind = raw.get("type", "checksum")
    return get(kind).check({**raw, "type": kind}, config)


def adopt(s: "Session") -> "Attack | None":
    """The attack a freshly built model already carries (a link or a model file naming planted operators).

    Only a model with operators of a registered family (playground/activations.py) can carry one: a plain network
    is answered without importing any backdoor module."""
    if not any(name in FAMILIES for name in s.model.activation_names):
        return None
    for kind in REGISTRY:
        attack = get(kind).adopt(s)
        if attack is not None:
            return attack
    return None


def prefixed(exc: ValueError, prefix: str = "backdoor.") -> ValueError:
    """The same error with its message under the config key `prefix` (so a command line user sees the key)."""
    text = str(exc)
    return ValueError(text if text.startswith(prefix) else prefix + text)


class Attack:
    """One backdoor on one session. Subclasses set `type` and implement the methods that raise here."""

    type: ClassVar[str] = ""
    # True: installing another backdoor silently replaces this one (it does not change the network)
    replaceable: ClassVar[bool] = False
    # the model before the plant changed it (None: the live model is its own clean reference)
    clean_model: "MLP | None" = None
    # None: the backdoor takes any input dimension d and any number of classes K; else why it takes only 2-D
    # two-class data (Session.install and experiment/plan.py refuse other data with this reason)
    plane_only: ClassVar[str | None] = "2-D two-class data only, for now"

    def __init__(self, settings: dict | None):
        # the checked config object, kept current by the page's actions for exports and Replay links; None for a
        # backdoor the model came with (a link or a model file), which its config already carries
        self.settings = settings

    # ---------------------------------------------------------------- config

    @classmethod
    def check(cls, raw: Mapping[str, Any], config: dict) -> dict:
        """The backdoor object with every key checked and defaults filled in."""
        raise NotImplementedError

    @classmethod
    def check_keys(cls, raw: Mapping[str, Any], config: dict, keys: tuple[str, ...], what: str,
                   classification: bool = True) -> None:
        """Refuse keys not in `keys` (naming the closest valid one) and, when `classification`, a regression
        problem: the first lines of every check()."""
        for key in raw:
            if key not in keys:
                raise unknown_key(f"backdoor.{key}", what, keys)
        if classification and config["problem"] == "regression":
            raise ValueError(f"backdoor.type {cls.type} needs a classification problem (labels +1 / -1)")

    @classmethod
    def adopt(cls, s: "Session") -> "Attack | None":
        """An attack for a model that was built already carrying this backdoor, else None."""
        return None

    # ---------------------------------------------------------------- stages

    @classmethod
    def install(cls, s: "Session", settings: dict) -> "Attack":
        """Plant the backdoor on the session's trained model and return the live attack (not yet activated)."""
        raise NotImplementedError

    def activate_as(self, s: "Session", settings: dict) -> None:
        """Run the activation the settings name (the experiment's activate stage)."""

    def forge_as(self, s: "Session", settings: dict) -> dict | None:
        """A key-less attacker's attempt (the experiment's forge stage): the "forgery" section, or None."""
        return None

    def remove(self, s: "Session") -> None:
        """Undo the plant (the network goes back to its plain form)."""

    # ---------------------------------------------------------------- what the page, the defenses and results see

    def attacked(self, s: "Session") -> "Attacked":
        """The test set under this attack, for every defense and metric."""
        raise NotImplementedError

    def stats(self, s: "Session") -> dict:
        """What the backdoor's panel shows about the live model (agreement, trigger rates, ...)."""
        return {}

    def sections(self, s: "Session") -> dict:
        """The result sections of the live state: "backdoored", and "activation" / "forgery" once they ran."""
        raise NotImplementedError

    def poisoned_indices(self) -> list[int]:
        """The training points this backdoor poisoned (what a poison detector should find; none for a plant)."""
        return []

    def config_changed(self, s: "Session", changed: set[str]) -> bool:
        """The config's keys in `changed` changed without a rebuild; True when the attack took them live."""
        return False

    def rebuild_config(self, changed: set[str], config: dict) -> dict:
        """The config a model rebuild should use after the keys in `changed` changed (default: as it is)."""
        return config

    def clean_config(self, config: dict) -> dict:
        """The config that trains the clean model this attack started from (what an exported experiment runs)."""
        return config
