"""Every live setting (hello.schema entries with `live: true`) changed while a session
trains, checked for its effect, not its echo. One table row per live field; a field the
schema marks live without a row fails `test_every_live_setting_has_a_row`.

The common check: a session takes N1 steps, gets the change, takes N2 more. Its weights
must equal those of an engine trainer that does the same (engine.setup, same config and
seed) and differ, by far more than float32 rounding, from a control that never changed.
Where the setting has a property that can be read off the frames alone (the update
plain SGD applies, a clipped update's size, the zeros dropout leaves with a batch of one)
the row checks that too, against numbers computed here."""

import math
import time

import numpy as np
import pytest

from engine import setup

from .conftest import is_frame, reference, steps
from .test_frame_values import check_drawing, close

N1, N2 = 4, 4
BASE = {
    "dataset": "xor",
    "features": ["x1", "x2", "x1x2"],
    "hidden": [4, 4],
    "activation": "tanh",
    "learning_rate": 0.1,
    "batch_size": 10,
}


def layers(frame):
    return range(len(frame["columns"]) - 1)


def arr(frame, name):
    return frame["arrays_"][name].astype(np.float64)


# -- properties read off the frames after the change ------------------------------------


def plain_sgd_update(lr_at):
    """ΔW = -lr dW and Δb = -lr db at every step, lr_at(step, config) being the rate in effect."""

    def check(before, after, config):
        for f in after:
            lr = lr_at(f["step"], config)
            assert arr(f, "history.learning_rate")[-1] == pytest.approx(lr, rel=1e-6)
            for i in layers(f):
                close(arr(f, f"layer{i}.dW_step"), -lr * arr(f, f"layer{i}.dW"))
                close(arr(f, f"layer{i}.db_step"), -lr * arr(f, f"layer{i}.db"))

    return check


def constant(step, c):
    return c["learning_rate"]


def schedule(step, c):
    t, p, g, floor = step - 1, c["schedule_period"], c["schedule_gamma"], c["schedule_floor"]
    factor = {
        "constant": 1.0,
        "step": g ** (t // p),
        "exponential": g ** (t / p),
        "cosine": floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(t, p) / p)),
    }[c["schedule"]]
    return c["learning_rate"] * factor


def momentum(before, after, c):
    """Classical momentum: ΔW_t = μ ΔW_{t-1} - lr dW_t, the velocity carried across the change."""
    for prev, f in zip([before, *after], after):
        for i in layers(f):
            want = c["momentum"] * arr(prev, f"layer{i}.dW_step") - c["learning_rate"] * arr(f, f"layer{i}.dW")
            close(arr(f, f"layer{i}.dW_step"), want)


def nesterov(before, after, c):
    """First step with Nesterov: v = μ v_old - lr g, ΔW = (1 + μ) v - μ v_old, v_old = the last ΔW."""
    mu, f = c["momentum"], after[0]
    for i in layers(f):
        v_old = arr(before, f"layer{i}.dW_step")
        v = mu * v_old - c["learning_rate"] * arr(f, f"layer{i}.dW")
        close(arr(f, f"layer{i}.dW_step"), (1 + mu) * v - mu * v_old)


def adam_restarted(before, after, c):
    """Adam's first step (its state starts over on a switch): m^ = g, v^ = g², so ΔW = -lr g / (|g| + ε)."""
    f = after[0]
    for i in layers(f):
        g = arr(f, f"layer{i}.dW")
        close(arr(f, f"layer{i}.dW_step"), -c["learning_rate"] * g / (np.abs(g) + 1e-8), tol=1e-4)


def clipped_by_norm(before, after, c):
    for f in after:
        total = math.sqrt(sum(np.sum(arr(f, f"layer{i}.{k}") ** 2) for i in layers(f) for k in ("dW_step", "db_step")))
        assert total <= c["learning_rate"] * c["clip_threshold"] * (1 + 1e-5)
        assert f["metrics"]["clipped_steps"] > before["metrics"]["clipped_steps"]


def clipped_by_value(before, after, c):
    for f in after:
        for i in layers(f):
            assert np.abs(arr(f, f"layer{i}.dW_step")).max() <= c["learning_rate"] * c["clip_threshold"] * (1 + 1e-5)


def regularized(before, after, c):
    """ΔW = -lr (dW + rate R'(W_before)), W_before = W - ΔW; biases are not penalized."""
    grad = {"l1": np.sign, "l2": lambda w: w}[c["regularization"]]
    for f in after:
        for i in layers(f):
            step, w_before = arr(f, f"layer{i}.dW_step"), arr(f, f"layer{i}.W") - arr(f, f"layer{i}.dW_step")
            close(step, -c["learning_rate"] * (arr(f, f"layer{i}.dW") + c["reg_rate"] * grad(w_before)))
            close(arr(f, f"layer{i}.db_step"), -c["learning_rate"] * arr(f, f"layer{i}.db"))


def one_sample_batches(before, after, c):
    """With one sample, the first layer's gradient x^T δ is an outer product: rank 1."""
    s = np.linalg.svd(arr(before, "layer0.dW"), compute_uv=False)
    assert s[1] > 1e-3 * s[0]
    for f in after:
        s = np.linalg.svd(arr(f, "layer0.dW"), compute_uv=False)
        assert s[1] < 1e-5 * s[0]


def dropped_units(before, after, c):
    """Batches of one: a dropped unit's δ is exactly 0, so about `dropout` of the hidden units
    have delta_abs 0 at each step after the change, and none before it."""
    hidden = range(len(before["columns"]) - 2)
    assert all(np.all(arr(before, f"layer{i}.delta_abs") > 0) for i in hidden)
    zeros = [np.mean(arr(f, f"layer{i}.delta_abs") == 0) for f in after for i in hidden]
    assert abs(np.mean(zeros) - c["dropout"]) < 0.12, zeros


def activations_drawn(before, after, c):
    """The frame's columns name each hidden layer's activation, and a ReLU layer's
    activations are never negative (tanh's are)."""
    per_layer = c["layer_activations"]
    names = [per_layer[i] if i < len(per_layer) and per_layer[i] else c["activation"] for i in range(len(c["hidden"]))]
    for f in after:
        assert [col["activation"] for col in f["columns"][1:-1]] == names
        for i, name in enumerate(names):
            lowest = arr(f, f"layer{i}.bands.a")[0]
            assert lowest >= 0 if name == "relu" else lowest < 0, (i, name, lowest)


def first_layer_frozen(before, after, c):
    """Its gradient still shown, no step taken, its weights exactly as they were when frozen."""
    frozen_at = arr(before, "layer0.W")  # the frame of the step before the change
    for f in after:
        assert np.abs(arr(f, "layer0.dW")).max() > 0 and np.all(arr(f, "layer0.dW_step") == 0)
        assert np.array_equal(arr(f, "layer0.W"), frozen_at)
        assert np.abs(arr(f, "layer1.dW_step")).max() > 0  # the next layer still learns
        assert [col.get("frozen") for col in f["columns"]] == [None, True, False, None]  # the diagram says so
    assert [col.get("frozen") for col in before["columns"]] == [None, False, False, None]


def residual_drawn(before, after, c):
    for f in after:
        check_drawing(f, c)


SCHEDULED = plain_sgd_update(schedule)
NOISY = {"dataset": "gauss", "noise": 0.5, "features": ["x1", "x2"], "learning_rate": 1.0}  # the test loss wanders


# -- the table: field -> the session's starting settings, the new value, and a property ---

TABLE = {
    "learning_rate": {"base": {"learning_rate": 0.05}, "value": 0.1, "check": plain_sgd_update(constant)},
    "optimizer": {"base": {"momentum": 0.9}, "value": "adam", "check": adam_restarted},
    "momentum": {"base": {"momentum": 0.5}, "value": 0.9, "check": momentum},
    "nesterov": {"base": {"momentum": 0.9}, "value": True, "check": nesterov},
    "rho": {"base": {"optimizer": "rmsprop", "learning_rate": 0.01}, "value": 0.5},
    "beta1": {"base": {"optimizer": "adam", "learning_rate": 0.01}, "value": 0.3},
    "beta2": {"base": {"optimizer": "adam", "learning_rate": 0.01}, "value": 0.5},
    "weight_decay": {"base": {"optimizer": "adamw", "learning_rate": 0.01}, "value": 0.5},
    "schedule": {"base": {"schedule_period": 2, "schedule_gamma": 0.5}, "value": "step", "check": SCHEDULED},
    "schedule_period": {"base": {"schedule": "step", "schedule_gamma": 0.5}, "value": 2, "check": SCHEDULED},
    "schedule_gamma": {"base": {"schedule": "exponential", "schedule_period": 3}, "value": 0.1, "check": SCHEDULED},
    "schedule_floor": {"base": {"schedule": "cosine", "schedule_period": 8}, "value": 0.9, "check": SCHEDULED},
    "clip": {"base": {"clip_threshold": 0.05}, "value": "norm", "check": clipped_by_norm},
    "clip_threshold": {"base": {"clip": "value", "clip_threshold": 1.0}, "value": 0.002, "check": clipped_by_value},
    "batch_size": {"base": {}, "value": 1, "check": one_sample_batches},
    "regularization": {"base": {"reg_rate": 0.3}, "value": "l2", "check": regularized},
    "reg_rate": {"base": {"regularization": "l1"}, "value": 0.05, "check": regularized},
    "dropout": {"base": {"hidden": [16, 16], "batch_size": 1}, "value": 0.5, "check": dropped_units},
    "activation": {"base": {}, "value": "relu", "check": activations_drawn},
    "layer_activations": {"base": {}, "value": ["relu", ""], "check": activations_drawn},
    "residual": {"base": {"hidden": [4, 4, 4]}, "value": True, "check": residual_drawn},
    "frozen": {"base": {}, "value": ["frozen"], "check": first_layer_frozen},
    "early_stopping": {"base": {**NOISY, "patience": 3}, "value": True, "flow": "stop"},
    "patience": {"base": {**NOISY, "early_stopping": True, "patience": 1000}, "value": 3, "flow": "stop"},
    "speed": {"base": {"speed": 5}, "value": 300, "flow": "speed"},
    "truncate": {"flow": "recurrent"},  # sequence tasks only: test_recurrent_session.py
    "sample": {"flow": "cnn"},  # the image a CNN's frames follow: test_conv_session.py
}


def test_every_live_setting_has_a_row(peer):
    hello, _, _ = peer.join()
    live = {f["name"] for f in hello["schema"] if f["live"]}
    assert live - set(TABLE) == set(), "live settings without a row in TABLE"
    assert set(TABLE) - live == set(), "rows for settings the schema no longer marks live"


def change(peer, field, row):
    """Join with the row's settings, take N1 steps, change `field` live. Returns the
    session's config before and after, and the frame of step N1."""
    hello, _, _ = peer.join({**BASE, **row["base"]})
    config = hello["config"]
    assert config[field] != row["value"] and all(config[k] == v for k, v in {**BASE, **row["base"]}.items())
    before, _ = steps(peer, N1)
    peer.send(type="set", config={field: row["value"]})
    msg, _ = peer.until(lambda m: m.get("type") == "config")
    assert msg["rebuilt"] is False and msg["changed"] == [field]
    return config, msg["config"], before


def replay(config, changed, field, n1, n2):
    """The same run in the engine: n1 steps, the change between two steps, n2 steps."""
    trainer = reference(config)
    for _ in range(n1):
        trainer.step()
    if field:
        setup.configure(trainer, changed, [field])
    return [trainer.step() for _ in range(n2)]


@pytest.mark.parametrize("field", [f for f, row in TABLE.items() if "flow" not in row])
def test_a_live_change_takes_effect_from_the_next_step(peer, field):
    row = TABLE[field]
    config, changed, before = change(peer, field, row)
    after = [steps(peer, 1)[0] for _ in range(N2)]
    assert [f["step"] for f in after] == list(range(N1 + 1, N1 + N2 + 1))
    want = replay(config, changed, field, N1, N2)
    control = replay(config, config, None, 0, N1 + N2)[-1]
    for f, rec in zip(after, want):
        for i, layer in enumerate(rec.layers):
            close(arr(f, f"layer{i}.dW_step"), layer.dW_step)
    moved = 0.0
    for i, layer in enumerate(want[-1].layers):
        close(arr(after[-1], f"layer{i}.W"), layer.W)
        close(arr(after[-1], f"layer{i}.b"), layer.b)
        moved = max(moved, np.abs(arr(after[-1], f"layer{i}.W") - control.layers[i].W).max())
    assert moved > 5e-3, f"{field}: the weights are those of a run without the change"
    if "check" in row:
        row["check"](before, after, changed)


def stop_step(config, changed, field, limit):
    """Where early stopping pauses, per docs/protocol.md: once the test loss (measured after
    each step) has not improved for `patience` steps, counted from the change."""
    trainer = reference(config)
    for _ in range(N1):
        trainer.step()
    setup.configure(trainer, changed, [field])
    best, best_step = math.inf, 0
    for _ in range(limit):
        step = trainer.step().step
        loss = trainer.evaluate("test")["loss"]
        if loss < best:
            best, best_step = loss, step
        if step - best_step >= changed["patience"]:
            return step
    return None


@pytest.mark.parametrize("field", [f for f, row in TABLE.items() if row.get("flow") == "stop"])
def test_a_live_early_stopping_change_pauses_where_the_rule_says(peer, field):
    config, changed, _ = change(peer, field, TABLE[field])
    limit = 300
    expected = stop_step(config, changed, field, limit)
    assert expected is not None and expected < N1 + limit
    peer.send(type="step", n=limit)
    state, seen = peer.until(lambda m: m.get("type") == "state")
    assert state["step"] == expected and f"early stopping at step {expected}" in state["message"], state
    assert [m for m in seen if is_frame(m)][-1]["step"] == expected


@pytest.mark.parametrize("field", [f for f, row in TABLE.items() if row.get("flow") == "speed"])
def test_a_live_speed_change_sets_the_steps_per_second(peer, field):
    row = TABLE[field]
    hello, _, _ = peer.join({**BASE, **row["base"]})
    slow = hello["config"]["speed"]

    def steps_over(seconds):
        """Steps the frames report over about `seconds` of wall time, and that time."""
        first, _ = peer.until(is_frame)
        start, begin = time.monotonic(), first["step"]
        while True:
            frame, _ = peer.until(is_frame)
            elapsed = time.monotonic() - start
            if elapsed >= seconds:
                return frame["step"] - begin, elapsed

    peer.send(type="play")
    done, elapsed = steps_over(1.5)
    assert done <= slow * elapsed + 5, (done, elapsed)
    peer.send(type="set", config={field: row["value"]})
    done, elapsed = steps_over(1.0)
    assert done >= 0.2 * row["value"] * elapsed, (done, elapsed)
    peer.send(type="pause")
