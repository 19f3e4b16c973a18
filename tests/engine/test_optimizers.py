"""Each optimizer against its published update rule on hand-computed numbers; schedules;
clipping; switching optimizer mid-run."""

import math

import numpy as np
import pytest

from engine import OPTIMIZERS, SCHEDULES, SGD, Network, Trainer, learning_rate, make_dataset, make_optimizer


def steps(opt, grads, w0=1.0, is_weight=True):
    w = np.array([w0])
    return [float(opt.update("w", w, np.array([g]), is_weight)[0]) for g in grads], float(w[0])


def test_adagrad_by_hand():
    # G = 4 -> -0.1 * 2 / 2; G = 8 -> -0.1 * 2 / sqrt(8)
    out, _ = steps(make_optimizer("adagrad", 0.1), [2.0, 2.0])
    assert out == pytest.approx([-0.1, -0.0707106781], rel=1e-7)


def test_rmsprop_by_hand():
    # E = 0.1 * 4 = 0.4 -> -0.01 * 2 / sqrt(0.4); E = 0.9 * 0.4 + 0.1 * 1 = 0.46 -> -0.01 / sqrt(0.46)
    out, _ = steps(make_optimizer("rmsprop", 0.01, rho=0.9), [2.0, 1.0])
    assert out == pytest.approx([-0.0316227766, -0.0147441956], rel=1e-7)


def test_adam_with_bias_correction_by_hand():
    # t=1: m = 0.2, v = 0.004, m^ = 2, v^ = 4 -> -0.001 * 2 / 2
    # t=2: m = 0.08, v = 0.004996, m^ = 0.08 / 0.19, v^ = 0.004996 / 0.001999
    out, _ = steps(make_optimizer("adam", 0.001, beta1=0.9, beta2=0.999), [2.0, -1.0])
    assert out == pytest.approx([-0.001, -0.001 * (0.08 / 0.19) / math.sqrt(0.004996 / 0.001999)], rel=1e-6)
    assert out[1] == pytest.approx(-0.000266338, rel=1e-5)


def test_adamw_decays_weights_not_biases():
    opt = make_optimizer("adamw", 0.1, weight_decay=0.1)
    out, w = steps(opt, [2.0])  # adam step -0.1, decay -0.1 * 0.1 * 1
    assert out == pytest.approx([-0.11]) and w == pytest.approx(0.89)
    bias, _ = steps(make_optimizer("adamw", 0.1, weight_decay=0.1), [2.0], is_weight=False)
    assert bias == pytest.approx([-0.1])


def test_lion_by_hand():
    """Chen et al. 2023: c = b1 m + (1-b1) g, step = -lr sign(c), then m <- b2 m + (1-b2) g.
    t=1: c = 0.2 -> -0.1; m = 0.02. t=2: g = -0.17, c = 0.018 - 0.017 = 0.001 > 0 -> -0.1 (the
    momentum outweighs the new gradient); m = 0.0198 - 0.0017 = 0.0181. t=3: c = 0.01629 - 0.1 < 0 -> +0.1.
    (With m updated before c, t=2 would give c < 0; with b1 and b2 swapped, t=3 would give c > 0.)"""
    opt = make_optimizer("lion", 0.1)
    assert (opt.beta1, opt.beta2, opt.weight_decay) == (0.9, 0.99, 0.0)  # the paper's defaults
    out, w = steps(opt, [2.0, -0.17, -1.0])
    assert out == pytest.approx([-0.1, -0.1, 0.1]) and w == pytest.approx(0.9)
    assert opt.state["w"]["m"][0] == pytest.approx(0.99 * 0.0181 - 0.01)


def test_lion_decays_weights_not_biases():
    out, w = steps(make_optimizer("lion", 0.1, weight_decay=0.5), [2.0])  # -0.1 sign, -0.1 * 0.5 * 1 decay
    assert out == pytest.approx([-0.15]) and w == pytest.approx(0.85)
    bias, _ = steps(make_optimizer("lion", 0.1, weight_decay=0.5), [2.0], is_weight=False)
    assert bias == pytest.approx([-0.1])


@pytest.mark.parametrize("dataset", ["xor", "circle"])
def test_lion_trains_to_low_loss(dataset):
    data = make_dataset(dataset, 500, 0.0, 0.5, seed=1)
    rng = np.random.default_rng(0)
    net = Network.create([2, 8, 1], "tanh", "bce", "xavier", rng)
    t = Trainer(net, make_optimizer("lion", 0.003), data, ["x1", "x2"], 10, rng)  # Lion wants a small rate
    for _ in range(3000):
        t.step(record=False)
    assert t.evaluate("train")["loss"] < 0.05 and t.evaluate("test")["accuracy"] > 0.95


def test_every_registered_optimizer_descends_a_quadratic():
    for name in OPTIMIZERS:
        opt = make_optimizer(name, 0.2)
        w = np.array([3.0, -2.0])
        for _ in range(300):
            opt.update("w", w, 2 * w)  # gradient of |w|²
        assert np.linalg.norm(w) < 0.5, name


@pytest.mark.parametrize(
    "name,step,expected",
    [
        ("constant", 500, 1.0),
        ("step", 9, 1.0),
        ("step", 10, 0.5),
        ("step", 25, 0.25),
        ("exponential", 5, 0.5**0.5),
        ("exponential", 20, 0.25),
        ("cosine", 0, 1.0),
        ("cosine", 50, 0.55),
        ("cosine", 100, 0.1),
        ("cosine", 900, 0.1),
        ("cyclical", 0, 0.1),
        ("cyclical", 5, 0.55),
        ("cyclical", 10, 1.0),
        ("cyclical", 15, 0.55),
        ("cyclical", 20, 0.1),
    ],
)
def test_schedules_by_hand(name, step, expected):
    period = 100 if name == "cosine" else 10
    assert learning_rate(
        name, 1.0, step, schedule_period=period, schedule_gamma=0.5, schedule_floor=0.1
    ) == pytest.approx(expected)
    assert name in SCHEDULES


def trainer(**kw) -> Trainer:
    data = make_dataset("circle", 200, 0.0, 0.5, seed=1)
    rng = np.random.default_rng(0)
    net = Network.create([2, 6, 1], "tanh", "bce", "large_normal", rng)
    return Trainer(net, SGD(0.5), data, ["x1", "x2"], 10, rng, **kw)


def test_the_record_carries_the_scheduled_rate():
    t = trainer(schedule="step", schedule_period=3, schedule_gamma=0.1)
    assert [round(t.step().learning_rate, 6) for _ in range(7)] == [0.5, 0.5, 0.5, 0.05, 0.05, 0.05, 0.005]


def test_clipping_by_global_norm_bounds_the_update_and_counts():
    t = trainer(clip="norm", clip_threshold=0.01)
    rec = t.step()
    total = math.sqrt(sum(np.sum(layer.dW_step**2) + np.sum(layer.db_step**2) for layer in rec.layers))
    assert rec.clipped and total == pytest.approx(0.5 * 0.01)
    raw = math.sqrt(sum(np.sum(layer.dW**2) + np.sum(layer.db**2) for layer in rec.layers))
    assert raw > 0.01  # the record keeps the true gradient
    t.step()
    assert t.clipped_steps == 2


def test_clipping_by_value_and_no_clip_when_small():
    t = trainer(clip="value", clip_threshold=0.001)
    rec = t.step()
    assert rec.clipped and max(np.abs(layer.dW_step).max() for layer in rec.layers) <= 0.5 * 0.001 + 1e-15
    loose = trainer(clip="norm", clip_threshold=1e9)
    assert not loose.step().clipped and loose.clipped_steps == 0


def test_switching_optimizer_keeps_weights_and_restarts_state():
    t = trainer()
    t.optimizer = SGD(0.1, momentum=0.9)
    for _ in range(3):
        t.step()
    weights = [layer.params["W"].copy() for layer in t.network.layers]
    t.set_optimizer("adam", beta1=0.9, beta2=0.999)
    assert t.optimizer.name == "adam" and t.optimizer.state == {}
    assert all(np.array_equal(w, layer.params["W"]) for w, layer in zip(weights, t.network.layers))
    t.step()
    assert all(s["t"] == 1 for s in t.optimizer.state.values())


def test_adamw_decay_is_the_gradient_of_half_wd_squared_norm():
    """The decoupled decay term, checked against central differences of ½·wd·‖W‖²."""
    rng = np.random.default_rng(0)
    W = rng.normal(size=(3, 4))
    wd, lr, eps = 0.05, 0.1, 1e-6
    opt = make_optimizer("adamw", lr, weight_decay=wd)
    zero_grad = np.zeros_like(W)  # Adam's own step is zero for a zero gradient
    step = opt.update("W", W.copy(), zero_grad)
    numeric = np.zeros_like(W)
    for i in np.ndindex(W.shape):
        up, down = W.copy(), W.copy()
        up[i] += eps
        down[i] -= eps
        numeric[i] = (0.5 * wd * np.sum(up**2) - 0.5 * wd * np.sum(down**2)) / (2 * eps)
    np.testing.assert_allclose(step, -lr * numeric, rtol=1e-6)
