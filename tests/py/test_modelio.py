"""Data CSV and model JSON import/export: round trips, every rejection, and fuzzing for clean errors."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from backdoor_playground.playground import config as c
from backdoor_playground.playground import modelio as mio

# ----------------------------------------------------------------------------------------------------------------------
# Data CSV


def test_csv_round_trip_is_exact():
    rng = np.random.default_rng(0)
    points = rng.uniform(-6, 6, (50, 2))
    labels = np.where(rng.uniform(size=50) < 0.5, -1.0, 1.0)
    text = mio.data_to_csv(points, labels)
    assert text.splitlines()[0] == "x,y,label"
    got_points, got_labels, split = mio.parse_data_csv(text)
    assert np.array_equal(got_points, points) and np.array_equal(got_labels, labels) and split is None


def test_csv_round_trip_with_split_and_regression_labels():
    rng = np.random.default_rng(1)
    points = rng.uniform(-6, 6, (20, 2))
    labels = rng.uniform(-1, 1, 20)
    split = ["train"] * 12 + ["test"] * 8
    text = mio.data_to_csv(points, labels, split)
    assert text.splitlines()[0] == "x,y,label,split"
    got = mio.parse_data_csv(text, problem="regression")
    assert np.array_equal(got[0], points) and np.array_equal(got[1], labels) and got[2] == split


@pytest.mark.parametrize("args, word", [
    (([[1, 2, 3]], [1]), "shape"),
    (([[1, 2]], [1, -1]), "labels"),
    (([[1, 2]], [1], ["train", "test"]), "split"),
    (([[1, 2]], [1], ["validation"]), "validation"),
])
def test_data_to_csv_rejects_inconsistent_input(args, word):
    with pytest.raises(ValueError, match=word):
        mio.data_to_csv(*args)


def test_headerless_semicolon_tab_quotes_bom_and_blank_lines():
    assert mio.parse_data_csv("1;2;1\n\n  \n-1;-2;-1\n")[1].tolist() == [1, -1]
    assert mio.parse_data_csv("x\ty\tlabel\n1\t2\t1\n-1\t-2\t-1")[0].tolist() == [[1, 2], [-1, -2]]
    assert mio.parse_data_csv('\ufeff"x","y","label"\r\n"0.5","1e0","1"\r\n".5","-2.","-1"\r\n')[0].tolist() == \
        [[0.5, 1.0], [0.5, -2.0]]


def test_header_columns_may_come_in_any_order():
    points, labels, split = mio.parse_data_csv("Label,split,Y,X\n1,test,2,3\n-1,train,-2,-3\n")
    assert points.tolist() == [[3, 2], [-3, -2]] and labels.tolist() == [1, -1] and split == ["test", "train"]


def test_zero_one_labels_map_to_minus_one_one():
    _, labels, _ = mio.parse_data_csv("1,1,0\n2,2,1\n3,3,0.0\n")
    assert labels.tolist() == [-1, 1, -1]


@pytest.mark.parametrize("text, problem, message", [
    ("x,y,label\n1,2,1\n3,4,-1\n5,6,1\n1,1,abc\n", "classification", "row 5: label 'abc' is not a number"),
    ("1,2,1\n3,4,-1\nfoo,1,1\n", "classification", "row 3: x 'foo' is not a number"),
    ("1,2,1\n3,4,-1\n1,nan,1\n", "classification", "row 3: y 'nan' is not finite"),
    ("1,2,1\n3,4,-1\n1,2,-inf\n", "classification", "row 3: label '-inf' is not finite"),
    ("1,2,1\n3,4,-1\n1e999,2,1\n", "classification", "row 3: x '1e999' is not finite"),
    ("1,2,1\n\n3,6.5,-1\n", "classification", "row 3: point (3, 6.5) lies outside the data box"),
    ("-7,0,1\n3,4,-1\n", "classification", "row 1: point"),
    ("1,2,1\n", "classification", "at least 2"),
    ("x,y,label\n", "classification", "at least 2"),
    ("", "classification", "empty"),
    ("\n \n", "classification", "empty"),
    ("1,2,1\n3,4,1\n", "classification", "only one class"),
    ("1,2,0\n3,4,0\n", "classification", "only one class"),
    ("1,2,0\n3,4,1\n5,5,-1\n", "classification", "mix the 0/1 and -1/1 conventions (row 1 has 0, row 3 has -1)"),
    ("1,2,1\n3,4,0.5\n", "classification", "row 2: label '0.5' is not a class label"),
    ("1,2,2\n3,4,1\n", "classification", "row 1: label '2' is not a class label"),
    ("1,2,0.5\n3,4,1.5\n", "regression", "row 2: label '1.5' lies outside [-1, 1]"),
    ("1,2,1\n3,4\n", "classification", "row 2: expected 3 fields"),
    ("1,2\n3,4\n", "classification", "row 1: expected 3 or 4 fields"),
    ("x,y,w\n1,2,1\n", "classification", "unknown column 'w'"),
    ("x,y,z\n1,2,1\n", "classification", "missing column(s) label"),
    ("x,y\n1,2\n", "classification", "missing column(s) label"),
    ("x,x,y,label\n1,1,2,1\n", "classification", "column 'x' appears twice"),
    ("1,2,1,train\n3,4,-1,dev\n", "classification", "row 2: split 'dev' is not train or test"),
    ("1,2,1,test\n3,4,-1,test\n", "classification", "no row has split=train"),
    ("1,2,1\n3,4,-1\n", "ranking", "problem 'ranking'"),
])
def test_parse_data_csv_rejections_name_the_row_and_field(text, problem, message):
    with pytest.raises(ValueError) as info:
        mio.parse_data_csv(text, problem=problem)
    assert message in str(info.value)


def test_parse_data_csv_limits_rows_and_size_and_type():
    with pytest.raises(ValueError, match="at most 3"):
        mio.parse_data_csv("1,1,1\n2,2,-1\n3,3,1\n4,4,-1\n", max_rows=3)
    assert len(mio.parse_data_csv("1,1,1\n2,2,-1\n3,3,1\n", max_rows=3)[1]) == 3
    with pytest.raises(ValueError, match="larger than"):
        mio.parse_data_csv("1,1,1\n" * 800_000)
    with pytest.raises(ValueError, match="text"):
        mio.parse_data_csv(b"1,1,1\n2,2,-1\n")


# ----------------------------------------------------------------------------------------------------------------------
# Model JSON


def make_model(config: dict, seed: int = 0) -> dict:
    """A random model shaped for `config`, as arrays (the way a network would hand it over)."""
    rng = np.random.default_rng(seed)
    sizes = [len(c.enabled_features(config)), *config["networkShape"], 1]
    return {
        "layer_sizes": sizes,
        "activation_names": [*c.hidden_activations(config), "tanh"],
        "weights": [rng.normal(size=(a, b)) for a, b in zip(sizes, sizes[1:])],
        "biases": [rng.normal(size=b) for b in sizes[1:]],
        "dead": [rng.uniform(size=(a, b)) < 0.2 for a, b in zip(sizes, sizes[1:])],
    }


@pytest.fixture
def valid_doc() -> dict:
    config, _ = c.validate({"networkShape": [3, 2], "xSquared": True, "activations": ["relu", "relu_csum"],
                            "learningRate": 0.1})
    return mio.model_document(config, make_model(config))


def test_model_document_has_the_format_and_survives_json(valid_doc):
    assert valid_doc["format"] == "backdoor-playground-model" and valid_doc["version"] == 1
    assert valid_doc["model"]["layer_sizes"] == [3, 3, 2, 1]
    text = json.dumps(valid_doc)
    assert mio.parse_model_json(text) == valid_doc
    assert mio.parse_model_json(valid_doc) == valid_doc


def test_model_values_are_kept_exactly():
    config = c.defaults()
    model = make_model(config, seed=5)
    doc = mio.parse_model_json(json.dumps(mio.model_document(config, model)))
    for got, want in zip(doc["model"]["weights"], model["weights"]):
        assert np.array_equal(np.array(got), want)
    assert np.array_equal(np.array(doc["model"]["dead"][0]), model["dead"][0])


def test_missing_dead_flags_default_to_false():
    config = c.defaults()
    model = make_model(config)
    del model["dead"]
    doc = mio.model_document(config, model)
    assert doc["model"]["dead"] == [[[False] * 4] * 2, [[False] * 2] * 4, [[False]] * 2]


def test_a_model_without_features_or_hidden_layers_is_valid():
    config, _ = c.validate({"x": False, "y": False, "networkShape": []})
    doc = mio.model_document(config, make_model(config))
    assert doc["model"]["layer_sizes"] == [0, 1] and doc["model"]["weights"] == [[]]
    assert mio.parse_model_json(json.dumps(doc)) == doc


def test_extra_config_sections_are_kept(valid_doc):
    doc = copy.deepcopy(valid_doc)
    doc["config"]["backdoor"] = {"key": 150}
    assert mio.parse_model_json(doc)["config"]["backdoor"] == {"key": 150}


def mutate(doc: dict, path: list, value=None, delete: bool = False) -> dict:
    doc = copy.deepcopy(doc)
    target = doc
    for step in path[:-1]:
        target = target[step]
    if delete:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return doc


@pytest.mark.parametrize("path, value, delete, message", [
    (["format"], "something-else", False, "format"),
    (["version"], 2, False, "version 2 is not supported"),
    (["version"], True, False, "version true is not supported"),
    (["extra"], 1, False, "unknown top-level key 'extra'"),
    (["model"], None, True, "no 'model'"),
    (["config"], [], False, "config must be an object"),
    (["config", "learningRate"], 70, False, "config: learningRate=70"),
    (["config", "colour"], "red", False, "config: unknown key colour"),
    (["config", "networkShape"], [3, 3], False, "does not match the config"),
    (["config", "xSquared"], False, False, "does not match the config"),
    (["model", "layer_sizes"], [3, 3, 2, True], False, "list of integers"),
    (["model", "layer_sizes"], "3,3,2,1", False, "list of integers"),
    (["model", "bias"], [], False, "unknown key 'bias'"),
    (["model", "dead"], None, True, "model.dead is missing"),
    (["model", "activation_names", 0], "tanh", False, "activation_names[0] is 'tanh' but the config says 'relu'"),
    (["model", "activation_names", 2], "softmax", False, "activation_names[2] 'softmax' is not one of"),
    (["model", "activation_names"], ["relu"], False, "activation_names has 1 entry; expected 3"),
    (["model", "weights", 0], [[0.0] * 3] * 2, False, "model.weights[0] has 2 entries; expected 3"),
    (["model", "weights", 1, 2], [0.0] * 3, False, "model.weights[1][2] has 3 entries; expected 2"),
    (["model", "weights", 1, 2, 0], "1", False, "model.weights[1][2][0] is not a number"),
    (["model", "weights", 1, 2, 0], float("nan"), False, "model.weights[1][2][0] is not a finite number"),
    (["model", "weights", 1, 2, 0], 10**400, False, "model.weights[1][2][0] is not a finite number"),
    (["model", "weights", 2], {"0": [1.0]}, False, "model.weights[2] must be a list"),
    (["model", "weights"], [], False, "model.weights has 0 entries"),
    (["model", "biases", 1], [0.1], False, "model.biases[1] has 1 entry; expected 2"),
    (["model", "biases", 2, 0], True, False, "model.biases[2][0] is not a number"),
    (["model", "dead", 0, 0, 0], 1, False, "model.dead[0][0][0] is not true or false"),
])
def test_model_rejections_say_what_is_wrong(valid_doc, path, value, delete, message):
    bad = mutate(valid_doc, path, value, delete)
    with pytest.raises(ValueError) as info:
        mio.parse_model_json(bad)
    assert message in str(info.value)


@pytest.mark.parametrize("text, message", [
    ("{", "not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    ('{"format": NaN}', "not valid JSON"),
    ("[" * 100000 + "]" * 100000, "not valid JSON"),
    ('{"a": 1' + "0" * 5000 + "}", "not valid JSON"),
    (" " * (2 * 1024 * 1024 + 1), "larger than 2 MB"),
])
def test_model_text_rejections(text, message):
    with pytest.raises(ValueError, match=message):
        mio.parse_model_json(text)


def test_infinite_json_numbers_are_rejected(valid_doc):
    text = json.dumps(valid_doc).replace(json.dumps(valid_doc["model"]["biases"][0][0]), "1e999", 1)
    with pytest.raises(ValueError, match="not a finite number"):
        mio.parse_model_json(text)


@pytest.mark.parametrize("value", [None, 3, [1], b"{}"])
def test_non_documents_are_rejected(value):
    with pytest.raises(ValueError, match="JSON object"):
        mio.parse_model_json(value)


def test_model_document_rejects_a_model_that_does_not_fit():
    config = c.defaults()
    with pytest.raises(ValueError, match="layer_sizes"):
        mio.model_document(config, make_model(c.validate({"networkShape": [5]})[0]))
    with pytest.raises(ValueError, match="missing weights"):
        mio.model_document(config, {"layer_sizes": [2, 1], "activation_names": ["tanh"], "biases": [[0.0]]})


# ----------------------------------------------------------------------------------------------------------------------
# Fuzzing (CPython only: hypothesis is not in Pyodide)

try:
    from hypothesis import given, settings, strategies as st
except ImportError:  # Pyodide: these tests are listed in tests/conftest.py's CPYTHON_ONLY
    given = None

if given is not None:
    JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10)
    JSON_VALUES = st.recursive(JSON_SCALARS, lambda inner: st.lists(inner, max_size=4) |
                               st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=10)
    CSV_TEXT = st.text(alphabet="0123456789.-+eE,;\t\n xylabelsplitrntfa\"", max_size=200)

    def paths(value, prefix=()):
        """Every path into a JSON document."""
        yield prefix
        if isinstance(value, dict):
            for key, item in value.items():
                yield from paths(item, (*prefix, key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                yield from paths(item, (*prefix, index))

    def base_doc() -> dict:
        config, _ = c.validate({"networkShape": [2, 1], "sinX": True})
        return mio.model_document(config, make_model(config, seed=9))

    BASE = base_doc()
    BASE_PATHS = [list(p) for p in paths(BASE) if p]

    def check_clean(call):
        try:
            result = call()
        except ValueError as exc:
            assert str(exc)
            return None
        return result

    @settings(max_examples=150, deadline=None)
    @given(CSV_TEXT, st.sampled_from(mio.PROBLEMS))
    def test_fuzz_parse_data_csv(text, problem):
        result = check_clean(lambda: mio.parse_data_csv(text, problem=problem))
        if result is not None:
            points, labels, split = result
            assert points.shape == (len(labels), 2) and np.all(np.abs(points) <= 6) and np.all(np.abs(labels) <= 1)
            if problem == "classification":
                assert set(labels.tolist()) == {-1.0, 1.0}

    @settings(max_examples=100, deadline=None)
    @given(st.text(max_size=200) | JSON_VALUES.map(json.dumps))
    def test_fuzz_parse_model_json_text(text):
        check_clean(lambda: mio.parse_model_json(text))

    @settings(max_examples=100, deadline=None)
    @given(JSON_VALUES)
    def test_fuzz_parse_model_json_values(value):
        check_clean(lambda: mio.parse_model_json(value))

    @settings(max_examples=150, deadline=None)
    @given(st.sampled_from(BASE_PATHS), JSON_VALUES, st.booleans())
    def test_fuzz_mutations_of_a_valid_file(path, value, delete):
        doc = mutate(BASE, path, value, delete)
        result = check_clean(lambda: mio.parse_model_json(json.dumps(doc, allow_nan=True)))
        if result is not None:
            assert mio.parse_model_json(result) == result


def test_deep_nesting_is_rejected_before_parsing():
    # Pyodide's stack overflows (a fatal error) before Python raises RecursionError: refuse deep files up front.
    for text in ("[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000):
        with pytest.raises(ValueError, match="nested"):
            mio.parse_model_json(text)
    assert mio.json_depth('["[[[[", {"k": "\\"{{"}]') == 2
