"""The step record through the trainer's fast paths: its norms are the norms of its arrays,
it is built as its constructor would build it, and no later step changes it."""

import dataclasses

import numpy as np
import pytest

from engine import SGD, LayerRecord, Network, StepRecord, Trainer, make_dataset
from engine.losses import LOSSES
from engine.stats import BLAS_THREADED, norm


def trainer(hidden=(8, 8), momentum=0.0, **kw) -> Trainer:
    data = make_dataset("circle", 200, 0.0, 0.5, seed=1)
    rng = np.random.default_rng(0)
    net = Network.create([2, *hidden, 1], "tanh", "bce", "xavier", rng)
    return Trainer(net, SGD(0.1, momentum), data, ["x1", "x2"], 10, rng, **kw)


def arrays(layer: LayerRecord) -> dict[str, np.ndarray]:
    return {f.name: v for f in dataclasses.fields(layer) if isinstance(v := getattr(layer, f.name), np.ndarray)}


@pytest.mark.parametrize("hidden", [(8, 8), (130, 90)], ids=["small layers", "a layer over BLAS's threaded size"])
def test_the_records_norms_are_the_norms_of_its_arrays(hidden):
    t = trainer(hidden, momentum=0.9, regularizer="l2", reg_rate=0.01)
    t.step()
    rec = t.step()
    assert any(layer.W.size > BLAS_THREADED for layer in rec.layers) == (hidden[0] * hidden[1] > BLAS_THREADED)
    for layer in rec.layers:
        for key, array in (("grad_norm", layer.dW), ("update_norm", layer.dW_step), ("weight_norm", layer.W)):
            assert layer.stats[key] == pytest.approx(np.linalg.norm(array), rel=1e-13, abs=0), key
            if array.size <= BLAS_THREADED:  # the same BLAS dot as np.linalg.norm's: the same value
                assert layer.stats[key] == np.linalg.norm(array), key
    assert rec.grad_norms == tuple(layer.stats["grad_norm"] for layer in rec.layers)
    assert t.step(record=False).grad_norms == tuple(norm(layer.grads["W"]) for layer in t.network.layers)


def test_a_big_arrays_norm_does_not_depend_on_blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    controller = threadpoolctl.ThreadpoolController()
    xs = [np.random.default_rng(i).standard_normal((784, 256)) for i in range(5)]
    with controller.limit(limits=1, user_api="blas"):
        one = [norm(x) for x in xs]
    with controller.limit(limits=2, user_api="blas"):
        two = [norm(x) for x in xs]
    assert one == two


def test_no_later_step_changes_a_record():
    t = trainer(momentum=0.9)
    rec = t.step()
    kept = [{k: v.copy() for k, v in arrays(layer).items()} for layer in rec.layers]
    for record in (True, False, True):
        t.step(record=record)
    for layer, before in zip(rec.layers, kept):
        for key, value in arrays(layer).items():
            assert np.array_equal(value, before[key]), key
            assert not value.flags.writeable, key
    live = [p for layer in t.network.layers for p in layer.params.values()]
    assert not any(np.shares_memory(a, p) for layer in rec.layers for a in arrays(layer).values() for p in live)


def test_records_are_what_their_constructors_make():
    t = trainer()
    rec = t.step()
    assert rec == StepRecord(**{f.name: getattr(rec, f.name) for f in dataclasses.fields(rec)})
    assert repr(rec) == repr(StepRecord(**{f.name: getattr(rec, f.name) for f in dataclasses.fields(rec)}))
    assert isinstance(rec.step, int) and isinstance(rec.loss, float) and isinstance(rec.layers, tuple)
    assert [layer.index for layer in rec.layers] == [0, 1, 2] and rec.layers[0].activation == "tanh"
    with pytest.raises(dataclasses.FrozenInstanceError):
        rec.layers[0].stats = {}  # type: ignore[misc]


@pytest.mark.parametrize("name, k", [("bce", 1), ("softmax_ce", 4), ("mse", 1)])
def test_each_losss_gradient_is_its_prediction_minus_the_target_over_n(name, k):
    loss = LOSSES[name]
    rng = np.random.default_rng(2)
    z = rng.standard_normal((16, k)) * 5
    y = np.eye(k)[rng.integers(0, k, 16)] if k > 1 else (rng.random((16, 1)) > 0.5).astype(float)
    z_before = z.copy()
    _, grad = loss.value_and_grad(z, y)
    assert np.array_equal(grad, (loss.link(z) - y) / 16)
    assert np.array_equal(z, z_before)  # the in-place arithmetic stays on its own temporaries


def test_plain_sgds_step_is_exactly_minus_the_rate_times_the_gradient():
    t = trainer(momentum=0.0)
    before = [layer.params["W"].copy() for layer in t.network.layers]
    rec = t.step()
    for layer, w in zip(rec.layers, before):
        assert np.array_equal(layer.dW_step, -0.1 * layer.dW)
        assert np.array_equal(layer.W, w + layer.dW_step)
    t.optimizer.momentum = 0.9  # a live change: from here the velocity, starting at 0
    rec = t.step()
    assert all(np.array_equal(layer.dW_step, -0.1 * layer.dW) for layer in rec.layers)
    rec = t.step()
    assert not any(np.array_equal(layer.dW_step, -0.1 * layer.dW) for layer in rec.layers)
