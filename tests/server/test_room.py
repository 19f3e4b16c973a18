"""The room around a session (server/room.py): who follows (names reach the controller
only), the controller seat after reopening a tab with the token (the newest tab steers),
watchers told when the presenter leaves and comes back, and `pace`, which the presenter
alone sends to put the students' screens in presentation mode and hide panels. With the
session in the web process and in a worker process alike."""

import json
import re
from pathlib import Path

import pytest

from server.room import PANELS, check_name

from .conftest import Peer, text_of

# A message that never comes (what a broken server does) must not hang the suite.
pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def client(client_on_workers):
    return client_on_workers


def watch(ws, sid, name=None, **extra):
    p = Peer(ws)
    p.send(type="join", session=sid, token=None, config=None, watch=True, name=name, **extra)
    hello = p.expect(type="hello")
    return p, hello


def test_names_reach_the_controller_only_and_anonymous_watchers_are_counted(client):
    with client.websocket_connect("/ws") as a:
        pres = Peer(a)
        hello, _, _ = pres.join()
        sid = hello["session"]
        assert hello["room"] == {"watching": 0, "names": [], "anonymous": 0}
        assert hello["presenter"] is True and hello["pacing"] == {"present": False, "hide": []}
        with client.websocket_connect("/ws") as b, client.websocket_connect("/ws") as c:
            ada, ada_hello = watch(b, sid, name="  Ada Lovelace  ")
            assert "room" not in ada_hello and "token" not in ada_hello
            room = text_of(pres, "room")
            assert room == {"type": "room", "watching": 1, "names": ["Ada Lovelace"], "anonymous": 0}
            anon, _ = watch(c, sid, name="   ")  # blank: no name
            room = pres.until(lambda m: m.get("type") == "room" and m["watching"] == 2)[0]
            assert room["names"] == ["Ada Lovelace"] and room["anonymous"] == 1
            # What watchers receive never holds a name: the controller pushes, and each reads on.
            pres.send(type="pace", present=True)
            for p in (ada, anon):
                _, seen = p.until(lambda m: m.get("type") == "pacing")
                assert not any("Ada" in json.dumps({k: v for k, v in m.items() if k != "arrays_"}) for m in seen)
                assert not any(m.get("type") == "room" for m in seen)
        room = pres.until(lambda m: m.get("type") == "room" and m["watching"] == 0)[0]
        assert room["names"] == []


def test_a_bad_name_is_refused_naming_the_field_and_the_connection_may_join_again(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        sid = Peer(a).join()[0]["session"]
        p = Peer(b)
        for bad, says in (
            ("x" * 41, "at most 40 characters (it has 41)"),
            ("Ada\nBen", "control characters"),
            (7, "a string or null"),
        ):
            p.send(type="join", session=sid, token=None, config=None, watch=True, name=bad)
            err = p.expect(type="error")
            assert err["field"] == "name" and says in err["message"], err
        p.send(type="join", session=sid, token=None, config=None, watch=True, name="  " + "y" * 40 + " ")
        assert p.expect(type="hello")["role"] == "viewer"
        assert text_of(Peer(a), "room")["names"] == ["y" * 40]
    assert check_name(None) is None and check_name(" ") is None


def test_many_joining_at_once_send_the_presenter_a_few_room_messages(client):
    n = 12
    with client.websocket_connect("/ws") as a:
        pres = Peer(a)
        sid = pres.join()[0]["session"]
        sockets = [client.websocket_connect("/ws") for _ in range(n)]
        try:
            for i, ws in enumerate(sockets):
                watch(ws.__enter__(), sid, name=f"student {i}")
            last, seen = pres.until(lambda m: m.get("type") == "room" and m["watching"] == n)
            rooms = [m for m in seen if m.get("type") == "room"] + [last]
            assert len(rooms) <= n // 2, [r["watching"] for r in rooms]
            assert last["names"] == [f"student {i}" for i in range(n)]
        finally:
            for ws in sockets:
                ws.__exit__(None, None, None)


def test_only_the_controller_paces_the_room_and_later_watchers_get_it_in_hello(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        pres = Peer(a)
        sid = pres.join()[0]["session"]
        student, _ = watch(b, sid)
        student.send(type="pace", id=3, present=True, hide=["loss"])
        err = student.until(lambda m: m.get("type") in ("error", "pacing"))[0]
        assert err["field"] == "type" and err["id"] == 3 and "only the controller" in err["message"]
        pres.send(type="pace", present=True, hide=["loss", "gradients"])
        want = {"type": "pacing", "present": True, "hide": ["loss", "gradients"]}
        assert text_of(pres, "pacing") == want and text_of(student, "pacing") == want
        pres.send(type="pace", hide=["gradients", "controls"])  # present stays; one order, the server's
        assert text_of(student, "pacing") == {**want, "hide": ["controls", "gradients"]}
        with client.websocket_connect("/ws") as c:
            _, hello = watch(c, sid)
            assert hello["pacing"] == {"present": True, "hide": ["controls", "gradients"]}


def test_a_bad_pace_names_the_field_changes_nothing_and_the_connection_stays(client):
    with client.websocket_connect("/ws") as a:
        pres = Peer(a)
        pres.join()
        pres.send(type="pace", present=True, hide=["gradients"])
        text_of(pres, "pacing")
        for msg, field, says in (
            (
                {"hide": ["gradients", "weights"]},
                "hide[1]",
                "'weights' is not a panel; the panels are " + ", ".join(PANELS),
            ),
            ({"hide": ["loss", "loss"]}, "hide", "names a panel twice"),
            ({"hide": "loss"}, "hide", "must be a list of panel names"),
            ({"present": "yes"}, "present", "must be true or false"),
            ({}, "pace", "needs at least one of present, hide"),
            ({"present": False, "colour": 1}, "colour", "is not a field of 'pace'"),
        ):
            pres.send(type="pace", **msg)
            err = pres.until(lambda m: m.get("type") in ("error", "pacing"))[0]  # refused, or (wrongly) taken
            assert (err["field"], err["message"]) == (field, says), err
        pres.send(type="pace", present=False)
        assert text_of(pres, "pacing") == {"type": "pacing", "present": False, "hide": ["gradients"]}


def test_the_token_takes_the_seat_back_and_watchers_are_told_in_between(client):
    with client.websocket_connect("/ws") as b:
        with client.websocket_connect("/ws") as a:
            hello, _, _ = Peer(a).join()
            sid, token = hello["session"], hello["token"]
            student, s_hello = watch(b, sid, name="Ada")
            assert s_hello["presenter"] is True
        left = text_of(student, "presenter")
        assert left["connected"] is False
        assert left["message"] == "the presenter has left; the session stays paused at step 0 until they are back"
        with client.websocket_connect("/ws") as c:
            _, late = watch(c, sid)
            assert late["presenter"] is False
        with client.websocket_connect("/ws") as a2:
            back, _, _ = Peer(a2).join(session=sid, token=token)
            assert back["role"] == "controller" and back["token"] == token
            assert back["room"] == {"watching": 1, "names": ["Ada"], "anonymous": 0}
            assert text_of(student, "presenter") == {
                "type": "presenter",
                "connected": True,
                "message": "the presenter is back",
            }
            Peer(a2).send(type="play")
            text_of(student, "state")
        with client.websocket_connect("/ws") as a3:  # left while training: it goes on
            Peer(a3).join(session=sid, token=token)
        msg = text_of(student, "presenter")
        assert not msg["connected"] and "training goes on" in msg["message"]


def test_the_newest_tab_with_the_token_controls_and_the_older_one_watches(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        old = Peer(a)
        hello, _, _ = old.join()
        new = Peer(b)
        new_hello, _, _ = new.join(session=hello["session"], token=hello["token"])
        assert new_hello["role"] == "controller" and new_hello["room"]["watching"] == 1
        told = text_of(old, "role")
        assert told["role"] == "viewer" and "controlled from another tab" in told["message"]
        old.send(type="play", id=1)
        assert old.until(lambda m: m.get("type") in ("error", "state"))[0]["field"] == "type"
        new.send(type="step", n=2)
        state = text_of(old, "state")  # the new tab's command reaches the old one, which watches
        assert state["step"] == 2
        # The web process knows the roles too (a session re-created after a worker died keeps them):
        # the worker says so before the message that told the old tab.
        conns = client.app.state.registry.sessions[hello["session"]].connections
        assert [c.role for c in conns] == ["viewer", "controller"]


def test_the_page_knows_every_panel_the_server_offers_and_hello_lists_them(client):
    text = (Path(__file__).resolve().parents[2] / "static" / "js" / "pacing.js").read_text()
    block = text.split("PANEL_PARTS = {", 1)[1].split("};", 1)[0]
    assert re.findall(r"^\s+(\w+):", block, re.M) == list(PANELS)
    with client.websocket_connect("/ws") as a:
        hello, _, _ = Peer(a).join()
        assert [p["name"] for p in hello["panels"]] == list(PANELS) and all(p["label"] for p in hello["panels"])
