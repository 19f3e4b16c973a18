"""Finite-difference checks of batch normalization, dropout (with a fixed mask) and
residual connections, and what each does to a deep network."""

import numpy as np
import pytest

from engine import Network


def all_params(net):
    return [(layer, key) for layer in net.layers for key in layer.params]


def objective(net, x, y):
    return net.loss.value_and_grad(net.forward(x, training=True), y)[0]


def check(net, x, y, eps=1e-6):
    net.loss_and_backward(x, y)
    analytic = np.concatenate([layer.grads[key].ravel() for layer, key in all_params(net)])
    numeric = []
    for layer, key in all_params(net):
        p = layer.params[key]
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + eps
            up = objective(net, x, y)
            p[i] = old - eps
            down = objective(net, x, y)
            p[i] = old
            numeric.append((up - down) / (2 * eps))
    numeric = np.array(numeric)
    return np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))


def data(rng, n=8, d=3, k=3):
    return rng.normal(size=(n, d)), np.eye(k)[rng.integers(0, k, n)]


@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
def test_batch_norm_gradient(activation):
    rng = np.random.default_rng(0)
    net = Network.create([3, 5, 5, 3], activation, "softmax_ce", "xavier", rng, batch_norm=True)
    for layer in net.hidden:  # away from the defaults so gamma and beta matter
        layer.params["gamma"][:] = rng.uniform(0.5, 1.5, layer.params["gamma"].shape)
        layer.params["beta"][:] = rng.normal(0, 0.3, layer.params["beta"].shape)
    x, y = data(rng)
    assert {"gamma", "beta"} <= set(net.layers[0].params)
    assert check(net, x, y) < 1e-6


def test_dropout_gradient_with_a_fixed_mask():
    rng = np.random.default_rng(1)
    net = Network.create([3, 6, 6, 3], "tanh", "softmax_ce", "xavier", rng, dropout=0.5)
    x, y = data(rng)
    for layer in net.hidden:
        layer.fixed_mask = (rng.random((8, 6)) >= 0.5) / 0.5
    assert check(net, x, y) < 1e-6
    dropped = net.hidden[0].fixed_mask == 0
    net.loss_and_backward(x, y)
    assert np.all(net.hidden[0].delta[dropped] == 0)  # a dropped unit passes no gradient back


def test_dropout_is_inverted_and_off_at_test_time():
    rng = np.random.default_rng(2)
    net = Network.create([2, 400, 1], "linear", "mse", "xavier", rng, dropout=0.3)
    x = rng.normal(size=(50, 2))
    kept = net.hidden[0].forward(x, training=True)
    full = net.hidden[0].forward(x, training=False)
    zeros = np.mean(kept == 0)
    assert 0.25 < zeros < 0.35
    assert np.allclose(kept[kept != 0], full[kept != 0] / 0.7)  # kept units scaled by 1/(1-p)


def test_residual_gradient_and_skip_only_between_equal_widths():
    rng = np.random.default_rng(3)
    net = Network.create([3, 5, 5, 5, 4, 3], "tanh", "softmax_ce", "xavier", rng, residual=True)
    x, y = data(rng)
    net.forward(x)
    assert net._skipped == [False, True, True, False, False]
    assert check(net, x, y) < 1e-6


def test_the_residual_rule_as_docs_protocol_md_states_it():
    """Never the first hidden layer, even as wide as the features; docs/protocol.md's example."""
    rng = np.random.default_rng(0)
    net = Network.create([8, 8, 8, 4, 4, 1], "tanh", "mse", "xavier", rng, residual=True)
    net.forward(rng.normal(size=(3, 8)))
    assert net.skipped == [False, True, False, True, False]  # [8, 8, 4, 4]: hidden layers 2 and 4


def first_to_last(net, x, y):
    net.loss_and_backward(x, y)
    norms = [np.linalg.norm(layer.grads["W"]) for layer in net.layers]
    return norms[0] / norms[-2]


def test_residual_connections_and_batch_norm_carry_the_gradient_down_a_deep_sigmoid_net():
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(64, 4)), np.eye(2)[rng.integers(0, 2, 64)]
    sizes = [4] + [16] * 10 + [2]
    plain = first_to_last(Network.create(sizes, "sigmoid", "softmax_ce", "xavier", np.random.default_rng(0)), x, y)
    resid = first_to_last(
        Network.create(sizes, "sigmoid", "softmax_ce", "xavier", np.random.default_rng(0), residual=True), x, y
    )
    normed = first_to_last(
        Network.create(sizes, "sigmoid", "softmax_ce", "xavier", np.random.default_rng(0), batch_norm=True), x, y
    )
    assert plain < 1e-3
    assert resid > 100 * plain and normed > 100 * plain, (plain, resid, normed)


def test_batch_norm_uses_running_statistics_at_test_time():
    rng = np.random.default_rng(5)
    net = Network.create([2, 4, 1], "relu", "mse", "xavier", rng, batch_norm=True)
    x = rng.normal(3.0, 2.0, size=(256, 2))
    for _ in range(100):
        net.forward(x, training=True)
    layer = net.hidden[0]
    z = x @ layer.params["W"] + layer.params["b"]
    assert np.allclose(layer.running_mean, z.mean(axis=0), rtol=1e-3, atol=1e-3)
    assert np.allclose(layer.running_var, z.var(axis=0), rtol=1e-3)
    one = net.forward(x[:1], training=False)  # a batch of one is fine at test time
    assert np.all(np.isfinite(one))


def test_per_layer_activations():
    net = Network.create([2, 3, 3, 1], ["relu", "tanh"], "bce", "he", np.random.default_rng(0))
    assert [layer.activation.name for layer in net.layers] == ["relu", "tanh", "linear"]
    net.set_activation("elu", index=1)
    assert [layer.activation.name for layer in net.hidden] == ["relu", "elu"]
    with pytest.raises(ValueError):
        Network.create([2, 3, 3, 1], ["relu"], "bce", "he", np.random.default_rng(0))


def test_early_stopping_waits_for_patience_steps_without_improvement():
    from engine.stopping import EarlyStopping

    stop = EarlyStopping(patience=3)
    losses = [1.0, 0.8, 0.9, 0.85, 0.81, 0.79, 0.8, 0.8, 0.8]
    decisions = [stop.should_stop(step, loss) for step, loss in enumerate(losses, 1)]
    assert decisions == [False, False, False, False, True, False, False, False, True]
    assert (stop.best, stop.best_step) == (0.79, 6)
