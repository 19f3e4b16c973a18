"""POST /export/torch.py and .ipynb: the run's PyTorch script from the config the page sends."""

import ast
import json

from engine import make_dataset
from engine.export_torch import torch_script
from server import Settings
from server.schema import defaults, make_fields, validate

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
    for steps in ("0", "abc", "10001"):
        r = client.post(f"/export/torch.py?steps={steps}", json=CONFIG)
        assert r.status_code == 400 and r.text.startswith("steps: must be a whole number"), (steps, r.text)
    r = client.post("/export/torch.py", json={"dataset": "parity"})
    assert r.status_code == 400 and r.text.startswith("config.dataset: recurrent networks are not exported")
