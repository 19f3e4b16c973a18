"""`filter_sum` (server/filter_sum.py): one filter weight's gradient for the chosen sample, taken
apart position by position. Each term is the engine's input pixel × δ, they add up to the frame's
own block{j}.dW entry, the batch's dW is the frame's layer dW, the positions named first are the
largest terms and their pixels are the image's; a watcher may ask; bad requests name the field."""

import numpy as np
import pytest

from .conftest import Peer, steps, text_of
from .test_conv_session import CNN, arr


def ask(peer, layer, weight):
    peer.send(type="filter_sum", layer=layer, weight=weight)
    return peer.until(lambda m: m.get("type") in ("filter_sum", "error"))[0]


def test_a_weights_gradient_is_the_sum_of_patch_times_delta_over_positions(peer):
    hello, _, _ = peer.join({**CNN, "sample": 3})
    frame, _ = steps(peer, 2)
    m = ask(peer, 0, [0, 0, 2, 0])
    assert m["type"] == "filter_sum" and m["block"] == 0 and m["sample"] == 3 and m["step"] == 2
    terms = np.array(m["terms"])
    assert terms.shape == (12, 12) and m["positions"] == 144 and m["input_shape"] == [1, 12, 12]
    assert m["sum"] == pytest.approx(terms.sum(), rel=1e-9)
    assert m["dW_sample"] == pytest.approx(arr(frame, "block0.dW")[0, 0, 2, 0], rel=1e-5)
    assert m["batch"]["dW"] == pytest.approx(arr(frame, "layer0.dW")[0, 0, 2, 0], rel=1e-5)
    assert m["batch"]["batch_size"] == 8 and m["batch"]["step"] == 2
    # each term: the image pixel at offset (2, 0) of the position's patch (padding: none) × δ of filter 0
    image, delta = arr(frame, "sample.x")[0], arr(frame, "block0.delta")[0]
    padded = np.pad(image, 1)
    expected = padded[2:14, 0:12] * delta
    assert np.abs(terms).max() > 0 and np.allclose(terms, expected, rtol=1e-5, atol=1e-9)
    top = m["top"]
    assert 0 < len(top) <= 5
    sizes = [abs(t["term"]) for t in top]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == pytest.approx(np.abs(terms).max())
    for t in top:
        p, q = t["at"]
        assert t["term"] == pytest.approx(terms[p, q]) and t["delta"] == pytest.approx(delta[p, q], rel=1e-5)
        assert t["input"] == [p + 1, q - 1]  # (p·1 − 1 + 2, q·1 − 1 + 0): the pixel it multiplies
        assert t["x"] == pytest.approx(image[p + 1, q - 1], rel=1e-5)


def test_a_deeper_layers_terms_read_the_pooled_maps(peer):
    hello, _, _ = peer.join(CNN)
    frame, _ = steps(peer, 1)
    m = ask(peer, 1, [3, 2, 1, 1])
    assert m["block"] == 2 and m["input_block"] == 1 and m["input_shape"] == [3, 6, 6]
    pooled, delta = arr(frame, "block1.a")[2], arr(frame, "block2.delta")[3]
    assert np.abs(m["terms"]).max() > 0
    assert np.allclose(m["terms"], pooled * delta, rtol=1e-5, atol=1e-9)  # offset (1, 1) of a same 3×3: the pixel
    assert m["dW_sample"] == pytest.approx(arr(frame, "block2.dW")[3, 2, 1, 1], rel=1e-5)


def test_a_watcher_may_ask_and_bad_requests_name_the_field(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ctl, viewer = Peer(a), Peer(b)
        hello, _, _ = ctl.join(CNN)
        viewer.join(session=hello["session"])
        assert ask(viewer, 0, [0, 0, 0, 0])["type"] == "filter_sum"
        assert ask(viewer, 0, [0, 0, 0, 0])["batch"] is None  # no step yet
        for layer, weight, field, words in [
            (2, [0, 0, 0, 0], "layer", "0 to 1"),
            (0, [3, 0, 0, 0], "weight", "filter 3 is outside 0 to 2"),
            (1, [0, 3, 0, 0], "weight", "channel 3"),
            (0, [0, 0, 1.5, 0], "weight", "four integers"),
            (0, [0, 0, 0], "weight", "[filter, channel, row, column]"),
        ]:
            err = ask(viewer, layer, weight)
            assert err["type"] == "error" and err["field"] == field and words in err["message"], err
        ctl.send(type="set", config={"conv": []})
        text_of(ctl, "config")
        err = ask(viewer, 0, [0, 0, 0, 0])
        assert err["field"] == "type" and "convolutional" in err["message"]
        assert ask(ctl, 0, [0, 0, 0, 0])["type"] == "error"  # the session carries on
        steps(ctl, 1)
