"""Conv blocks on an image dataset make a CNN session (docs/protocol.md, "Convolutional
networks"): its frames carry the engine's filters, their gradients and updates, and for the
chosen sample its feature maps, error maps and its own filter gradient, each the number an
engine trainer built from the same config computes; impossible blocks are refused by name
and the running network stays as it was."""

import numpy as np
import pytest

from engine import make_dataset, setup
from engine.datasets import one_hot

from .conftest import is_frame, steps
from .test_frame_values import close

BLOCKS = [{"kind": "conv", "filters": 3, "kernel": 3}, {"kind": "max_pool"}, {"kind": "conv", "filters": 4}]
CNN = {"dataset": "bars", "samples": 200, "conv": BLOCKS, "hidden": [5], "activation": "relu", "batch_size": 8}


def arr(frame, name):
    return frame["arrays_"][name].astype(np.float64)


def engine_trainer(config):
    data = make_dataset(config["dataset"], config["samples"], config["noise"], config["train_ratio"],
                        config["data_seed"])  # fmt: skip
    return data, setup.build_cnn(config, data)


def test_conv_blocks_train_the_engines_cnn_and_the_frame_carries_its_filters(peer):
    hello, _, first = peer.join(CNN)
    assert hello["config"]["conv"][0] == {"kind": "conv", "filters": 3, "kernel": 3, "stride": 1, "same": True}
    assert first["model"] == "cnn" and [b["shape"] for b in first["blocks"]] == [[3, 12, 12], [3, 6, 6], [4, 6, 6]]
    assert [b["layer"] for b in first["blocks"]] == [0, None, 1]
    assert [c["size"] for c in first["columns"]] == [144, 5, 4]
    frame, _ = steps(peer, 3)
    _, trainer = engine_trainer(hello["config"])
    for _ in range(3):
        rec = trainer.step()
    for i, layer in enumerate(rec.layers):
        close(arr(frame, f"layer{i}.W"), layer.W)
        close(arr(frame, f"layer{i}.dW"), layer.dW)
        close(arr(frame, f"layer{i}.dW_step"), layer.dW_step)
    assert arr(frame, "layer0.W").shape == (3, 1, 3, 3) and arr(frame, "layer1.dW").shape == (4, 3, 3, 3)
    assert arr(frame, "layer0.a_mean").shape == (3,)  # per channel
    assert frame["metrics"]["test_loss"] == pytest.approx(trainer.evaluate("test")["loss"], rel=1e-9)


def test_the_chosen_samples_maps_errors_and_own_gradient_are_the_engines(peer):
    hello, dataset, _ = peer.join({**CNN, "sample": 5})
    frame, _ = steps(peer, 2)
    assert frame["sample"]["index"] == 5
    data, trainer = engine_trainer(hello["config"])
    trainer.step(), trainer.step()
    net = trainer.network
    x, y = data.x_test[5:6], data.y_test[5:6]
    assert frame["sample"]["label"] == int(y[0])
    close(arr(frame, "sample.x"), x.reshape(1, 12, 12))
    maps = x.reshape(1, 1, 12, 12)
    for j, layer in enumerate(net.layers[:3]):
        maps = layer.forward(maps, training=False)
        close(arr(frame, f"block{j}.a"), maps[0])
    net.loss_and_backward(x, one_hot(y, 4))
    for j in (0, 2):
        close(arr(frame, f"block{j}.delta"), net.layers[j].delta[0])
        close(arr(frame, f"block{j}.dW"), net.layers[j].grads["W"])
    assert "block1.delta" not in frame["arrays_"]  # a pool has no weights: its gradient passes through
    # A filter's gradient is a sum over positions: here, for this one sample, patch × δ.
    delta, image = net.layers[0].delta[0], np.pad(x.reshape(12, 12), 1)
    by_hand = sum(delta[0, r, c] * image[r : r + 3, c : c + 3] for r in range(12) for c in range(12))
    close(arr(frame, "block0.dW")[0, 0], by_hand)


def test_choosing_another_sample_while_paused_redraws_it(peer):
    peer.join(CNN)
    steps(peer, 1)
    peer.send(type="set", config={"sample": 7})
    frame, _ = peer.until(lambda m: is_frame(m) and m["sample"]["index"] == 7)
    assert frame["step"] == 1


@pytest.mark.parametrize(
    "blocks, field, words",
    [
        ([{"kind": "conv", "kernel": 7, "same": False}] * 2, "config.conv",
         "block 2 (convolution): a 7×7 kernel does not fit its 6×6 input without padding"),
        ([{"kind": "max_pool"}] * 4, "config.conv", "block 4 (max pool 2×2): 2×2 pooling needs an input of at least 2×2"),
        ([{"kind": "conv", "filters": 17}], "config.conv[0].filters", "must be at most 16"),
        ([{"kind": "avg_pool", "kernel": 3}], "config.conv[0].kernel", "a avg_pool block has no settings"),
        ([{"kind": "dense"}], "config.conv[0].kind", "must be one of conv, max_pool, avg_pool"),
        ([{"kind": "max_pool"}] * 7, "config.conv", "at most 6 blocks"),
        ([{"kind": "conv", "filters": 16, "kernel": 7}] * 6, "config.conv",
         "one image takes 9,156,116 multiply-adds, more than the server's 1,000,000"),
    ],
)  # fmt: skip
def test_impossible_blocks_are_refused_by_name_and_the_network_stays(peer, blocks, field, words):
    peer.join(CNN)
    before, _ = steps(peer, 2)
    peer.send(type="set", config={"conv": blocks})
    error = peer.until(lambda m: m.get("type") == "error")[0]
    assert error["field"] == field and words in error["message"], error
    after, _ = steps(peer, 1)
    assert after["step"] == 3 and [b["shape"] for b in after["blocks"]] == [b["shape"] for b in before["blocks"]]


def test_a_batch_past_the_cnns_budget_is_refused_naming_the_batch_size(peer):
    peer.join({**CNN, "conv": [{"kind": "conv", "filters": 16, "kernel": 7}]})
    peer.send(type="set", config={"batch_size": 200})
    error = peer.until(lambda m: m.get("type") == "error")[0]
    assert error["field"] == "config.batch_size"
    assert error["message"].startswith("must be at most 160 here: 200 images of 124,436 multiply-adds each"), error


def test_a_conv_layer_frozen_live_keeps_its_filters_and_the_frame_says_so(peer):
    hello, _, _ = peer.join(CNN)
    conv = next(f for f in hello["schema"] if f["name"] == "conv")
    assert {c["value"]: c["weights"] for c in conv["choices"]} == {"conv": True, "max_pool": False, "avg_pool": False}
    before, _ = steps(peer, 2)
    peer.send(type="set", config={"frozen": ["", "frozen"]})  # conv layers first: the second conv block
    config = peer.until(lambda m: m.get("type") == "config")[0]
    assert config["rebuilt"] is False and config["changed"] == ["frozen"]
    frame, _ = steps(peer, 3)
    assert frame["step"] == 5 and [b["frozen"] for b in frame["blocks"]] == [False, None, True]
    assert np.array_equal(arr(frame, "layer1.W"), arr(before, "layer1.W"))
    assert not arr(frame, "layer1.dW_step").any() and np.abs(arr(frame, "layer1.dW")).max() > 0
    assert arr(frame, "layer0.dW_step").any()


def test_the_heatmap_rows_and_headline_name_conv_dense_and_output_layers(peer):
    first = peer.join(CNN)[2]
    assert first["health"]["names"] == ["conv 1", "conv 2", "dense 1", "output"]  # from step 0 on
    frame, _ = steps(peer, 3)
    assert frame["health"]["names"] == ["conv 1", "conv 2", "dense 1", "output"]
    assert frame["health"]["text"].startswith("conv 1 / output = ")
