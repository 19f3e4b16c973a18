"""A session's losses over the whole sets come from a float32 forward pass (the wire's
precision, cheaper): they must agree with the float64 ones for every kind of network and
problem, and fall back to float64 where float32 would overflow."""

import numpy as np
import pytest

from engine import make_dataset, setup

CASES = [
    ("circle", {"activation": "tanh"}),
    ("xor", {"activation": "relu", "hidden": [8, 8, 8], "residual": True}),
    ("spiral", {"activation": "sigmoid", "hidden": [6, 6], "batch_norm": True}),
    ("spiral_k", {"activation": "elu", "hidden": [8]}),
    ("sine", {"activation": "tanh", "hidden": [16]}),
]


@pytest.mark.parametrize(("dataset", "settings"), CASES, ids=[c[0] for c in CASES])
def test_float32_losses_agree_with_float64(dataset, settings):
    data = make_dataset(dataset, 300, 0.1, 0.5, seed=3)
    feats = ["x1"] if data.inputs == "line" else ["x1", "x2"]
    t = setup.build(settings, data, feats)
    for _ in range(50):
        t.step(record=False)
    for got, want in zip(t.evaluate_both(float32=True), t.evaluate_both()):
        assert got.keys() == want.keys()
        assert got["loss"] == pytest.approx(want["loss"], rel=1e-6)
        assert got["loss"] != want["loss"], "float32 was not used"
        for key in set(want) - {"loss"}:
            assert got[key] == pytest.approx(want[key], abs=1e-2 if key == "accuracy" else 1e-5), key


def test_float32_overflow_falls_back_to_float64():
    data = make_dataset("circle", 200, 0.0, 0.5, seed=1)
    t = setup.build({"activation": "relu", "hidden": [4, 4]}, data, ["x1", "x2"])
    for layer in t.network.layers:  # logits far past float32's range, well inside float64's
        layer.params["W"] *= 1e15
    got, want = t.evaluate_both(float32=True), t.evaluate_both()
    assert np.isfinite(want[0]["loss"]) and want[0]["loss"] > 1e30
    assert got == want


@pytest.mark.parametrize(("dataset", "settings"), CASES, ids=[c[0] for c in CASES])
def test_columns_across_are_the_columns_transposed(dataset, settings):
    """The frame's grid goes through columns_across: every column, the link included (a
    softmax over each point's classes for spiral_k), residual skips and batch norm's way."""
    data = make_dataset(dataset, 300, 0.1, 0.5, seed=3)
    feats = ["x1"] if data.inputs == "line" else ["x1", "x2"]
    t = setup.build(settings, data, feats)
    for _ in range(50):
        t.step(record=False)
    net, x = t.network, np.random.default_rng(0).uniform(-6, 6, (40, len(feats)))
    params = [(layer.params["W"], layer.params["b"]) for layer in net.layers]
    want, got = net.columns(x, params), net.columns_across(np.ascontiguousarray(x.T), params)
    assert [c.shape for c in got] == [c.T.shape for c in want]
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w.T, rtol=1e-12, atol=1e-12)
