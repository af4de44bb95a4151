"""The picture grid: point order, quantisation, box means, frame packing and every node's grid."""

import numpy as np
import pytest

from backdoor_playground.playground.features import feature_matrix
from backdoor_playground.playground.grid import (
    DOMAIN,
    GRID_N,
    grid_points,
    network_grids,
    pack_grids,
    quantize,
    reduce_grid,
)
from backdoor_playground.playground.nn import MLP


def test_grid_points_are_row_major_with_the_top_row_first():
    n = 4
    points = grid_points(n)
    assert points.shape == (16, 2)
    cell = 12 / n
    # Row 0 is the top of the picture: y = 6 - half a cell; x grows along a row.
    np.testing.assert_allclose(points[0], [-6 + cell / 2, 6 - cell / 2])
    np.testing.assert_allclose(points[3], [6 - cell / 2, 6 - cell / 2])
    np.testing.assert_allclose(points[4], [-6 + cell / 2, 6 - 1.5 * cell])
    np.testing.assert_allclose(points[-1], [6 - cell / 2, -6 + cell / 2])
    for i in range(n):
        for j in range(n):
            np.testing.assert_allclose(points[i * n + j], [-6 + cell * (j + 0.5), 6 - cell * (i + 0.5)])
    assert GRID_N == 100 and DOMAIN == (-6.0, 6.0)
    assert grid_points().shape == (10000, 2)


def test_grid_points_are_read_only_and_validated():
    with pytest.raises(ValueError):
        grid_points(4)[0, 0] = 1.0
    with pytest.raises(ValueError, match="n must be a positive integer"):
        grid_points(0)


def test_quantize_edges():
    values = np.array([-5.0, -1.0, 0.0, 1.0, 5.0, np.nan, -np.inf, np.inf, -0.5, 0.5])
    q = quantize(values)
    assert q.dtype == np.uint8
    # (v + 1) * 127.5 rounded, halves up: -0.5 -> 63.75 -> 64, 0 -> 127.5 -> 128, 0.5 -> 191.25 -> 191
    assert q.tolist() == [0, 0, 128, 255, 255, 127, 0, 255, 64, 191]
    assert values[0] == -5.0 and np.isnan(values[5])  # input untouched


def test_quantize_is_monotone_over_the_range():
    q = quantize(np.linspace(-1, 1, 1001)).astype(int)
    assert q[0] == 0 and q[-1] == 255 and (np.diff(q) >= 0).all()
    assert set(range(256)) <= set(q.tolist())


def test_reduce_grid_box_means():
    n, factor = 6, 3
    values = np.arange(n * n, dtype=float) ** 1.5
    reduced = reduce_grid(values, n, factor)
    grid = values.reshape(n, n)
    expected = [grid[r * 3:(r + 1) * 3, c * 3:(c + 1) * 3].mean() for r in range(2) for c in range(2)]
    np.testing.assert_allclose(reduced, expected)
    with pytest.raises(ValueError, match="not a multiple"):
        reduce_grid(values, n, 4)
    with pytest.raises(ValueError, match="expected 36 values"):
        reduce_grid(values[:-1], n, 3)


def test_pack_grids_layout_and_content():
    rng = np.random.default_rng(0)
    grids = [(str(k), rng.uniform(-1.2, 1.2, 100 * 100)) for k in range(4)]
    grids.append(("tiny", rng.uniform(-1, 1, 100)))  # already thumbnail-sized
    buffer, layout = pack_grids(grids, full={"2"}, thumb_n=10)
    assert isinstance(buffer, bytes)
    assert [e["id"] for e in layout] == ["0", "1", "2", "3", "tiny"]
    assert [(e["w"], e["h"]) for e in layout] == [(10, 10), (10, 10), (100, 100), (10, 10), (10, 10)]
    assert [e["offset"] for e in layout] == [0, 100, 200, 10200, 10300]
    assert len(buffer) == 10400
    data = np.frombuffer(buffer, dtype=np.uint8)
    for entry, (_, values) in zip(layout, grids):
        chunk = data[entry["offset"]:entry["offset"] + entry["w"] * entry["h"]]
        n = int(np.sqrt(values.size))
        expected = values if entry["w"] == n else reduce_grid(values, n, n // entry["w"])
        np.testing.assert_array_equal(chunk, quantize(expected))


def test_pack_grids_edge_cases():
    assert pack_grids([], full=set(), thumb_n=10) == (b"", [])
    with pytest.raises(ValueError, match="grid 'bad'"):
        pack_grids([("bad", np.zeros(99))], full=set(), thumb_n=10)
    with pytest.raises(ValueError, match="not a multiple of thumb_n"):
        pack_grids([("odd", np.zeros(49))], full=set(), thumb_n=10)


def test_network_grids_ids_and_values_match_predict():
    model = MLP(3, [4, 2], ["tanh", "relu"], "tanh", np.random.default_rng(0))
    names = ["x", "y", "xTimesY"]
    n = 20
    grids = network_grids(model, names, n=n)
    assert [g[0] for g in grids] == names + ["1", "2", "3", "4", "5", "6", "7"]
    inputs = feature_matrix(grid_points(n), names)
    for k, name in enumerate(names):
        np.testing.assert_array_equal(grids[k][1], inputs[:, k])
    posts = model.node_outputs(inputs)
    hidden = np.concatenate([p for p in posts], axis=1)
    for k in range(7):
        np.testing.assert_allclose(grids[3 + k][1], hidden[:, k], rtol=0, atol=1e-15)
    np.testing.assert_allclose(grids[-1][1], model.predict(inputs), rtol=0, atol=1e-15)
    assert all(values.shape == (n * n,) for _, values in grids)


def test_output_grid_top_row_is_y_plus_six():
    model = MLP(2, [], [], "tanh", None, init_zero=True)
    model.weights[0][1, 0] = 1.0  # output = tanh(y)
    grids = dict(network_grids(model, ["x", "y"], n=10))
    picture = grids["1"].reshape(10, 10)
    assert (picture[0] > 0.99).all() and (picture[-1] < -0.99).all()
    assert (np.diff(picture[:, 0]) < 0).all()  # y falls from top to bottom


def test_network_grids_reflect_weight_changes_and_cache_feature_grids():
    model = MLP(2, [2], ["tanh"], "tanh", np.random.default_rng(1))
    first = network_grids(model, ["x", "y"], n=10)
    model.weights[1][:] = 0.0
    model.biases[1][:] = 0.5
    second = network_grids(model, ["x", "y"], n=10)
    assert np.shares_memory(second[0][1], first[0][1])  # the feature grid is computed once
    np.testing.assert_allclose(second[-1][1], np.tanh(0.5))
    with pytest.raises(ValueError, match="3 features were given"):
        network_grids(model, ["x", "y", "sinX"], n=10)
