"""A block combination that leaves nothing, sent as the page's block editor sends it (the
whole list with one setting changed), is refused naming the block and the sizes, and the
session is exactly as it was: same config and version, same network, and its next step is
the one the untouched network takes."""

import numpy as np
import pytest

from engine import setup
from engine.userdata import dataset_for

from .conftest import steps, text_of

BLOCKS = [{"kind": "conv", "filters": 3, "kernel": 5, "stride": 2, "same": False}, {"kind": "conv", "filters": 2}]
CNN = {"dataset": "bars", "samples": 200, "conv": BLOCKS, "hidden": [], "activation": "relu", "batch_size": 8}


@pytest.mark.parametrize(
    "change, words",
    [
        (
            {"kernel": 5, "same": False},
            "block 2 (convolution): a 5×5 kernel does not fit its 4×4 input without padding",
        ),
        ({"kind": "max_pool"}, None),  # fits: 4×4 pooled to 2×2 (the control case)
    ],
)
def test_a_block_that_does_not_fit_changes_nothing(peer, change, words):
    hello, _, _ = peer.join(CNN)
    before, _ = steps(peer, 2)
    second = {"kind": "max_pool"} if change.get("kind") == "max_pool" else {**hello["config"]["conv"][1], **change}
    peer.send(type="set", config={"conv": [hello["config"]["conv"][0], second]})
    if words is None:
        assert text_of(peer, "config")["rebuilt"]
        return
    error = text_of(peer, "error")
    assert error == {"type": "error", "field": "config.conv", "message": error["message"]} and words in error["message"]
    assert "the 12×12 images leave no room for it" in error["message"]
    after, _ = steps(peer, 1)
    assert after["config_version"] == before["config_version"] and after["step"] == 3 and after["run"] == before["run"]
    assert [b["shape"] for b in after["blocks"]] == [[3, 4, 4], [2, 4, 4]]
    trainer = setup.build_cnn(hello["config"], dataset_for(hello["config"]))  # the same network, never touched
    for _ in range(3):
        rec = trainer.step()
    for i, layer in enumerate(rec.layers):
        assert np.allclose(after["arrays_"][f"layer{i}.W"], layer.W, rtol=1e-5, atol=1e-6)
