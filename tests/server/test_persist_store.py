"""The session store (server/store.py, server/saving.py) in one process: a save holds the whole
history, written in chunks as it grows and drops its older half; the store is bounded in
time and size; a damaged database is moved aside, never deleted, and the server serves on;
a killed worker's sessions come back from their last save; new ids never reuse a saved one's."""

import logging
import os
import signal

import numpy as np
import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app, fork
from server.history import row_bytes
from server.registry import Registry
from server.saving import Saver
from server.schema import defaults, make_fields
from server.session import Session
from server.store import CHUNK, DB_FILE, Store
from tests.school import wait_until

from .conftest import Peer, is_frame, saved_step, steps

pytestmark = pytest.mark.timeout(120)
SETTINGS = Settings(history_bytes=4 * CHUNK * row_bytes(2))  # 4 chunks of rows: it thins within a few
FIELDS = make_fields(SETTINGS.limits)


def session(sid="SAVEME", **config) -> Session:
    return Session(sid, {**defaults(FIELDS), "hidden": [4], **config}, SETTINGS, FIELDS)


def train(s: Session, n: int) -> None:
    for _ in range(n):
        assert s.step()


def test_saves_in_chunks_keep_the_whole_history_as_it_grows_drops_and_starts_over(tmp_path):
    s = session(compare={"field": "learning_rate", "value": 0.1})  # two runs, two histories
    store = Store(tmp_path / DB_FILE)
    saver = Saver(store, SETTINGS, lambda: [s])
    # Across chunk ends (step 1024 saved last, then its row changes) and past the budget (older steps thinned,
    # several times: their chunks written again).
    for n in (5, CHUNK - 5, 1, CHUNK + 7, 3 * CHUNK, 11, 6 * CHUNK, 2):
        train(s, n)
        saver.save(s).result()
        for r, run in enumerate(s.runs):
            loaded = store.load(s.id)["arrays"]
            assert np.array_equal(loaded[f"run{r}/history"], run.history.rows, equal_nan=True), n
            assert np.array_equal(loaded[f"run{r}/history_steps"], run.history.steps), n
            run.evaluated()  # a frame would: the last saved row gets its losses over the whole sets
    assert s.history.first == 1 and s.history.every > 1  # thinned, from step 1 on
    (stored,) = store.db.execute("SELECT sum(length(rows)) FROM history WHERE run = 0").fetchone()
    assert stored == s.history.count * row_bytes(2)  # no row of a thinned step left behind
    assert saver.save(s) is None  # unchanged: not written again
    s.command(type("C", (), {"role": "controller"})(), {"type": "reset"})  # a reset: the history starts over
    train(s, 3)
    saver.save(s).result()
    for r, run in enumerate(s.runs):
        assert np.array_equal(store.load(s.id)["arrays"][f"run{r}/history"], run.history.rows, equal_nan=True)
    again = fork.restore(store.load(s.id), s.id, SETTINGS, FIELDS, {})
    assert again.history.last == 3 and again.runs[1].history.count == 3


def test_a_session_restored_from_the_store_goes_on_exactly_as_the_original(tmp_path):
    s = session(optimizer="adam", dropout=0.2, batch_size=7)
    saver = Saver(Store(tmp_path / DB_FILE), SETTINGS, lambda: [s])
    train(s, 2 * CHUNK + 3)
    saver.save(s).result()
    again = fork.restore(saver.store.load(s.id), s.id, SETTINGS, FIELDS, {})
    train(s, 20)
    train(again, 20)
    for mine, theirs in zip(again.runs[0].trainer.network.layers, s.runs[0].trainer.network.layers):
        for k in mine.params:
            assert np.array_equal(mine.params[k], theirs.params[k])


def test_unused_sessions_expire_and_past_the_size_budget_the_least_recently_used_go(tmp_path):
    store = Store(tmp_path / DB_FILE)
    saver = Saver(store, SETTINGS, lambda: [])
    for sid in ("OLDEST", "MIDDLE", "NEWEST", "INUSE2"):
        saver.save(session(sid)).result()
    store.db.execute("UPDATE sessions SET used = used - 3600 WHERE id IN ('OLDEST', 'INUSE2')")
    assert store.sweep(keep={"INUSE2"}, expiry=1800, budget=1 << 30) == ["OLDEST"]  # the open one stays
    size = len(store.db.execute("SELECT arrays FROM sessions WHERE id = 'NEWEST'").fetchone()[0])
    assert store.sweep(keep=set(), expiry=1800, budget=size * 3 // 2) == ["MIDDLE", "INUSE2"]
    assert store.ids() == {"NEWEST"} and store.load("MIDDLE") is None


def test_the_server_sweeps_the_store_as_it_reaps_sessions(tmp_path):
    store = Store(tmp_path / DB_FILE)
    Saver(store, SETTINGS, lambda: []).save(session("UNUSED")).result()
    store.db.execute("UPDATE sessions SET used = used - ?", (SETTINGS.store_expiry + 1,))
    registry = Registry(SETTINGS, b"k" * 32, store)
    registry.reap(now=0.0)
    assert store.ids() == set()


def test_a_new_sessions_id_is_never_one_the_store_keeps(tmp_path, monkeypatch):
    store = Store(tmp_path / DB_FILE)
    Saver(store, SETTINGS, lambda: []).save(session("TAKEN2")).result()
    drawn = iter("TAKEN2" + "FRESH3")
    monkeypatch.setattr("server.ids.secrets.choice", lambda alphabet: next(drawn))
    registry = Registry(SETTINGS, b"k" * 32, store)
    assert registry.issue()["session"] == "FRESH3"


def test_a_damaged_database_is_moved_aside_said_once_and_the_server_serves_and_saves(tmp_path, caplog):
    data = tmp_path / "data"
    data.mkdir()
    damaged = b"this is not a database" * 100
    (data / DB_FILE).write_bytes(damaged)
    with caplog.at_level(logging.WARNING):
        app = create_app(Settings(data_dir=str(data)))
    [line] = [r.getMessage() for r in caplog.records if DB_FILE in r.getMessage()]
    [aside] = [p for p in data.iterdir() if p.name.startswith(f"{DB_FILE}.damaged-")]
    assert aside.read_bytes() == damaged  # moved, not deleted
    assert "could not be read" in line and aside.name in line and "\n" not in line
    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        hello, _, _ = peer.join({"dataset": "xor"})
        steps(peer, 4)
    assert saved_step(data, hello["session"]) == 4  # saved on shutdown, in the new database


def test_a_killed_workers_sessions_come_back_from_their_last_save(tmp_path):
    data = tmp_path / "data"
    with (
        TestClient(create_app(Settings(workers=2, data_dir=str(data)))) as client,
        client.websocket_connect("/ws") as a,
        client.websocket_connect("/ws") as b,
    ):
        ctl, viewer = Peer(a), Peer(b)
        hello, _, _ = ctl.join({"dataset": "circle", "hidden": [5], "optimizer": "adam"})
        sid = hello["session"]
        viewer.join(session=sid)
        steps(ctl, 300)
        wait_until(lambda: saved_step(data, sid) == 300, "the worker's save of step 300")
        ctl.send(type="play")  # training on past that save when the worker dies
        ctl.until(lambda m: is_frame(m) and m["step"] >= 320)
        handle = client.app.state.registry.sessions[sid].handle
        os.kill(handle.process.pid, signal.SIGKILL)
        for peer, role in ((ctl, "controller"), (viewer, "viewer")):
            again, _ = peer.until(lambda m: m.get("type") == "hello")
            assert again["role"] == role
            first = peer.expect(kind="dataset") and peer.expect(kind="frame")
            told = peer.expect(type="state")
            step = saved_step(data, sid)
            assert step >= 300 and first["step"] == step and first["history"] == {"first": 1, "count": step}
            assert told["message"] == f"the server restarted this session from its last save, at step {step}"
        assert client.app.state.registry.sessions[sid].handle is not handle
        frame, _ = steps(ctl, 3)
        assert frame["step"] == step + 3
