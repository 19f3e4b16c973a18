"""Explain a step: the trace is the real step's numbers, its finite differences agree with
them, its update is the one the step applies, and tracing changes nothing."""

import copy
import itertools

import numpy as np
import pytest

from engine import ACTIVATIONS, OPTIMIZERS, Trainer, finite_difference, make_dataset, trace
from engine.setup import build

DATASET_FOR_LOSS = {"bce": "xor", "softmax_ce": "gauss_k", "mse": "plane"}
NETS = {
    "plain": {},
    "dropout_residual": {"dropout": 0.3, "residual": True},
    "bn_dropout_residual": {"batch_norm": True, "dropout": 0.3, "residual": True},
}


def ids(cases: list[tuple[str, ...]]) -> list[str]:
    return ["-".join(c) for c in cases]


LOSS_NETS = list(itertools.product(DATASET_FOR_LOSS, NETS))
TRACE_CASES = list(itertools.product(ACTIVATIONS, DATASET_FOR_LOSS, NETS))


def trainer(dataset: str = "xor", **settings) -> Trainer:
    """30 training samples in batches of 7: a reshuffle every 4 steps."""
    data = make_dataset(dataset, 60, 0.1, 0.5, seed=3)
    return build({"hidden": [4, 4], "batch_size": 7, "seed": 5, **settings}, data, ["x1", "x2"])


def warm(t: Trainer, steps: int = 3) -> Trainer:
    """A few steps first, so momentum and running averages are not zero."""
    for _ in range(steps):
        t.step()
    return t


def test_peek_batch_is_the_next_steps_batch_across_reshuffles():
    t = trainer()
    for _ in range(10):  # 2.5 epochs
        peeked = t.peek_batch()
        assert np.array_equal(t.peek_batch(), peeked)
        assert np.array_equal(t._next_batch(), peeked)


@pytest.mark.parametrize("activation,loss,net", TRACE_CASES, ids=ids(TRACE_CASES))
def test_batch_trace_is_the_real_steps_forward_and_backward(activation, loss, net):
    t = warm(trainer(DATASET_FOR_LOSS[loss], activation=activation, **NETS[net]))
    for _ in range(2):  # the second step starts an epoch: the reshuffle draws before the masks
        check_trace_against_step(t, NETS[net])


def check_trace_against_step(t: Trainer, net: dict) -> None:
    tr = trace(t)
    batch = t.peek_batch()
    rec = t.step()
    assert np.array_equal(tr.batch, batch) and tr.step == rec.step
    assert tr.loss.value == tr.loss.batch_value == rec.loss and tr.loss.name == t.network.loss.name
    assert np.allclose(tr.loss.target, t.y_train[batch])
    real = t.network.layers
    x = t.x_train[batch]
    for k, (lt, lr) in enumerate(zip(tr.layers, rec.layers)):
        assert lt.activation == lr.activation
        assert np.array_equal(lt.x, x)
        assert np.allclose(lt.z, lt.x @ lt.W + lt.b)
        assert np.allclose(lt.a, ACTIVATIONS[lt.activation].f(lt.y))
        for name in ("z", "y", "a", "delta", "dW", "db"):
            assert np.array_equal(getattr(lt, name), getattr(lr, name)), f"layer {k}: {name}"
        assert (lt.mask is None) == (real[k].mask is None)
        if lt.mask is not None:
            assert np.array_equal(lt.mask, real[k].mask), f"layer {k}: not the step's dropout mask"
        assert (lt.skip is not None) == (net.get("residual", False) and k == 1)
        if lt.z_hat is not None:
            assert np.array_equal(lt.dgamma, real[k].grads["gamma"])
            assert np.allclose(lt.dgamma, np.sum(lt.dy * lt.z_hat, axis=0))
        else:
            assert np.allclose(lt.dy, lt.delta)
        if k < len(tr.layers) - 1:
            skip_grad = 0.0 if lt.skip_grad is None else lt.skip_grad
            assert np.allclose(lt.grad_out, lt.weighted + skip_grad)
        x = lt.out
    assert np.allclose(x, tr.loss.logits)
    assert np.array_equal(tr.loss.delta, tr.layers[-1].delta)
    assert np.allclose(tr.loss.prediction, t.network.loss.link(tr.loss.logits))


@pytest.mark.parametrize("loss,net", LOSS_NETS, ids=ids(LOSS_NETS))
def test_per_sample_gradients_average_to_the_batch_gradient(loss, net):
    t = warm(trainer(DATASET_FOR_LOSS[loss], **NETS[net]))
    batch = trace(t)
    n = len(batch.batch)
    for k, layer in enumerate(batch.layers):
        for name, grad in (("W", layer.dW), ("b", layer.db)):
            samples = batch.update.of(k, name).samples
            assert samples.shape == (n, *grad.shape)
            assert np.allclose(samples.mean(axis=0), grad)
    for s in range(n):
        one = trace(t, sample=s)
        assert one.sample == s and one.loss.batch_value == batch.loss.value
        for k, (lo, lb) in enumerate(zip(one.layers, batch.layers)):
            for name in ("x", "z", "y", "a", "mask", "out"):
                if getattr(lb, name) is not None:
                    assert np.array_equal(getattr(lo, name), getattr(lb, name)[s : s + 1]), name
            if lb.z_hat is None:  # without batch norm ℓ_s sees row s only: g_s = dℓ_s/dW
                assert np.allclose(lo.delta, n * lb.delta[s : s + 1])
                assert np.allclose(lo.dW, batch.update.of(k).samples[s])
    assert np.isclose(np.mean([trace(t, s).loss.value for s in range(n)]), batch.loss.value)


def test_under_batch_norm_a_samples_own_gradient_is_not_its_share():
    """Batch norm couples the samples: dℓ_s/dW sums over every row, g_s over row s only."""
    t = warm(trainer(batch_norm=True))
    batch, one = trace(t), trace(t, sample=2)
    assert not np.allclose(one.layers[0].dW, batch.update.of(0).samples[2])


@pytest.mark.parametrize("activation", ["tanh", "relu", "gelu"])
@pytest.mark.parametrize("loss,net", LOSS_NETS, ids=ids(LOSS_NETS))
def test_finite_difference_agrees_with_the_analytic_gradient(activation, loss, net):
    t = warm(trainer(DATASET_FOR_LOSS[loss], activation=activation, **NETS[net]))
    batch = trace(t)
    rng = np.random.default_rng(0)
    for k, layer in enumerate(batch.layers):
        i, j = (int(rng.integers(0, d)) for d in layer.W.shape)
        for sample in (None, 0, 4):
            fd = finite_difference(t, k, i, j, sample=sample)
            analytic = (batch if sample is None else trace(t, sample)).layers[k].dW[i, j]
            assert fd.analytic == analytic and fd.weight == layer.W[i, j]
            assert fd.relative_error < 1e-6, fd
            assert abs(fd.estimate - analytic) <= 1e-6 * max(abs(analytic), 1e-9), fd


OPTIMIZER_CASES = [{"optimizer": name} for name in OPTIMIZERS] + [
    {"optimizer": "sgd", "momentum": 0.9},
    {"optimizer": "sgd", "momentum": 0.9, "nesterov": True},
    {"optimizer": "lion", "weight_decay": 0.1},
]
EXTRAS = {
    "plain": {},
    "l1": {"regularization": "l1", "reg_rate": 0.01},
    "l2_norm_clip": {"regularization": "l2", "reg_rate": 0.01, "clip": "norm", "clip_threshold": 0.05},
    "value_clip_schedule": {"clip": "value", "clip_threshold": 0.01, "schedule": "step", "schedule_period": 2},
}


@pytest.mark.parametrize("extra", EXTRAS)
@pytest.mark.parametrize("opt", OPTIMIZER_CASES, ids=lambda o: "-".join(map(str, o.values())))
def test_previewed_update_is_the_real_steps(opt, extra):
    t = warm(trainer(batch_norm=True, learning_rate=0.05, **opt, **EXTRAS[extra]), steps=4)
    for _ in range(3):
        up = trace(t).update
        state_before = copy.deepcopy(t.optimizer.state)
        rec = t.step()
        assert up.optimizer == opt["optimizer"] and up.learning_rate == rec.learning_rate
        assert up.clipped == rec.clipped == ("clip" in EXTRAS[extra]) and up.penalty == rec.penalty
        for p in up.params:
            live = t.network.layers[p.layer].params[p.name]
            assert np.array_equal(p.after, live), f"{p.layer}.{p.name}"
            assert np.allclose(p.after, p.value + p.step)
            key = (p.layer, p.name)
            for slot, value in p.state_after.items():
                assert np.array_equal(value, t.optimizer.state[key][slot]), f"{key} {slot}"
            for slot, value in p.state.items():
                assert np.array_equal(value, state_before[key][slot]), f"{key} {slot} before"
            assert np.allclose(p.total, p.grad + (0.0 if p.penalty is None else p.penalty))
        for k, layer in enumerate(rec.layers):
            assert np.array_equal(up.of(k, "W").step, layer.dW_step)
            assert np.array_equal(up.of(k, "b").grad, layer.db)


def test_adams_terms_are_its_bias_corrected_averages():
    t = warm(trainer(optimizer="adam"))
    p = trace(t).update.of(1)
    t_ = p.state_after["t"]
    assert t_ == p.state["t"] + 1 == 4
    assert np.allclose(p.terms["m_hat"], p.state_after["m"] / (1 - 0.9**t_))
    assert np.allclose(p.step, -0.03 * p.terms["m_hat"] / (np.sqrt(p.terms["v_hat"]) + 1e-8))


def state(t: Trainer):
    net = t.network
    return (
        [{k: v.copy() for k, v in layer.params.items()} for layer in net.layers],
        [(getattr(layer, "running_mean", None), getattr(layer, "running_var", None)) for layer in net.layers],
        copy.deepcopy(t.optimizer.state),
        t.rng.bit_generator.state,
        t._order.copy(),
        t._pos,
        t.steps,
    )


def same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, np.ndarray):
        return np.array_equal(a, b)
    return a == b


def test_tracing_changes_nothing():
    settings = {"batch_norm": True, "dropout": 0.3, "residual": True, "optimizer": "adam"}
    settings |= {"regularization": "l2", "reg_rate": 0.01, "clip": "norm", "clip_threshold": 0.1}
    traced, plain = trainer(**settings), trainer(**settings)
    for _ in range(10):  # 2.5 epochs: reshuffles too
        before = state(traced)
        caches = [(layer.z, layer.a, layer.mask, layer.delta) for layer in traced.network.layers]
        trace(traced)
        trace(traced, sample=3)
        finite_difference(traced, 0, 1, 2)
        finite_difference(traced, 1, 0, 3, sample=1)
        assert same(state(traced), before)
        for layer, cached in zip(traced.network.layers, caches):
            assert all(a is b for a, b in zip((layer.z, layer.a, layer.mask, layer.delta), cached))
        assert traced.step().loss == plain.step().loss
    assert same(state(traced), state(plain))


def test_the_trace_is_read_only():
    tr = trace(warm(trainer(momentum=0.9)))
    with pytest.raises(ValueError):
        tr.layers[0].W[0, 0] = 1.0
    with pytest.raises(ValueError):
        tr.update.of(0).state_after["v"][0, 0] = 1.0


@pytest.mark.parametrize(
    "call,field",
    [
        (lambda t: trace(t, sample=7), "sample"),
        (lambda t: trace(t, sample=-1), "sample"),
        (lambda t: finite_difference(t, 3, 0, 0), "layer"),
        (lambda t: finite_difference(t, 0, 2, 0), "i"),
        (lambda t: finite_difference(t, 2, 0, 1), "j"),
        (lambda t: finite_difference(t, 0, 0, 0, h=0.0), "h"),
        (lambda t: finite_difference(t, 0, 0, 0, sample=9), "sample"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(call, field):
    t = warm(trainer(optimizer="sgd", momentum=0.9, dropout=0.2))
    before = state(t)
    with pytest.raises(ValueError, match=f"^{field}: "):
        call(t)
    assert same(state(t), before)
