"""A convolutional network in the engine: its whole gradient against finite differences, the
bars learned (the filters a student should see emerge), and impossible blocks refused by name."""

import numpy as np
import pytest

from engine import make_dataset, make_optimizer
from engine.cnn import ConvNetwork
from engine.datasets import one_hot
from engine.metrics import accuracy, predicted_labels

BLOCKS = [
    {"kind": "conv", "filters": 8, "kernel": 3},
    {"kind": "max_pool"},
    {"kind": "conv", "filters": 16, "kernel": 3},
    {"kind": "max_pool"},
]


def test_the_whole_networks_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    blocks = [
        {"kind": "conv", "filters": 2, "kernel": 3},
        {"kind": "avg_pool"},
        {"kind": "conv", "filters": 3, "kernel": 2, "stride": 2, "same": False},
    ]
    net = ConvNetwork.create((2, 6, 6), blocks, [4], 3, "softmax_ce", rng, activation="tanh", initializer="xavier")
    x, y = rng.normal(size=(3, 72)), one_hot(np.array([0.0, 2.0, 1.0]), 3)
    net.loss_and_backward(x, y)
    for i, layer in enumerate(net.layers):
        for k, p in layer.params.items():
            estimate = np.zeros_like(p)
            for idx in np.ndindex(p.shape):
                old = p[idx]
                p[idx] = old + 1e-6
                up = net.loss.value_and_grad(net.forward(x, False), y)[0]
                p[idx] = old - 1e-6
                down = net.loss.value_and_grad(net.forward(x, False), y)[0]
                p[idx] = old
                estimate[idx] = (up - down) / 2e-6
            err = np.abs(layer.grads[k] - estimate).max() / np.abs(estimate).max()
            assert err < 1e-6, f"layer {i} ({type(layer).__name__}) d{k}: relative error {err:.1e}"


def test_a_small_cnn_learns_the_bars():
    """conv 8@3×3, pool, conv 16@3×3, pool, dense 4; Adam 0.01, batches of 32. (A 144-16-4 network
    reaches 64% after 1,000 steps: tests/engine/test_datasets.py.)"""
    data = make_dataset("bars", 1000, 0.1, 0.5, seed=1)
    rng = np.random.default_rng(0)
    net = ConvNetwork.create((1, 12, 12), BLOCKS, [], 4, "softmax_ce", rng)
    opt, Y = make_optimizer("adam", 0.01), one_hot(data.y_train, 4)
    for _ in range(200):
        idx = rng.integers(0, len(Y), 32)
        net.step(opt, data.x_train[idx], Y[idx])
    acc = accuracy(predicted_labels(net.forward(data.x_test, False)), data.y_test)
    assert acc >= 0.95, f"bars, CNN after 200 steps: test accuracy {acc:.2f}"


def test_a_block_that_leaves_nothing_is_refused_by_name():
    with pytest.raises(
        ValueError, match=r"block 3 \(convolution\): a 5×5 kernel does not fit its 4×4 input without padding"
    ):
        ConvNetwork.create((1, 8, 8), [*BLOCKS[:2], {"kind": "conv", "filters": 2, "kernel": 5, "same": False}], [], 4, "mse",
                           np.random.default_rng(0))  # fmt: skip
    with pytest.raises(
        ValueError, match=r"block 5 \(max pool 2×2\): 2×2 pooling needs an input of at least 2×2, and this one is 1×1"
    ):
        ConvNetwork.create((1, 6, 6), [*BLOCKS, {"kind": "max_pool"}], [], 4, "mse", np.random.default_rng(0))
