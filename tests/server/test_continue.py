"""The `continue` command (docs/protocol.md, "Continue on a new task"): a CNN trained on the
first half of the bars' classes goes on to the other half keeping every layer whose shape
fits, the output layer drawn afresh; `freeze` freezes what was kept; a continue that cannot
be done is refused by field and nothing changes."""

import numpy as np
import pytest

from engine import setup
from engine.userdata import dataset_for

from .conftest import Peer, is_frame, steps, text_of

BLOCKS = [{"kind": "conv", "filters": 3, "kernel": 3}, {"kind": "max_pool"}]
CNN = {"dataset": "bars", "samples": 200, "conv": BLOCKS, "hidden": [5], "activation": "relu", "batch_size": 8,
       "task": "first"}  # fmt: skip


def weights(frame, n):
    return [frame["arrays_"][f"layer{i}.W"].copy() for i in range(n)]


def continued(peer, **msg):
    peer.send(type="continue", **msg)
    config = text_of(peer, "config")
    frame = peer.until(is_frame)[0]
    return config, frame


def test_the_new_task_keeps_the_layers_that_fit_and_draws_the_output_afresh(peer):
    hello, dataset, _ = peer.join(CNN)
    assert dataset["classes"] == 2 and dataset["class_labels"] == ["—", "|"]
    trained, _ = steps(peer, 5)
    before = weights(trained, 3)
    config, frame = continued(peer, task="second")
    assert config["rebuilt"] and config["config"]["task"] == "second" and config["config"]["frozen"] == []
    assert "layers 1, 2 of 3 kept" in config["notice"], config
    assert frame["step"] == 0
    after = weights(frame, 3)
    assert np.array_equal(after[0], before[0]) and np.array_equal(after[1], before[1])  # the filters and hidden
    scratch = setup.build_cnn(config["config"], dataset_for(config["config"])).network.weight_layers
    assert np.allclose(after[2], scratch[2].params["W"], atol=1e-7)  # the output: as a new network draws it
    assert not np.allclose(after[0], scratch[0].params["W"], atol=1e-3)


def test_the_new_tasks_images_are_the_other_classes(peer):
    peer.join(CNN)
    steps(peer, 2)
    peer.send(type="continue", task="second")
    text_of(peer, "config")
    data = peer.until(lambda m: m.get("kind") == "dataset")[0]
    assert data["classes"] == 2 and data["class_labels"] == ["\\", "/"]


def test_freeze_freezes_the_kept_layers_and_they_stay_bit_identical(peer):
    peer.join(CNN)
    steps(peer, 3)
    config, first = continued(peer, task="second", freeze=True)
    assert config["config"]["frozen"] == ["frozen", "frozen"] and "kept and frozen" in config["notice"]
    later, _ = steps(peer, 5)
    start, now = weights(first, 3), weights(later, 3)
    assert np.array_equal(start[0], now[0]) and np.array_equal(start[1], now[1])
    assert not np.array_equal(start[2], now[2])  # the head learns


@pytest.mark.parametrize(
    "config, msg, field, words",
    [
        (CNN, {"task": "first"}, "task", "learns 'first' already"),
        (CNN, {"task": "last"}, "task", "must be one of all, first, second"),
        ({"dataset": "circle"}, {"task": "second"}, "task", "digits or bars only, not of circle"),
        (CNN, {"task": "second", "freeze": "yes"}, "freeze", "must be true or false"),
        (CNN, {}, "task", "is required"),
    ],
)  # fmt: skip
def test_a_continue_that_cannot_be_done_is_refused_and_nothing_changes(peer, config, msg, field, words):
    hello, _, _ = peer.join(config)
    before, _ = steps(peer, 2)
    peer.send(type="continue", **msg)
    error = text_of(peer, "error")
    assert error["field"] == field and words in error["message"], error
    after, _ = steps(peer, 1)
    assert after["step"] == 3
    assert np.array_equal(before["arrays_"]["layer0.W"].shape, after["arrays_"]["layer0.W"].shape)


def test_a_viewer_cannot_continue(client, peer):
    hello, _, _ = peer.join(CNN)
    with client.websocket_connect("/ws") as ws:
        viewer = Peer(ws)
        viewer.join(session=hello["session"])
        viewer.send(type="continue", task="second")
        assert "watching" in text_of(viewer, "error")["message"]


def test_cnn_against_mlp_trains_a_cnn_beside_the_same_dense_layers_on_the_pixels(peer):
    peer.join()
    peer.send(type="preset", name="cnn_vs_mlp")
    assert text_of(peer, "config")["config"]["compare"] == {"field": "conv", "value": []}
    frame = peer.until(is_frame)[0]
    assert frame["model"] == "cnn" and [c["size"] for c in frame["columns_b"]] == [64, 16, 10]
    assert frame["arrays_"]["layer0.W"].shape == (8, 1, 3, 3) and frame["arrays_"]["b/layer0.W"].shape == (64, 16)


def test_comparing_conv_blocks_is_refused_off_images(peer):
    peer.join({"dataset": "circle"})
    peer.send(type="set", config={"compare": {"field": "conv", "value": [{"kind": "max_pool"}]}})
    error = text_of(peer, "error")
    assert error["field"] == "config.compare.field" and "image datasets only" in error["message"], error


def test_the_fine_tune_experiment_continues_with_its_filters_frozen(peer):
    peer.join()
    peer.send(type="preset", name="fine_tune_head")
    assert text_of(peer, "config")["config"]["task"] == "first"
    steps(peer, 2)
    config, _ = continued(peer, task="second", freeze=True)
    assert config["config"]["frozen"] == ["frozen", "frozen"] and "layers 1, 2 of 3 kept and frozen" in config["notice"]


def test_continue_reaches_a_session_in_a_worker_process(client_on_workers):
    with client_on_workers.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        peer.join(CNN)
        steps(peer, 2)
        config, frame = continued(peer, task="second")
        assert config["config"]["task"] == "second" and frame["step"] == 0
