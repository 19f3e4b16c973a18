"""`backprop-lab --mnist DIR`: MNIST's IDX files from a folder become a dataset of the
playground. The test writes small IDX files itself."""

import gzip
import struct
import subprocess
import sys

import numpy as np
import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app

from .conftest import Peer, is_frame


def write_idx(path, array: np.ndarray, compress=False):
    data = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    data += array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(data) if compress else data)


@pytest.fixture
def mnist_dir(tmp_path):
    rng = np.random.default_rng(0)
    for split, n in (("train", 60), ("t10k", 30)):
        labels = np.arange(n) % 10
        images = rng.integers(0, 40, (n, 28, 28))
        images[np.arange(n), labels * 2 + 3, 5:20] = 255  # a bright row whose height gives the label
        write_idx(tmp_path / f"{split}-images-idx3-ubyte.gz", images, compress=True)
        write_idx(tmp_path / f"{split}-labels-idx1-ubyte", labels)
    return tmp_path


def test_mnist_folder_becomes_a_dataset(mnist_dir):
    app = create_app(Settings(mnist_dir=str(mnist_dir)))
    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        peer = Peer(ws)
        hello, dataset, frame = peer.join(
            {"dataset": "mnist", "hidden": [16], "optimizer": "adam", "learning_rate": 0.01, "batch_size": 20}
        )
        choice = next(c for c in hello["schema"][0]["choices"] if c["value"] == "mnist")
        assert choice["inputs"] == "image" and choice["classes"] == 10
        assert dataset["image_shape"] == [28, 28] and (dataset["n_train"], dataset["n_test"]) == (60, 30)
        assert frame["columns"][0]["size"] == 784 and frame["arrays_"]["samples.prob"].shape == (24, 10)
        peer.send(type="step", n=200)
        last = peer.until(lambda m: is_frame(m) and m["step"] == 200)[0]
        assert last["metrics"]["test_accuracy"] > 0.9  # the bright row is easy to learn


def test_cli_says_what_is_wrong_with_the_folder(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "server", "--port", "0", "--mnist", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 1
    assert "cannot read MNIST" in out.stderr and "train-images" in out.stderr


def test_without_the_flag_there_is_no_mnist(client):
    with client.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join()
        assert "mnist" not in [c["value"] for c in hello["schema"][0]["choices"]]
