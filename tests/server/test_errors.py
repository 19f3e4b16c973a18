"""Bad input gets an error naming the field and the reason; the session carries on."""

import json
import os

import numpy as np
import pytest

from server.run import Run

from .conftest import is_frame, steps, whole_set_message

BAD = [
    ("not json", "message", "is not valid JSON"),
    ("[1, 2]", "message", "must be a JSON object"),
    ('{"n": 1}', "type", "is missing or not a string"),
    ('{"type": "fly"}', "type", "unknown message type 'fly'"),
    ('{"type": "join"}', "type", "already joined a session"),
    ('{"type": "step", "n": 0}', "n", "must be between 1 and 1000"),
    ('{"type": "step", "n": "many"}', "n", "must be an integer"),
    ('{"type": "play", "speed": 3}', "speed", "is not a field of 'play'"),
    ('{"type": "set"}', "config", "is required"),
    ('{"type": "set", "config": 3}', "config", "must be an object"),
    ('{"type": "set", "config": {"learning_rate": 50}}', "config.learning_rate", "must be at most 10"),
    ('{"type": "set", "config": {"learning_rate": "fast"}}', "config.learning_rate", "must be a number"),
    ('{"type": "set", "config": {"momentum": -1}}', "config.momentum", "must be at least 0"),
    ('{"type": "set", "config": {"batch_size": 2.5}}', "config.batch_size", "must be an integer"),
    ('{"type": "set", "config": {"hidden": [4, 0]}}', "config.hidden[1]", "must be at least 1"),
    ('{"type": "set", "config": {"hidden": [4, 99]}}', "config.hidden[1]", "must be at most 32"),
    (
        '{"type": "set", "config": {"hidden": [' + ",".join(["2"] * 17) + "]}}",
        "config.hidden",
        "at most 16 hidden layers",
    ),
    ('{"type": "set", "config": {"features": []}}', "config.features", "choose at least one"),
    ('{"type": "set", "config": {"features": ["x1", "x1"]}}', "config.features[1]", "'x1' is listed twice"),
    (
        '{"type": "set", "config": {"activation": "swishy"}}',
        "config.activation",
        "must be one of sigmoid, tanh, relu, leaky_relu, linear",
    ),
    ('{"type": "set", "config": {"nesterov": 1}}', "config.nesterov", "must be true or false"),
    ('{"type": "set", "config": {"colour": "red"}}', "config.colour", "unknown setting 'colour'"),
    ('{"type": "set", "config": {"learning_rate": 0.1, "hidden": [0]}}', "config.hidden[0]", "must be at least 1"),
    ('{"type": "play", "id": [1]}', "id", "must be a short string or an integer"),
    ('{"type": "set", "config": {"x": "' + "a" * 20000 + '"}}', "message", "the limit is 16384"),
]


@pytest.mark.parametrize("text,field,reason", BAD)
def test_bad_message_is_answered_and_changes_nothing(peer, text, field, reason):
    hello, _, _ = peer.join()
    peer.ws.send_text(text)
    err = peer.expect(type="error")
    assert err["field"] == field and reason in err["message"], err
    peer.send(type="set", config={})  # an empty change returns the current config
    cfg = peer.expect(type="config")
    assert cfg["config"] == hello["config"] and cfg["changed"] == []
    peer.send(type="step", n=1)  # and the session still trains
    assert peer.until(is_frame)[0]["step"] == 1


def test_error_echoes_the_message_id(peer):
    peer.join()
    peer.send(type="set", id=7, config={"learning_rate": 50})
    assert peer.expect(type="error")["id"] == 7


def test_first_message_must_be_join(peer):
    peer.send(type="play")
    err = peer.expect(type="error")
    assert err["field"] == "type" and "first message must be 'join'" in err["message"]
    hello, _, _ = peer.join()
    assert hello["role"] == "controller"


def test_binary_from_the_client_is_refused(peer):
    peer.join()
    peer.ws.send_bytes(b"\x00\x01")
    assert peer.expect(type="error")["field"] == "message"


def test_bad_value_in_join_falls_back_to_its_default_only(peer):
    peer.send(type="join", session=None, token=None, config={"hidden": [4, -1], "dataset": "xor"})
    hello = peer.expect(type="hello")
    peer.expect(kind="dataset")
    peer.expect(kind="frame")
    err = peer.expect(type="error")
    assert err["field"] == "config.hidden[1]" and "default" in err["message"]
    assert hello["config"]["hidden"] == [4, 2] and hello["config"]["dataset"] == "xor"


def test_divergence_pauses_reports_and_resets(peer):
    peer.join({"dataset": "plane", "hidden": [8, 8], "activation": "relu", "learning_rate": 10, "speed": 0})
    peer.send(type="play")
    state, seen = peer.until(lambda m: m.get("type") == "state" and m["diverged_at"])
    n = state["diverged_at"]
    # The step that diverged is named, and so is the step still shown: the counter's. A step
    # whose loss and weights are finite may still overflow the loss over the whole sets,
    # evaluated once a frame: that step diverged and is the one shown.
    whole_set = state["message"] == whole_set_message(n)
    shown = n if whole_set else n - 1
    assert state["running"] is False and state["step"] == shown
    assert whole_set or (
        state["message"] == f"step {n} diverged (loss or weights not finite); showing step {n - 1}, the last finite one"
    )
    frames = [m for m in seen if is_frame(m)]
    assert frames[-1]["step"] == shown
    for f in frames[:-1] if whole_set else frames:  # every number sent is finite (JSON null past float32)
        assert all(v == v and abs(v) != float("inf") for v in f["metrics"].values())
    peer.send(type="play")
    assert "diverged at step" in peer.expect(type="error")["message"]
    peer.send(type="reset")
    peer.until(lambda m: m.get("type") == "state" and m["diverged_at"] is None)
    peer.send(type="set", config={"learning_rate": 0.001})
    peer.expect(type="config")
    peer.send(type="step", n=2)
    frame = peer.until(lambda m: is_frame(m) and m["step"] == 2)[0]
    assert all(abs(v) < 1e6 for v in frame["metrics"].values())


def test_no_json_message_holds_nan(peer):
    from server.protocol import dumps

    text = dumps({"a": float("nan"), "b": [float("inf"), 1.0]})
    assert json.loads(text) == {"a": None, "b": [None, 1.0]}


BN_ONE = "with one sample per batch each hidden neuron's normalized input is 0 and every hidden gradient is 0"


@pytest.mark.parametrize(
    "first,then,field",
    [
        ({"batch_norm": True}, {"batch_size": 1}, "config.batch_size"),  # lowering the batch under BN
        ({"batch_size": 1}, {"batch_norm": True}, "config.batch_norm"),  # turning BN on with a batch of 1
        ({}, {"batch_norm": True, "batch_size": 1}, "config.batch_norm"),  # both at once
    ],
)
def test_batch_normalization_with_a_batch_of_one_is_refused(peer, first, then, field):
    hello, _, _ = peer.join(first or None)
    peer.send(type="set", config=then)
    err = peer.expect(type="error")
    assert err["field"] == field and BN_ONE in err["message"]
    reason = "needs a batch size of at least 2" if field == "config.batch_norm" else "must be at least 2 while"
    assert err["message"].startswith(reason)
    peer.send(type="step", n=1)  # the session carries on, unchanged
    frame, _ = peer.until(lambda m: m.get("kind") == "frame" and m["step"] == 1)
    assert frame["config_version"] == hello["config_version"]


def test_a_link_with_batch_norm_and_a_batch_of_one_keeps_the_batch_and_says_why(peer):
    peer.send(type="join", session=None, token=None, config={"batch_size": 1, "batch_norm": True})
    hello = peer.expect(type="hello")
    peer.expect(kind="dataset")
    peer.expect(kind="frame")
    err = peer.expect(type="error")
    assert err["field"] == "config.batch_norm" and BN_ONE in err["message"]
    assert hello["config"]["batch_size"] == 1 and hello["config"]["batch_norm"] is False


@pytest.mark.skipif(
    os.environ.get("BACKPROP_LAB_WORKERS", "1") != "1",
    reason="patches Run in this process; worker processes cannot see it",
)
def test_a_whole_set_loss_past_float32_is_a_divergence_at_the_step_shown(peer, monkeypatch):
    # The losses over the whole sets are evaluated for a frame, after the step was kept.
    peer.join()
    steps(peer, 3)
    evaluate = Run.evaluate
    monkeypatch.setattr(Run, "evaluate", lambda self: {**evaluate(self), "test_loss": 1e39})
    peer.send(type="step", n=5)
    state, seen = peer.until(lambda m: m.get("type") == "state")
    n = state["diverged_at"]
    assert n is not None and n > 3 and state["step"] == n and state["running"] is False
    assert state["message"] == whole_set_message(n)
    frame = [m for m in seen if is_frame(m)][-1]
    assert frame["step"] == n and frame["metrics"]["test_loss"] == 1e39
    assert np.isinf(frame["arrays_"]["history.test_loss"][-1])  # float32 carries it as Infinity
    peer.send(type="play")
    assert f"diverged at step {n}" in peer.expect(type="error")["message"]
