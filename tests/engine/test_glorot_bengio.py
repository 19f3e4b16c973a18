"""Glorot & Bengio (2010), at initialization: a tanh network with 5 hidden layers of 256
units on real inputs (the 8×8 digits). With the standard initialization U[-1/√n, 1/√n]
the variance of the back-propagated gradient dL/dz shrinks by about two orders of
magnitude from the last hidden layer to the first, while the variance of the weight
gradients stays roughly constant across layers; with Xavier's it stays within 3×."""

import numpy as np
import pytest

from engine import Network, make_dataset, one_hot


def variances(initializer: str, seed: int):
    data = make_dataset("digits", 0, 0.0, 0.8, seed=1)
    rng = np.random.default_rng(seed)
    net = Network.create([64] + [256] * 5 + [10], "tanh", "softmax_ce", initializer, rng)
    idx = rng.choice(len(data.x_train), 256, replace=False)
    net.loss_and_backward(data.x_train[idx], one_hot(data.y_train[idx], 10))
    delta = np.array([layer.delta.var() for layer in net.hidden])
    grad_w = np.array([layer.grads["W"].var() for layer in net.hidden])
    return delta, grad_w


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_standard_initialization_starves_the_first_layers_of_dL_dz(seed):
    delta, grad_w = variances("standard", seed)
    assert np.all(np.diff(delta) > 0)  # smaller at every step towards the input
    assert 50 < delta[-1] / delta[0] < 200  # about two orders of magnitude
    assert grad_w.max() / grad_w.min() < 1.5  # while the weight gradients keep their size


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_xavier_initialization_keeps_dL_dz_within_3x(seed):
    delta, _ = variances("xavier", seed)
    assert delta.max() / delta.min() < 3
