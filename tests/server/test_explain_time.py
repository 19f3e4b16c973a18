"""Explain a step through time over a real websocket: a recurrent session's explanation carries
the engine's own trace of the next BPTT step (engine/explain_time.py), its stages walk back
over the time steps the gradient reaches, "take this step" takes exactly the update shown,
viewers follow, and bad input is refused with the session going on."""

import numpy as np
import pytest

from engine import recurrent_setup
from engine.explain_time import finite_difference, trace, update

from .conftest import Peer, is_frame, steps
from .test_explain import explain, explanation

SMALL = {"dataset": "remember", "delay": 5, "units": 4, "batch_size": 4, "samples": 60, "learning_rate": 0.1}
T = 6  # delay 5: the marked input, then 5 steps


def reference(config, n):
    trainer = recurrent_setup.build(config, recurrent_setup.data(config))
    for _ in range(n):
        trainer.step()
    return trainer


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_numbers_are_the_engines_trace(peer, cell):
    hello, _, _ = peer.join({**SMALL, "cell": cell})
    steps(peer, 3)
    ex = explain(peer, on=True, sample=2, weight=[0, 1, 3])
    assert ex["model"] == "recurrent" and ex["step"] == 4 and ex["sample"] == 2 and ex["cell"] == cell
    t = reference(hello["config"], 3)
    tr = trace(t, sample=2)
    assert ex["batch"] == t.peek_batch().tolist() and ex["batch"][2] == tr.sequence
    assert ex["length"] == T and ex["window"] == T and ex["loss"]["value"] == tr.loss
    np.testing.assert_array_equal(ex["Wh"], tr.Wh)
    for shown, s in zip(ex["steps"], tr.steps, strict=True):
        assert shown["t"] == s.t and shown["reached"] == s.reached
        for key in ("x", "h_prev", "z", "h", "from_output", "recurrent", "dh", "delta"):
            np.testing.assert_array_equal(shown[key], getattr(s, key), err_msg=f"{key} at t={s.t}")
        for key in ("df", "direct"):
            assert (shown[key] is None) == (getattr(s, key) is None)
            if shown[key] is not None:
                np.testing.assert_array_equal(shown[key], getattr(s, key))
        assert shown["share"] == s.dWh[1, 3]
    np.testing.assert_array_equal(ex["loss"]["prediction"], tr.prediction)
    g = ex["gradient"]
    assert g["gradient"] == tr.dWh[1, 3] == pytest.approx(sum(s["share"] for s in ex["steps"]), rel=1e-9)
    fd = finite_difference(t, 1, 3, sample=2)
    assert g["finite_difference"]["estimate"] == fd.estimate and g["finite_difference"]["relative_error"] < 1e-6
    u = update(t).of(0, "Wh")
    assert ex["update"]["grad"] == u.grad[1, 3] and ex["update"]["after"] == u.after[1, 3]
    assert (
        ex["update"]["samples"] == u.samples[:, 1, 3].tolist() and ex["update"]["lines"][-1]["value"] == u.after[1, 3]
    )


def test_the_backward_stages_walk_from_the_last_step_to_the_window(peer):
    peer.join(SMALL)
    ex = explain(peer, on=True)
    phases = [(s["phase"], s["t"]) for s in ex["stages"]]
    assert phases == [
        ("forward", None),
        ("loss", None),
        *[("backward", t) for t in range(T - 1, -1, -1)],
        ("update", None),
    ]
    peer.send(type="set", config={"truncate": 2})
    ex = explanation(peer)
    assert [(s["phase"], s["t"]) for s in ex["stages"]][1:5] == [
        ("loss", None),
        ("backward", 5),
        ("backward", 4),
        ("update", None),
    ]
    assert ex["window"] == 2 and [s["reached"] for s in ex["steps"]] == [False] * 4 + [True] * 2
    assert not any(ex["steps"][0]["dh"]) and ex["steps"][0]["share"] == 0
    # the finite difference measures full BPTT's gradient; the shares sum to the truncated one
    assert "Truncated" in ex["gradient"]["note"]
    assert ex["gradient"]["finite_difference"]["analytic"] != pytest.approx(ex["gradient"]["gradient"], rel=1e-6)


BAD = [
    ({"sample": 4}, "sample", "4 is not a position in the batch of 4 (0 to 3)"),
    ({"stage": 9}, "stage", "9 is not a stage (0 to 8)"),
    ({"weight": [1, 0, 0]}, "weight", "only the recurrent weights W_h"),
    ({"weight": [0, 4, 0]}, "weight", "[4, 0] is outside W_h, 4 units × 4 columns"),
    ({"weight": [0, 0]}, "weight", "three integers"),
]


@pytest.mark.parametrize("fields,field,words", BAD, ids=[b[1] + str(i) for i, b in enumerate(BAD)])
def test_bad_input_is_refused_and_the_session_goes_on(peer, fields, field, words):
    peer.join(SMALL)
    before = explain(peer, on=True, sample=1, stage=4, weight=[0, 2, 1])
    peer.send(type="explain", **fields)
    err = peer.expect(type="error")
    assert err["field"] == field and words in err["message"]
    assert explain(peer, on=True) == before
    peer.send(type="explain", on=False)
    frame, _ = steps(peer, 1)
    assert frame["step"] == 1


def test_take_this_step_applies_the_update_shown(peer):
    peer.join({**SMALL, "optimizer": "adam", "clip": "norm", "clip_threshold": 0.05})
    steps(peer, 2)
    ex = explain(peer, on=True, weight=[0, 3, 2], stage=T + 2)
    assert ex["stages"][ex["stage"]]["phase"] == "update"
    peer.send(type="step")
    frame, _ = peer.until(lambda m: is_frame(m) and m["step"] == ex["step"])
    assert frame["arrays_"]["layer0.Wh"][3, 2] == np.float32(ex["update"]["after"])
    after = explanation(peer)
    assert (after["step"], after["stage"], after["weight"]) == (ex["step"] + 1, 0, [0, 3, 2])
    assert after["Wh"][3][2] == ex["update"]["after"]


def test_a_watcher_follows_the_stage_sample_and_weight(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ctl, viewer = Peer(a), Peer(b)
        hello, _, _ = ctl.join(SMALL)
        explain(ctl, on=True, stage=3)
        viewer.send(type="join", session=hello["session"], token=None, config=None, watch=True)
        joined = explanation(viewer)
        assert joined["on"] and joined["model"] == "recurrent" and joined["stage"] == 3
        explain(ctl, stage=5, weight=[0, 1, 2], sample=3)
        seen = explanation(viewer)
        assert (seen["stage"], seen["weight"], seen["sample"]) == (5, [0, 1, 2], 3)
        assert seen["stages"][5] == {"phase": "backward", "layer": None, "t": 2}
