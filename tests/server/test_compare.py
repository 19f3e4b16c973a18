"""Side by side: two runs on the same data, starting weights and batch order, differing in
one setting, trained in lockstep and streamed together."""

import numpy as np

from .conftest import is_frame, whole_set_message


def test_two_runs_start_equal_and_step_in_lockstep(peer):
    _, _, frame = peer.join(
        {"hidden": [6, 6, 6], "activation": "sigmoid", "compare": {"field": "activation", "value": "relu"}}
    )
    a = frame["arrays_"]
    assert frame["compare"] == {"field": "activation", "value": "relu"}
    assert np.array_equal(a["layer0.W"], a["b/layer0.W"])  # the same starting weights
    assert [c["activation"] for c in frame["columns_b"][1:-1]] == ["relu"] * 3
    peer.send(type="step", n=25)
    last, seen = peer.until(lambda m: is_frame(m) and m["step"] == 25)
    frames = [m for m in seen if is_frame(m)] + [last]
    for prefix in ("", "b/"):
        losses = np.concatenate([f["arrays_"][f"{prefix}history.loss"] for f in frames])
        assert losses.shape == (25,)
    assert not np.allclose(last["arrays_"]["layer0.W"], last["arrays_"]["b/layer0.W"])
    assert set(last["metrics_b"]) == set(last["metrics"]) and "warnings_b" in last


def test_runs_differing_only_in_learning_rate_see_the_same_batches(peer):
    peer.join({"compare": {"field": "learning_rate", "value": 0.03}})  # B equals A: same numbers
    peer.send(type="step", n=5)
    last = peer.until(lambda m: is_frame(m) and m["step"] == 5)[0]["arrays_"]
    np.testing.assert_array_equal(last["layer1.W"], last["b/layer1.W"])
    np.testing.assert_array_equal(last["history.loss"], last["b/history.loss"])


def test_compare_is_validated_against_the_field_it_names(peer):
    peer.join()
    peer.send(type="set", config={"compare": {"field": "dataset", "value": "xor"}})
    err = peer.expect(type="error")
    assert err["field"] == "config.compare.field" and "activation" in err["message"]
    peer.send(type="set", config={"compare": {"field": "learning_rate", "value": 99}})
    err = peer.expect(type="error")
    assert err["field"] == "config.compare.value" and err["message"] == "must be at most 10"
    peer.send(type="set", config={"compare": {"field": "momentum"}})
    assert peer.expect(type="error")["field"] == "config.compare"


def test_a_diverging_run_b_pauses_both_and_says_which(peer):
    peer.join(
        {
            "dataset": "plane",
            "hidden": [8, 8],
            "activation": "relu",
            "learning_rate": 0.01,
            "speed": 0,
            "compare": {"field": "learning_rate", "value": 10},
        }
    )
    peer.send(type="play")
    state, _ = peer.until(lambda m: m.get("type") == "state" and m.get("diverged_at"))
    n = state["diverged_at"]
    assert state["message"] in (  # B's own step diverged, or its loss over the whole sets overflowed
        f"run B: step {n} diverged (loss or weights not finite); showing step {n - 1}, the last finite one",
        "run B: " + whole_set_message(n),
    )
    peer.send(type="set", config={"compare": None})
    assert peer.expect(type="config")["rebuilt"] is True
    peer.expect(kind="dataset")
    frame = peer.expect(kind="frame")
    assert "compare" not in frame and not any(k.startswith("b/") for k in frame["arrays_"])


def test_run_b_choosing_another_optimizer_gets_that_optimizers_defaults(client):
    """B = Lion beside A = Adam: B trains with Lion's β₂ (0.99), as a session set to Lion
    would, not with Adam's 0.999 carried over."""
    from .conftest import Peer

    def weights_after(config, prefix, steps=4):
        with client.websocket_connect("/ws") as ws:
            peer = Peer(ws)
            peer.join({"optimizer": "adam", "learning_rate": 0.01, **config})
            peer.send(type="step", n=steps)
            return peer.until(lambda m: is_frame(m) and m["step"] == steps)[0]["arrays_"][prefix + "layer0.W"]

    b = weights_after({"compare": {"field": "optimizer", "value": "lion"}}, "b/")
    alone = weights_after({"optimizer": "lion"}, "")
    np.testing.assert_array_equal(b, alone)
