"""Per-layer diagnostics and plain-word warnings, on hand-made numbers."""

import numpy as np
import pytest

from engine.diagnostics import (
    DIAGNOSTICS,
    EXPLODING_GROWTH,
    bands,
    first_to_last,
    layer_diagnostics,
    power_of_ten,
    warnings,
)

ZERO = np.zeros((2, 2))


def diag(activation, y, a, delta=None, W=None, dW=None, step=None):
    delta = np.ones_like(y) if delta is None else delta
    W = np.ones((2, y.shape[1])) if W is None else W
    dW = np.zeros_like(W) if dW is None else dW
    step = np.zeros_like(W) if step is None else step
    return dict(zip(DIAGNOSTICS, layer_diagnostics(activation, y, a, delta, W, dW, step)))


def test_dead_relus_are_units_silent_for_the_whole_batch():
    y = np.array([[-1.0, 2.0, -3.0, -1.0], [-2.0, -1.0, -1.0, 0.5]])
    d = diag("relu", y, np.maximum(y, 0))
    assert d["dead"] == 0.5 and d["saturated"] == 0.0  # units 0 and 2 never fire


def test_saturated_tanh_units_have_almost_no_slope():
    y = np.array([[5.0, 0.1, -6.0], [4.0, -0.2, 0.0]])
    d = diag("tanh", y, np.tanh(y))
    assert d["saturated"] == pytest.approx(1 / 3) and d["dead"] == 0.0  # only unit 0 is flat for every sample


def test_update_ratio_delta_and_activation_statistics():
    y = np.array([[1.0, -1.0], [3.0, 1.0]])
    W, step = np.full((2, 2), 2.0), np.full((2, 2), 0.02)
    d = diag("linear", y, y, delta=np.array([[1.0, -3.0], [0.0, 2.0]]), W=W, dW=np.full((2, 2), 3.0), step=step)
    assert d["update_ratio"] == pytest.approx(0.01) and d["grad_norm"] == pytest.approx(6.0)
    assert d["mean_abs_delta"] == pytest.approx(1.5)
    assert (d["act_mean"], d["act_std"]) == (pytest.approx(1.0), pytest.approx(np.std(y)))


def test_bands_and_powers_of_ten():
    assert np.allclose(bands(np.arange(101.0)), [0, 7, 16, 31, 50, 69, 84, 93, 100])
    assert power_of_ten(1.3e-5) == "10⁻⁵" and power_of_ten(2000) == "10³"
    assert power_of_ten(0.0) == "none"  # a dead first layer receives none, not 10⁰


def test_no_vanishing_claim_without_an_output_gradient():
    """A ratio needs a denominator: an output gradient of 0 (or NaN) says nothing about layer 1."""
    grad = np.full((20, 4), 0.1)
    grad[:, -1] = 0.0
    assert first_to_last(window(grad_norm=grad)) is None
    assert [w["code"] for w in warnings(window(grad_norm=grad), ["tanh"] * 3)] == []
    grad[:, 0], grad[:, -1] = 1e-6, 0.1
    assert first_to_last(window(grad_norm=grad)) == pytest.approx(1e-5)


def window(steps=20, layers=4, **columns):
    base = {
        name: np.zeros((steps, layers))
        for name in ("grad_norm", "mean_abs_delta", "update_ratio", "act_mean", "act_std", "dead", "saturated")
    }
    base["grad_norm"][:] = 0.1
    base["update_ratio"][:] = 1e-3
    base.update(columns)
    return base


def codes(found):
    return [(w["code"], w["layer"]) for w in found]


def test_a_healthy_window_has_no_warnings():
    assert warnings(window(), ["relu", "relu", "tanh"]) == []


def test_vanishing_warning_names_the_ratio():
    g = np.tile([1e-6, 1e-4, 1e-2, 0.1], (20, 1))
    found = warnings(window(grad_norm=g), ["sigmoid"] * 3)
    assert codes(found) == [("vanishing", 1)]
    assert found[0]["message"] == "layer 1 receives 10⁻⁵ of the gradient of layer 4: vanishing gradients"


def test_exploding_warning_when_the_norm_grows_a_thousandfold():
    g = np.tile(np.logspace(-2, 2, 20)[:, None], (1, 4))  # ×10,000 over 20 steps
    found = warnings(window(grad_norm=g), ["tanh"] * 3)
    assert codes(found) == [("exploding", None)] and found[0]["value"] >= EXPLODING_GROWTH
    assert "exploding gradients" in found[0]["message"] and "in 20 steps" in found[0]["message"]
    steady = np.tile(np.linspace(1, 50, 20)[:, None], (1, 4))
    assert warnings(window(grad_norm=steady), ["tanh"] * 3) == []  # ×50 is not an explosion


def test_dead_and_saturated_warnings_per_layer_and_only_for_their_activations():
    dead = np.zeros((20, 4))
    dead[:, 2] = 0.4
    sat = np.zeros((20, 4))
    sat[:, 0] = 0.75
    found = warnings(window(dead=dead, saturated=sat), ["tanh", "relu", "relu"])
    assert codes(found) == [("saturated", 1), ("dead", 3)]
    assert found[1]["message"] == "40% of the ReLUs in layer 3 are dead"
    assert found[0]["message"].startswith("75% of the tanh units in layer 1 are saturated")
    assert warnings(window(dead=dead), ["tanh", "relu", "leaky_relu"]) == []


def test_large_updates_warning():
    ratio = np.full((20, 4), 1e-3)
    ratio[:, 1] = 0.3
    found = warnings(window(update_ratio=ratio), ["relu"] * 3)
    assert codes(found) == [("large_updates", 2)]
    assert "by 30%" in found[0]["message"]
