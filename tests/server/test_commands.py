"""Play, pause, step, reset and live changes over a real websocket (Starlette's TestClient)."""

import numpy as np
import pytest

from engine import SGD, Network, Trainer, make_dataset

from .conftest import is_frame


def test_step_runs_exactly_n_steps_and_reports(peer):
    peer.join({"dataset": "xor"})
    peer.send(type="step", n=3)
    frame = peer.expect(kind="frame", step=3)
    assert frame["history"] == {"first": 1, "count": 3}
    assert peer.expect(type="state", step=3, running=False)["diverged_at"] is None


def test_play_then_pause_stops_training(peer):
    peer.join({"speed": 0})
    peer.send(type="play")
    assert peer.expect(type="state")["running"] is True
    peer.until(lambda m: is_frame(m) and m["step"] > 50)
    peer.send(type="pause")
    state, _ = peer.until(lambda m: m.get("type") == "state")
    assert state["running"] is False
    paused_at = state["step"]
    peer.send(type="step", n=1)  # if training had gone on, this frame would be further on
    frame, _ = peer.until(lambda m: is_frame(m) and m["step"] >= paused_at + 1)
    assert frame["step"] == paused_at + 1


def test_reset_restores_the_initial_weights_and_clears_history(peer):
    _, _, first = peer.join()
    peer.send(type="step", n=20)
    peer.until(lambda m: m.get("type") == "state")
    peer.send(type="reset")
    frame = peer.expect(kind="frame", step=0)
    assert frame["run"] != first["run"] and frame["history"]["count"] == 0
    np.testing.assert_array_equal(frame["arrays_"]["layer0.W"], first["arrays_"]["layer0.W"])
    assert peer.expect(type="state")["step"] == 0


def test_live_learning_rate_change_shows_in_the_next_frame(peer):
    peer.join({"speed": 0, "learning_rate": 0.01})
    peer.send(type="play")
    peer.until(lambda m: is_frame(m) and m["step"] > 20)
    peer.send(type="set", config={"learning_rate": 0.3})
    config, _ = peer.until(lambda m: m.get("type") == "config")
    assert config["changed"] == ["learning_rate"] and config["rebuilt"] is False
    nxt = peer.until(is_frame)[0]
    lrs = nxt["arrays_"]["history.learning_rate"]
    assert lrs[-1] == pytest.approx(0.3) and nxt["config_version"] == config["config_version"]
    after = peer.until(is_frame)[0]["arrays_"]["history.learning_rate"]
    assert np.allclose(after, 0.3)


def test_frames_carry_every_step_exactly_once(peer):
    peer.join({"speed": 0})
    peer.send(type="play")
    steps = []
    while len(steps) < 2000:
        msg = peer.recv()
        if is_frame(msg):
            h = msg["history"]
            steps.extend(range(h["first"], h["first"] + h["count"]))
            assert len(msg["arrays_"]["history.train_loss"]) == h["count"]
    assert steps == list(range(1, len(steps) + 1))


def test_architecture_change_rebuilds_and_tells_the_page(peer):
    peer.join()
    peer.send(type="set", config={"hidden": [3], "features": ["x1", "x2", "x1x2"]})
    cfg = peer.expect(type="config", rebuilt=True)
    assert sorted(cfg["changed"]) == ["features", "hidden"]
    peer.expect(kind="dataset")
    frame = peer.expect(kind="frame", step=0)
    assert [c["size"] for c in frame["columns"]] == [3, 3, 1]
    assert frame["arrays_"]["layer0.W"].shape == (3, 3)


def test_frame_holds_the_gradients_the_engine_computed(peer):
    """What the page draws is the engine's own numbers: replay the session's first
    step in the engine directly and compare."""
    config = {
        "dataset": "moons",
        "hidden": [5, 3],
        "seed": 7,
        "momentum": 0.9,
        "regularization": "l2",
        "reg_rate": 0.01,
        "learning_rate": 0.1,
    }
    hello, _, _ = peer.join(config)
    peer.send(type="step", n=2)
    frame = peer.until(lambda m: is_frame(m) and m["step"] == 2)[0]["arrays_"]

    c = hello["config"]
    data = make_dataset(c["dataset"], c["samples"], c["noise"], c["train_ratio"], c["data_seed"])
    rng = np.random.default_rng(c["seed"])
    net = Network.create([2, 5, 3, 1], c["activation"], "bce", c["initializer"], rng)
    t = Trainer(net, SGD(0.1, 0.9), data, c["features"], c["batch_size"], rng, "l2", 0.01)
    t.step()
    rec = t.step()
    for i, layer in enumerate(rec.layers):
        for name in ("W", "dW", "dW_step", "b", "db", "db_step"):
            np.testing.assert_allclose(frame[f"layer{i}.{name}"], getattr(layer, name), rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(frame[f"layer{i}.a_mean"], layer.a.mean(axis=0), rtol=1e-6, atol=1e-7)


def test_output_grid_is_the_network_prediction(peer):
    _, _, frame = peer.join({"dataset": "gauss"})
    res = frame["grid"]["res"]
    grid = frame["arrays_"]["grid.output"]
    assert grid.shape == (res, res)
    assert np.all((grid >= 0) & (grid <= 1))
    # nodes0 holds the input features: x1 grows along columns, x2 shrinks down the rows
    x1, x2 = frame["arrays_"]["grid.nodes0"]
    assert np.all(np.diff(x1[0]) > 0) and np.all(np.diff(x2[:, 0]) < 0)


def first_to_last_gradient(peer, activation, initializer):
    peer.join({"dataset": "circle", "hidden": [6] * 6, "activation": activation, "initializer": initializer})
    peer.send(type="step", n=200)
    last, seen = peer.until(lambda m: is_frame(m) and m["step"] == 200)
    frames = [m for m in seen if is_frame(m)] + [last]
    norms = np.concatenate([f["arrays_"]["history.grad_norm"] for f in frames])  # [steps, layers]
    assert norms.shape == (200, 7)
    return float(np.median(norms[:, 0] / norms[:, -1]))


def test_six_sigmoid_layers_starve_the_first_layer_relu_does_not(client):
    from .conftest import Peer

    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        sigmoid = first_to_last_gradient(Peer(a), "sigmoid", "xavier")
        relu = first_to_last_gradient(Peer(b), "relu", "he")
    assert sigmoid < 1e-3 and relu > 0.1, (sigmoid, relu)


def test_switching_optimizer_live_keeps_weights_and_says_so(peer):
    peer.join({"momentum": 0.9})
    peer.send(type="step", n=5)
    before = peer.until(lambda m: is_frame(m) and m["step"] == 5)[0]["arrays_"]["layer0.W"]
    peer.send(type="set", config={"optimizer": "adam", "learning_rate": 0.01})
    cfg, _ = peer.until(lambda m: m.get("type") == "config")
    assert cfg["rebuilt"] is False and "state (velocities, averages) starts over" in cfg["notice"]
    peer.send(type="step", n=1)
    frame = peer.until(lambda m: is_frame(m) and m["step"] == 6)[0]["arrays_"]
    # Adam's first step moves every weight by about the learning rate: proof it is Adam, from the old weights
    moved = np.abs(frame["layer0.W"] - before)
    assert np.allclose(moved, 0.01, rtol=1e-2)


def test_schedule_and_clipping_show_in_the_frames(peer):
    peer.join(
        {
            "schedule": "step",
            "schedule_period": 2,
            "schedule_gamma": 0.5,
            "learning_rate": 0.1,
            "clip": "norm",
            "clip_threshold": 1e-4,
        }
    )
    peer.send(type="step", n=6)
    last, seen = peer.until(lambda m: is_frame(m) and m["step"] == 6)
    rates = np.concatenate([m["arrays_"]["history.learning_rate"] for m in [*seen, last] if is_frame(m)])
    np.testing.assert_allclose(rates, [0.1, 0.1, 0.05, 0.05, 0.025, 0.025], rtol=1e-6)
    assert last["metrics"]["clipped_steps"] == 6


def test_early_stopping_pauses_and_says_why(peer):
    peer.join(
        {
            "dataset": "gauss",
            "noise": 0.5,
            "hidden": [32, 32],
            "activation": "relu",
            "optimizer": "adam",
            "learning_rate": 0.03,
            "speed": 0,
            "early_stopping": True,
            "patience": 100,
        }
    )
    peer.send(type="play")
    state, _ = peer.until(lambda m: m.get("type") == "state" and "early stopping" in m.get("message", ""))
    assert state["running"] is False
    assert "has not improved for 100 steps" in state["message"]


def test_depth_tools_rebuild_or_apply_live(peer):
    peer.join({"hidden": [6, 6, 6]})
    peer.send(type="set", config={"batch_norm": True})
    assert peer.expect(type="config")["rebuilt"] is True
    peer.expect(kind="dataset")
    peer.expect(kind="frame")
    peer.send(type="set", config={"residual": True, "dropout": 0.3})
    cfg = peer.expect(type="config")
    assert cfg["rebuilt"] is False and sorted(cfg["changed"]) == ["dropout", "residual"]
    peer.send(type="step", n=3)
    frame = peer.until(lambda m: is_frame(m) and m["step"] == 3)[0]
    assert np.all(np.isfinite(frame["arrays_"]["grid.output"]))


def test_each_hidden_layer_may_have_its_own_activation(peer):
    peer.join({"hidden": [4, 4, 4], "activation": "tanh"})
    peer.send(type="set", config={"layer_activations": ["relu", "", "gelu"]})
    assert peer.expect(type="config")["rebuilt"] is False
    frame = peer.until(is_frame)[0]
    assert [c["activation"] for c in frame["columns"][1:-1]] == ["relu", "tanh", "gelu"]
    peer.send(type="set", config={"layer_activations": ["relu", "swish!"]})
    err = peer.expect(type="error")
    assert err["field"] == "config.layer_activations[1]" and "must be one of" in err["message"]
    peer.send(type="set", config={"activation": "sigmoid", "layer_activations": []})
    peer.expect(type="config")
    frame = peer.until(is_frame)[0]
    assert [c["activation"] for c in frame["columns"][1:-1]] == ["sigmoid"] * 3
