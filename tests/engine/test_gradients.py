"""Central finite-difference checks of every backward pass the engine has."""

import dataclasses
import itertools

import numpy as np
import pytest

from engine import ACTIVATIONS, LOSSES, REGULARIZERS, Network
from engine.layers import Dense


def objective(net: Network, x, y, reg: str, rate: float) -> float:
    loss, _ = net.loss.value_and_grad(net.forward(x, training=True), y)
    penalty = REGULARIZERS[reg].penalty
    return loss + rate * sum(penalty(layer.params["W"]) for layer in net.layers)


def analytic(net: Network, x, y, reg: str, rate: float) -> list[np.ndarray]:
    net.loss_and_backward(x, y)
    out = []
    for layer in net.layers:
        out.append(layer.grads["W"] + rate * REGULARIZERS[reg].grad(layer.params["W"]))
        out.append(layer.grads["b"])
    return out


def numeric(net: Network, x, y, reg: str, rate: float, eps: float = 1e-6) -> list[np.ndarray]:
    out = []
    for layer in net.layers:
        for key in ("W", "b"):
            p = layer.params[key]
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                old = p[i]
                p[i] = old + eps
                up = objective(net, x, y, reg, rate)
                p[i] = old - eps
                down = objective(net, x, y, reg, rate)
                p[i] = old
                g[i] = (up - down) / (2 * eps)
            out.append(g)
    return out


def relative_error(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    a_flat, b_flat = np.concatenate([v.ravel() for v in a]), np.concatenate([v.ravel() for v in b])
    return float(np.linalg.norm(a_flat - b_flat) / (np.linalg.norm(a_flat) + np.linalg.norm(b_flat)))


OUTPUTS = {"bce": 1, "mse": 1, "softmax_ce": 3}


def batch(loss: str, rng: np.random.Generator):
    x = rng.normal(0, 1.0, (7, 3))
    if loss == "bce":
        return x, (rng.random((7, 1)) > 0.5).astype(float)
    if loss == "softmax_ce":
        return x, np.eye(3)[rng.integers(0, 3, 7)]
    return x, rng.normal(0, 1, (7, 1))


@pytest.mark.parametrize("activation,loss,reg", list(itertools.product(ACTIVATIONS, LOSSES, REGULARIZERS)))
def test_gradient_matches_finite_differences(activation, loss, reg):
    rng = np.random.default_rng(42)
    net = Network.create([3, 5, 4, OUTPUTS[loss]], activation, loss, "xavier", rng)
    for layer in net.layers:  # non-zero biases so ReLU kinks are not all at the origin
        layer.params["b"][:] = rng.normal(0, 0.5, layer.params["b"].shape)
    x, y = batch(loss, rng)
    rate = 0.0 if reg == "none" else 0.05
    err = relative_error(analytic(net, x, y, reg, rate), numeric(net, x, y, reg, rate))
    assert err < 1e-6, f"{activation}/{loss}/{reg}: relative error {err:.2e}"


def test_gradient_check_catches_a_wrong_derivative():
    """The check above must be able to fail: a wrong tanh derivative is caught."""
    rng = np.random.default_rng(0)
    net = Network.create([3, 5, 1], "tanh", "mse", "xavier", rng)
    wrong = dataclasses.replace(ACTIVATIONS["tanh"], df=lambda z, a: 1.0 - a)
    net.layers[0].activation = wrong
    x, y = batch("mse", rng)
    assert relative_error(analytic(net, x, y, "none", 0), numeric(net, x, y, "none", 0)) > 1e-3


def test_dense_backward_returns_input_gradient():
    rng = np.random.default_rng(1)
    layer = Dense(rng.normal(size=(3, 2)), rng.normal(size=2), "sigmoid")
    x = rng.normal(size=(4, 3))
    da = rng.normal(size=(4, 2))
    layer.forward(x)
    dx = layer.backward(da)
    eps, num = 1e-6, np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += eps
        xm[i] -= eps
        num[i] = np.sum((layer.forward(xp, False) - layer.forward(xm, False)) * da) / (2 * eps)
    assert np.allclose(dx, num, rtol=1e-6, atol=1e-9)


def test_bce_is_stable_for_huge_logits():
    z = np.array([[800.0], [-800.0], [0.0]])
    y = np.array([[0.0], [1.0], [1.0]])
    loss, grad = LOSSES["bce"].value_and_grad(z, y)
    assert loss == pytest.approx((800 + 800 + np.log(2)) / 3)
    assert np.allclose(grad, np.array([[1.0], [-1.0], [-0.5]]) / 3)


def test_the_squared_error_is_named_as_computed():
    """The engine's mse is ½·mean (so dL/dz = (z - y) / n); its name must say "half"."""
    from engine.losses import LOSSES

    z, y = np.array([[3.0], [1.0]]), np.array([[1.0], [1.0]])
    value, _ = LOSSES["mse"].value_and_grad(z, y)
    assert value == 0.5 * np.mean((z - y) ** 2)
    assert LOSSES["mse"].label.lower().startswith("half")
