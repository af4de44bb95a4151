"""The state table: defaults, validation notices, strict mode, TF-compatible hashes, the page's JSON."""

from __future__ import annotations

import json
import math

import pytest

from backdoor_playground.playground import config as c
from backdoor_playground.playground.features import FEATURE_ORDER

# The default link as TensorFlow Playground users paste it in its issues.
TF_DEFAULT_HASH = (
    "#activation=tanh&batchSize=10&dataset=circle&regDataset=reg-plane&learningRate=0.03&regularizationRate=0"
    "&noise=0&networkShape=4,2&seed=0.59704&showTestData=false&discretize=false&percTrainData=50&x=true&y=true"
    "&xTimesY=false&xSquared=false&ySquared=false&cosX=false&sinX=false&cosY=false&sinY=false&collectStats=false"
    "&problem=classification&initZero=false&hideText=false"
)


def test_the_default_config_serialises_to_tf_playgrounds_default_link():
    assert "#" + c.to_hash(c.defaults()) == TF_DEFAULT_HASH


def test_tf_playgrounds_default_link_reads_as_the_defaults_without_notices():
    config, notices = c.from_hash(TF_DEFAULT_HASH)
    assert config == c.defaults() and notices == []


def test_defaults_are_fresh_copies():
    a = c.defaults()
    a["networkShape"].append(3)
    assert c.defaults()["networkShape"] == [4, 2]


def test_the_table_has_the_briefed_defaults_and_limits():
    d = c.defaults()
    assert (d["activation"], d["regularization"], d["batchSize"], d["dataset"], d["regDataset"]) == \
        ("tanh", "none", 10, "circle", "reg-plane")
    assert (d["learningRate"], d["regularizationRate"], d["noise"], d["seed"], d["percTrainData"]) == \
        (0.03, 0.0, 0, "0.59704", 50)
    assert (d["csum_modulo"], d["csum_precision"], d["proximity_radius"], d["trojan"]) == (256, 15, -1.0, 0)
    assert (d["loss"], d["activations"], d["initSeed"], d["epochs"], d["problem"]) == \
        ("square", [], 0, 0, "classification")
    assert [k for k in FEATURE_ORDER if d[k]] == ["x", "y"]
    assert len(c.PROPS["learningRate"].choices) == 11 and len(c.PROPS["regularizationRate"].choices) == 10
    for name in [*c.TF_HIDABLE_CONTROLS, *FEATURE_ORDER, "trojan"]:
        assert c.PROPS[name + "_hide"].default is False


# ----------------------------------------------------------------------------------------------------------------------
# validate


@pytest.mark.parametrize("key, bad", [
    ("learningRate", "70"), ("learningRate", "abc"), ("learningRate", 0.0), ("regularizationRate", -1),
    ("activation", "softmax"), ("regularization", "L3"), ("batchSize", "0"), ("batchSize", 31),
    ("batchSize", "2.5"), ("noise", 55), ("noise", True), ("percTrainData", 5), ("dataset", "moons"),
    ("regDataset", "circle"), ("networkShape", "4,9"), ("networkShape", [1, 1, 1, 1, 1, 1, 1]),
    ("networkShape", "4,,2"), ("networkShape", 4), ("seed", "a b"), ("seed", "x" * 33), ("seed", ""),
    ("seed", True), ("showTestData", "yes"), ("x", 2), ("problem", "ranking"), ("csum_modulo", 1),
    ("csum_modulo", 65537), ("csum_precision", 18), ("proximity_radius", 20), ("proximity_radius", "-2"),
    ("trojan", 11), ("loss", "hinge"), ("activations", "tanh,gelu"), ("initSeed", -1), ("initSeed", 2**60),
    ("epochs", 100001), ("tutorial", "../etc"), ("x_hide", "maybe"), ("backdoorDataset", "circle"),
])
def test_a_bad_value_falls_back_to_the_default_with_a_notice_naming_key_and_value(key, bad):
    config, notices = c.validate({key: bad})
    assert config[key] == c.defaults()[key]
    assert len(notices) == 1
    assert notices[0].startswith(f"{key}=") and "using" in notices[0]
    with pytest.raises(ValueError, match=key):
        c.validate({key: bad}, strict=True)


def test_the_notice_reads_like_the_brief():
    _, notices = c.validate({"learningRate": "7e3"})
    assert notices[0].startswith("learningRate=7e3 is not one of 0.00001, 0.0001,")
    assert notices[0].endswith("; using 0.03")


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), "NaN", "Infinity", "1e999", "nan",
                                 "1_0", 10**400])
@pytest.mark.parametrize("key", ["learningRate", "noise", "proximity_radius", "csum_modulo"])
def test_non_finite_numbers_are_always_invalid(key, bad):
    config, notices = c.validate({key: bad})
    assert config[key] == c.defaults()[key] and len(notices) == 1


def test_off_list_rates_inside_the_limits_are_accepted():
    config, notices = c.validate({"learningRate": "0.05", "regularizationRate": 0.0005})
    assert (config["learningRate"], config["regularizationRate"], notices) == (0.05, 0.0005, [])


def test_url_strings_become_typed_values():
    config, notices = c.validate({"batchSize": "12", "learningRate": "0.3", "noise": "15.0", "x": "false",
                                  "sinX": "TRUE", "networkShape": " 3, 5 ", "activations": "relu,sigmoid",
                                  "proximity_radius": "0.5", "seed": "hello_World-1.2"})
    assert notices == []
    assert config["batchSize"] == 12 and type(config["batchSize"]) is int
    assert config["learningRate"] == 0.3 and type(config["learningRate"]) is float
    assert config["noise"] == 15 and type(config["noise"]) is int
    assert config["x"] is False and config["sinX"] is True
    assert config["networkShape"] == [3, 5] and config["activations"] == ["relu", "sigmoid"]
    assert config["proximity_radius"] == 0.5 and config["seed"] == "hello_World-1.2"


def test_json_values_are_accepted_typed():
    config, notices = c.validate({"batchSize": 12.0, "networkShape": [], "seed": 7, "initSeed": 5, "x": False,
                                  "csum_modulo": 20})
    assert notices == []
    assert config["batchSize"] == 12 and type(config["batchSize"]) is int
    assert config["networkShape"] == [] and config["seed"] == "7" and config["csum_modulo"] == 20
    assert c.validate({"seed": 0.59704})[0]["seed"] == "0.59704"


def test_unknown_keys_are_notices_or_strict_errors():
    config, notices = c.validate({"colour": "red", 3: 4, "foo_hide": "true"})
    assert config == c.defaults()
    assert len(notices) == 3 and all("unknown key" in n for n in notices)
    assert "colour=red" in notices[0]
    with pytest.raises(ValueError, match="colour"):
        c.validate({"colour": "red"}, strict=True)


def test_strict_mode_names_the_first_bad_key():
    with pytest.raises(ValueError, match="^batchSize=99"):
        c.validate({"noise": 5, "batchSize": 99, "trojan": 50}, strict=True)


def test_extra_sections_pass_through_untouched():
    backdoor = {"key": 150, "anything": [1, {"nested": None}]}
    config, notices = c.validate({"backdoor": backdoor, "defense": "radius", "noise": 5}, strict=True,
                                 extra_sections=("backdoor", "defense"))
    assert config["backdoor"] is backdoor and config["defense"] == "radius" and notices == []
    _, notices = c.validate({"backdoor": {}}, extra_sections=())
    assert "unknown key backdoor" in notices[0]


def test_a_non_dict_config_is_rejected_cleanly():
    config, notices = c.validate(["noise", 5])
    assert config == c.defaults() and "list" in notices[0]
    with pytest.raises(ValueError, match="list"):
        c.validate(["noise", 5], strict=True)


def test_activations_must_match_the_number_of_hidden_layers():
    config, notices = c.validate({"networkShape": [3, 3], "activations": ["relu"]})
    assert config["activations"] == [] and "activations" in notices[0] and "networkShape" in notices[0]
    with pytest.raises(ValueError, match="activations"):
        c.validate({"networkShape": [3, 3], "activations": ["relu"]}, strict=True)
    config, notices = c.validate({"networkShape": [3, 3], "activations": ["relu", "relu_csum"]})
    assert notices == [] and c.hidden_activations(config) == ["relu", "relu_csum"]
    assert c.hidden_activations(c.validate({"activation": "sigmoid", "networkShape": "2,2,2"})[0]) == \
        ["sigmoid"] * 3
    assert c.hidden_activations(c.validate({"networkShape": ""})[0]) == []


def test_nn_calculators_problem_reads_as_classification_on_its_dataset():
    config, notices = c.validate({"problem": "backdoor_csum", "backdoorDataset": "csum-grid"}, strict=True)
    assert config["problem"] == "classification" and config["dataset"] == "csum-grid"
    assert len(notices) == 1 and "backdoor_csum" in notices[0]
    config, notices = c.from_hash("problem=backdoor_csum")
    assert config["dataset"] == "csum-circle"


def test_dead_tf_keys_are_accepted_and_kept_false():
    config, notices = c.validate({"cosX": "true", "cosY": True, "collectStats": "garbage"}, strict=True)
    assert (config["cosX"], config["cosY"], config["collectStats"], notices) == (False, False, False, [])


def test_activation_accepts_the_checksum_variants():
    assert c.validate({"activation": "relu_csum"}, strict=True)[0]["activation"] == "relu_csum"
    assert c.validate({"activation": "linear_csum"}, strict=True)[0]["activation"] == "linear_csum"


# ----------------------------------------------------------------------------------------------------------------------
# Features and datasets


def test_enabled_features_follow_feature_order_and_drop_hidden_ones():
    config, _ = c.validate({"x": False, "cir": True, "xSquared": True, "y_hide": True, "avg": True})
    assert c.enabled_features(config) == ["xSquared", "cir", "avg"]


def test_an_empty_feature_set_is_allowed():
    config, notices = c.validate({"x": "false", "y": "false"}, strict=True)
    assert notices == [] and c.enabled_features(config) == []


def test_the_problem_selects_the_dataset_key():
    assert c.active_dataset(c.validate({"dataset": "xor", "regDataset": "reg-gauss"})[0]) == "xor"
    config, _ = c.validate({"dataset": "xor", "regDataset": "reg-gauss", "problem": "regression"})
    assert c.active_dataset(config) == "reg-gauss"


# ----------------------------------------------------------------------------------------------------------------------
# Hashes


SAMPLE = {
    "activation": "relu", "regularization": "L1", "batchSize": 3, "dataset": "csum-grid", "learningRate": 0.00001,
    "regularizationRate": 0.003, "noise": 35, "networkShape": [8, 1, 3], "seed": "my.seed_1-x", "showTestData": True,
    "percTrainData": 70, "sinX": True, "x": False, "avg": True, "problem": "regression", "regDataset": "reg-gauss",
    "tutorial": "lesson-1", "csum_modulo": 20, "proximity_radius": 0.7071067811865476, "trojan": 10,
    "loss": "crossentropy", "activations": ["relu", "linear_csum", "tanh"], "initSeed": 41, "epochs": 500,
    "noise_hide": True, "trojan_hide": True, "x_hide": True, "initZero": True, "hideText": True,
}


def test_hash_round_trip_of_a_busy_config():
    config, notices = c.validate(SAMPLE, strict=True)
    assert notices == []
    assert c.from_hash(c.to_hash(config)) == (config, [])
    assert c.from_hash("#" + c.to_hash(config))[0] == config


def test_empty_network_shape_is_written_as_an_empty_value_and_read_back():
    config, _ = c.validate({"networkShape": []})
    text = c.to_hash(config)
    assert "&networkShape=&" in text
    assert c.from_hash(text)[0]["networkShape"] == []


def test_to_hash_writes_tf_keys_in_tf_order_then_non_default_extras():
    config, _ = c.validate(SAMPLE)
    keys = [part.split("=")[0] for part in c.to_hash(config).split("&")]
    tf_keys = [k for k in keys if k in c.TF_KEY_ORDER]
    assert tf_keys == list(c.TF_KEY_ORDER)           # regularization=L1 and a tutorial are written
    assert keys[: len(tf_keys)] == tf_keys
    extras = keys[len(tf_keys):]
    assert extras == ["avg", "csum_modulo", "proximity_radius", "trojan", "loss", "activations", "initSeed", "epochs",
                      "noise_hide", "x_hide", "trojan_hide"]
    default_keys = [part.split("=")[0] for part in c.to_hash(c.defaults()).split("&")]
    assert "regularization" not in default_keys and "tutorial" not in default_keys


def test_from_hash_decodes_percent_escapes_and_ignores_empty_values():
    config, notices = c.from_hash("#seed=abc%2Ddef&dataset=&learningRate=%30.1&&x")
    assert config["seed"] == "abc-def" and config["dataset"] == "circle" and config["learningRate"] == 0.1
    assert notices == []


def test_from_hash_reports_bad_values_and_keeps_the_good_ones():
    config, notices = c.from_hash("noise=500&batchSize=5&bogus=1")
    assert config["noise"] == 0 and config["batchSize"] == 5
    assert any(n.startswith("noise=500") for n in notices) and any("bogus" in n for n in notices)


@pytest.mark.parametrize("text", ["", "#", "&&&", "=", "==&=", "%", "%zz=%", "a=%FF%FE", "networkShape=4,a",
                                  "networkShape=" + ",".join(["1"] * 1000), "#?x=1", "seed=" + "é" * 50,
                                  "x=true" * 30000, None, 123, b"noise=5", "\x00=\x00"])
def test_from_hash_never_raises(text):
    config, notices = c.from_hash(text)
    assert set(config) == set(c.defaults())
    assert all(isinstance(n, str) for n in notices)


def test_numbers_are_written_the_way_javascript_prints_them():
    config, _ = c.validate({"learningRate": 10, "regularizationRate": 0.0001, "proximity_radius": 1e-8})
    text = c.to_hash(config)
    assert "learningRate=10&" in text and "regularizationRate=0.0001&" in text
    assert "proximity_radius=1e-8" in text
    assert c.from_hash(text)[0]["proximity_radius"] == 1e-8


# ----------------------------------------------------------------------------------------------------------------------
# The page's JSON


def test_table_json_describes_every_prop_and_is_json():
    table = json.loads(json.dumps(c.table_json()))
    names = [p["name"] for p in table["props"]]
    assert names == [p.name for p in c.STATE_TABLE]
    for entry in table["props"]:
        assert set(entry) >= {"name", "kind", "default", "choices", "lo", "hi", "step", "doc"}
        assert entry["kind"] in c.KINDS and entry["doc"]
    assert table["tf_key_order"] == list(c.TF_KEY_ORDER)
    assert table["datasets"]["regression"] == ["reg-plane", "reg-gauss"]
    assert "csum-grid" in table["datasets"]["classification"]


def test_every_default_validates_strictly_to_itself():
    for prop in c.STATE_TABLE:
        config, notices = c.validate({prop.name: prop.default}, strict=True)
        assert config[prop.name] == prop.default and notices == [], prop.name


# ----------------------------------------------------------------------------------------------------------------------
# Fuzzing (CPython only: hypothesis is not in Pyodide)

try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # Pyodide: these tests are listed in tests/conftest.py's CPYTHON_ONLY
    given = None

if given is not None:
    JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) |
                               st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
    KEYS = st.sampled_from([p.name for p in c.STATE_TABLE] + ["backdoor", "junk", "problem"]) | st.text(max_size=10)

    def prop_values(prop: c.Prop):
        """Valid values of one Prop, as typed JSON values."""
        if prop.name in c.DEAD_KEYS:
            return st.just(False)
        if prop.kind == "bool":
            return st.booleans()
        if prop.kind == "int":
            return st.integers(int(prop.lo), int(prop.hi))
        if prop.kind == "number":
            return st.floats(prop.lo, prop.hi, allow_nan=False)
        if prop.kind == "choice":
            if prop.lo is not None:
                return st.sampled_from(prop.choices) | st.floats(prop.lo, prop.hi, allow_nan=False)
            if prop.name == "problem":
                return st.sampled_from(["classification", "regression"])
            return st.sampled_from(prop.choices)
        if prop.kind == "int_list":
            return st.lists(st.integers(int(prop.lo), int(prop.hi)), max_size=prop.max_len)
        if prop.kind == "choice_list":
            return st.just([])
        if prop.name == "seed":
            return st.from_regex(r"[A-Za-z0-9._-]{1,32}", fullmatch=True)
        if prop.pattern is not None:
            return st.from_regex(prop.pattern, fullmatch=True)
        return st.from_regex(r"[A-Za-z0-9._-]{0,64}", fullmatch=True)

    VALID_CONFIGS = st.fixed_dictionaries({p.name: prop_values(p) for p in c.STATE_TABLE})

    @settings(max_examples=150, deadline=None)
    @given(st.text(max_size=300))
    def test_fuzz_from_hash_never_raises(text):
        config, notices = c.from_hash(text)
        assert set(config) == set(c.defaults()) and all(isinstance(n, str) for n in notices)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(KEYS, st.text(alphabet="0123456789.,-eEtruefalsTRUE%&=#", max_size=12)), max_size=8))
    def test_fuzz_from_hash_of_plausible_pairs(pairs):
        config, _ = c.from_hash("&".join(f"{k}={v}" for k, v in pairs))
        assert c.validate(config, strict=True, extra_sections=())[0] == config

    @settings(max_examples=80, deadline=None)
    @given(st.dictionaries(KEYS, JSON_VALUES, max_size=8))
    def test_fuzz_validate_gives_typed_configs_or_clean_errors(raw):
        config, notices = c.validate(raw)
        assert all(isinstance(n, str) for n in notices)
        for prop in c.STATE_TABLE:
            value = config[prop.name]
            if prop.kind == "number" or (prop.kind == "choice" and prop.lo is not None):
                assert type(value) is float and math.isfinite(value)
            elif prop.kind == "int":
                assert type(value) is int and prop.lo <= value <= prop.hi
            elif prop.kind == "bool":
                assert type(value) is bool
        try:
            strict, _ = c.validate(raw, strict=True)
        except ValueError:
            pass
        else:
            assert strict == config

    @settings(max_examples=50, deadline=None)
    @given(VALID_CONFIGS)
    def test_fuzz_hash_round_trip(raw):
        if raw["activations"] == [] and raw["networkShape"]:
            raw["activations"] = ["relu"] * len(raw["networkShape"])
        config, notices = c.validate(raw, strict=True)
        assert notices == []
        assert c.from_hash(c.to_hash(config)) == (config, [])


def test_every_fallback_notice_names_the_value_used():
    # Keys whose default is empty (activations, tutorial) used to end their notice in "; using" with nothing after.
    _, notices = c.from_hash("activations=bogus&tutorial=%00&learningRate=70")
    assert len(notices) == 3
    for notice in notices:
        assert not notice.rstrip().endswith("using"), notice
        assert notice.split("; using ", 1)[1].strip(), notice
    assert notices[0].endswith("; using none (every hidden layer uses activation)")
