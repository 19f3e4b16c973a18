"""Gradient-health diagnostics over the websocket: per-step columns, bands, the
per-neuron map and plain-word warnings that appear and clear."""

import numpy as np

from .conftest import is_frame


def run(peer, config, steps):
    peer.join(config)
    peer.send(type="step", n=steps)
    last, seen = peer.until(lambda m: is_frame(m) and m["step"] == steps)
    return last, [m for m in seen if is_frame(m)] + [last]


def test_every_step_carries_the_diagnostics_and_frames_the_bands(peer):
    last, frames = run(peer, {"hidden": [5, 3], "activation": "relu"}, 40)
    a = last["arrays_"]
    update = np.concatenate([f["arrays_"]["history.update_ratio"] for f in frames])
    assert update.shape == (40, 3) and np.all(update > 0)
    for name in ("mean_abs_delta", "act_mean", "act_std", "dead", "saturated"):
        assert a[f"history.{name}"].shape[1] == 3
    bands = a["layer0.bands.W"]
    assert bands.shape == (9,) and np.all(np.diff(bands) >= 0)
    assert bands[0] == a["layer0.W"].min() and bands[-1] == a["layer0.W"].max()
    assert a["layer1.delta_abs"].shape == (3,)


def test_deep_sigmoid_network_warns_of_vanishing_gradients(peer):
    last, _ = run(peer, {"hidden": [6] * 6, "activation": "sigmoid"}, 30)
    codes = [w["code"] for w in last["warnings"]]
    assert "vanishing" in codes
    warning = next(w for w in last["warnings"] if w["code"] == "vanishing")
    assert warning["value"] < 1e-3 and warning["message"].startswith("hidden layer 1 receives ")
    assert warning["layer"] == 1 and warning["layers"] == [1]


def test_healthy_network_has_no_warnings(peer):
    last, _ = run(peer, {"hidden": [6, 6], "activation": "relu", "initializer": "he"}, 30)
    assert last["warnings"] == []


def test_dead_relus_after_a_too_high_learning_rate(peer):
    last, _ = run(
        peer, {"dataset": "circle", "hidden": [8, 8], "activation": "relu", "learning_rate": 3, "initializer": "he"}, 60
    )
    dead = [w for w in last["warnings"] if w["code"] == "dead"]
    assert dead and all(w["value"] >= 0.4 for w in dead), last["warnings"]
    assert dead[0]["message"].endswith("are dead (mean over the last 20 steps)")
