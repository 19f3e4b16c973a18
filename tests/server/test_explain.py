"""Explain a step over a real websocket: the explanation carries the engine's own numbers,
"take this step" takes exactly the step shown, viewers follow and cannot drive, and bad
input is refused with the session unchanged."""

import numpy as np
import pytest

from engine import trace

from .conftest import Peer, is_frame, reference

NET = {"dataset": "xor", "hidden": [3, 2], "activation": "tanh", "optimizer": "adam", "batch_size": 6}


def explanation(peer):
    return peer.until(lambda m: m.get("type") == "explanation")[0]


def explain(peer, **fields):
    peer.send(type="explain", **fields)
    return explanation(peer)


def test_turning_it_on_pauses_and_sends_the_engines_trace(peer):
    hello, _, _ = peer.join(NET)
    peer.send(type="play")
    peer.until(lambda m: is_frame(m) and m["step"] >= 5)
    peer.send(type="explain", on=True, sample=2)
    state, _ = peer.until(lambda m: m.get("type") == "state" and not m["running"])
    ex = explanation(peer)
    assert ex["step"] == state["step"] + 1 and ex["sample"] == 2 and ex["stage"] == 0
    assert [s["phase"] for s in ex["stages"]] == ["forward"] * 3 + ["loss"] + ["backward"] * 3 + ["update"]
    t = reference(hello["config"])
    for _ in range(state["step"]):
        t.step()
    tr = trace(t, sample=2)
    assert ex["batch"] == tr.batch.tolist()
    for shown, lt in zip(ex["layers"], tr.layers):
        for key in ("x", "z", "a", "df", "delta"):
            np.testing.assert_allclose(shown[key], getattr(lt, key)[0], rtol=1e-12)
        np.testing.assert_allclose(shown["W"], lt.W)
        np.testing.assert_allclose(shown["dW"], lt.dW)
    assert ex["loss"]["value"] == pytest.approx(tr.loss.value)
    assert ex["loss"]["dL_dyhat"][0] * ex["loss"]["dyhat_dz"][0] == pytest.approx(ex["loss"]["delta"][0])
    chain = ex["chain"]
    assert ex["weight"] == [0, 0, 0] and chain["gradient"] == tr.layers[0].dW[0, 0]
    assert chain["sum"] == pytest.approx(chain["gradient"], rel=1e-9)
    assert chain["finite_difference"]["relative_error"] < 1e-6
    update = ex["update"]
    assert np.mean(update["samples"]) == pytest.approx(update["grad"])
    assert update["label"] == "Adam" and update["lines"][-1]["value"] == update["after"]


def test_take_this_step_applies_exactly_the_update_shown(peer):
    peer.join(NET)
    ex = explain(peer, on=True, weight=[1, 2, 1], stage=7)
    peer.send(type="step")
    frame, _ = peer.until(lambda m: is_frame(m) and m["step"] == ex["step"])
    assert frame["arrays_"]["layer1.W"][2, 1] == np.float32(ex["update"]["after"])
    after = explanation(peer)
    assert (after["step"], after["stage"], after["weight"]) == (ex["step"] + 1, 0, [1, 2, 1])
    assert after["layers"][1]["W"][2][1] == ex["update"]["after"]


def test_play_leaves_the_mode_and_a_reset_explains_the_new_first_step(peer):
    peer.join(NET)
    explain(peer, on=True)
    peer.send(type="reset")
    assert explanation(peer)["step"] == 1
    peer.send(type="play")
    assert explanation(peer) == {"type": "explanation", "on": False}
    peer.send(type="pause")
    explain(peer, on=True)
    assert explain(peer, on=False) == {"type": "explanation", "on": False}


def test_a_change_that_rebuilds_the_network_refits_the_choices(peer):
    peer.join(NET)
    explain(peer, on=True, weight=[2, 1, 0], stage=7)
    peer.send(type="set", config={"hidden": [4]})
    ex = explanation(peer)
    assert len(ex["stages"]) == 6 and ex["stage"] == 0 and ex["weight"] == [0, 0, 0]
    peer.send(type="set", config={"learning_rate": 0.3})  # live: the preview of the update changes
    assert explanation(peer)["update"]["learning_rate"] == 0.3


def test_viewers_follow_and_cannot_drive(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ctl, viewer = Peer(a), Peer(b)
        hello, _, _ = ctl.join(NET)
        explain(ctl, on=True, stage=3)
        viewer.send(type="join", session=hello["session"], token=None, config=None, watch=True)
        joined = explanation(viewer)
        assert joined["on"] and joined["stage"] == 3
        explain(ctl, stage=5, weight=[2, 0, 0], sample=4)
        seen = explanation(viewer)
        assert (seen["stage"], seen["weight"], seen["sample"]) == (5, [2, 0, 0], 4)
        viewer.send(type="explain", stage=1)
        assert "only the controller" in viewer.expect(type="error")["message"]
        assert explain(ctl, stage=6)["sample"] == 4  # nothing the viewer sent changed it


BAD = [
    ({"sample": 6}, "sample", "6 is not a position in the batch of 6 (0 to 5)"),
    ({"sample": -1}, "sample", "not a position"),
    ({"stage": 8}, "stage", "8 is not a stage (0 to 7)"),
    ({"weight": [3, 0, 0]}, "weight", "layer 3 is not a weight layer (0 to 2)"),
    ({"weight": [0, 2, 0]}, "weight", "[2, 0] is outside layer 0's weights, 2 inputs × 3 neurons"),
    ({"weight": [0, 0]}, "weight", "three integers"),
    ({"weight": [0, 0, True]}, "weight", "three integers"),
    ({"weight": "w"}, "weight", "must be [layer, i, j] or null"),
    ({"sample": 1.5}, "sample", "must be an integer"),
    ({"on": "yes"}, "on", "must be true or false"),
    ({}, "explain", "at least one of"),
    ({"zoom": 2}, "zoom", "is not a field of 'explain'"),
]


@pytest.mark.parametrize("fields,field,words", BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_bad_input_is_refused_and_nothing_changes(peer, fields, field, words):
    peer.join(NET)
    before = explain(peer, on=True, sample=1, stage=2, weight=[1, 0, 1])
    peer.send(type="explain", **fields)
    err = peer.expect(type="error")
    assert err["field"] == field and words in err["message"]
    assert explain(peer, on=True) == before


def test_choosing_while_the_mode_is_off_says_to_turn_it_on(peer):
    peer.join(NET)
    peer.send(type="explain", stage=2)
    err = peer.expect(type="error")
    assert err["field"] == "on" and "explain mode is off" in err["message"]
    assert explain(peer, on=True, stage=2)["stage"] == 2  # together with on: true it works


def test_batch_norm_sends_the_batch_statistics_that_normalize_z(peer):
    peer.join({**NET, "batch_norm": True})
    layer = explain(peer, on=True, sample=1)["layers"][0]
    z, mean, std = (np.array(layer[k]) for k in ("z", "mean", "std"))
    np.testing.assert_allclose(layer["z_hat"], (z - mean) / std, rtol=1e-9)
    np.testing.assert_allclose(layer["y"], np.array(layer["gamma"]) * layer["z_hat"] + layer["beta"], rtol=1e-9)
    np.testing.assert_allclose(layer["dy"], np.array(layer["df"]) * layer["grad_out"], rtol=1e-9)
