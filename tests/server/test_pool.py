"""Pooling the class's experiments (server/pool.py), with sessions in the web process and in
worker processes: a released student sends their own run, the entry is the server's account
of that run, resending replaces it, only the presenter shows, clears or spotlights the pool,
and every refusal names its field and changes nothing."""

import contextlib

import pytest

from .conftest import Peer, is_frame, steps, text_of
from .test_release import lesson, moved

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def client(client_on_workers):
    return client_on_workers


def error_of(peer):
    return text_of(peer, "error")


@contextlib.contextmanager
def released(client, students=3):
    """A lesson released: the presenter, the class's hello, and each student's copy's hello."""
    with lesson(client, students=students, trained=10) as (pres, hello, peers):
        pres.send(type="release")
        text_of(pres, "released")
        copies = [moved(p)[0] for p in peers]
        yield pres, hello, peers, copies


def test_each_student_sends_their_run_and_the_presenter_gets_the_servers_account_of_it(client):
    with released(client) as (pres, hello, students, _):
        rates = [0.003, 0.3, 3.0]
        for s, rate in zip(students, rates):
            s.send(type="set", config={"learning_rate": rate})
            text_of(s, "config")
            frame, _ = steps(s, 15)
            s.send(type="pool_send")
            sent = text_of(s, "pool_sent")
            assert sent["replaced"] is False
            run = sent["run"]
            assert run["varied"] == ["learning_rate"] and run["settings"]["learning_rate"] == rate
            assert run["steps"] == frame["step"] == 25  # 10 before the release, 15 after
            metrics = frame["metrics"]
            for k in ("train_loss", "test_loss", "test_accuracy"):
                assert run[k] == pytest.approx(metrics[k], rel=1e-6, abs=1e-9) or (run[k] is None), k
            assert run["diverged"] is (run["diverged_at"] is not None)
        pool = pres.until(lambda m: m.get("type") == "pool" and len(m["runs"]) == 3)[0]
        assert [r["name"] for r in pool["runs"]] == ["student 0", "student 1", "student 2"]  # the names they gave
        assert [r["settings"]["learning_rate"] for r in pool["runs"]] == rates
        assert pool["x"] == "learning_rate" and pool["axes"] == ["learning_rate"] and pool["shown"] is False
        # The presenter's own run is untouched and sends nothing of its own.
        pres.send(type="pool_send")
        assert error_of(pres)["message"].startswith("this is the class's session")


def test_resending_replaces_the_students_entry(client):
    with released(client, students=1) as (pres, _, (s,), _):
        steps(s, 3)
        s.send(type="pool_send")
        first = text_of(s, "pool_sent")["run"]
        steps(s, 4)
        s.send(type="pool_send")
        again = text_of(s, "pool_sent")
        assert again["replaced"] is True and again["run"]["steps"] == first["steps"] + 4
        pool = pres.until(lambda m: m.get("type") == "pool" and m["runs"][0]["steps"] == again["run"]["steps"])[0]
        assert len(pool["runs"]) == 1 and pool["runs"][0]["number"] == first["number"] == 1


def test_a_diverged_run_is_pooled_as_diverged(client):
    with released(client, students=1) as (pres, _, (s,), _):
        blowup = {"dataset": "plane", "hidden": [8, 8], "activation": "relu", "learning_rate": 10, "optimizer": "sgd"}
        s.send(type="set", config=blowup)
        text_of(s, "config")
        s.send(type="step", n=200)
        state = text_of(s, "state")
        assert state["diverged_at"] is not None, state
        s.send(type="pool_send")
        run = text_of(s, "pool_sent")["run"]
        assert run["diverged"] is True and run["diverged_at"] == state["diverged_at"]
        assert run["varied"] == ["dataset", "hidden", "activation", "learning_rate", "optimizer"]


def test_the_pool_reaches_students_only_while_the_presenter_shows_it(client):
    with released(client, students=2) as (pres, hello, students, copies):
        a, b = students
        steps(a, 2)
        a.send(type="pool_send")
        text_of(a, "pool_sent")
        pres.until(lambda m: m.get("type") == "pool" and m["runs"])
        # b sees nothing of it yet: the next pool-or-error message it gets answers its own command.
        b.send(type="pool_view", shown=True)
        err = b.until(lambda m: m.get("type") in ("pool", "error"))[0]
        assert err["field"] == "type" and "only the presenter" in err["message"]
        pres.send(type="pool_view", shown=True, y="train_loss", spotlight=1)
        for p in (pres, a, b):
            pool = text_of(p, "pool")
            assert pool["shown"] is True and pool["y"] == "train_loss" and pool["spotlight"] == 1
            # On every screen, the projected presenter's too, the runs are "student N".
            assert len(pool["runs"]) == 1 and pool["runs"][0]["name"] == "student 1"
        pres.send(type="pool_view", shown=False)
        # Hidden, the name given at join ("student 0") is back, for the presenter only.
        assert [r["name"] for r in text_of(pres, "pool")["runs"]] == ["student 0"]
        for p in (a, b):
            hidden = text_of(p, "pool")
            assert hidden["shown"] is False and hidden["runs"] == []
        # Brought back, a student's hello holds the pool as they may see it: hidden, empty.
        pres.send(type="gather")
        for p in (a, b):
            back, _ = moved(p)
            assert back["role"] == "viewer" and back["pool"]["shown"] is False and back["pool"]["runs"] == []
        pres.send(type="pool_view", shown=True)
        for p in (a, b):
            assert len(text_of(p, "pool")["runs"]) == 1


def test_students_cannot_show_clear_or_send_for_others_and_nothing_changes(client):
    with released(client, students=2) as (pres, hello, (a, b), copies):
        steps(a, 2)
        a.send(type="pool_send")
        text_of(a, "pool_sent")
        before = pres.until(lambda m: m.get("type") == "pool" and m["runs"])[0]
        for msg in (
            {"type": "pool_clear"},
            {"type": "pool_view", "shown": True},
            {"type": "pool_view", "spotlight": 1},
        ):
            a.send(**msg)
            err = error_of(a)
            assert err["field"] == "type" and "student's own copy" in err["message"], msg
        # A send names no one: extra fields are refused by name.
        a.send(type="pool_send", session=hello["session"])
        assert error_of(a)["field"] == "session"
        a.send(type="pool_send", name="Ben")
        assert error_of(a)["field"] == "name"
        # b has not trained since the release... it has: the release kept its 10 steps; but a
        # watcher of the class (after follow) has no run of its own to send.
        b.send(type="follow")
        moved(b)
        b.send(type="pool_send")
        assert error_of(b)["message"].startswith("this is the class's session")
        b.send(type="pool_clear")
        assert "watching" in error_of(b)["message"]
        # Nothing changed: the presenter's next pool is the same one.
        pres.send(type="pool_view", y="test_loss")
        after = text_of(pres, "pool")
        assert after["runs"] == before["runs"] and after["shown"] is False


def test_bad_pool_view_fields_are_named_and_nothing_changes(client):
    with released(client, students=1) as (pres, _, (s,), _):
        steps(s, 1)
        s.send(type="pool_send")
        text_of(s, "pool_sent")
        pres.until(lambda m: m.get("type") == "pool" and m["runs"])
        bad = [
            ({"x": "colour"}, "x", "'colour' is not a setting a run can be plotted against"),
            ({"x": "speed"}, "x", "'speed' is not a setting a run can be plotted against"),
            ({"y": "happiness"}, "y", "'happiness' is not a measure"),
            ({"spotlight": 7}, "spotlight", "no run numbered 7 has been sent"),
            ({"shown": "yes"}, "shown", "must be true or false"),
            ({"spotlight": True}, "spotlight", "must be a run's number or null"),
            ({}, "pool_view", "needs at least one of shown, x, y, spotlight"),
            ({"shown": True, "y": "nope"}, "y", "'nope' is not a measure"),
        ]
        for fields, field, words in bad:
            pres.send(type="pool_view", **fields)
            err = error_of(pres)
            assert err["field"] == field and err["message"].startswith(words), (fields, err)
        pres.send(type="pool_view", x="momentum")
        pool = text_of(pres, "pool")
        assert pool["shown"] is False and pool["y"] == "test_loss" and pool["x"] == "momentum"


def test_clear_empties_the_pool_and_numbers_start_again(client):
    with released(client, students=2) as (pres, _, (a, b), _):
        for p in (a, b):
            steps(p, 1)
            p.send(type="pool_send")
            text_of(p, "pool_sent")
        pres.until(lambda m: m.get("type") == "pool" and len(m["runs"]) == 2)
        pres.send(type="pool_view", spotlight=2)
        assert text_of(pres, "pool")["spotlight"] == 2
        pres.send(type="pool_clear")
        cleared = text_of(pres, "pool")
        assert cleared["runs"] == [] and cleared["spotlight"] is None
        b.send(type="pool_send")
        assert text_of(b, "pool_sent")["run"]["number"] == 1


def test_try_it_myself_sends_too_and_an_untrained_run_is_refused(client):
    with lesson(client, students=1, trained=1) as (pres, hello, (s,)):
        s.send(type="try")
        h, _ = moved(s)
        assert h["fork"]["released"] is False and h["pool"]["runs"] == []
        s.send(type="reset")  # new weights, step 0
        assert text_of(s, "state")["step"] == 0
        s.send(type="pool_send")
        err = error_of(s)
        assert err["field"] == "type" and "no steps yet" in err["message"]
        steps(s, 2)
        s.send(type="pool_send")
        assert text_of(s, "pool_sent")["run"]["steps"] == 2
        assert pres.until(lambda m: m.get("type") == "pool" and m["runs"])[0]["runs"][0]["varied"] == []


def test_a_watcher_of_a_copy_cannot_send_it(client):
    with released(client, students=1) as (pres, _, (s,), (copy,)):
        with client.websocket_connect("/ws") as ws:
            other = Peer(ws)
            other.send(type="join", session=copy["session"], token=None, config=None, watch=True)
            assert other.expect(type="hello")["role"] == "viewer"
            other.until(is_frame)
            other.send(type="pool_send")
            assert "only the student it belongs to" in error_of(other)["message"]
