"""Your own points over the websocket: added, removed and cleared with small `points` messages,
each a new dataset (and a new run) the training set follows; too few train nothing; they stay
with the session (a viewer joining, the page reloaded, a worker process that died) and travel
with its config (the PyTorch export, the headless run)."""

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest
from fastapi.testclient import TestClient

from engine.export_torch import torch_script
from engine.userdata import user_dataset
from server import Settings, create_app
from server.export import export_text
from server.headless import train
from server.schema import defaults, make_fields
from server.validate import validate

from .conftest import Peer, is_frame, steps

pytestmark = pytest.mark.timeout(60)  # a message that never comes fails the test, not the run
POINTS = [[1, 1, 0], [-1, -1, 1], [2, -2, 1], [-2, 2, 0]]


def edit(peer, **msg):
    """Send a `points` message; the config message and the new dataset message it causes."""
    peer.send(type="points", **msg)
    config, _ = peer.until(lambda m: m.get("type") in ("config", "error"))
    assert config["type"] == "config", config
    return config, peer.expect(kind="dataset")


def xs(dataset):
    """Every point of a dataset message, training and test, as sorted (x1, x2, label) rows."""
    a = dataset["arrays_"]
    x = np.concatenate([a["train.x"], a["test.x"]])
    y = np.concatenate([a["train.y"], a["test.y"]])
    return sorted(tuple(float(v) for v in (*p, c)) for p, c in zip(x.round(4), y))


def test_an_added_point_is_in_the_next_dataset_and_the_network_trains_on_it(peer):
    peer.join({"dataset": "own", "points": POINTS})
    config, dataset = edit(peer, add=[[0.5, 3.25, 1]])
    assert config["changed"] == ["points"] and config["rebuilt"] is True
    assert config["config"]["points"] == [*POINTS, [0.5, 3.25, 1]]
    assert (0.5, 3.25, 1.0) in xs(dataset) and dataset["n_train"] + dataset["n_test"] == 5
    frame, _ = steps(peer, 5)  # the next steps train on the new set: the batch is all its training points
    assert frame["step"] == 5 and np.isfinite(frame["metrics"]["train_loss"])
    assert frame["metrics"]["train_accuracy"] * dataset["n_train"] == pytest.approx(
        round(frame["metrics"]["train_accuracy"] * dataset["n_train"])
    )


def test_a_point_of_a_third_class_makes_three_outputs(peer):
    peer.join({"dataset": "own", "points": POINTS})
    _, dataset = edit(peer, add=[[0, 4, 2]])
    assert (dataset["problem"], dataset["classes"]) == ("multiclass", 3)
    frame, _ = peer.until(is_frame)
    assert frame["columns"][-1]["size"] == 3


def test_remove_by_index_and_clear(peer):
    peer.join({"dataset": "own", "points": POINTS})
    config, dataset = edit(peer, remove=[[1.0004, 1], [2, -2]])  # where the page drew them
    assert config["config"]["points"] == [POINTS[1], POINTS[3]] and len(xs(dataset)) == 2
    config, dataset = edit(peer, clear=True)
    assert config["config"]["points"] == [] and dataset["n_train"] == dataset["n_test"] == 0
    frame, _ = peer.until(is_frame)
    assert "train_loss" not in frame["metrics"]  # nothing to measure
    for command in ({"type": "play"}, {"type": "step", "n": 1}, {"type": "explain", "on": True}):
        peer.send(**command)
        err, _ = peer.until(lambda m: m.get("type") == "error")
        assert err["field"] == "type" and err["message"].startswith("no points: place at least 2"), err
    config, _ = edit(peer, add=[[1, 1, 0]])
    peer.send(type="step", n=1)
    assert peer.until(lambda m: m.get("type") == "error")[0]["message"].startswith("one point: place at least 2")
    edit(peer, add=[[2, 2, 1]])
    frame, _ = steps(peer, 2)
    assert frame["step"] == 2


def test_clearing_while_playing_pauses(peer):
    peer.join({"dataset": "own", "points": POINTS})
    peer.send(type="play")
    peer.until(lambda m: is_frame(m) and m["step"] >= 3)
    peer.send(type="points", clear=True)
    state, _ = peer.until(lambda m: m.get("type") == "state")
    assert state["running"] is False and state["diverged_at"] is None


def test_bad_edits_are_refused_and_nothing_changes(peer):
    hello, _, _ = peer.join({"dataset": "own", "points": POINTS})
    for msg, field, words in [
        ({"add": [[1, 9, 0]]}, "config.points[4][1]", "outside the plot"),
        ({"add": [[1, 1, 6]]}, "config.points[4][2]", "not a class"),
        ({"add": [[1, 1]]}, "config.points[4]", "must be a row [x1, x2, label]"),
        ({"remove": [[3, 3]]}, "remove[0]", "no point at (3, 3)"),
        ({"remove": [[1, 1], 2]}, "remove[1]", "must be a point's coordinates"),
        ({}, "points", "needs at least one of"),
    ]:
        peer.send(type="points", **msg)
        err, seen = peer.until(lambda m: m.get("type") == "error")
        assert not any(m.get("type") == "config" or m.get("kind") == "dataset" for m in seen)
        assert (err["field"], words in err["message"]) == (field, True), err
    peer.send(type="set", config={"dataset": "circle"})
    peer.expect(type="config")
    peer.send(type="points", add=[[1, 1, 0]])  # not your own points: nothing to add to
    assert "not your own points" in peer.until(lambda m: m.get("type") == "error")[0]["message"]
    peer.send(type="set", config={"learning_rate": 0.1})
    msg, _ = peer.until(lambda m: m.get("type") == "config")
    assert msg["config_version"] == hello["config_version"] + 2 and msg["config"]["points"] == POINTS


def test_edit_makes_the_points_shown_your_own(peer):
    _, shown, _ = peer.join({"dataset": "spiral_k", "classes": 4, "samples": 120})
    config, dataset = edit(peer, edit=True)
    assert config["config"]["dataset"] == "own" and len(config["config"]["points"]) == 120
    assert (dataset["problem"], dataset["classes"]) == ("multiclass", 4)
    assert np.allclose(np.array(xs(dataset)), np.array(xs(shown)), atol=1e-4)
    peer.send(type="set", config={"dataset": "plane"})
    peer.until(lambda m: m.get("kind") == "dataset")
    peer.send(type="points", edit=True)
    assert "cannot be edited" in peer.until(lambda m: m.get("type") == "error")[0]["message"]


def test_the_starter_set_is_edited_like_any(peer):
    hello, dataset, _ = peer.join({"dataset": "own_line"})
    assert hello["config"]["line_points"] is None and dataset["inputs"] == "line"
    x, y = dataset["arrays_"]["test.x"][0, 0], dataset["arrays_"]["test.y"][0]  # float32, as drawn
    config, dataset = edit(peer, remove=[[float(x), float(y)]])
    assert len(config["config"]["line_points"]) == 29 == dataset["n_train"] + dataset["n_test"]


def test_a_viewer_and_a_reloaded_page_see_the_points(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ctl = Peer(a)
        hello, _, _ = ctl.join({"dataset": "own", "points": POINTS})
        config, dataset = edit(ctl, add=[[3, 3, 1]])
        viewer = Peer(b)
        vh, vd, _ = viewer.join(session=hello["session"])
        assert vh["config"]["points"] == config["config"]["points"] and xs(vd) == xs(dataset)
        edit(ctl, remove=[[1, 1]])
        got, _ = viewer.until(lambda m: m.get("type") == "config")
        assert got["config"]["points"] == [*POINTS[1:], [3, 3, 1]]
    with client.websocket_connect("/ws") as a:  # the page reloaded: it joins its session again
        again, again_data, _ = Peer(a).join(session=hello["session"], token=hello["token"])
        assert again["config"]["points"] == [*POINTS[1:], [3, 3, 1]] and len(xs(again_data)) == 4


def test_the_points_survive_a_worker_that_died():
    with TestClient(create_app(Settings(workers=2))) as client, client.websocket_connect("/ws") as a:
        ctl = Peer(a)
        hello, _, _ = ctl.join({"dataset": "own", "points": POINTS})
        edit(ctl, add=[[0, 5, 2]])
        handle = client.app.state.registry.sessions[hello["session"]].handle
        os.kill(handle.process.pid, signal.SIGKILL)
        again, _ = ctl.until(lambda m: m.get("type") == "hello")
        assert again["config"]["points"] == [*POINTS, [0, 5, 2]]
        assert ctl.expect(kind="dataset")["classes"] == 3


def test_the_export_and_the_headless_run_use_the_points(tmp_path):
    config = {"dataset": "own", "points": [*POINTS, [0.123456, -4.5, 1]], "hidden": [3]}
    fields = make_fields(Settings().limits)
    script = export_text(config, "3", fields, "py")
    full = validate(config, defaults(fields), fields)[0]
    assert script == torch_script(full, user_dataset("own", config["points"], 0.5, 1), 3, ["x1", "x2"])
    assert script != export_text({**config, "points": [*POINTS, [0.25, -4.5, 1]]}, "3", fields, "py")
    train(config, 3, tmp_path)
    assert (tmp_path / "history.csv").read_text().count("\n") == 4


def test_the_command_line_trains_on_a_csv_and_refuses_a_bad_one_naming_the_row(tmp_path):
    (tmp_path / "config.json").write_text('{"hidden": [3]}')
    (tmp_path / "points.csv").write_text("x1,x2,label\n1,1,0\n-1,-1,1\n2,-2,1\n-2,2,0\n")
    run = subprocess.run(
        [sys.executable, "-m", "server", "train", "config.json", "--data", "points.csv", "--steps", "3", "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    written = json.loads((tmp_path / "out" / "config.json").read_text())
    assert written["dataset"] == "own" and written["points"] == [[1, 1, 0], [-1, -1, 1], [2, -2, 1], [-2, 2, 0]]
    (tmp_path / "points.csv").write_text("x1,x2,label\n1,1,0\n-1,-1,9\n")
    run = subprocess.run(
        [sys.executable, "-m", "server", "train", "config.json", "--data", "points.csv", "--out", "out2"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 2 and "points.csv: row 3, column label: 9 is not a class" in run.stderr, run.stderr
    assert not (tmp_path / "out2").exists()
