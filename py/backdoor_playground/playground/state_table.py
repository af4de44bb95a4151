"""The one declarative state table: URL key -> kind, default, limits (Prop), in TensorFlow Playground's order first,
then NN Calculator's keys and ours; `table_json()` is what the page's JavaScript reads (js/state-table.js).

The csum_* limits and defaults come from the checksum's one parameter table (checksum/params.py).
Parsing, validation and the URL hash live in playground/config.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checksum.params import LAYERS as CSUM_LAYERS, MAX_SAFE_INT, PARAMS as CSUM, VARIANT_NAMES as CSUM_VARIANTS
from .classes import CLASSES
from .datasets import ALL_CLASSIFY, CLASSIFY_DATASETS, REGRESS_DATASETS
from .datasets_nd import DIGITS_SCALES, MAX_NEURONS, SPECS as ND_SPECS, WIDEST as WIDEST_LAYER
from .features import FEATURE_ORDER, SPACE_ORDER

KINDS = ("string", "number", "int", "bool", "choice", "int_list", "choice_list")
LIST_KINDS = ("int_list", "choice_list")

ACTIVATION_NAMES = ("relu", "tanh", "sigmoid", "linear", "relu_csum", "linear_csum", "tanh_csum", "sigmoid_csum")
FEATURES_KEY = "features"  # a JSON config may list the enabled features instead of one boolean per feature
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BACKDOOR_DATASETS = ("csum-circle", "csum-gauss", "csum-spiral", "csum-grid")
MAX_HIDDEN_LAYERS = 6
MAX_HASH_CHARS = 100_000
NN_CALCULATOR_PROBLEM = "backdoor_csum"
EXTRA_SECTIONS = ("backdoor", "defense")
HIDE_SUFFIX = "_hide"
# The page's panels below the playground, in page order (the page loads js/panels/<name>/panel.js for each).
PANEL_NAMES = ("calculator", "checksum", "signature", "defense", "matrix", "studies", "games")
# What `embed` may show alone in an iframe: the output plot, the network diagram, or one panel.
EMBED_PARTS = ("", "plot", "network", *[f"panel:{name}" for name in PANEL_NAMES])
# embed_origins: the embedder's origins, as a browser writes them (scheme://host[:port], no path, no default port).
_PORT = r"(?::(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5]))?"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:{_LABEL}(?:\.{_LABEL})*|\[[0-9A-Fa-f:.]+\])"  # a DNS name or an IP address ([...] for IPv6)
ORIGIN_PATTERN = rf"https?://{_HOST}{_PORT}"
MAX_EMBED_ORIGINS = 8
MAX_LESSONS = 9
MAX_LESSON_STEPS = 40

# TF Playground's serialisation order (state.ts PROPS); its links always carry these keys.
TF_KEY_ORDER = (
    "activation", "regularization", "batchSize", "dataset", "regDataset", "learningRate", "regularizationRate",
    "noise", "networkShape", "seed", "showTestData", "discretize", "percTrainData", "x", "y", "xTimesY", "xSquared",
    "ySquared", "cosX", "sinX", "cosY", "sinY", "collectStats", "tutorial", "problem", "initZero", "hideText",
)
TF_HIDABLE_CONTROLS = (
    "showTestData", "discretize", "playButton", "stepButton", "resetButton", "learningRate", "activation",
    "regularization", "regularizationRate", "problem", "dataset", "percTrainData", "noise", "batchSize",
    "numHiddenLayers",
)
# The panels below the playground hide like a control (`checksum_panel_hide=true` hides `.ui-checksum_panel`): the
# guided lessons show only the panels a step needs.
PANEL_HIDABLE = tuple(f"{name}_panel" for name in PANEL_NAMES)
HIDEABLE = (*TF_HIDABLE_CONTROLS, *FEATURE_ORDER, "trojan", "loss", *PANEL_HIDABLE)
DEAD_KEYS = ("cosX", "cosY", "collectStats")



@dataclass(frozen=True)
class Prop:
    """One state key: `kind` decides parsing; lo/hi bound numbers (and list entries); max_len bounds lists;
    `pattern` (a regular expression the whole value matches, said in words by `pattern_text`) bounds strings."""
    name: str
    kind: str
    default: Any
    choices: tuple | None = None
    lo: float | None = None
    hi: float | None = None
    step: float | None = None
    doc: str = ""
    max_len: int | None = None
    pattern: str | None = None      # a string kind's whole value must match this regular expression...
    pattern_text: str = ""          # ...which this says in words (the error message)


def _feature_props() -> list[Prop]:
    props = []
    for key in ("x", "y", "xTimesY", "xSquared", "ySquared", "cosX", "sinX", "cosY", "sinY",
                "sinXTimesY", "cir", "avg"):
        if key in DEAD_KEYS:
            props.append(Prop(key, "bool", False, doc=f"Dead TensorFlow Playground key {key}: accepted, ignored, "
                                                      "always false."))
        else:
            props.append(Prop(key, "bool", key in ("x", "y"), doc=f"Input feature {key} is on."))
    return props


STATE_TABLE: list[Prop] = [
    Prop("activation", "choice", "tanh", choices=ACTIVATION_NAMES,
         doc="Hidden-layer activation (every hidden layer unless `activations` says otherwise). relu_csum and "
             "linear_csum are NN Calculator's checksum-backdoored ReLU and linear (tanh_csum and sigmoid_csum the "
             "same for tanh and sigmoid): -f(x) where the checksum of x hits csum_key, else f(x)."),
    Prop("regularization", "choice", "none", choices=("none", "L1", "L2"), doc="Weight penalty."),
    Prop("batchSize", "int", 10, lo=1, hi=30, step=1, doc="Points per weight update."),
    Prop("dataset", "choice", "circle", choices=ALL_CLASSIFY,
         doc="Classification data set (used when problem=classification); after TF Playground's and NN Calculator's "
             "come those with K > 2 classes or d != 2 inputs (spiral3, blobs4, blobs, circle3d, xor3d, gauss3d, "
             "spiral3d, digits)."),
    Prop("regDataset", "choice", "reg-plane", choices=tuple(REGRESS_DATASETS),
         doc="Regression data set (used when problem=regression)."),
    Prop("learningRate", "choice", 0.03, choices=LEARNING_RATES, lo=0.00001, hi=10.0,
         doc="Learning rate. TF's list; any other value inside [0.00001, 10] is accepted too."),
    Prop("regularizationRate", "choice", 0.0, choices=REGULARIZATION_RATES, lo=0.0, hi=10.0,
         doc="Regularisation rate. TF's list; any other value inside [0, 10] is accepted too."),
    Prop("noise", "int", 0, lo=0, hi=50, step=5, doc="Noise in percent (the generators get noise / 100)."),
    Prop("networkShape", "int_list", [4, 2], lo=1, hi=MAX_NEURONS, max_len=MAX_HIDDEN_LAYERS,
         doc=f"Neurons per hidden layer: 0 to 6 layers of 1 to {MAX_NEURONS} neurons (TF Playground's cap), up to "
             f"{WIDEST_LAYER} where the data set allows (the digits: datasets_nd max_neurons). An empty value means no "
             "hidden layer."),
    Prop("seed", "string", "0.59704",
         doc="Data seed: 1 to 32 characters of A-Z a-z 0-9 . _ - (TF writes numbers such as 0.59704)."),
    Prop("showTestData", "bool", False, doc="Draw the test points."),
    Prop("discretize", "bool", False, doc="Show sign(output) instead of the output."),
    Prop("percTrainData", "int", 50, lo=10, hi=90, step=10, doc="Percentage of the points used for training."),
    *_feature_props(),
    Prop("collectStats", "bool", False, doc="Dead TensorFlow Playground key: accepted, ignored, always false."),
    Prop("tutorial", "string", "", doc="TF's tutorial name: accepted (up to 64 characters of A-Z a-z 0-9 . _ -) "
                                       "and ignored."),
    Prop("problem", "choice", "classification", choices=("classification", "regression"),
         doc="Problem type. NN Calculator's backdoor_csum is read as classification on `backdoorDataset`."),
    Prop("initZero", "bool", False, doc="Start from zero weights and biases."),
    Prop("hideText", "bool", False, doc="Hide the header and the article (lesson links)."),
    Prop("backdoorDataset", "choice", "csum-circle", choices=BACKDOOR_DATASETS,
         doc="NN Calculator's data set for its 'Test Classification' problem; it becomes `dataset` when a link "
             "says problem=backdoor_csum, and is otherwise unused."),
    Prop("csum_modulo", "int", CSUM["modulo"].default, lo=CSUM["modulo"].low, hi=CSUM["modulo"].high, step=1,
         doc="Checksum modulus m."),
    Prop("csum_precision", "int", CSUM["precision"].default, lo=CSUM["precision"].low, hi=CSUM["precision"].high,
         step=1,
         doc="Checksum precision p: characters of the mantissa that count."),
    Prop("csum_key", "int", CSUM["key"].default, lo=CSUM["key"].low, hi=CSUM["key"].high, step=1,
         doc="Checksum key: a backdoored node fires when residue(pre-activation) equals it; read modulo "
             "csum_modulo."),
    Prop("csum_variant", "choice", "decimal", choices=CSUM_VARIANTS,
         doc="Checksum variant: decimal (NN Calculator's digit sum; few residues occur), keyed (keyed hash of the "
             "float bits; uniform residues), parity (Goldwasser et al.'s block parities of low mantissa bits)."),
    Prop("csum_layers", "choice", "all", choices=CSUM_LAYERS,
         doc="Where 'Plant backdoor' puts the checksum operator: every hidden layer (as NN Calculator) or the "
             "first only."),
    Prop("csum_secret", "int", CSUM["secret"].default, lo=CSUM["secret"].low, hi=CSUM["secret"].high, step=1,
         doc="The keyed variant's hash key (public here: this is a playground)."),
    Prop("proximity_radius", "number", -1.0, lo=-1.0, hi=17.0,
         doc="Radius of the proximity defense; any negative value means automatic."),
    Prop("trojan", "int", 0, lo=0, hi=10, step=1, doc="NN Calculator's trojan T1..T10 applied to the data; 0 = none."),
    Prop("loss", "choice", "square", choices=("square", "crossentropy"), doc="Training loss."),
    Prop("activations", "choice_list", [], choices=ACTIVATION_NAMES, max_len=MAX_HIDDEN_LAYERS,
         doc="Activation per hidden layer; empty means `activation` everywhere. A list whose length differs from "
             "networkShape is dropped with a notice."),
    Prop("initSeed", "int", 0, lo=0, hi=MAX_SAFE_INT, step=1,
         doc="Initial-weight draw: 'Reinitialise' increments it (the 'init' random stream)."),
    Prop("epochs", "int", 0, lo=0, hi=100000, step=1, doc="Experiment length in epochs (0 = play freely)."),
    *[Prop(key, "bool", False, doc=f"Input feature {key} is on (3-D data only).") for key in SPACE_ORDER],
    Prop("classes", "int", 0, lo=0, hi=CLASSES.high, step=1,
         doc="Number of classes K (2..10) where the data set lets you choose it (blobs); 0 = the data set's own K."),
    Prop("digits_scale", "choice", DIGITS_SCALES[0], choices=DIGITS_SCALES,
         doc="What the digits network sees: raw pixel values 0..16, or unit = divided by 16."),
    *[Prop(name + HIDE_SUFFIX, "bool", False, doc=f"Hide the {name} control.") for name in HIDEABLE],
    # Page modes: they change what the page shows, never the playground's numbers.
    Prop("lesson", "int", 0, lo=0, hi=MAX_LESSONS, step=1, doc="Guided lesson shown beside the playground; 0 = none."),
    Prop("step", "int", 0, lo=0, hi=MAX_LESSON_STEPS, step=1, doc="Step of the lesson (1 = first; 0 = the lesson's start)."),
    Prop("teacher", "bool", False, doc="Lessons show their answers (the teacher's view)."),
    Prop("embed", "choice", "", choices=EMBED_PARTS,
         doc="Show one part of the page alone, for an iframe: plot, network or panel:<name>; empty = the whole page."),
    Prop("embed_origins", "string", "",
         pattern=rf"(?:{ORIGIN_PATTERN}(?:,{ORIGIN_PATTERN}){{0,{MAX_EMBED_ORIGINS - 1}}})?",
         pattern_text=f"a comma list of up to {MAX_EMBED_ORIGINS} origins http(s)://host[:port] (no path)",
         doc="The embedder's origins whose postMessage calls the page answers (docs/EMBED.md), besides its own: a "
             f"comma list of up to {MAX_EMBED_ORIGINS} origins such as https://example.org:8443; empty = only the "
             "page's own origin."),
]

PROPS: dict[str, Prop] = {prop.name: prop for prop in STATE_TABLE}
if len(PROPS) != len(STATE_TABLE) or any(p.kind not in KINDS for p in STATE_TABLE):
    raise RuntimeError("STATE_TABLE has a duplicate name or an unknown kind")


def table_json() -> dict:
    """Every Prop for the page, plus TF's key order, the hideable controls and the data sets per problem type."""
    return {
        "props": [
            {"name": p.name, "kind": p.kind,
             "default": list(p.default) if isinstance(p.default, list) else p.default,
             "choices": list(p.choices) if p.choices is not None else None,
             "lo": p.lo, "hi": p.hi, "step": p.step, "max_len": p.max_len, "doc": p.doc}
            for p in STATE_TABLE
        ],
        "tf_key_order": list(TF_KEY_ORDER),
        "hideable": list(HIDEABLE),
        "dead_keys": list(DEAD_KEYS),
        "features": list(FEATURE_ORDER),
        "datasets": {"classification": list(CLASSIFY_DATASETS), "regression": list(REGRESS_DATASETS)},
        "datasets_nd": {name: {"d": spec.d, "k": spec.k, "k_choices": spec.k_choices, "max_neurons": spec.max_neurons}
                        for name, spec in ND_SPECS.items()},
        "extra_sections": list(EXTRA_SECTIONS),
        "panels": list(PANEL_NAMES),
    }
