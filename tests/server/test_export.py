"""POST /export/torch.py and .ipynb: the run's PyTorch script from the config the page sends."""

import ast
import base64
import json
import re
import zlib

import numpy as np

from engine import make_dataset
from engine.export_torch import torch_script
from server import Settings
from server.schema import defaults, make_fields
from server.validate import validate

from .conftest import steps

CONFIG = {"dataset": "xor", "optimizer": "adam", "hidden": [5, 3], "data_seed": 7, "seed": 4, "features": ["x1", "x2"]}


def test_the_script_is_the_engines_export_of_the_same_run(client):
    r = client.post("/export/torch.py?steps=20", json=CONFIG)
    assert r.status_code == 200, r.text
    assert r.headers["content-disposition"] == 'attachment; filename="backprop-lab-run.py"'
    ast.parse(r.text)  # valid Python
    # The data drawn again from the data seed, as a session draws them (server/session.py), and the
    # config as validated: the engine's own export of that run.
    fields = make_fields(Settings().limits)
    config = validate(CONFIG, defaults(fields), fields)[0]
    data = make_dataset("xor", config["samples"], config["noise"], config["train_ratio"], 7)
    assert r.text == torch_script(config, data, 20, ["x1", "x2"])


def test_the_notebook_is_json_with_the_same_cells(client):
    r = client.post("/export/torch.ipynb?steps=5", json=CONFIG)
    assert r.status_code == 200, r.text
    book = json.loads(r.text)
    script = client.post("/export/torch.py?steps=5", json=CONFIG).text
    assert book["nbformat"] == 4
    assert all("".join(c["source"]) in script for c in book["cells"])


def test_a_bad_config_is_refused_naming_the_field(client):
    r = client.post("/export/torch.py", json={**CONFIG, "learning_rate": -1})
    assert r.status_code == 400 and r.text.startswith("config.learning_rate: must be at least")
    r = client.post("/export/torch.py", json={**CONFIG, "optimiser": "adam"})
    assert r.status_code == 400 and r.text.startswith("config.optimiser: unknown setting")
    r = client.post("/export/torch.py", content=b"{not json")
    assert r.status_code == 400 and r.text.startswith("config:")


def test_bad_steps_and_a_recurrent_run_are_refused(client):
    for n in ("0", "abc", "10001"):
        r = client.post(f"/export/torch.py?steps={n}", json=CONFIG)
        assert r.status_code == 400 and r.text.startswith("steps: must be a whole number"), (n, r.text)
    big = {**CONFIG, "samples": 2000, "batch_size": 500, "hidden": [32, 32, 32, 32], "dropout": 0.5}
    r = client.post("/export/torch.py?steps=1000", json=big)  # 1000 steps of 500 samples' masks on 128 units
    assert r.status_code == 400 and r.text == "steps: at most 31 with this batch size, network and dropout"
    r = client.post("/export/torch.py", json={"dataset": "parity"})
    assert r.status_code == 400 and r.text.startswith("config.dataset: recurrent networks are not exported")
    conv = [{"kind": "conv", "filters": 4, "kernel": 3, "stride": 1, "same": True}, {"kind": "max_pool"}]
    r = client.post("/export/torch.py", json={"dataset": "bars", "conv": conv, "hidden": []})
    assert r.status_code == 400 and r.text.startswith("config.conv: convolutional networks are not exported")
    r = client.post("/export/torch.py?steps=2", json={"dataset": "bars", "conv": [], "hidden": [8]})
    assert r.status_code == 200, r.text  # the same images through dense layers: exported


def _embedded(script: str, name: str) -> np.ndarray:
    """An array the script embeds (its `unpack(dtype, shape, text)` call), read without torch."""
    call = re.search(rf"^{name} = unpack\(\n    '([^']+)', \(([\d, ]*)\),\n((?:    \"[^\"]*\"\n)+)\)", script, re.M)
    dtype, shape = call.group(1), tuple(int(n) for n in call.group(2).split(",") if n.strip())
    text = "".join(re.findall(r'"([^"]*)"', call.group(3)))
    return np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype).reshape(shape)


def test_the_export_of_a_sessions_config_has_the_sessions_losses(client, peer):
    """The data drawn again from the config's seed are the session's: the engine's losses the
    script embeds (and the script reproduces) are those the session streamed, step by step."""
    hello, _, _ = peer.join({"dataset": "moons", "optimizer": "rmsprop", "hidden": [6], "data_seed": 11, "seed": 2})
    _, frames = steps(peer, 20)
    streamed = np.concatenate([f["arrays_"]["history.loss"] for f in frames])
    script = client.post("/export/torch.py?steps=20", json=hello["config"]).text
    np.testing.assert_allclose(_embedded(script, "ENGINE_LOSSES"), streamed, rtol=1e-6)
