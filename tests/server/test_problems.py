"""Multiclass, 1D regression and digits over the websocket: what each frame carries."""

import numpy as np

from .conftest import is_frame


def test_k_class_spiral_sends_class_probabilities_and_a_confusion_matrix(peer):
    hello, dataset, frame = peer.join({"dataset": "spiral_k", "classes": 4, "hidden": [8]})
    assert dataset["problem"] == "multiclass" and dataset["classes"] == 4
    assert set(np.unique(dataset["arrays_"]["train.y"])) == {0, 1, 2, 3}
    res = frame["grid"]["res"]
    probs = frame["arrays_"]["grid.output"]
    assert probs.shape == (4, res, res) and np.allclose(probs.sum(axis=0), 1, atol=1e-5)
    out = frame["columns"][-1]
    assert out["size"] == 4 and out["activation"] == "softmax" and len(out["labels"]) == 4
    confusion = frame["arrays_"]["confusion"]
    assert confusion.shape == (4, 4) and confusion.sum() == dataset["n_test"]
    per_class = frame["metrics"]["per_class_accuracy"]
    assert len(per_class) == 4 and all(0 <= a <= 1 for a in per_class)
    assert frame["metrics"]["test_accuracy"] == np.trace(confusion) / confusion.sum()


def test_sine_sends_the_fitted_curve_and_r2(peer):
    hello, dataset, frame = peer.join({"dataset": "sine", "features": ["x1", "x2"], "hidden": [6]})
    assert hello["config"]["features"] == ["x1"]
    assert dataset["inputs"] == "line" and dataset["arrays_"]["train.x"].shape[1] == 1
    assert frame["columns"][0]["size"] == 1  # x2 does not exist on a line: only x1 is used
    a = frame["arrays_"]
    assert a["curve.x"].shape == a["curve.y"].shape == (frame["grid"]["res"],)
    nodes = a["grid.nodes1"]
    assert nodes.shape[0] == 6 and np.all(nodes[:, 0, :] == nodes[:, -1, :])
    peer.send(type="step", n=3)
    later = peer.until(lambda m: is_frame(m) and m["step"] == 3)[0]
    assert {"train_r2", "test_r2"} <= set(later["metrics"])


def test_digits_send_sample_images_predictions_and_confusion(peer):
    _, dataset, frame = peer.join({"dataset": "digits", "hidden": [16]})
    assert dataset["inputs"] == "image" and dataset["image_shape"] == [8, 8]
    assert "train.x" not in dataset["arrays_"]
    samples = dataset["arrays_"]["samples.x"]
    assert samples.shape == (24, 64) and samples.min() >= 0 and samples.max() <= 1
    assert frame["columns"][0]["size"] == 64 and frame["columns"][-1]["labels"][:3] == ["0", "1", "2"]
    a = frame["arrays_"]
    assert a["samples.pred"].shape == (24,) and a["samples.prob"].shape == (24, 10)
    assert np.array_equal(a["samples.pred"], a["samples.prob"].argmax(axis=1))
    assert a["confusion"].shape == (10, 10) and "grid.output" not in a
    assert not any(name.startswith("grid.nodes") for name in a)
