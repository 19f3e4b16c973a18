"""Explain a step of a CNN (engine/explain_conv.py): the chosen sample's gradient of a filter
weight is the sum over positions of patch × δ, the samples' gradients average to the dW the
real step uses, the finite difference of the batch loss agrees, the previewed update is the
weight after the step, for every stride and padding; and tracing changes nothing."""

import copy

import numpy as np
import pytest

from engine import make_dataset, make_optimizer
from engine.cnn import ConvNetwork
from engine.explain_conv import conv_block, finite_difference, terms, trace, z_terms
from engine.trainer import Trainer


@pytest.fixture(scope="module")
def bars():
    return make_dataset("bars", 200, 0.1, 0.5, seed=1)


def trainer(data, stride, same, optimizer="adam", activation="tanh", **kw):
    blocks = [
        {"kind": "conv", "filters": 3, "kernel": 3, "stride": stride, "same": same},
        {"kind": "max_pool"},
        {"kind": "conv", "filters": 2, "kernel": 2, "stride": stride, "same": same},
    ]
    rng = np.random.default_rng(3)
    net = ConvNetwork.create((1, 12, 12), blocks, [5], 4, "softmax_ce", rng, activation=activation)
    t = Trainer(net, make_optimizer(optimizer, 0.01), data, [], 8, rng, **kw)
    for _ in range(3):
        t.step()
    return t


CASES = [(s, same) for s in (1, 2) for same in (False, True)]
WEIGHTS = [(0, 2, 0, 1, 2), (0, 0, 0, 0, 0), (1, 1, 2, 1, 0)]


@pytest.mark.parametrize(("stride", "same"), CASES)
def test_the_sum_over_positions_is_the_sample_gradient_and_their_mean_is_the_steps_dw(bars, stride, same):
    t = trainer(bars, stride, same)
    tr = trace(t, sample=3)
    real = copy.deepcopy(t).step()  # the step the trace previews
    for layer, f, c, i, j in WEIGHTS:
        p = tr.update.of(layer, "W")
        sample_sum = terms(tr, layer, f, c, i, j)
        assert sample_sum.total == pytest.approx(p.samples[3, f, c, i, j], rel=1e-9, abs=1e-15)
        assert len(sample_sum.products) == np.prod(conv_block(tr, layer).delta.shape[1:])
        assert p.samples[:, f, c, i, j].mean() == pytest.approx(real.layers[layer].dW[f, c, i, j], rel=1e-9, abs=1e-15)
        np.testing.assert_array_equal(p.grad, real.layers[layer].dW)
        np.testing.assert_allclose(p.after, real.layers[layer].W, rtol=0, atol=0)
        fd = finite_difference(t, layer, f, c, i, j)
        assert fd.analytic == p.grad[f, c, i, j]
        assert fd.relative_error < 1e-6, (layer, f, c, i, j, fd)


@pytest.mark.parametrize(("stride", "same"), CASES)
def test_the_terms_are_the_padded_input_times_delta_position_by_position(bars, stride, same):
    t = trainer(bars, stride, same)
    tr = trace(t, sample=1)
    bt = conv_block(tr, 0)
    k, (top, left) = 3, bt.pad
    s = terms(tr, 0, 1, 0, 2, 1)
    assert np.all(np.abs(s.products[:-1]) >= np.abs(s.products[1:]))  # the largest first
    H, W = bt.x.shape[1:]
    padded = 0
    for (p, q), x, d in zip(s.where, s.a, s.b):
        r, c = stride * p + 2 - top, stride * q + 1 - left  # the tap's pixel in the unpadded input
        inside = 0 <= r < H and 0 <= c < W
        padded += not inside
        assert x == (bt.x[0, r, c] if inside else 0.0) and d == bt.delta[1, p, q]
    assert s.padded == padded and (padded > 0) == (same and k > 1)
    # z at one position is the filter times the patch under it, plus the bias
    z = z_terms(tr, 0, 1, 1, 2)
    assert z.total + bt.b[1] == pytest.approx(bt.z[1, 1, 2], rel=1e-12)


def test_the_delta_maps_are_the_chosen_samples_own_and_tracing_changes_nothing(bars):
    t = trainer(bars, 1, True)
    state = copy.deepcopy(
        (t.network.weight_layers[0].params["W"], t.optimizer.state, t.steps, t.rng.bit_generator.state)
    )
    tr = trace(t, sample=2)
    assert t.steps == state[2] and t.rng.bit_generator.state == state[3]
    np.testing.assert_array_equal(t.network.weight_layers[0].params["W"], state[0])
    # the sample alone through a copy: its own δ maps
    net = copy.deepcopy(t.network)
    k = tr.index
    net.loss_and_backward(t.x_train[k : k + 1], t.y_train[k : k + 1])
    np.testing.assert_allclose(tr.blocks[0].delta, net.layers[0].delta[0], rtol=1e-12)
    np.testing.assert_allclose(tr.blocks[2].delta, net.layers[2].delta[0], rtol=1e-12)
    assert [b.kind for b in tr.blocks] == ["conv", "max_pool", "conv"]
    assert tr.loss == pytest.approx(net.loss.value_and_grad(net.forward(t.x_train[k : k + 1]), t.y_train[k : k + 1])[0])


def test_bad_choices_name_their_field(bars):
    t = trainer(bars, 1, False)
    with pytest.raises(ValueError, match="sample"):
        trace(t, sample=8)
    with pytest.raises(ValueError, match="layer"):
        finite_difference(t, 2, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="i: 3"):
        finite_difference(t, 0, 0, 0, 3, 0)
