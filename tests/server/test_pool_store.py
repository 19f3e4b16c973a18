"""The class's pool outlives a restart (server/pool_store.py, saved with its session by
saving.py): its runs, their students and pictures, and how the presenter shows it; and it is
bounded (pool.MAX_RUNS), so what is saved and sent stays small."""

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app, pool
from server.errors import Invalid
from server.saving import Saver
from server.schema import defaults, make_fields
from server.session import Session
from server.store import DB_FILE, Store

from .conftest import Peer, steps, text_of
from .test_release import CONFIG, moved

pytestmark = pytest.mark.timeout(120)
SETTINGS = Settings()
FIELDS = make_fields(SETTINGS.limits)
FIGURES = {"varied": ["learning_rate"], "settings": {"learning_rate": 0.3}, "test_loss": 0.25, "steps": 40}


def test_a_saved_pool_is_found_by_a_new_store_on_the_same_file(tmp_path):
    s = Session("CLASS1", defaults(FIELDS), SETTINGS, FIELDS)
    saver = Saver(Store(tmp_path / DB_FILE), SETTINGS, lambda: [s])
    saver.save(s).result()
    pool = s.room.pool
    pool.add("COPY1", "ann", "Ann", FIGURES, {"kind": "loss"})
    pool.add("COPY2", "ben", None, {**FIGURES, "diverged": True}, {"kind": "plane"})
    pool.view({"shown": True, "spotlight": 2, "y": "train_loss"})
    assert saver.save(s) is not None, "a pool that changed is saved, though the run did not step"
    saver.flush()
    saver.store.close()
    again = Saver(Store(tmp_path / DB_FILE), SETTINGS, lambda: []).restore(s.id, FIELDS, {}, s.token)
    back = again.room.pool
    assert back.runs == pool.runs and back.pictures == pool.pictures and back.students == pool.students
    assert (back.shown, back.spotlight, back.y, back.x) == (True, 2, "train_loss", None)
    assert again.room.pool.message() == pool.message()
    back.add("COPY3", "ann", "Ann", FIGURES, {"kind": "loss"})  # Ann again, from a new copy: still number 1
    assert [e["number"] for e in back.runs.values()] == [2, 1]


@pytest.mark.parametrize("workers", [1, 2])
def test_after_a_restart_the_presenter_finds_the_class_runs(tmp_path, workers):
    settings = Settings(data_dir=str(tmp_path), workers=workers)
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect("/ws") as pw, client.websocket_connect("/ws") as sw:
            pres, student = Peer(pw), Peer(sw)
            hello, _, _ = pres.join(CONFIG)
            student.send(type="join", session=hello["session"], token=None, config=None, watch=True, name="Ann")
            student.expect(type="hello")
            pres.until(lambda m: m.get("type") == "room" and m["watching"] == 1)
            student.send(type="try")
            moved(student)
            steps(student, 3)
            student.send(type="pool_send")
            text_of(student, "pool_sent")
            pres.until(lambda m: m.get("type") == "pool" and m["runs"])
            pres.send(type="pool_view", spotlight=1)
            before = text_of(pres, "pool")
    with TestClient(create_app(settings)) as client:  # the server started again
        with client.websocket_connect("/ws") as pw:
            back, _, _ = Peer(pw).join(session=hello["session"], token=hello["token"])
            assert back["role"] == "controller"
            assert back["pool"] == {k: v for k, v in before.items() if k != "type"}
            assert back["pool"]["runs"][0]["name"] == "Ann" and back["pool"]["picture"]["kind"] == "plane"


def test_a_full_pool_refuses_a_new_student_and_still_takes_resends(monkeypatch):
    monkeypatch.setattr(pool, "MAX_RUNS", 2)
    p = Session("CLASS2", defaults(FIELDS), SETTINGS, FIELDS).room.pool
    p.add("C1", "ann", None, FIGURES, {})
    p.add("C2", "ben", None, FIGURES, {})
    with pytest.raises(Invalid) as refused:
        p.add("C3", "cy", None, FIGURES, {})
    assert refused.value.field == "type" and "holds 2 runs" in str(refused.value)
    assert list(p.runs) == ["C1", "C2"] and "cy" not in p.numbers
    p.add("C4", "ann", None, {**FIGURES, "steps": 50}, {})  # Ann again: in place of her run
    assert [e["steps"] for e in p.runs.values()] == [40, 50]
