"""A student's copy outlives a restart as a copy: brought back from the store (fork.py keeps
whose class and whose student it is), it is still its class's, so "back to following" and the
presenter's "bring everyone back" reach it, with the sessions in one process and in workers."""

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app

from .conftest import Peer, steps, text_of
from .test_release import CONFIG, fork_of, moved

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize("workers", [1, 2], ids=["1 worker", "2 workers"])
def test_a_released_students_copy_comes_back_still_its_class_and_follows_again(tmp_path, workers):
    settings = Settings(data_dir=str(tmp_path), workers=workers)
    with TestClient(create_app(settings)) as client:
        with client.websocket_connect("/ws") as pw, client.websocket_connect("/ws") as sw:
            pres, student = Peer(pw), Peer(sw)
            klass, _, _ = pres.join(CONFIG)
            student.send(type="join", session=klass["session"], token=None, config=None, watch=True)
            student.expect(type="hello")
            pres.until(lambda m: m.get("type") == "room" and m["watching"] == 1)
            pres.send(type="release")
            copy, _ = moved(student)
            steps(student, 4)
    assert copy["role"] == "controller" and fork_of(copy) == {"of": klass["session"], "released": True}

    with TestClient(create_app(settings)) as client:  # the server started again
        with client.websocket_connect("/ws") as pw, client.websocket_connect("/ws") as sw:
            pres, student = Peer(pw), Peer(sw)
            pres.join(session=klass["session"], token=klass["token"])
            back, _, frame = student.join(session=copy["session"], token=copy["token"])
            assert back["role"] == "controller" and back["fork"] == copy["fork"] and frame["step"] == 4
            student.send(type="follow")
            following, _ = moved(student)
            assert following["session"] == klass["session"] and following["role"] == "viewer"
            student.send(type="reopen", session=copy["session"], token=copy["token"])
            again, _ = moved(student)
            assert again["session"] == copy["session"] and again["role"] == "controller"
            pres.send(type="gather")  # the presenter's "bring everyone back" reaches the restored copy
            gathered, _ = moved(student)
            assert gathered["session"] == klass["session"] and gathered["role"] == "viewer"
            assert text_of(pres, "released")["released"] is False
