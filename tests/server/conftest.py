import json
import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from engine import make_dataset, setup
from server import Settings, create_app
from server.protocol import decode
from server.store import DB_FILE


class Peer:
    """A websocket client that speaks the protocol: JSON out, JSON or decoded frames in."""

    def __init__(self, ws):
        self.ws = ws

    def send(self, **msg):
        self.ws.send_text(json.dumps(msg))

    def recv(self):
        m = self.ws.receive()
        if m.get("bytes") is not None:
            header, arrays = decode(m["bytes"])
            return {"binary": True, **header, "arrays_": arrays}
        if m.get("text") is not None:
            return json.loads(m["text"])
        raise AssertionError(f"connection closed: {m}")

    def expect(self, **fields):
        """The next message, which must have these fields (kind= for binary ones)."""
        msg = self.recv()
        for k, v in fields.items():
            assert msg.get(k) == v, f"expected {k}={v!r} in {summary(msg)}"
        return msg

    def until(self, pred, limit=10_000):
        """Read messages until one satisfies pred; returns it and what came before."""
        seen = []
        for _ in range(limit):
            msg = self.recv()
            if pred(msg):
                return msg, seen
            seen.append(msg)
        raise AssertionError("no matching message")

    def join(self, config=None, session=None, token=None):
        self.send(type="join", session=session, token=token, config=config)
        hello = self.expect(type="hello")
        dataset = self.expect(kind="dataset")
        frame = self.expect(kind="frame")
        return hello, dataset, frame


def steps(peer, n):
    """Run n steps; returns the frame of the last one and every frame that came with them
    (their histories together hold every step). Waits for the `state` that ends the command."""
    peer.send(type="step", n=n)
    state, seen = peer.until(lambda m: m.get("type") == "state")
    frames = [m for m in seen if is_frame(m)]
    assert frames and frames[-1]["step"] == state["step"], summary(state)
    return frames[-1], frames


def reference(config):
    """An engine trainer built from a session's config (hello.config) the way the session
    builds its own: same data, features and seed, so it reproduces the session's numbers."""
    data = make_dataset(
        config["dataset"],
        config["samples"],
        config["noise"],
        config["train_ratio"],
        config["data_seed"],
        classes=config["classes"],
    )
    return setup.build(config, data, [] if data.inputs == "image" else config["features"])


def summary(msg):
    return {k: v for k, v in msg.items() if k not in ("arrays_", "schema", "arrays")}


def is_frame(msg):
    return msg.get("kind") == "frame"


@pytest.fixture
def settings():
    return Settings()


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(params=[1, 2], ids=["1 worker", "2 workers"])
def client_on_workers(request):
    """The app in one process (1) and with sessions in 2 worker processes."""
    with TestClient(create_app(Settings(workers=request.param))) as c:
        yield c


def text_of(peer, kind):
    """The next text message of this type (frames and others on the way are skipped)."""
    return peer.until(lambda m: m.get("type") == kind)[0]


@pytest.fixture
def peer(client):
    with client.websocket_connect("/ws") as ws:
        yield Peer(ws)


def whole_set_message(n: int) -> str:
    """The state's message when step n's loss over the whole sets overflowed (that step is shown)."""
    return (
        f"step {n} diverged (the loss over the whole training or test set is not finite); "
        f"showing step {n}, where it happened"
    )


def saved_step(data_dir: Path, sid: str) -> int | None:
    """The step of the session's last save, read as another program would (read-only)."""
    db = sqlite3.connect(f"file:{data_dir / DB_FILE}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT step FROM sessions WHERE id = ?", (sid,)).fetchone()
    finally:
        db.close()
    return None if row is None else row[0]
