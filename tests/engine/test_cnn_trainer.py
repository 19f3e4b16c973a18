"""The trainer trains a CNN as it trains a dense network: every optimizer, regularization,
clipping, schedules, frozen layers, the full step record, and the per-layer diagnostics with
a conv layer's channels as its units."""

import numpy as np
import pytest

from engine import OPTIMIZERS, make_dataset, make_optimizer
from engine.cnn import ConvNetwork
from engine.conv import Conv2D
from engine.diagnostics import DIAGNOSTICS
from engine.measures import network_diagnostics
from engine.trainer import Trainer

BLOCKS = [
    {"kind": "conv", "filters": 8, "kernel": 3},
    {"kind": "max_pool"},
    {"kind": "conv", "filters": 16, "kernel": 3},
    {"kind": "max_pool"},
]


@pytest.fixture(scope="module")
def bars():
    return make_dataset("bars", 400, 0.1, 0.5, seed=1)


def cnn_trainer(data, optimizer="adam", lr=0.01, seed=0, blocks=BLOCKS, **kw) -> Trainer:
    rng = np.random.default_rng(seed)
    net = ConvNetwork.create((1, 12, 12), blocks, [], 4, "softmax_ce", rng)
    return Trainer(net, make_optimizer(optimizer, lr), data, [], 32, rng, **kw)


def test_the_trainer_teaches_a_cnn_the_bars_with_its_full_record(bars):
    t = cnn_trainer(bars)
    for _ in range(200):
        rec = t.step()
    assert t.evaluate("test")["accuracy"] >= 0.95
    conv = rec.layers[0]
    assert conv.W.shape == conv.dW.shape == conv.dW_step.shape == (8, 1, 3, 3)
    assert conv.z.shape == conv.a.shape == conv.delta.shape == (32, 8, 12, 12)
    assert [layer.W.shape for layer in rec.layers] == [(8, 1, 3, 3), (16, 8, 3, 3), (144, 4)]
    assert rec.grad_norms[0] == pytest.approx(np.linalg.norm(conv.dW))


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_each_optimizer_moves_the_filters_by_what_the_record_says(bars, optimizer):
    t = cnn_trainer(bars, optimizer, lr=0.001, regularizer="l2", reg_rate=0.01, clip="norm", schedule="cosine")
    before = [layer.params["W"].copy() for layer in t.network.weight_layers]
    rec = t.step()
    for layer, w_before in zip(rec.layers, before):
        assert np.abs(layer.dW_step).max() > 0
        np.testing.assert_allclose(layer.W - w_before, layer.dW_step, atol=1e-15)


def test_l2_reaches_the_filters(bars):
    t = cnn_trainer(bars, "sgd", lr=0.1, regularizer="l2", reg_rate=0.5)
    W = t.network.weight_layers[0].params["W"].copy()
    rec = t.step()
    np.testing.assert_allclose(rec.layers[0].dW_step, -0.1 * (rec.layers[0].dW + 0.5 * W), rtol=1e-12)


def test_a_frozen_conv_layer_keeps_its_filters_while_its_gradient_is_shown(bars):
    t = cnn_trainer(bars)
    t.frozen = {0}
    W = t.network.weight_layers[0].params["W"].copy()
    for _ in range(100):
        rec = t.step()
    assert np.array_equal(t.network.weight_layers[0].params["W"], W)
    assert np.abs(rec.layers[0].dW).max() > 0 and not rec.layers[0].dW_step.any()
    assert not any(key[0] == 0 for key in t.optimizer.state) and any(key[0] == 1 for key in t.optimizer.state)
    assert not np.array_equal(t.network.weight_layers[1].params["W"], rec.layers[1].W - rec.layers[1].dW_step)


def test_a_filter_silent_everywhere_for_the_whole_batch_is_a_dead_unit(bars):
    t = cnn_trainer(bars)
    first = t.network.weight_layers[0]
    assert isinstance(first, Conv2D)
    first.params["b"][[2, 5]] = -100.0  # two ReLU filters whose maps are 0 at every position
    rec = t.step()
    pieces = [[(r.y, r.a, r.delta, r.stats) for r in rec.layers]]
    got = network_diagnostics([r.activation for r in rec.layers], pieces)[0]
    dead = got[DIAGNOSTICS.index("dead")]
    assert dead[0] == pytest.approx(2 / 8)
    by_hand = [(r.a.max(axis=(0, 2, 3)) <= 0).mean() for r in rec.layers[:2]]
    assert dead[:2].tolist() == pytest.approx(by_hand)
    assert got[DIAGNOSTICS.index("act_mean"), 0] == pytest.approx(rec.layers[0].a.mean())
    assert got[DIAGNOSTICS.index("mean_abs_delta"), 1] == pytest.approx(np.abs(rec.layers[1].delta).mean())
