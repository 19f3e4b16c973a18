"""A bug met while handling a message or while training is said in plain words and logged
with its traceback; it never drops the connection, ends the session's task or changes its
config. The bugs are real: throwaway optimizers, registered at run time, that raise."""

import logging

import pytest
from fastapi.testclient import TestClient

import engine
from engine import Optimizer
from server import Settings, create_app

from .conftest import Peer, is_frame

pytestmark = pytest.mark.timeout(60)  # a dead session task shows as a read that never returns


class BrokenOnCreate(Optimizer):
    name, label, hyper = "broken_create", "Broken on create", ()

    def __init__(self, learning_rate, **hyper):
        raise RuntimeError("a bug in the optimizer's constructor")


class BrokenOnUpdate(Optimizer):
    name, label, hyper = "broken_update", "Broken on update", ()

    def update(self, key, param, grad, is_weight=True):
        raise RuntimeError("a bug in the optimizer's update")


class BrokenTheSecondTime(Optimizer):
    """Made once (for run A) it works until its first update; made again (for run B) it raises."""

    name, label, hyper = "broken_second", "Broken the second time", ()
    made = 0

    def __init__(self, learning_rate, **hyper):
        type(self).made += 1
        if self.made > 1:
            raise RuntimeError("a bug in the optimizer's constructor")
        super().__init__(learning_rate, **hyper)

    def update(self, key, param, grad, is_weight=True):
        raise RuntimeError("a bug in the optimizer's update")


@pytest.fixture
def client(monkeypatch):
    monkeypatch.setattr(BrokenTheSecondTime, "made", 0)
    for cls in (BrokenOnCreate, BrokenOnUpdate, BrokenTheSecondTime):
        monkeypatch.setitem(engine.OPTIMIZERS, cls.name, cls)
    with TestClient(create_app(Settings())) as c:
        yield c


def is_state(m):
    return m.get("type") == "state"


@pytest.mark.parametrize(
    "change",
    [
        {"optimizer": "broken_create"},  # live: the optimizer is switched between two steps
        {"optimizer": "broken_create", "hidden": [3]},  # a rebuild: a new network with it
    ],
    ids=["live", "rebuild"],
)
def test_a_failing_change_is_answered_logged_and_changes_nothing(client, caplog, change):
    with client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        hello, _, _ = peer.join()
        peer.send(type="step", n=3)
        peer.until(is_state)
        with caplog.at_level(logging.ERROR):
            peer.send(type="set", id=9, config=change)
            err = peer.expect(type="error", id=9, field="type")
        assert "internal error while handling 'set'" in err["message"]
        assert "Traceback" not in err["message"] and "RuntimeError" not in err["message"]
        logged = [r for r in caplog.records if r.exc_info]
        assert logged and "a bug in the optimizer's constructor" in str(logged[-1].exc_info[1])
        peer.send(type="set", config={})  # the connection is open and the config as it was
        cfg = peer.expect(type="config")
        assert cfg["config"] == hello["config"] and cfg["config_version"] == 1 and cfg["rebuilt"] is False
        peer.send(type="step", n=2)  # and the same network trains on
        frame = peer.until(lambda m: is_frame(m) and m["step"] == 5)[0]
        assert frame["run"] == 1 and frame["config_version"] == 1


def test_a_change_that_fails_half_way_is_undone(client):
    """Comparing: run A takes the new optimizer, run B fails to; A must get its old one back."""
    with client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        hello, _, _ = peer.join({"compare": {"field": "learning_rate", "value": 0.1}})
        peer.send(type="set", config={"optimizer": "broken_second"})
        assert "internal error" in peer.expect(type="error")["message"]
        assert BrokenTheSecondTime.made == 2
        peer.send(type="step", n=2)
        state = peer.until(is_state)[0]
        assert state["step"] == 2 and state["message"] == "", state


def test_a_join_that_fails_can_be_sent_again(client):
    with client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        peer.send(type="join", session=None, token=None, config={"optimizer": "broken_create"})
        assert "internal error while handling 'join'" in peer.expect(type="error")["message"]
        hello, _, _ = peer.join({"dataset": "xor"})
        assert hello["role"] == "controller" and hello["config"]["dataset"] == "xor"
    assert len(client.app.state.registry.sessions) == 1


def test_a_failing_step_pauses_tells_everyone_and_reset_recovers(client, caplog):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ctl, viewer = Peer(a), Peer(b)
        with caplog.at_level(logging.ERROR):
            hello, _, _ = ctl.join({"optimizer": "broken_update", "speed": 0})
            viewer.join(session=hello["session"])
            ctl.send(type="play")
            failed = ctl.until(lambda m: is_state(m) and not m["running"])[0]
        assert failed["message"].startswith("training stopped at step 1 by an internal error")
        assert failed["diverged_at"] is None and "Traceback" not in failed["message"]
        assert viewer.until(lambda m: is_state(m) and not m["running"])[0] == failed
        assert any(r.exc_info and "a bug in the optimizer's update" in str(r.exc_info[1]) for r in caplog.records)
        ctl.send(type="play")  # the half-done step is not continued
        assert "reset to continue" in ctl.expect(type="error")["message"]
        ctl.send(type="set", config={})  # the session keeps its config
        assert ctl.expect(type="config")["config"] == hello["config"]
        ctl.send(type="set", config={"optimizer": "sgd"})
        ctl.expect(type="config", changed=["optimizer"])
        ctl.send(type="reset")
        assert ctl.until(is_state)[0]["message"] == ""
        ctl.send(type="step", n=3)
        assert ctl.until(lambda m: is_frame(m) and m["step"] == 3)[0]["running"] is False
        assert viewer.until(lambda m: is_frame(m) and m["step"] == 3)[0]["config_version"] == 2
