"""Lock, release, bring everyone back, try it myself (server/release.py), with the sessions
in the web process and in worker processes: every student gets a copy of the presenter's run
as it stands and controls it; the presenter's run goes on untouched; bringing them back
keeps their copies to reopen; only the presenter moves others, and bad input moves nobody."""

import contextlib
import os
import signal

import numpy as np
import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.settings import Limits

from .conftest import Peer, is_frame, reference, steps, text_of

pytestmark = pytest.mark.timeout(90)  # a message that never comes fails the test, not the run
CONFIG = {"optimizer": "adam", "dropout": 0.1, "hidden": [5, 4]}


@pytest.fixture
def client(client_on_workers):
    return client_on_workers


def moved(peer):
    """After a move: the new hello, then the session's dataset and frame."""
    hello = text_of(peer, "hello")
    peer.expect(kind="dataset")
    frame = peer.until(is_frame)[0]
    return hello, frame


def fork_of(hello):
    """A copy's hello.fork without its student's mark (an opaque id, pool.py's key), which it must have."""
    fork = dict(hello["fork"])
    assert isinstance(fork.pop("student"), str)
    return fork


def error_of(peer):
    return peer.until(lambda m: m.get("type") == "error")[0]


@contextlib.contextmanager
def lesson(client, students=3, trained=20):
    """A presenter whose run has taken `trained` steps, and its students following it."""
    with contextlib.ExitStack() as stack:
        pres = Peer(stack.enter_context(client.websocket_connect("/ws")))
        hello, _, _ = pres.join(CONFIG)
        sid = hello["session"]
        steps(pres, trained)
        peers = []
        for i in range(students):
            p = Peer(stack.enter_context(client.websocket_connect("/ws")))
            p.send(type="join", session=sid, token=None, config=None, watch=True, name=f"student {i}")
            assert p.expect(type="hello")["role"] == "viewer"
            peers.append(p)
        pres.until(lambda m: m.get("type") == "room" and m["watching"] == students)
        yield pres, hello, peers


def last(frame, name):
    return frame["arrays_"][name][-1] if name.startswith("history.") else frame["arrays_"][name]


def test_release_gives_each_student_a_copy_that_continues_exactly_and_leaves_the_presenters_run(client):
    with lesson(client) as (pres, hello, students):
        sid = hello["session"]
        pres.send(type="release")
        released = text_of(pres, "released")
        assert released == {"type": "released", "released": True, "students": 3}
        copies = []
        for s in students:
            h, frame = moved(s)
            assert h["role"] == "controller" and h["token"] and h["session"] != sid
            assert fork_of(h) == {"of": sid, "released": True} and h["state"]["step"] == 20 and frame["step"] == 20
            assert frame["history"]["first"] == 1  # the whole retained history, on this page again
            copies.append(h)
        assert len({h["session"] for h in copies}) == 3 and len({h["token"] for h in copies}) == 3
        assert pres.until(lambda m: m.get("type") == "room" and m["watching"] == 0)[0]["names"] == []
        # The copy's next step is the presenter's next step: the same batch, dropout mask and Adam moments.
        theirs, _ = steps(students[0], 1)
        ours, _ = steps(pres, 1)
        assert theirs["step"] == ours["step"] == 21
        assert last(theirs, "history.loss") == last(ours, "history.loss")
        assert np.array_equal(last(theirs, "layer0.W"), last(ours, "layer0.W"))
        # Each student trains alone: their step counters move on their own.
        s1, _ = steps(students[1], 7)
        assert s1["step"] == 27
        assert steps(students[2], 2)[0]["step"] == 22
        # The presenter's run is the run it would have been without a class: a reference trainer's numbers.
        ours, frames = steps(pres, 4)
        trainer = reference(hello["config"])
        want = [trainer.step().loss for _ in range(25)]
        assert ours["step"] == 25
        assert last(ours, "history.loss") == pytest.approx(want[-1], rel=1e-6)
        # Commands of a copy reach the copy only.
        students[1].send(type="set", config={"learning_rate": 0.5})
        assert text_of(students[1], "config")["config"]["learning_rate"] == 0.5
        pres.send(type="pause")
        assert text_of(pres, "state")["step"] == 25


def test_bring_everyone_back_keeps_their_copies_to_reopen(client):
    with lesson(client) as (pres, hello, students):
        sid = hello["session"]
        pres.send(type="release")
        assert text_of(pres, "released")["released"] is True
        copies = [moved(s)[0] for s in students]
        steps(students[0], 5)
        pres.send(type="gather")
        assert text_of(pres, "released") == {"type": "released", "released": False, "students": 3}
        for s in students:
            h, _ = moved(s)
            assert h["role"] == "viewer" and h["session"] == sid and "token" not in h and "fork" not in h
            assert h["released"] is False
        pres.until(lambda m: m.get("type") == "room" and m["watching"] == 3)
        # The copies are kept: the first student reopens theirs, where they left it.
        students[0].send(type="reopen", session=copies[0]["session"], token=copies[0]["token"])
        h, frame = moved(students[0])
        assert h["session"] == copies[0]["session"] and h["role"] == "controller" and frame["step"] == 25
        students[0].send(type="follow")
        assert moved(students[0])[0]["session"] == sid
        # Another student's token does not open it, nor does a made-up id.
        students[1].send(type="reopen", id=4, session=copies[0]["session"], token=copies[1]["token"])
        err = error_of(students[1])
        assert err["field"] == "token" and err["id"] == 4 and "only the student it belongs to" in err["message"]
        students[1].send(type="reopen", session=copies[0]["session"], token="é" * 22)  # not ASCII: refused all the same
        assert error_of(students[1])["field"] == "token"
        students[1].send(type="reopen", session="ZZZZZZ", token=copies[1]["token"])
        assert error_of(students[1])["field"] == "session"
        students[1].send(type="pause")  # still watching the class's session, as before
        assert "only the controller" in error_of(students[1])["message"]


def test_try_it_myself_then_go_back_to_following(client):
    with lesson(client, students=2) as (pres, hello, (ada, ben)):
        sid = hello["session"]
        ada.send(type="try")
        h, frame = moved(ada)
        assert h["role"] == "controller" and fork_of(h) == {"of": sid, "released": False} and frame["step"] == 20
        assert pres.until(lambda m: m.get("type") == "room" and m["watching"] == 1)[0]["names"] == ["student 1"]
        assert steps(ada, 3)[0]["step"] == 23
        pres.send(type="step", n=1)
        assert text_of(ben, "state")["step"] == 21  # Ben still follows the presenter
        ada.send(type="follow")
        h, frame = moved(ada)
        assert h["role"] == "viewer" and h["session"] == sid and frame["step"] == 21
        assert pres.until(lambda m: m.get("type") == "room" and m["watching"] == 2)[0]["names"] == [
            "student 1",
            "student 0",
        ]


def test_only_the_presenter_releases_or_brings_back_and_refusals_move_nobody(client):
    with lesson(client, students=2) as (pres, hello, (ada, ben)):
        for kind in ("release", "gather"):
            ada.send(type=kind, id=kind)
            err = error_of(ada)
            assert err == {
                "type": "error",
                "field": "type",
                "message": "this connection is watching; only the presenter releases the class or brings it back",
                "id": kind,
            }
        for kind, says in (
            ("try", "controls this session already"),
            ("follow", "not a copy of a class's session"),
            ("reopen", "the presenter's connection stays"),
        ):
            pres.send(type=kind, **({"session": "ZZZZZZ", "token": "x"} if kind == "reopen" else {}))
            assert says in error_of(pres)["message"]
        ben.send(type="try")
        h, _ = moved(ben)
        # A student controls their copy, but releasing or bringing back is the class's session's alone.
        ben.send(type="release")
        assert "a student's own copy" in error_of(ben)["message"]
        ben.send(type="gather")
        assert "a student's own copy" in error_of(ben)["message"]
        for bad, field, says in (
            ({"type": "release", "students": 3}, "students", "is not a field of 'release'"),
            ({"type": "reopen", "session": h["session"]}, "token", "is required"),
            ({"type": "reopen", "session": h["session"], "token": 7}, "token", "must be a string"),
            ({"type": "released", "released": True, "students": 0}, "type", "unknown message type 'released'"),
        ):
            ada.send(**bad)
            err = error_of(ada)
            assert err["field"] == field and says in err["message"], err
        # Nothing moved: Ada still watches the class's session, Ben still has his copy.
        pres.send(type="step", n=1)
        assert text_of(ada, "state")["step"] == 21
        assert steps(ben, 2)[0]["step"] == 22


@pytest.mark.parametrize("workers", [1, 2])
def test_a_release_the_server_has_no_room_for_is_refused_whole(workers):
    settings = Settings(workers=workers, limits=Limits(max_sessions=3))  # the class's session and two more
    with TestClient(create_app(settings)) as client, lesson(client, students=3) as (pres, hello, students):
        pres.send(type="release", id=1)
        err = error_of(pres)
        assert err["field"] == "type" and "room for 2 more sessions, and this needs 3" in err["message"]
        pres.send(type="step", n=1)
        for s in students:  # all still follow
            assert text_of(s, "state")["step"] == 21
        assert len(client.app.state.registry.sessions) == 1


def test_copies_are_made_in_the_worker_of_the_class_session():
    with TestClient(create_app(Settings(workers=2))) as client:
        registry = client.app.state.registry
        with lesson(client, students=2, trained=3) as (pres, hello, students):
            pres.send(type="release")
            copies = [moved(s)[0]["session"] for s in students]
            handle = registry.sessions[hello["session"]].handle
            assert all(registry.sessions[c].handle is handle for c in copies)
            assert all(registry.sessions[c].parent == hello["session"] for c in copies)


def test_a_copy_made_again_after_its_worker_died_is_still_the_students_copy():
    with TestClient(create_app(Settings(workers=2))) as client:
        registry = client.app.state.registry
        with lesson(client, students=1, trained=3) as (pres, hello, (ada,)):
            pres.send(type="release")
            copy = moved(ada)[0]
            os.kill(registry.sessions[hello["session"]].handle.process.pid, signal.SIGKILL)
            again = text_of(ada, "hello")
            assert again["session"] == copy["session"] and again["role"] == "controller"
            assert again["fork"] == copy["fork"] and fork_of(again) == {"of": hello["session"], "released": True}
            ada.send(type="follow")
            assert moved(ada)[0]["session"] == hello["session"]
