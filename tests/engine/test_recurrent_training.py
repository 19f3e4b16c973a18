"""Training a recurrent network with the engine's optimizers, regularizers and clipping, unchanged."""

import numpy as np
import pytest

from engine import OPTIMIZERS, make_optimizer
from engine.bptt import RecurrentNetwork
from engine.recurrent_trainer import RecurrentTrainer
from engine.sequences import make_sequences

LEARNING_RATES = {"sgd": 0.1, "adagrad": 0.05}  # others: 0.01


def trainer(cell="rnn", task="wave", optimizer="adam", lr=0.01, seed=0, hidden=6, **kwargs):
    data = make_sequences(task, seed=seed, samples=64, length=8)
    rng = np.random.default_rng(seed)
    net = RecurrentNetwork.create(data.x_train.shape[2], hidden, data.classes, data.loss, rng, cell=cell,
                                  readout=data.readout)  # fmt: skip
    return RecurrentTrainer(net, make_optimizer(optimizer, lr), data, 32, rng, **kwargs)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_trains_every_cell(optimizer, cell):
    t = trainer(cell, optimizer=optimizer, lr=LEARNING_RATES.get(optimizer, 0.01))
    before = t.evaluate("train")["loss"]
    for _ in range(30):
        last = t.step()
    after = t.evaluate("train")["loss"]
    assert after < before, f"{optimizer}/{cell}: loss {before:.4f} -> {after:.4f}"
    assert last.finite and set(last.grad_norms) == {"Wx", "Wh", "W"}
    # the record's update is what changed the weights
    record = t.step()
    for layer, params, update, old in zip(t.network.layers, record.params, record.updates, last.params):
        assert set(update) == set(params) == set(layer.params)
        for k in params:
            np.testing.assert_allclose(params[k], old[k] + update[k], rtol=1e-12, atol=1e-15)
            assert params[k] is not layer.params[k], "the record holds a copy, not the live weights"


def test_l2_penalty_acts_on_every_weight_and_no_bias():
    t = trainer(optimizer="sgd", lr=0.1, regularizer="l2", reg_rate=0.5)
    before = [{k: p.copy() for k, p in layer.params.items()} for layer in t.network.layers]
    record = t.step()
    expected_penalty = 0.5 * sum(0.5 * np.sum(p * p) for layer in before for k, p in layer.items() if k.startswith("W"))
    assert record.penalty == pytest.approx(expected_penalty, rel=1e-12)
    for old, grads, update in zip(before, record.grads, record.updates):
        for k in old:
            extra = 0.5 * old[k] if k.startswith("W") else 0.0
            np.testing.assert_allclose(update[k], -0.1 * (grads[k] + extra), rtol=1e-10, atol=1e-15)


def test_norm_clipping_limits_the_update_and_keeps_the_true_gradient():
    t = trainer(optimizer="sgd", lr=1.0, clip="norm", clip_threshold=1e-3)
    record = t.step()
    assert record.clipped
    total = np.sqrt(sum(np.sum(u * u) for layer in record.updates for u in layer.values()))
    assert total == pytest.approx(1e-3, rel=1e-9)
    grad = np.sqrt(sum(np.sum(g * g) for layer in record.grads for g in layer.values()))
    assert grad > 1e-2, "the record keeps the gradient before clipping"


def test_record_is_frozen_and_carries_the_time_axis():
    t = trainer("lstm", truncate=3)
    record = t.step()
    time = record.time
    assert time is not None and time.window == 3 and time.c is not None
    assert np.all(time.dh_norm[:-3] == 0) and np.all(time.dh_norm[-3:] > 0)
    with pytest.raises(ValueError):
        time.h[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        record.params[0]["Wh"][0, 0] = 1.0
    assert t.step(record=False).time is None


def test_bad_settings_are_refused_by_name():
    with pytest.raises(TypeError, match="clip_treshold"):
        trainer(clip_treshold=1.0)
    with pytest.raises(ValueError, match="truncate"):
        trainer(truncate=0)


def test_switching_optimizer_keeps_the_weights():
    t = trainer("gru")
    t.step()
    weights = [{k: p.copy() for k, p in layer.params.items()} for layer in t.network.layers]
    t.set_optimizer("sgd", momentum=0.5)
    assert t.optimizer.name == "sgd" and t.optimizer.momentum == 0.5 and t.optimizer.learning_rate == 0.01
    for layer, old in zip(t.network.layers, weights):
        for k in old:
            np.testing.assert_array_equal(layer.params[k], old[k])
    assert t.step().finite
