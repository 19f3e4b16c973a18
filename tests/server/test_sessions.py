"""Sessions outlive connections; one controller, any number of viewers; Origin checks."""

import time

import pytest
from starlette.websockets import WebSocketDisconnect

from server import Settings

from .conftest import Peer, is_frame


def test_second_tab_watches_and_cannot_control(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ctl, viewer = Peer(a), Peer(b)
        hello, _, _ = ctl.join()
        vh, _, _ = viewer.join(session=hello["session"])
        assert hello["role"] == "controller" and vh["role"] == "viewer" and "token" not in vh
        viewer.send(type="play")
        err = viewer.expect(type="error")
        assert "only the controller" in err["message"]
        ctl.send(type="step", n=4)
        assert viewer.until(lambda m: is_frame(m) and m["step"] == 4)[0]["history"]["count"] == 4
        ctl.send(type="set", config={"learning_rate": 0.1})
        cfg, _ = viewer.until(lambda m: m.get("type") == "config")
        assert cfg["config"]["learning_rate"] == 0.1


def test_late_viewer_gets_the_whole_history(client):
    with client.websocket_connect("/ws") as a:
        ctl = Peer(a)
        hello, _, _ = ctl.join()
        ctl.send(type="step", n=30)
        ctl.until(lambda m: m.get("type") == "state")
        with client.websocket_connect("/ws") as b:
            _, _, frame = Peer(b).join(session=hello["session"])
            assert frame["history"] == {"first": 1, "count": 30}


@pytest.fixture
def settings():
    return Settings(grace_seconds=0.3, reap_interval=0.05)


def test_session_survives_a_dropped_connection_then_is_reaped(client):
    with client.websocket_connect("/ws") as a:
        hello, _, _ = Peer(a).join()
        Peer(a).send(type="step", n=5)
        Peer(a).until(lambda m: m.get("type") == "state")
    with client.websocket_connect("/ws") as a:  # back within the grace period, with the token
        again, _, frame = Peer(a).join(session=hello["session"], token=hello["token"])
        assert again["session"] == hello["session"] and again["role"] == "controller"
        assert frame["step"] == 5
    registry = client.app.state.registry
    deadline = time.monotonic() + 5
    while hello["session"] in registry.sessions and time.monotonic() < deadline:
        time.sleep(0.02)
    assert hello["session"] not in registry.sessions
    with client.websocket_connect("/ws") as a:  # an expired link starts a new session
        fresh, _, frame = Peer(a).join(session=hello["session"], config={"dataset": "spiral"})
        assert fresh["session"] != hello["session"] and fresh["config"]["dataset"] == "spiral"
        assert fresh["role"] == "controller" and frame["step"] == 0


def test_foreign_origin_is_refused(client):
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/ws", headers={"origin": "http://evil.example"}) as ws:
            ws.receive()
    with client.websocket_connect("/ws", headers={"origin": "http://testserver"}) as ws:
        hello, _, _ = Peer(ws).join()
        assert hello["type"] == "hello"


def test_page_and_static_files_are_served(client):
    page = client.get("/")
    assert page.status_code == 200 and 'type="module"' in page.text
    assert client.get("/static/js/protocol.js").status_code == 200
    for path in (
        "/static/../server/app.py",
        "/static/..%2fserver%2fapp.py",
        "/static/%2e%2e/pyproject.toml",
        "/static/js/../../server/settings.py",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
    ):
        response = client.get(path)
        assert response.status_code == 404 and "import" not in response.text and "root:" not in response.text, path


def test_after_a_restart_the_presenter_recreates_the_session_and_students_find_it(tmp_path):
    kept = Settings(data_dir=str(tmp_path))  # what the restarted server finds of the one before: its secret
    from fastapi.testclient import TestClient

    from server import create_app

    with TestClient(create_app(kept)) as before, before.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join({"dataset": "xor"})
    with TestClient(create_app(kept)) as after:  # a new server: the session is gone
        with after.websocket_connect("/ws") as student, after.websocket_connect("/ws") as presenter:
            s, p = Peer(student), Peer(presenter)
            s.send(type="join", session=hello["session"], token=None, config=None, watch=True)
            err = s.expect(type="error")
            assert err["field"] == "session" and "waiting for its presenter" in err["message"]
            again, _, _ = p.join({"dataset": "xor"}, session=hello["session"], token=hello["token"])
            assert again["session"] == hello["session"] and again["role"] == "controller"
            watching, _, _ = s.join(session=hello["session"])  # the student's page tries again
            assert watching["role"] == "viewer" and watching["config"]["dataset"] == "xor"
