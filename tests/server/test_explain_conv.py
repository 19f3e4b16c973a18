"""Explain a step of a CNN over a real websocket: the explanation (model "cnn") carries the
engine's trace (engine/explain_conv.py) for a filter weight: the sample's gradient as the sum
over positions of input × δ, the batch's per-sample gradients, the finite difference of the
batch loss and the update; "take this step" takes it; bad weights are refused by name; and
at 28×28 the message stays bounded."""

import json

import numpy as np
import pytest
from fastapi.testclient import TestClient

from engine.explain_conv import conv_block, finite_difference, terms, trace
from server import Settings, create_app

from .conftest import Peer, is_frame, steps
from .test_conv_session import CNN, engine_trainer
from .test_explain import explain, explanation
from .test_mnist import mnist_dir  # noqa: F401 (a fixture)

WEIGHT = [1, 2, 1, 0, 2]  # conv layer 2 (after the pool), filter 3, channel 2, tap (1, 3)


def test_the_conv_weights_chain_rule_is_the_engines_sum_over_positions(peer):
    hello, _, _ = peer.join(CNN)
    steps(peer, 2)
    ex = explain(peer, on=True, sample=3, weight=WEIGHT)
    assert ex["model"] == "cnn" and ex["step"] == 3 and ex["sample"] == 3 and ex["weight"] == WEIGHT
    names = [(s["phase"], s["name"]) for s in ex["stages"]]
    assert names == [("forward", "convolution 1"), ("forward", "max pool 1"), ("forward", "convolution 2"),
                     ("forward", "dense head"), ("loss", None), ("backward", "dense head"),
                     ("backward", "convolution 2"), ("backward", "max pool 1"), ("backward", "convolution 1"),
                     ("update", None)]  # fmt: skip
    _, t = engine_trainer(hello["config"])
    for _ in range(2):
        t.step()
    tr = trace(t, sample=3)
    assert ex["batch"] == tr.batch.tolist() and ex["loss"]["value"] == tr.loss
    s = terms(tr, 1, 2, 1, 0, 2)
    c = ex["chain"]
    assert c["count"] == 36 and c["padded"] == s.padded > 0  # 6×6 positions, same padding
    assert [x["position"] for x in c["terms"]] == s.where[:8].tolist()
    assert [x["product"] for x in c["terms"]] == s.products[:8].tolist()
    assert [x["x"] for x in c["terms"]] == s.a[:8].tolist() and [x["delta"] for x in c["terms"]] == s.b[:8].tolist()
    assert c["rest"] == {"count": 28, "sum": s.products[8:].sum()} and c["sum"] == s.total
    bt = conv_block(tr, 1)
    np.testing.assert_array_equal(ex["maps"]["delta"], bt.delta[2])
    np.testing.assert_array_equal(ex["maps"]["input"], bt.x[1])
    p = tr.update.of(1, "W")
    assert ex["update"]["samples"] == p.samples[:, 2, 1, 0, 2].tolist() and ex["update"]["grad"] == p.grad[2, 1, 0, 2]
    assert ex["update"]["samples"][3] == pytest.approx(c["sum"], rel=1e-9)
    fd = finite_difference(t, 1, 2, 1, 0, 2)
    assert (
        c["finite_difference"]["estimate"] == fd.estimate and c["finite_difference"]["analytic"] == p.grad[2, 1, 0, 2]
    )
    assert c["finite_difference"]["relative_error"] < 1e-6
    # the forward of the chosen layer is worked at the position of the largest term
    worked = ex["blocks"][2]["worked"]
    assert worked["position"] == c["terms"][0]["position"] and worked["z"] == bt.z[2, *s.where[0]]
    # "take this step" applies exactly the update shown
    after = ex["update"]["after"]
    peer.send(type="step", n=1)
    frame = peer.until(lambda m: is_frame(m) and m["step"] == 3)[0]
    assert float(frame["arrays_"]["layer1.W"][2, 1, 0, 2]) == pytest.approx(after, rel=1e-6)
    assert explanation(peer)["step"] == 4


def test_bad_weights_are_refused_by_name_and_the_explanation_stays(peer):
    peer.join(CNN)
    ex = explain(peer, on=True)
    assert ex["weight"] == [0, 0, 0, 1, 1]  # the first filter's centre tap
    for bad, words in (([0, 1, 2], "five integers"), ([2, 0, 0, 0, 0], "not a conv layer"),
                       ([0, 0, 0, 3, 0], "i = 3 is out of range for conv layer 0's W, 3×1×3×3")):  # fmt: skip
        peer.send(type="explain", weight=bad)
        err = peer.until(lambda m: m.get("type") == "error")[0]
        assert err["field"] == "weight" and words in err["message"]
    assert explain(peer, stage=9)["weight"] == [0, 0, 0, 1, 1]


def test_at_28_by_28_the_message_is_bounded(mnist_dir):  # noqa: F811
    blocks = [{"kind": "conv", "filters": 16, "kernel": 7}, {"kind": "conv", "filters": 16, "kernel": 3}]
    config = {"dataset": "mnist", "conv": blocks, "hidden": [], "batch_size": 4, "optimizer": "sgd"}
    with TestClient(create_app(Settings(mnist_dir=str(mnist_dir)))) as client, client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        peer.join(config)
        ex = explain(peer, on=True, weight=[1, 15, 15, 2, 2])
        assert ex["images"] is None and ex["image_shape"] == [1, 28, 28] and ex["chain"]["count"] == 784
        assert len(ex["chain"]["terms"]) == 8 and ex["chain"]["rest"]["count"] == 776
        assert len(json.dumps(ex)) < 80_000  # docs/protocol.md states the size (64 kB measured)
