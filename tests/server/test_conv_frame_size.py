"""The largest CNN the limits allow, on the largest images (MNIST's 28×28): its frame, which
carries every block's maps for the chosen sample only, stays within the size docs/protocol.md
states ("Convolutional networks")."""

from fastapi.testclient import TestClient

from engine.blocks import MAX_BLOCKS
from server import Settings, create_app

from .conftest import Peer
from .test_mnist import mnist_dir  # noqa: F401 (a fixture)

STATED = 2_000_000  # bytes, docs/protocol.md


def test_the_largest_cnns_frame_is_within_the_stated_size(mnist_dir):  # noqa: F811
    limits = Settings().limits
    conv = [{"kind": "conv", "filters": 16, "kernel": 7, "stride": 1, "same": True}] * MAX_BLOCKS
    config = {"dataset": "mnist", "conv": conv, "hidden": [limits.max_neurons] * limits.max_hidden_layers}
    with TestClient(create_app(Settings(mnist_dir=str(mnist_dir)))) as client, client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        hello = peer.join(config=config)[0]
        assert hello["config"]["conv"] == conv and len(hello["config"]["hidden"]) == limits.max_hidden_layers
        peer.send(type="step", n=1)
        while True:
            m = ws.receive()
            if (
                m.get("bytes") is not None
                and b'"kind":"frame"' in m["bytes"][:4096]
                and b'"step":1' in m["bytes"][:4096]
            ):
                break
    size = len(m["bytes"])
    assert 1_000_000 < size <= STATED, size  # 1,844,388 when written
