"""The presenter at the server's own computer sees which devices hold sessions and can end every
session one device made (devices.py): its pages are told and closed with 4001, its places are
free at once, other devices' sessions go on. Nobody else may list or end anything."""

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.devices import CLOSE_ENDED, ENDED
from server.settings import Limits

from .conftest import Peer, text_of
from .test_caps import via
from .test_limits import closed_with


def behind_proxy(workers: int) -> Settings:
    return Settings(
        limits=Limits(max_sessions=4, max_sessions_per_address=2),
        trusted_proxies=("127.0.0.1",),
        workers=workers,
    )


@pytest.mark.parametrize("workers", [1, 2], ids=["1 worker", "2 workers"])
def test_the_servers_own_computer_ends_the_sessions_one_device_holds_and_its_places_are_free(workers):
    with TestClient(create_app(behind_proxy(workers)), client=("127.0.0.1", 40000)) as client:
        with via(client, "10.0.0.1") as a, via(client, "10.0.0.1") as b, via(client, "10.0.0.2") as c:
            flood = [Peer(a), Peer(b)]
            for p in flood:
                p.join()
            student = Peer(c)
            student_sid = student.join()[0]["session"]
            with client.websocket_connect("/ws") as t, via(client, "10.0.0.3") as late:
                teacher = Peer(t)  # no forwarded header: the server's own computer
                teacher.join()
                Peer(late).send(type="join", session=None, token=None, config=None)
                assert "the server is full (4 sessions)" in text_of(Peer(late), "error")["message"]

                teacher.send(type="devices")
                listed = text_of(teacher, "devices")
                rows = {r["address"]: r for r in listed["devices"]}
                assert rows["10.0.0.1"] == {"address": "10.0.0.1", "sessions": 2, "connections": 2, "capped": True}
                assert rows["10.0.0.2"]["sessions"] == 1 and not rows["127.0.0.1"]["capped"]
                assert listed["devices"][0]["address"] == "10.0.0.1"  # the most first
                assert listed["sessions"] == 4 and listed["max_sessions_per_address"] == 2

                teacher.send(type="end_device", address="10.0.0.1")
                after = text_of(teacher, "devices")
                assert "10.0.0.1" not in {r["address"] for r in after["devices"]} and after["sessions"] == 2
                for p in flood:
                    assert text_of(p, "ended")["message"] == ENDED
                    assert closed_with(p.ws) == CLOSE_ENDED

                # The class's places are free at once, and the student's run goes on.
                with via(client, "10.0.0.3") as again:
                    assert Peer(again).join()[0]["role"] == "controller"
                student.send(type="step", n=3)
                assert student.until(lambda m: m.get("kind") == "frame" and m["step"] == 3)
                assert student_sid in client.app.state.registry.sessions


def test_a_student_may_neither_list_nor_end_and_stays_connected():
    with TestClient(create_app(behind_proxy(1)), client=("127.0.0.1", 40000)) as client:
        with via(client, "10.0.0.1") as a, via(client, "10.0.0.2") as b:
            other = Peer(a)
            other.join()
            student = Peer(b)
            student.join()
            for msg in ({"type": "devices"}, {"type": "end_device", "address": "10.0.0.1"}):
                student.send(**msg)
                said = text_of(student, "error")
                assert (
                    said["field"] == "devices" and "only the presenter at the server's own computer" in said["message"]
                )
            assert list(client.app.state.registry.owners.values()).count("10.0.0.1") == 1
            student.send(type="step", n=2)
            assert student.until(lambda m: m.get("kind") == "frame" and m["step"] == 2)


@pytest.mark.parametrize(
    "address,said",
    [
        ("127.0.0.1", "is the server's own computer"),
        ("10.9.9.9", "10.9.9.9 holds no session on this server"),
        ("", "must be a device's address"),
    ],
)
def test_ending_the_servers_own_or_an_unknown_device_is_refused_by_name(address, said):
    with (
        TestClient(create_app(Settings()), client=("127.0.0.1", 40000)) as client,
        client.websocket_connect("/ws") as ws,
    ):
        teacher = Peer(ws)
        sid = teacher.join()[0]["session"]
        teacher.send(type="end_device", address=address)
        error = text_of(teacher, "error")
        assert error["field"] == "address" and said in error["message"]
        assert sid in client.app.state.registry.sessions
