"""A pooled run's picture (server/pool_picture.py) and one entry a student (server/pool.py,
release.py): the picture is the copy's own prediction and data, small, and reaches every
screen only with the spotlight; a student who tried it alone and is then released (or
released twice) has one run in the pool, the latest."""

import base64
import json

import numpy as np
import pytest

from server import names, pool_picture
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings

from .conftest import Peer, steps, text_of
from .test_pool import error_of, released
from .test_release import lesson, moved

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def client(client_on_workers):
    return client_on_workers


def unpack(block):
    return np.frombuffer(base64.b64decode(block["data"]), dtype="<f4").reshape(block["shape"])


def run_of(grid_res, **config):
    """A session's run A after 30 steps, its output computed on the picture's own grid."""
    settings = Settings(grid_res=grid_res)
    fields = make_fields(settings.limits)
    s = Session("PIC", {**defaults(fields), **config}, settings, fields)
    for _ in range(30):
        assert s.step()
    return s.runs[0]


@pytest.mark.parametrize("dataset", ["circle", "plane", "spiral_k"])
def test_a_plane_runs_picture_is_its_own_prediction_over_the_plane_and_its_points(dataset):
    run = run_of(pool_picture.RES, dataset=dataset, classes=6, samples=1000)
    pic = pool_picture.picture(run)
    assert pic["kind"] == "plane" and pic["problem"] == run.data.problem
    assert np.allclose(unpack(pic["output"]), run.predictions()[names.GRID_OUTPUT], rtol=1e-5, atol=1e-6)
    train, test = unpack(pic["train"]["x"]), unpack(pic["test"]["y"])
    assert len(train) == pool_picture.POINTS and len(test) == pool_picture.POINTS // 2
    x = run.data.x_train.astype(np.float32)
    assert np.array_equal(train[0], x[0]) and np.array_equal(train[-1], x[-1])
    assert len(json.dumps(pic)) < pool_picture.LIMIT  # six classes, the most: the largest picture


def test_a_line_runs_picture_is_its_fitted_curve_and_an_image_runs_its_loss_curve():
    run = run_of(pool_picture.CURVE, dataset="sine")
    pic = pool_picture.picture(run)
    assert pic["kind"] == "line"
    tensors = run.predictions()
    assert np.allclose(unpack(pic["curve"]["y"]), tensors[names.CURVE_Y], atol=1e-6)
    assert np.array_equal(unpack(pic["curve"]["x"]), tensors[names.CURVE_X].astype(np.float32))
    run = run_of(50, dataset="digits", hidden=[8])
    for _ in range(3):  # evaluated at steps 30, 31, 32 (a frame would, each)
        run.evaluated()
        run.commit(run.step())
    pic = pool_picture.picture(run)
    assert pic["kind"] == "loss" and unpack(pic["steps"]).tolist() == [30, 31, 32]
    assert unpack(pic["test_loss"])[-1] == np.float32(run.metrics["test_loss"])


def test_the_spotlit_runs_picture_reaches_every_screen_with_the_pool_and_no_other(client):
    with released(client, students=2) as (pres, _, (a, b), _):
        for p, rate in ((a, 0.01), (b, 1.0)):
            p.send(type="set", config={"learning_rate": rate})
            text_of(p, "config")
            steps(p, 5)
            p.send(type="pool_send")
            text_of(p, "pool_sent")
        pool = pres.until(lambda m: m.get("type") == "pool" and len(m["runs"]) == 2)[0]
        assert pool["picture"] is None
        pres.send(type="pool_view", shown=True, spotlight=2)
        pics = [text_of(p, "pool")["picture"] for p in (pres, a, b)]
        assert pics[0] == pics[1] == pics[2] and pics[0]["kind"] == "plane"
        pres.send(type="pool_view", spotlight=1)
        first = text_of(pres, "pool")["picture"]
        assert first != pics[0]  # each run's own: b's learning rate is a hundred times a's
        pres.send(type="pool_view", shown=False)
        hidden = a.until(lambda m: m.get("type") == "pool" and not m["shown"])[0]
        assert hidden["picture"] is None  # hidden again: nothing of it reaches a student


def test_a_student_who_tried_it_alone_then_is_released_twice_has_one_run_in_the_pool(client):
    with lesson(client, students=2, trained=3) as (pres, _, (s, other)):
        s.send(type="try")
        moved(s)
        steps(s, 2)
        s.send(type="pool_send")
        assert text_of(s, "pool_sent")["replaced"] is False
        s.send(type="follow")
        moved(s)
        for _ in range(2):  # released, sends (twice), brought back; and again
            pres.send(type="release")
            text_of(pres, "released")
            hello, _ = moved(s)  # a new copy: its hello already holds the run they sent before
            assert hello["pool_sent"]["number"] == 1
            moved(other)
            for p in (s, other):
                steps(p, 1)
                p.send(type="pool_send")
                text_of(p, "pool_sent")
            s.send(type="pool_send")
            again = text_of(s, "pool_sent")
            assert again["replaced"] is True and again["run"]["number"] == 1
            pres.send(type="gather")
            for p in (s, other):
                moved(p)
        pool = pres.until(lambda m: m.get("type") == "pool" and len(m["runs"]) == 2)[0]
        assert sorted((r["number"], r["name"]) for r in pool["runs"]) == [(1, "student 0"), (2, "student 1")]
        mine = next(r for r in pool["runs"] if r["number"] == 1)
        assert mine["steps"] == again["run"]["steps"] == 3 + 1  # the latest: the second release's copy
        s.send(type="pool_send")  # following again: nothing of theirs to send
        assert error_of(s)["message"].startswith("this is the class's session")


def test_a_reloaded_page_that_reopens_its_copy_is_still_the_same_student(client):
    with lesson(client, students=1, trained=2) as (pres, hello, (s,)):
        s.send(type="try")
        copy, _ = moved(s)
        steps(s, 1)
        s.send(type="pool_send")
        text_of(s, "pool_sent")
        with client.websocket_connect("/ws") as ws:  # the page reloaded: a new socket, the copy's token kept
            again = Peer(ws)
            again.send(type="join", session=hello["session"], token=None, config=None, watch=True)
            again.expect(type="hello")
            again.send(type="reopen", session=copy["session"], token=copy["token"])
            moved(again)
            again.send(type="follow")
            moved(again)
            pres.send(type="release")
            text_of(pres, "released")
            moved(again)
            steps(again, 1)
            again.send(type="pool_send")
            sent = text_of(again, "pool_sent")
            assert sent["replaced"] is True and sent["run"]["number"] == 1
            pool = pres.until(lambda m: m.get("type") == "pool" and m["runs"][0]["steps"] == sent["run"]["steps"])[0]
            assert len(pool["runs"]) == 1
