"""The timeline (server/replay.py): a bounded ring of every run's weights, a scrub that shows a
kept step's frame to every connection, a return to live, and "continue from here"."""

import numpy as np
import pytest

from server import snapshots
from server.errors import Invalid
from server.protocol import decode
from server.replay import ROWS as REPLAY_ROWS
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings
from tests.server.conftest import Peer, is_frame, steps, text_of

SETTINGS = Settings()
FIELDS = make_fields(SETTINGS.limits)
LARGEST = {"hidden": [32] * 16, "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]}


def session(**config):
    return Session("S", {**defaults(FIELDS), **config}, SETTINGS, FIELDS)


def params(s):
    return [
        {
            f"layer{i}/{k}": v.copy()
            for i, layer in enumerate(run.trainer.network.layers)
            for k, v in layer.params.items()
        }
        for run in s.runs
    ]


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"optimizer": "adam", "batch_norm": True, "dropout": 0.2},
        {"compare": {"field": "learning_rate", "value": 0.1}},
    ],
    ids=["sgd", "adam, batch norm, dropout", "a comparison"],
)
def test_the_replayed_weights_at_step_n_are_those_the_run_recorded_at_step_n(config):
    s = session(**config)
    recorded = {0: params(s)}
    for _ in range(700):
        assert s.step()
        recorded[s.history.last] = params(s)
    ring = s.replay.ring
    assert ring.every > 1 and ring.steps[0] == 0 and len(ring.steps) <= ring.slots
    for step in ring.steps:
        for kept, run in zip(ring.at(step), recorded[step]):
            for name, w in run.items():
                assert np.array_equal(kept[name], w), (step, name)
    # and the frame of a kept step carries those weights, and that step's history
    step = ring.steps[len(ring.steps) // 2]
    frame = s.replay.build(s, step)
    assert frame.header["step"] == step == frame.last and frame.header["replay"]["first"] == 0
    assert np.array_equal(frame.tensors["layer0.W"], recorded[step][0]["layer0/W"])
    # a page that had the live history gets the steps its heatmap shows up to that one, and no later
    first = max(1, step - REPLAY_ROWS + 1)
    assert decode(frame.encode_for(s.run, s.history.last + 1))[0]["history"] == {
        "first": first,
        "count": step - first + 1,
    }


def test_the_ring_stays_in_its_budget_for_the_largest_network():
    s = session(**LARGEST)
    ring = s.replay.ring
    for _ in range(300):
        s.step()
    assert len(ring.steps) <= ring.slots and ring.every >= 8
    assert ring.nbytes + ring.nbytes // len(ring.steps) <= snapshots.BUDGET  # with the live step's `head` too
    gaps = set(np.diff(ring.steps))
    assert gaps == {ring.every}, "kept evenly over the whole run"


# -- over the websocket ------------------------------------------------------------------


def test_scrub_shows_a_kept_step_to_everyone_and_live_comes_back(client_on_workers):
    with client_on_workers.websocket_connect("/ws") as a, client_on_workers.websocket_connect("/ws") as b:
        presenter, viewer = Peer(a), Peer(b)
        hello, _, _ = presenter.join({"dataset": "xor"})
        viewer.join(session=hello["session"])
        live, _ = steps(presenter, 40)
        viewer.until(lambda m: is_frame(m) and m["step"] == 40)
        presenter.send(type="scrub", step=13)  # kept: every step so far
        shown = presenter.until(lambda m: is_frame(m) and m.get("replay"))[0]
        assert shown["step"] == 13 and shown["replay"]["step"] == 13
        assert shown["history"]["first"] + shown["history"]["count"] - 1 == 13, "its history ends at the step shown"
        followed = viewer.until(lambda m: is_frame(m) and m.get("replay"))[0]
        assert followed["step"] == 13
        assert np.array_equal(followed["arrays_"]["layer0.W"], shown["arrays_"]["layer0.W"])
        assert not np.array_equal(shown["arrays_"]["layer0.W"], live["arrays_"]["layer0.W"])
        # the viewer may not scrub, nor continue: the presenter's run is untouched
        viewer.send(type="scrub", step=5)
        assert "watching" in text_of(viewer, "error")["message"]
        viewer.send(type="continue_from", step=5)
        assert "watching" in text_of(viewer, "error")["message"]
        presenter.send(type="scrub", step=None)
        back = presenter.until(lambda m: is_frame(m) and not m.get("replay"))[0]
        assert back["step"] == 40 and np.array_equal(back["arrays_"]["layer0.W"], live["arrays_"]["layer0.W"])
        assert back["history"]["first"] == 14, "the steps after the one shown come again"
        assert viewer.until(lambda m: is_frame(m) and not m.get("replay"))[0]["step"] == 40


def test_scrubbing_pauses_and_returning_to_live_plays_again(peer):
    # At 30 steps a second: at full speed a fast machine passed the ring's 256 slots before
    # the scrub arrived, so step 3 was thinned away and the kept step at or before it was 2.
    peer.join({"dataset": "circle", "speed": 30})
    peer.send(type="play")
    peer.until(lambda m: is_frame(m) and m["step"] > 5)
    peer.send(type="scrub", step=3)
    assert text_of(peer, "state")["running"] is False
    assert peer.until(lambda m: is_frame(m) and m.get("replay"))[0]["step"] == 3
    peer.send(type="scrub", step=None)
    assert text_of(peer, "state")["running"] is True


def test_a_joiner_during_a_scrub_sees_the_step_shown_with_the_history_before_it(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        presenter = Peer(a)
        hello, _, _ = presenter.join()
        steps(presenter, 30)
        presenter.send(type="scrub", step=10)
        presenter.until(lambda m: is_frame(m) and m.get("replay"))
        late = Peer(b)
        late.send(type="join", session=hello["session"], token=None, config=None)
        shown = late.until(lambda m: is_frame(m) and m.get("replay"))[0]
        assert shown["step"] == 10 and shown["history"] == {"first": 1, "count": 10}


def test_bad_scrubs_are_refused_naming_the_field_and_the_range(peer):
    peer.join()
    steps(peer, 20)
    peer.send(type="scrub", step=21)
    e = text_of(peer, "error")
    assert e["field"] == "step" and "from 0 to 20" in e["message"]
    peer.send(type="continue_from", step=-1)
    assert "from 0 to 20" in text_of(peer, "error")["message"]
    peer.send(type="scrub", step="ten")
    assert text_of(peer, "error") == {
        "type": "error",
        "field": "step",
        "message": "must be a step number, or null to return to live",
    }
    peer.send(type="continue_from")
    assert text_of(peer, "error")["message"] == "is required"
    peer.send(type="step", n=1)  # the session carries on
    assert text_of(peer, "state")["step"] == 21


def test_continue_from_a_kept_step_starts_a_new_run_from_its_weights(peer):
    hello, _, _ = peer.join({"optimizer": "adam"})
    _, frames = steps(peer, 40)
    losses = np.concatenate([f["arrays_"]["history.loss"] for f in frames])
    peer.send(type="scrub", step=25)
    shown = peer.until(lambda m: is_frame(m) and m.get("replay"))[0]
    peer.send(type="continue_from", step=25)
    state, seen = peer.until(lambda m: m.get("type") == "state")
    assert state["step"] == 25 and "optimizer's state" in state["message"] and "afresh" in state["message"]
    first = [m for m in seen if is_frame(m)][-1]
    assert first["step"] == 25 and not first.get("replay") and first["run"] != shown["run"]
    assert np.array_equal(first["arrays_"]["layer0.W"], shown["arrays_"]["layer0.W"])
    assert np.array_equal(first["arrays_"]["history.loss"], losses[:25]), "the history up to it stays"
    after, _ = steps(peer, 3)
    assert after["step"] == 28
    peer.send(type="scrub", step=10)  # the timeline still reaches back before it
    assert peer.until(lambda m: is_frame(m) and m.get("replay"))[0]["step"] == 10


def test_a_restored_session_keeps_its_own_weights_not_those_it_was_built_with():
    from server.fork import restore, snapshot

    s = session()
    for _ in range(50):
        s.step()
    copy = restore(snapshot(s), "C", SETTINGS, FIELDS, {})
    with pytest.raises(Invalid) as refused:
        copy.replay.command(copy, {"type": "scrub", "step": 10})
    assert "from 50 to 50" in refused.value.message
    copy.step()
    assert copy.replay.ring.steps == [50, 51]
    assert np.array_equal(copy.replay.ring.at(50)[0]["layer0/W"], s.runs[0].trainer.network.layers[0].params["W"])
