"""Per-layer diagnostics and plain-word warnings, on hand-made numbers."""

import numpy as np
import pytest

from engine.diagnostics import (
    DIAGNOSTICS,
    EXPLODING_GROWTH,
    WARNINGS,
    bands,
    first_to_last,
    health,
    warnings,
)
from engine.measures import layer_diagnostics

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


def test_bands():
    assert np.allclose(bands(np.arange(101.0)), [0, 7, 16, 31, 50, 69, 84, 93, 100])


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
    base["loss"] = np.full(steps, 0.5)
    base.update(columns)
    return base


def codes(found):
    return [(w["code"], w["layer"]) for w in found]


def test_a_healthy_window_has_no_warnings():
    assert warnings(window(), ["relu", "relu", "tanh"]) == []


def test_vanishing_warning_and_the_heatmap_headline_give_the_same_number_and_statistic():
    g = np.tile([1.1e-6, 1e-4, 1e-2, 0.1], (20, 1))
    found = warnings(window(grad_norm=g), ["sigmoid"] * 3)
    assert codes(found) == [("vanishing", 1)]
    assert found[0]["message"] == (
        "hidden layer 1 receives 1.1×10⁻⁵ of the output layer's gradient (‖dW‖, median over the last 20 steps): "
        "vanishing gradients"
    )
    assert health(window(grad_norm=g))["text"] == "hidden layer 1 / output = 1.1×10⁻⁵ (median over the last 20 steps)"
    # Early on the window is shorter, and the statistic says so.
    assert "median over the last 3 steps" in warnings(window(steps=3, grad_norm=g[:3]), ["sigmoid"] * 3)[0]["message"]


def test_exploding_warning_when_the_norm_grows_a_thousandfold():
    g = np.tile(np.logspace(-2, 2, 20)[:, None], (1, 4))  # ×10,000 over 20 steps
    found = warnings(window(grad_norm=g), ["tanh"] * 3)
    assert codes(found) == [("exploding", None)] and found[0]["value"] == pytest.approx(1e4)
    assert found[0]["message"] == (
        "the gradient norm of all layers together is 10,000 times its lowest of the last 20 steps: exploding gradients"
    )
    assert found[0]["value"] >= EXPLODING_GROWTH
    steady = np.tile(np.linspace(1, 50, 20)[:, None], (1, 4))
    assert warnings(window(grad_norm=steady), ["tanh"] * 3) == []  # ×50 is not an explosion


def test_dead_and_saturated_warnings_per_layer_and_only_for_their_activations():
    dead = np.zeros((20, 4))
    dead[:, 2] = 0.4
    sat = np.zeros((20, 4))
    sat[:, 0] = 0.75
    found = warnings(window(dead=dead, saturated=sat), ["tanh", "relu", "relu"])
    assert codes(found) == [("dead", 3), ("saturated", 1)]
    assert found[0]["message"] == "40% of the ReLUs in hidden layer 3 are dead (mean over the last 20 steps)"
    assert found[1]["message"].startswith("75% of the tanh units in hidden layer 1 are saturated (mean over the last")
    assert warnings(window(dead=dead), ["tanh", "relu", "leaky_relu"]) == []


def test_large_updates_warning():
    ratio = np.full((20, 4), 1e-3)
    ratio[:, 1] = 0.3
    found = warnings(window(update_ratio=ratio), ["relu"] * 3)
    assert codes(found) == [("large_updates", 2)]
    assert found[0]["message"] == (
        "each step changes the weights of hidden layer 2 by 30% (median over the last 20 steps): "
        "the learning rate is likely too high"
    )


def test_one_line_per_problem_naming_every_layer_it_concerns():
    ratio = np.full((20, 5), 1e-3)
    ratio[:, [0, 1, 2, 4]] = [[0.18, 0.3, 0.25, 1.24]]
    [w] = warnings(window(layers=5, update_ratio=ratio), ["tanh"] * 4)
    assert (w["code"], w["layer"], w["layers"], w["value"]) == ("large_updates", 1, [1, 2, 3, 5], pytest.approx(1.24))
    assert w["message"].startswith(
        "each step changes the weights of hidden layers 1–3 and the output layer by 18% to 124%"
    )


def test_a_steady_climb_of_the_loss_is_diverging_and_a_one_step_spike_is_not():
    climb = np.geomspace(0.3, 300, 20)
    [w] = warnings(window(loss=climb), ["tanh"] * 3)
    assert w["code"] == "diverging" and w["value"] == pytest.approx(np.median(climb[-5:]) / 0.3)
    assert w["message"] == (
        "the batch loss (median over the last 5 steps) is 483 times its lowest of the last 20 steps: "
        "training is diverging"
    )
    spike = np.full(20, 0.03)
    spike[-1] = 1.3  # a deep ReLU network's single bad batch
    assert warnings(window(loss=spike), ["relu"] * 3) == []
    small = np.geomspace(1e-4, 1e-2, 20)  # rising, but nowhere near a useless loss
    assert warnings(window(loss=small), ["relu"] * 3) == []


def test_causes_come_before_their_symptoms():
    assert [w["code"] for w in WARNINGS] == [
        "diverging",
        "large_updates",
        "exploding",
        "dead",
        "saturated",
        "vanishing",
    ]
    g = np.tile([1e-7, 1e-4, 1e-2, 0.1], (20, 1))
    ratio = np.full((20, 4), 1e-3)
    ratio[:, 3] = 1.5
    sat = np.zeros((20, 4))
    sat[:, 0] = 0.7
    found = warnings(window(grad_norm=g, update_ratio=ratio, saturated=sat), ["tanh"] * 3)
    assert [w["code"] for w in found] == ["large_updates", "saturated", "vanishing"]


def test_exploding_gradients_are_never_also_called_vanishing():
    """An output gradient that explodes makes the first layer's share tiny: the explosion is the truth."""
    g = np.tile([1e-9, 1e-6, 1e-3, 1.0], (20, 1)) * np.geomspace(1e-3, 100, 20)[:, None]
    found = warnings(window(grad_norm=g), ["tanh"] * 3)
    assert first_to_last(window(grad_norm=g)) < 1e-3
    assert [w["code"] for w in found] == ["exploding"]
    # A diverging loss likewise: the first layer's small share of it is no vanishing gradient.
    steady = np.tile([1e-7, 1e-4, 1e-2, 0.1], (20, 1))
    climbing = warnings(window(grad_norm=steady, loss=np.geomspace(0.1, 1e3, 20)), ["tanh"] * 3)
    assert [w["code"] for w in climbing] == ["diverging"]


def test_a_first_layer_with_no_gradient_is_claimed_only_when_nothing_says_why():
    g = np.tile([0.0, 1e-3, 1e-2, 0.1], (20, 1))
    assert first_to_last(window(grad_norm=g)) == 0.0
    [w] = warnings(window(grad_norm=g), ["tanh"] * 3)
    assert w["code"] == "vanishing" and "10⁰" not in w["message"]
    assert w["message"].startswith("hidden layer 1 receives no gradient (‖dW‖ = 0 in most of the last 20 steps)")
    sat = np.zeros((20, 4))
    sat[:, 0] = 1.0  # its tanh units are flat: that is why, and it is said
    assert codes(warnings(window(grad_norm=g, saturated=sat), ["tanh"] * 3)) == [("saturated", 1)]
    assert health(window(grad_norm=g))["text"] == "hidden layer 1 / output = 0 (median over the last 20 steps)"
    # Everything 0: no ratio, no claim.
    assert warnings(window(grad_norm=np.zeros((20, 4))), ["tanh"] * 3) == []
    assert health(window(grad_norm=np.zeros((20, 4))))["text"] is None


BAND_CASES = {
    "one element": np.array([0.3]),
    "two elements": np.array([2.0, -1.0]),
    "ties": np.array([1.0, 1.0, 1.0, 2.0, 2.0, 0.5, 0.5, 0.5, 0.5]),
    "all equal": np.full((4, 3), -0.25),
    "a matrix": np.random.default_rng(1).normal(size=(32, 32)),
    "a big batch": np.random.default_rng(2).standard_cauchy(size=(500, 7)),
    "tiny and huge": np.array([1e-300, -1e300, 5e299, 0.0, -0.0, 1e-320]),
    "infinities": np.array([-np.inf, 1.0, 2.0, np.inf]),
    "one infinity": np.array([1.0, 3.0, np.inf]),
    "a NaN": np.array([1.0, np.nan, 3.0]),
}


@pytest.mark.parametrize("name", BAND_CASES)
def test_bands_are_np_percentile_numbers(name):
    x = BAND_CASES[name]
    with np.errstate(invalid="ignore"):
        want = np.percentile(x, [0, 7, 16, 31, 50, 69, 84, 93, 100])
    np.testing.assert_allclose(bands(x), want, rtol=1e-12, atol=0, equal_nan=True)
    assert np.array_equal(np.isnan(bands(x)), np.isnan(want))


def test_bands_of_random_sizes_are_np_percentile_numbers():
    rng = np.random.default_rng(0)
    for n in [*range(1, 40), 97, 256, 1000, 4000]:
        x = rng.normal(size=n) * 10.0 ** rng.integers(-5, 5)
        if n > 3:
            x[rng.integers(0, n, size=n // 3)] = x[0]  # ties
        np.testing.assert_allclose(bands(x), np.percentile(x, [0, 7, 16, 31, 50, 69, 84, 93, 100]), rtol=1e-12, atol=0)


def test_a_network_at_once_gives_every_layer_of_every_step_its_own_numbers():
    """What a frame computes in one go equals each layer and step on its own (layer_diagnostics)."""
    from engine.measures import network_diagnostics

    rng = np.random.default_rng(5)
    activations, widths = ["relu", "sigmoid", "tanh", "relu", "linear"], [6, 3, 4, 2, 1]
    steps = []
    for n in (5, 1, 3, 5):  # a short last batch of an epoch
        step = []
        for act, u in zip(activations, widths):
            y = rng.standard_normal((n, u)) * 4
            y[:, 0] = -abs(y[:, 0]) - 6  # a dead ReLU, a saturated sigmoid or tanh
            a = {"relu": np.maximum(y, 0), "sigmoid": 1 / (1 + np.exp(-y)), "tanh": np.tanh(y), "linear": y}[act]
            stats = {"grad_norm": rng.random(), "update_norm": rng.random(), "weight_norm": rng.random()}
            step.append((y, a, rng.standard_normal((n, u)), stats))
        steps.append(step)
    together = network_diagnostics(activations, steps)
    assert together.shape == (4, len(DIAGNOSTICS), 5)
    assert together[:, DIAGNOSTICS.index("dead"), 0].min() > 0  # the check below is not all zeros
    assert together[:, DIAGNOSTICS.index("saturated"), 1].max() > 0
    for k, step in enumerate(steps):
        for layer, (y, a, delta, stats) in enumerate(step):
            W = np.ones((2, 2))  # unused: the stats give the norms
            alone = layer_diagnostics(activations[layer], y, a, delta, W, W, W, stats)
            np.testing.assert_allclose(together[k, :, layer], alone, rtol=1e-12, atol=1e-15, err_msg=f"{k} {layer}")


def test_a_cnns_layers_are_named_conv_dense_output_in_every_warning_and_the_headline():
    g = np.tile([1.1e-6, 1e-4, 1e-2, 0.1], (20, 1))  # conv 1, conv 2, dense 1, output
    found = warnings(window(grad_norm=g), ["sigmoid"] * 3, convs=2)
    assert found[0]["message"].startswith("conv 1 receives 1.1×10⁻⁵ of the output layer's gradient")
    h = health(window(grad_norm=g), convs=2)
    assert h["text"] == "conv 1 / output = 1.1×10⁻⁵ (median over the last 20 steps)"
    assert h["names"] == ["conv 1", "conv 2", "dense 1", "output"]
    assert "names" not in health(window(grad_norm=g))  # a dense network's rows keep the page's own names
    dead = np.zeros((20, 4))
    dead[:, [1, 2]] = 0.4
    found = warnings(window(dead=dead), ["relu"] * 3, convs=2)
    assert found[0]["message"] == "40% of the ReLUs in conv 2 and dense 1 are dead (mean over the last 20 steps)"
    ratio = np.full((20, 4), 1e-3)
    ratio[:, [0, 1, 3]] = 0.3
    [w] = warnings(window(update_ratio=ratio), ["relu"] * 3, convs=2)
    assert w["message"].startswith("each step changes the weights of conv 1, conv 2 and the output layer by 30%")
