"""A frame's numbers checked by value, not by shape: the output grid and every neuron
thumbnail against the network's prediction computed here from the frame's own weights
on the grid docs/protocol.md describes (residual skips included), and the per-neuron
and band arrays against a run reproduced with the engine from the same config and seed."""

import numpy as np
import pytest

from engine import features

from .conftest import reference, steps

PERCENTILES = [0, 7, 16, 31, 50, 69, 84, 93, 100]  # docs/protocol.md, layer{i}.bands.*
ACTIVATIONS = {
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
}


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


LINKS = {"classification": ACTIVATIONS["sigmoid"], "multiclass": softmax, "regression": lambda z: z}


def plane_grid(res, extent):
    """Cell (r, c) at x1 = xmin + (c + 0.5)(xmax - xmin)/res, x2 = ymax - (r + 0.5)(ymax - ymin)/res."""
    xmin, xmax, ymin, ymax = extent
    r, c = np.divmod(np.arange(res * res), res)
    return np.stack([xmin + (c + 0.5) * (xmax - xmin) / res, ymax - (r + 0.5) * (ymax - ymin) / res], axis=1)


def line_points(res):
    return np.linspace(-6.0, 6.0, res)[:, None]


def columns_from(frame, x, residual):
    """Every column of neurons for inputs x from the frame's weights (layer{i}.W, .b) and the
    activations its `columns` name; a hidden layer after the first whose width equals its
    input's adds that input when `residual`. The last column is the prediction."""
    arrays, cols = frame["arrays_"], frame["columns"]
    n_layers = len(cols) - 1
    out = [x]
    for i in range(n_layers):
        z = out[-1] @ arrays[f"layer{i}.W"].astype(np.float64) + arrays[f"layer{i}.b"]
        if i == n_layers - 1:
            out.append(LINKS[frame["problem"]](z))
            continue
        h = ACTIVATIONS[cols[i + 1]["activation"]](z)
        out.append(h + out[-1] if residual and i > 0 and h.shape == out[-1].shape else h)
    return out


def close(got, want, tol=1e-5):
    """Equal up to float32 on the wire: relative to the array's own scale."""
    want = np.asarray(want, dtype=np.float64)
    assert got.shape == want.shape, (got.shape, want.shape)
    scale = max(1.0, float(np.abs(want).max(initial=0.0)))
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * scale)


def check_drawing(frame, config):
    """grid.output (or curve.x/curve.y) and every grid.nodes{j} against columns_from."""
    arrays, grid = frame["arrays_"], frame["grid"]
    res, node_res = grid["res"], grid["node_res"]
    residual = config["residual"]
    if frame["inputs"] == "line":
        close(arrays["curve.x"], line_points(res)[:, 0])
        pred = columns_from(frame, features(line_points(res), config["features"]), residual)[-1]
        close(arrays["curve.y"], pred[:, 0], tol=1e-4)
        node_cols = columns_from(frame, features(line_points(node_res), config["features"]), residual)
        thumbs = [np.repeat(col.T[:, None, :], node_res, axis=1) for col in node_cols]
    else:
        points = features(plane_grid(res, grid["extent"]), config["features"])
        pred = columns_from(frame, points, residual)[-1]
        want = pred.T.reshape(-1, res, res)
        close(arrays["grid.output"], want if frame["problem"] == "multiclass" else want[0], tol=1e-4)
        node_cols = columns_from(frame, features(plane_grid(node_res, grid["extent"]), config["features"]), residual)
        thumbs = [col.T.reshape(-1, node_res, node_res) for col in node_cols]
    assert sorted(k for k in arrays if k.startswith("grid.nodes")) == [f"grid.nodes{j}" for j in range(len(thumbs))]
    for j, want in enumerate(thumbs):
        close(arrays[f"grid.nodes{j}"], want, tol=1e-4)
    return node_cols


DRAWN = {
    "binary": {
        "dataset": "circle",
        "features": ["x1", "x2", "x1sq"],
        "hidden": [5, 3],
        "activation": "tanh",
        "learning_rate": 0.1,
    },
    "binary-residual": {
        "dataset": "xor",
        "features": ["x1", "x2"],
        "hidden": [3, 3, 3],
        "activation": "relu",
        "residual": True,
        "learning_rate": 0.1,
    },
    "multiclass-residual": {
        "dataset": "spiral_k",
        "classes": 4,
        "features": ["x1", "x2", "sinx1"],
        "hidden": [6, 6],
        "activation": "relu",
        "residual": True,
        "learning_rate": 0.1,
    },
    "line-residual": {
        "dataset": "sine",
        "features": ["x1", "sinx1"],
        "hidden": [5, 5, 5],
        "activation": "tanh",
        "residual": True,
        "learning_rate": 0.1,
    },
}


@pytest.mark.parametrize("name", DRAWN)
def test_output_and_thumbnails_are_the_networks_own_prediction(peer, name):
    hello, _, first = peer.join(DRAWN[name])
    config = hello["config"]
    check_drawing(first, config)
    last, _ = steps(peer, 25)
    node_cols = check_drawing(last, config)
    if config["residual"]:  # the skip changes what is drawn, so leaving it out would be seen
        plain = columns_from(last, node_cols[0], residual=False)
        assert max(np.abs(p - q).max() for p, q in zip(plain[2:], node_cols[2:])) > 0.05


def test_the_output_grid_is_p_of_class_one(peer):
    """Independent of any formula: once trained on two Gaussians (class 1 around (2, 2)),
    the plot is high there and low around (-2, -2)."""
    peer.join({"dataset": "gauss", "hidden": [3], "learning_rate": 0.3})
    last, _ = steps(peer, 200)
    out, res = last["arrays_"]["grid.output"], last["grid"]["res"]
    r_top, c_right = int(res * 4 / 12), int(res * 8 / 12)  # (2, 2): upper right; (-2, -2): lower left
    assert out[r_top, c_right] > 0.9 and out[c_right, r_top] < 0.1


PER_NEURON = {
    "tanh-binary": {"dataset": "circle", "hidden": [5, 4], "activation": "tanh", "learning_rate": 0.3},
    "relu-multiclass": {
        "dataset": "gauss_k",
        "classes": 3,
        "hidden": [6, 5],
        "activation": "relu",
        "learning_rate": 0.1,
        "batch_size": 16,
    },
    "sigmoid-line-residual": {
        "dataset": "sine",
        "features": ["x1"],
        "hidden": [4, 4],
        "activation": "sigmoid",
        "residual": True,
        "learning_rate": 0.3,
    },
}


@pytest.mark.parametrize("name", PER_NEURON)
def test_per_neuron_arrays_and_bands_match_a_reproduced_run(peer, name):
    hello, _, _ = peer.join(PER_NEURON[name])
    last, _ = steps(peer, 7)
    trainer = reference(hello["config"])
    records = [trainer.step() for _ in range(7)]
    arrays = last["arrays_"]
    for i, layer in enumerate(records[-1].layers):
        for key in ("W", "b", "dW", "db", "dW_step", "db_step"):
            close(arrays[f"layer{i}.{key}"], getattr(layer, key))
        close(arrays[f"layer{i}.delta_abs"], np.abs(layer.delta).mean(axis=0))
        close(arrays[f"layer{i}.a_mean"], layer.a.mean(axis=0))
        for band, values in (("W", layer.W), ("dW", layer.dW), ("a", layer.a)):
            close(arrays[f"layer{i}.bands.{band}"], np.percentile(values, PERCENTILES))
        # The weights' bands from the frame's own weights too.
        close(arrays[f"layer{i}.bands.W"], np.percentile(arrays[f"layer{i}.W"], PERCENTILES), tol=1e-4)
    hidden = records[-1].layers[:-1]
    # The checks above tell a from z and the mean from the sum: in this run they differ.
    assert max(np.abs(np.percentile(h.z, PERCENTILES) - np.percentile(h.a, PERCENTILES)).max() for h in hidden) > 0.05
    assert len(records[-1].layers[0].delta) > 1
