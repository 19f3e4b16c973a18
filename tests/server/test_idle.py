"""Work only for what someone sees: a session whose last connection has gone neither trains
nor builds frames until someone joins it again; then it plays on if it was playing."""

import time

from .conftest import Peer, is_frame


def wait_for(condition, what, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.01)


def test_an_unwatched_session_stops_training_and_resumes_when_someone_returns(client):
    registry = client.app.state.registry
    with client.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join({"speed": 0})  # as fast as it goes
        Peer(ws).send(type="play")
        Peer(ws).until(lambda m: is_frame(m) and m["step"] >= 20)
    session = registry.sessions[hello["session"]]
    wait_for(lambda: not session.connections, "the connection is detached")
    held, frame = session.history.last, session.frame
    # Another session, watched, is the clock: while it trains 300 steps on the same event
    # loop, the unwatched one takes none and builds no frame.
    with client.websocket_connect("/ws") as ws:
        clock = Peer(ws)
        clock.join({"speed": 0})
        clock.send(type="play")
        clock.until(lambda m: is_frame(m) and m["step"] >= 300)
        assert session.history.last == held and session.frame is frame
        assert session.running  # still playing: it waits for its viewers
    with client.websocket_connect("/ws") as ws:  # back, with the token: it plays on
        back = Peer(ws)
        again, _, first = back.join(session=hello["session"], token=hello["token"])
        assert again["state"]["running"] and again["state"]["step"] == held and first["step"] >= held
        wait_for(lambda: session.history.last >= held + 20, "it plays on")
        back.until(lambda m: is_frame(m) and m["step"] >= held + 20)
