"""The URL state: validation against the state table (playground/state_table.py: URL key -> kind, default, limits)
and URL-hash (de)serialisation, as TensorFlow Playground writes its links.

TensorFlow Playground's keys and value names come first, so its links open here with the same settings; NN
Calculator's keys and ours follow. The page's JavaScript reads the same table through `table_json()`.

Decisions recorded here (the Prop docs repeat them for the page):
- learningRate and regularizationRate accept values off TF's dropdown lists when they lie inside the Prop's [lo, hi]
  (TF's limits are only enforced by its UI, and users ask for other rates: tensorflow/playground#63, #158).
- noise, percTrainData and batchSize accept any integer in range; `step` is only the slider's step.
- An empty feature set is allowed, as in TF: the network then has no inputs and its output is a constant.
- A feature hidden with `<feature>_hide=true` is not an input, as in TF (hiding deletes it from TF's INPUTS).
- The dead TF keys cosX, cosY and collectStats are accepted whatever their value and always kept false.
- A JSON config may say `"features": ["x", "y"]` (or "x,y"): the listed features are on, every other one off;
  per-feature booleans given as well override the list.
- csum_key is read modulo csum_modulo (NN Calculator's links may set csum_modulo=20 with the key left at 150).
- networkShape's entries are capped per data set (datasets_nd.max_neurons: TF's 8, the Prop's hi, on every set but
  the digits, 32 there): a layer wider than the data set takes falls back to the default with a notice, like any
  other bad value (strict: ValueError naming networkShape and the cap).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any, Iterable
from urllib.parse import quote, unquote

import numpy as np

from . import datasets_nd, problem
from .features import FEATURE_ORDER, SPACE_ORDER
# The table itself, re-exported: callers read config.STATE_TABLE, config.PROPS, config.table_json() ...
from .state_table import (ACTIVATION_NAMES, BACKDOOR_DATASETS, CSUM_LAYERS, CSUM_VARIANTS,  # noqa: F401
                          DEAD_KEYS, EXTRA_SECTIONS, FEATURES_KEY, HIDE_SUFFIX, HIDEABLE, KINDS, LIST_KINDS,
                          MAX_HASH_CHARS, NN_CALCULATOR_PROBLEM, PROPS, STATE_TABLE, TF_HIDABLE_CONTROLS,
                          TF_KEY_ORDER, Prop, table_json)

_SEED_RE = re.compile(r"[A-Za-z0-9._-]{1,32}")
_TUTORIAL_RE = re.compile(r"[A-Za-z0-9._-]{0,64}")
# JavaScript's decimal literal syntax: rejects Python-only spellings such as "1_0", "nan" and "inf".
_NUMBER_RE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


# networkShape's entries: 1..the widest any data set takes; validate() then checks the data set's own cap.
_WIDEST_LAYER = Prop("networkShape", "int", 1, lo=1, hi=datasets_nd.WIDEST)


class _Bad(Exception):
    """A value that does not fit its Prop; the message says why."""


# ----------------------------------------------------------------------------------------------------------------------
# Formatting values the way a URL (and JavaScript's Number#toString) writes them


def _js_number(value: float) -> str:
    """Shortest round-trip decimal, in JavaScript's layout: 0.00001, 3, 1e-7, 1e+21."""
    value = float(value)
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if 1e-7 <= abs(value) < 1e21:
        return np.format_float_positional(value, unique=True, trim="-")
    mantissa, exponent = np.format_float_scientific(value, unique=True, trim="-").split("e")
    return f"{mantissa}e{'+' if int(exponent) > 0 else '-'}{abs(int(exponent))}"


def _text(value: Any) -> str:
    """A value as the URL writes it: true/false, JS numbers, comma lists, raw strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _js_number(value) if math.isfinite(value) else repr(value)
    if isinstance(value, (list, tuple)):
        return ",".join(_text(v) for v in value)
    return str(value)


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def _show(value: Any, limit: int = 40) -> str:
    """A short rendering of any (possibly hostile) value for a notice."""
    try:
        if isinstance(value, (str, bool, int, float)) or (
                isinstance(value, (list, tuple)) and all(isinstance(v, (str, bool, int, float)) for v in value)):
            text = _text(value)
        else:
            text = json.dumps(value, default=repr)
    except (ValueError, TypeError, RecursionError, OverflowError):
        text = type(value).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _fallback(prop: Prop) -> str:
    """What a bad value falls back to, as a notice says it: the default, or what an empty default means."""
    shown = _show(prop.default)
    if shown:
        return shown
    if prop.name == "activations":
        return "none (every hidden layer uses activation)"
    return "none (empty)"


# ----------------------------------------------------------------------------------------------------------------------
# Parsing one value


def _parse_number(value: Any) -> float:
    if isinstance(value, bool):
        raise _Bad("is not a number")
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER_RE.fullmatch(text):
            raise _Bad("is not a number")
        value = text
    elif not isinstance(value, (int, float)):
        raise _Bad("is not a number")
    try:
        number = float(value)
    except (OverflowError, ValueError):
        raise _Bad("is not a finite number") from None
    if not math.isfinite(number):
        raise _Bad("is not a finite number")
    return number


def _parse_int(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    number = _parse_number(value)
    if not number.is_integer():
        raise _Bad("is not an integer")
    return int(number)


def _check_range(number: float, prop: Prop, integer: bool) -> None:
    if (prop.lo is not None and number < prop.lo) or (prop.hi is not None and number > prop.hi):
        lo, hi = _text(prop.lo), _text(prop.hi)
        raise _Bad(f"is outside {lo}..{hi}" if integer else f"is outside [{lo}, {hi}]")


def _parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0"):
        return value.strip().lower() in ("true", "1")
    raise _Bad("is not true or false")


def _list_items(value: Any) -> list:
    if isinstance(value, str):
        return [] if value.strip() == "" else [item.strip() for item in value.split(",")]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise _Bad("is not a list")


def _parse_value(prop: Prop, value: Any) -> Any:
    """The typed value of `value` for `prop`, or _Bad saying what is wrong with it."""
    kind = prop.kind
    if kind == "bool":
        return _parse_bool(value)
    if kind == "int":
        number = _parse_int(value)
        _check_range(number, prop, integer=True)
        return number
    if kind == "number":
        number = _parse_number(value)
        _check_range(number, prop, integer=False)
        return number
    if kind == "string":
        # A JSON config may write TF's numeric seeds as numbers.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = _text(value)
        if not isinstance(value, str):
            raise _Bad("is not a string")
        if prop.name == "seed" and not _SEED_RE.fullmatch(value):
            raise _Bad("is not 1 to 32 characters of A-Z a-z 0-9 . _ -")
        if prop.name == "tutorial" and not _TUTORIAL_RE.fullmatch(value):
            raise _Bad("is not up to 64 characters of A-Z a-z 0-9 . _ -")
        if prop.pattern is not None and not re.fullmatch(prop.pattern, value):
            raise _Bad(f"is not {prop.pattern_text}")
        return value
    if kind == "choice":
        if prop.choices and isinstance(prop.choices[0], float):
            number = _parse_number(value)
            if number in prop.choices:
                return number
            if prop.lo is not None and prop.lo <= number <= prop.hi:
                return number
            raise _Bad(f"is not one of {', '.join(_text(c) for c in prop.choices)} "
                       f"nor inside [{_text(prop.lo)}, {_text(prop.hi)}]")
        if isinstance(value, str) and value in prop.choices:
            return value
        raise _Bad(f"is not one of {', '.join(prop.choices)}")
    if kind == "int_list":
        items = _list_items(value)
        if prop.max_len is not None and len(items) > prop.max_len:
            raise _Bad(f"has {_count(len(items), 'entry')}; at most {prop.max_len} allowed")
        out = []
        for item in items:
            try:
                number = _parse_int(item)
                _check_range(number, _WIDEST_LAYER if prop.name == "networkShape" else prop, integer=True)
            except _Bad as bad:
                raise _Bad(f"has an entry {_show(item)} that {bad}") from None
            out.append(number)
        return out
    if kind == "choice_list":
        items = _list_items(value)
        if prop.max_len is not None and len(items) > prop.max_len:
            raise _Bad(f"has {_count(len(items), 'entry')}; at most {prop.max_len} allowed")
        for item in items:
            if not (isinstance(item, str) and item in prop.choices):
                raise _Bad(f"has an entry {_show(item)} that is not one of {', '.join(prop.choices)}")
        return list(items)
    raise _Bad(f"has an unknown kind {kind}")  # unreachable: the table is checked at import


# ----------------------------------------------------------------------------------------------------------------------
# Public API


def defaults() -> dict:
    """A fresh config holding every Prop's default."""
    return {prop.name: (list(prop.default) if isinstance(prop.default, list) else prop.default)
            for prop in STATE_TABLE}


def validate(raw: dict, *, strict: bool = False,
             extra_sections: Iterable[str] = EXTRA_SECTIONS) -> tuple[dict, list[str]]:
    """(config, notices): every key typed and checked; a bad value falls back to its default with a notice.

    Values may be URL strings or typed JSON values. With `strict`, the first bad or unknown key raises ValueError
    instead. Keys named in `extra_sections` are returned untouched under their own key.
    """
    errors: list[str] = []     # problems: strict mode raises on the first
    infos: list[str] = []      # accepted with a remark
    config = defaults()
    extra_sections = tuple(extra_sections)
    if not isinstance(raw, dict):
        message = f"the config is a {type(raw).__name__}, not an object of key=value settings; using the defaults"
        if strict:
            raise ValueError(message)
        return config, [message]

    extras: dict[str, Any] = {}
    from_nn_calculator = False
    if FEATURES_KEY in raw:
        try:
            _apply_feature_list(config, raw[FEATURES_KEY])
        except _Bad as bad:
            errors.append(f"{FEATURES_KEY}={_show(raw[FEATURES_KEY])} {bad}; using the per-feature settings")
    for key, value in raw.items():
        if key == FEATURES_KEY:
            continue
        if not isinstance(key, str) or key not in PROPS:
            if isinstance(key, str) and key in extra_sections:
                extras[key] = value
            else:
                errors.append(f"unknown key {_show(key)}={_show(value)} ignored")
            continue
        prop = PROPS[key]
        if key in DEAD_KEYS:
            continue  # TF never reads these; whatever they say, they stay false
        if key == "problem" and isinstance(value, str) and value == NN_CALCULATOR_PROBLEM:
            from_nn_calculator = True
            config["problem"] = "classification"
            continue
        try:
            config[key] = _parse_value(prop, value)
        except _Bad as bad:
            errors.append(f"{key}={_show(value)} {bad}; using {_fallback(prop)}")

    if from_nn_calculator:
        config["dataset"] = config["backdoorDataset"]
        infos.append(f"problem={NN_CALCULATOR_PROBLEM} is NN Calculator's Test Classification; using "
                     f"problem=classification with dataset={config['dataset']}")
    if config["activations"] and len(config["activations"]) != len(config["networkShape"]):
        errors.append(f"activations={_show(config['activations'])} has {_count(len(config['activations']), 'entry')}"
                      f" but networkShape has {_count(len(config['networkShape']), 'layer')}; using activation="
                      f"{config['activation']} everywhere")
        config["activations"] = []
    wide = datasets_nd.too_wide(problem.active_dataset(config), config["networkShape"])
    if wide:
        errors.append(f"networkShape={_show(config['networkShape'])} {wide}; using {_fallback(PROPS['networkShape'])}")
        config["networkShape"] = list(PROPS["networkShape"].default)
    if strict and errors:
        raise ValueError(errors[0])
    config.update(extras)
    return config, errors + infos


def _apply_feature_list(config: dict, value: Any) -> None:
    """Turn on exactly the listed features (a list or a comma string of feature keys); _Bad if one is unknown."""
    items = _list_items(value)
    live = [key for key in (*FEATURE_ORDER, *SPACE_ORDER) if key not in DEAD_KEYS]
    for item in items:
        if not (isinstance(item, str) and item in live):
            raise _Bad(f"has an entry {_show(item)} that is not one of {', '.join(live)}")
    for key in live:
        config[key] = key in items


def from_hash(hash_string: str) -> tuple[dict, list[str]]:
    """(config, notices) from "#a=1&b=2" as TF Playground writes it; never raises."""
    try:
        if not isinstance(hash_string, str):
            return defaults(), [f"the link is a {type(hash_string).__name__}, not text; using the defaults"]
        text = hash_string.strip()
        if len(text) > MAX_HASH_CHARS:
            return defaults(), [f"the link is longer than {MAX_HASH_CHARS} characters; using the defaults"]
        if text.startswith("#"):
            text = text[1:]
        raw: dict[str, str] = {}
        for part in text.split("&"):
            if not part:
                continue
            key, _, value = part.partition("=")
            key, value = unquote(key), unquote(value)
            prop = PROPS.get(key)
            # TF reads an empty value as "absent" except for arrays, where it means the empty list.
            if value.strip() == "" and prop is not None and prop.kind not in LIST_KINDS:
                continue
            raw[key] = value
        return validate(raw, extra_sections=())
    except Exception as exc:  # noqa: BLE001 -- a link from anywhere must never break the page
        return defaults(), [f"could not read the link ({type(exc).__name__}: {exc}); using the defaults"]


def to_hash(config: dict) -> str:
    """The URL hash (without '#'): TF's keys always, in TF's order, then ours and the *_hide flags when non-default."""
    config, _ = validate(config, extra_sections=())
    parts = []
    for name in TF_KEY_ORDER:
        value = config[name]
        # TF skips null values: no regularisation and no tutorial are absent from its links.
        if (name == "regularization" and value == "none") or (name == "tutorial" and value == ""):
            continue
        parts.append(f"{name}={_encode(value)}")
    for prop in STATE_TABLE:
        if prop.name not in TF_KEY_ORDER and config[prop.name] != prop.default:
            parts.append(f"{prop.name}={_encode(config[prop.name])}")
    return "&".join(parts)


def _encode(value: Any) -> str:
    return quote(_text(value), safe=",.-_+")


def check_problem(config: dict, *, strict: bool = False,
                  shape: tuple[int, int] | None = None) -> tuple[dict, list[str]]:
    """(config, notices) after the checks that tie keys to the data set's d and K (problem.check: classes, 3-D
    features, trojan): a setting the data set cannot take falls back to its default with a notice; with `strict` the
    first raises ValueError naming the key. Kept apart from validate(), which checks each key on its own. `shape`:
    the (d, K) of uploaded data, which then decides instead of the data set."""
    config = dict(config)
    notices = []
    for key, message in problem.check(config, enabled_features(config), shape):
        if strict:
            raise ValueError(message)
        notices.append(f"{message}; using {_off(key)}")
        config[key] = PROPS[key].default
    return config, notices


def _off(key: str) -> str:
    """How a notice says what a problem key falls back to (problem.check's keys)."""
    return f"{key}=false" if PROPS[key].kind == "bool" else f"{key}={_show(PROPS[key].default)}"


def enabled_features(config: dict) -> list[str]:
    """Feature keys that are on and not hidden, in FEATURE_ORDER then the 3-D ones (possibly none)."""
    return [key for key in (*FEATURE_ORDER, *SPACE_ORDER)
            if config.get(key) is True and config.get(key + HIDE_SUFFIX) is not True]


def hidden_activations(config: dict) -> list[str]:
    """Activation name per hidden layer: `activations` if given, else `activation` repeated."""
    shape = config.get("networkShape", [])
    per_layer = config.get("activations") or []
    return list(per_layer) if per_layer else [config.get("activation", "tanh")] * len(shape)


active_dataset = problem.active_dataset
