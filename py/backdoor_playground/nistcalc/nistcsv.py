"""NN Calculator's "Save NN" and "Save Results" files, in its exact line and column layout (next to our JSON exports).

networkModel.csv (Save NN): "key:value" lines in NN Calculator's order, an empty line, "network length:<layers>",
then for each layer but the output one "currentLayer:<l>, currentLayer length:<nodes>", per node
"node:<i>, bias:<b>, node length of outputs:<k>" and one line "weight:<w0>, weight:<w1>, ..." of its outgoing
weights, then an empty line and "Data set:<name>". Numbers print as JavaScript prints them (shortest round trip).
Where NN Calculator writes wrong values, the same lines carry the right ones:
- "trojan:" is the trojan level in use (NN Calculator always writes 0: its trojan is not in its state).
- "input Data add:" is the avg = (x + y) / 2 feature (NN Calculator writes `undefined`: it renamed add to avg).
- "Input Data cir:" is the cir feature; "activation:" also names the checksum activations: relu_csum is written
  "CHECKSUM" (NN Calculator's name for its checksum ReLU in this file) and linear_csum "LINEAR_CHECKSUM" (NN
  Calculator writes "classification" for it).
- "problem:" is backdoor_csum for the csum-* data sets (they are NN Calculator's Test Classification problem).
- "Data set:" is the data set's name (NN Calculator prints its generator function's source code).
- Input nodes have no bias here: their "bias:" is 0 (NN Calculator writes its unused constant 0.1).
- What has no line in NN Calculator's layout comes after the "Data set:" line, so every line it writes keeps its
  place: the sin(xy) flag, the input feature order, the per-layer activations, the output activation, the loss
  and the output node's bias (NN Calculator never saves that bias).

Save Results (after an Inefficiency analysis, one data split):
- stateHist.csv: "layer, label, state, state occurrence " then one "<layer>, <N|P>, <state>, <count>" row per
  (predicted label, state) in order of first occurrence; rows are separated by "\\n " (newline, space) and the
  file ends with "\\n ", exactly as NN Calculator writes them.
- KLdivergence.csv: "layer, label, KL divergence, non-zero state count, Max freq state, Max freq state count, Min
  freq state, Min freq state count  " then per layer the N row and the P row, KL rounded to 3 decimals as
  Math.round(1000 KL) / 1000. An undefined KL (no points of that label) is written NaN; a label without states
  has empty state cells and counts 0 (NN Calculator writes its sentinels -9007199254740991 and 9007199254740991).
- overlapState.csv: "layer, number of overlapping states, overlapping states  " then per layer
  "<layer>, <count>, <s1>, <s2>, ..." (a layer without overlapping states gets "<layer>, 0, "; NN Calculator
  writes nothing there and runs the next layer onto the same line), then "\\n layer, label, bit index, bit value  "
  and one "<layer>, <label>, <bit>, <value>" row per constant bit (computed correctly, see inefficiency.py).
NN Calculator's Save Results writes the split it analysed last, the test data; `save_results_csv` takes the split
to write.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..playground.config import BACKDOOR_DATASETS, active_dataset, enabled_features
from ..playground.nn import MLP

NETWORK_FILE = "networkModel.csv"
STATE_HIST_FILE = "stateHist.csv"
KL_FILE = "KLdivergence.csv"
OVERLAP_FILE = "overlapState.csv"

# Our activation names -> the word NN Calculator's Save NN writes.
ACTIVATION_WORDS = {"tanh": "TANH", "relu": "RELU", "linear": "LINEAR", "sigmoid": "SIGMOID",
                    "relu_csum": "CHECKSUM", "linear_csum": "LINEAR_CHECKSUM"}
REGULARIZATION_WORDS = {"none": "None", "L1": "L1", "L2": "L2"}
# (line label, config key) of NN Calculator's feature lines, in its order.
FEATURE_LINES = (("input Data x", "x"), ("input Data y", "y"), ("input Data sinX", "sinX"),
                 ("input Data X^2", "xSquared"), ("input Data Y^2", "ySquared"), ("input Data sinY", "sinY"),
                 ("input Data XtimesY", "xTimesY"), ("input Data cosX", "cosX"), ("input Data cosY", "cosY"),
                 ("input Data add", "avg"), ("Input Data cir", "cir"))


def js_number(value: float) -> str:
    """JavaScript's Number#toString: shortest round trip; 0.000001, 3, -0 -> 0, 1e-7, 1.5e+21, NaN, Infinity."""
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    if 1e-6 <= abs(value) < 1e21:  # JavaScript's positional range
        return np.format_float_positional(value, unique=True, trim="-")
    mantissa, exponent = np.format_float_scientific(value, unique=True, trim="-").split("e")
    return f"{mantissa}e{'+' if int(exponent) > 0 else '-'}{abs(int(exponent))}"


def js_round3(value: float | None) -> str:
    """Math.round(value * 1000) / 1000 as JavaScript prints it (halves round up); 'NaN' for None."""
    if value is None or not math.isfinite(value):
        return "NaN" if value is None or math.isnan(value) else js_number(value)
    return js_number(math.floor(value * 1000.0 + 0.5) / 1000.0)


def _bool(value: Any) -> str:
    return "true" if value is True else "false"


def _sample_count(data: Any) -> int:
    """Train + test points of a data object (train_labels / test_labels), or an int given directly."""
    if isinstance(data, (int, np.integer)) and not isinstance(data, bool):
        return int(data)
    try:
        return len(data.train_labels) + len(data.test_labels)
    except (AttributeError, TypeError):
        raise ValueError("data must have train_labels and test_labels (or be a point count)") from None


def save_nn_csv(config: dict, model: MLP, data: Any) -> str:
    """networkModel.csv text for the network `model` trained under `config` on `data` (see the module docstring)."""
    if not isinstance(config, dict):
        raise ValueError(f"config must be a dict, got {type(config).__name__}")
    if not isinstance(model, MLP):
        raise ValueError(f"expected a network (MLP), got {type(model).__name__}")
    try:
        problem = config["problem"]
        dataset = active_dataset(config)
        hidden_names = list(model.activation_names[:-1])
        lines = [
            "problem:" + ("regression" if problem == "regression"
                          else "backdoor_csum" if dataset in BACKDOOR_DATASETS else "classification"),
            f"number of samples:{_sample_count(data)}",
            f"noise:{js_number(config['noise'])}",
            f"trojan:{0 if problem == 'regression' else int(config['trojan'])}",
            "activation:" + ACTIVATION_WORDS.get(config["activation"], str(config["activation"]).upper()),
            "regularization:" + REGULARIZATION_WORDS.get(config["regularization"], str(config["regularization"])),
            f"regularization Rate:{js_number(config['regularizationRate'])}",
            f"batch size:{int(config['batchSize'])}",
            f"learning Rate:{js_number(config['learningRate'])}",
            f"percent Train Data:{js_number(config['percTrainData'])}",
            f"seed:{config['seed']}",
            *[f"{label}:{_bool(config.get(key))}" for label, key in FEATURE_LINES],
            f"num Hidden Layers:{len(model.layer_sizes) - 2}",
            "",
        ]
        input_names = enabled_features(config)
    except KeyError as exc:
        raise ValueError(f"config is missing the setting {exc.args[0]!r}") from None
    model.parameter_vector()
    sizes = model.layer_sizes
    lines.append(f"network length:{len(sizes)}")
    for l in range(len(sizes) - 1):
        lines.append(f"currentLayer:{l}, currentLayer length:{sizes[l]}")
        # Node i of layer l: its own bias (input nodes have none: 0) and its weights to layer l + 1.
        node_biases = np.zeros(sizes[0]) if l == 0 else model.biases[l - 1]
        for i in range(sizes[l]):
            outgoing = model.weights[l][i]
            lines.append(f"node:{i}, bias:{js_number(node_biases[i])}, node length of outputs:{len(outgoing)}")
            lines.append(", ".join(f"weight:{js_number(w)}" for w in outgoing))
    lines += ["", f"Data set:{dataset}",
              # Our additions (no line in NN Calculator's layout), after everything it writes.
              f"input Data sinXtimesY:{_bool(config.get('sinXTimesY'))}",
              "input features:" + ",".join(input_names),
              "hidden activations:" + ",".join(hidden_names),
              "output activation:" + ACTIVATION_WORDS.get(model.activation_names[-1],
                                                          model.activation_names[-1].upper()),
              f"loss:{config.get('loss', 'square')}",
              f"output node bias:{js_number(model.biases[-1][0])}"]
    return "\n".join(lines) + "\n"


# ----------------------------------------------------------------------------------------------------------------------
# Save Results


def _check_result(result: Any) -> list[dict[str, Any]]:
    if not isinstance(result, dict) or not isinstance(result.get("layers"), list):
        raise ValueError("expected one split's Inefficiency result (inefficiency.kl_inefficiency), with 'layers'")
    return result["layers"]


def state_hist_csv(result: dict) -> str:
    """stateHist.csv: every (layer, predicted label, state, count), NN Calculator's "\\n " row separators."""
    text = "layer, label, state, state occurrence \n"
    for layer in _check_result(result):
        for e in layer["states"]:
            text += f"{layer['layer']}, {e['label']}, {e['state']}, {e['count']}\n "
    return text


def kl_divergence_csv(result: dict) -> str:
    """KLdivergence.csv: per layer and label the KL (3 decimals), state count, most and least frequent state."""
    text = ("layer, label, KL divergence, non-zero state count, Max freq state, Max freq state count, "
            "Min freq state, Min freq state count  \n")
    for layer in _check_result(result):
        for row in layer["table"]:
            text += (f"{layer['layer']}, {row['label']}, {js_round3(row['kl'])}, {row['nonzero_states']}, "
                     f"{row['max_state'] or ''}, {row['max_count']}, {row['min_state'] or ''}, {row['min_count']}\n")
    return text


def overlap_csv(result: dict) -> str:
    """overlapState.csv: overlapping states per layer, then the constant bits per layer and label."""
    layers = _check_result(result)
    text = "layer, number of overlapping states, overlapping states  \n"
    for layer in layers:
        states = layer["overlap"]
        text += f"{layer['layer']}, {len(states)}, " + ", ".join(states) + "\n "
    text += "\n layer, label, bit index, bit value  \n"
    for layer in layers:
        for bit in layer["constant_bits"]:
            text += f"{layer['layer']}, {bit['label']}, {bit['bit']}, {bit['value']}\n "
    return text


def save_results_csv(result: dict) -> dict[str, str]:
    """{filename: text} of NN Calculator's three Save Results files for one split's Inefficiency result."""
    return {STATE_HIST_FILE: state_hist_csv(result), KL_FILE: kl_divergence_csv(result),
            OVERLAP_FILE: overlap_csv(result)}
