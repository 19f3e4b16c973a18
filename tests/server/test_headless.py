"""`backprop-lab train`: a run without a browser writes the page's exports, its weights are the
engine's own after the same steps, and a bad config file gets the page's error, naming the field."""

import csv
import json
import subprocess
import sys

import numpy as np

from engine import make_dataset, recurrent_setup, setup
from server.export import export_text
from server.headless import train
from server.schema import make_fields
from server.settings import Settings

CONFIG = {"dataset": "xor", "hidden": [4], "learning_rate": 0.1, "optimizer": "adam"}


def cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "server", "train", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)  # fmt: skip


def test_the_files_hold_the_run_and_the_weights_are_the_engines_after_the_same_steps(tmp_path):
    files = train(CONFIG, 40, tmp_path)
    assert sorted(f.name for f in files) == [
        "config.json", "history.csv", "run.ipynb", "run.py", "weights.json", "weights.npz"
    ]  # fmt: skip
    rows = list(csv.reader((tmp_path / "history.csv").open()))
    assert rows[0][:5] == ["step", "batch loss", "training-set loss", "test-set loss", "learning rate"]
    assert "‖dW‖ of hidden layer 1 (grad_norm)" in rows[0] and [r[0] for r in rows[1:]] == [
        str(k) for k in range(1, 41)
    ]
    config = json.loads((tmp_path / "config.json").read_text())
    d = config
    data = make_dataset(d["dataset"], d["samples"], d["noise"], d["train_ratio"], d["data_seed"], classes=d["classes"])
    trainer = setup.build(config, data, config["features"])
    recs = [trainer.step() for _ in range(40)]
    weights = np.load(tmp_path / "weights.npz")
    for i, layer in enumerate(recs[-1].layers):
        np.testing.assert_array_equal(weights[f"layer{i}.W"], layer.W)  # float64, bit for bit
    assert json.loads((tmp_path / "weights.json").read_text())["layer1.b"] == weights["layer1.b"].tolist()
    losses = [float(r[1]) for r in rows[1:]]
    np.testing.assert_allclose(losses, [r.loss for r in recs], rtol=1e-12)
    # The page's Export menu would give the same script and notebook for these 40 steps.
    fields = make_fields(Settings().limits)
    assert (tmp_path / "run.py").read_text() == export_text(config, "40", fields, "py")
    assert json.loads((tmp_path / "run.ipynb").read_text()) == json.loads(export_text(config, "40", fields, "ipynb"))


def test_a_recurrent_run_and_a_comparison_write_their_files_too(tmp_path):
    config = {"dataset": "remember", "delay": 5, "units": 4, "compare": {"field": "cell", "value": "lstm"}}
    names = sorted(f.name for f in train(config, 5, tmp_path))
    assert names == sorted(["config.json", "history.csv", "weights.npz", "weights.json", "b_history.csv",
                            "b_weights.npz", "b_weights.json", "pytorch-not-exported.txt"])  # fmt: skip
    note = (tmp_path / "pytorch-not-exported.txt").read_text()
    assert note.startswith("No PyTorch script: config.dataset: recurrent networks are not exported")
    full = json.loads((tmp_path / "config.json").read_text())
    b = recurrent_setup.build({**full, "cell": "lstm"}, recurrent_setup.data(full))
    for _ in range(5):
        rec = b.step()
    np.testing.assert_array_equal(np.load(tmp_path / "b_weights.npz")["layer0.Wh"], rec.params[0]["Wh"])


def test_the_command_line_writes_them_and_refuses_a_bad_file_by_field(tmp_path):
    good, bad, broken = tmp_path / "good.json", tmp_path / "bad.json", tmp_path / "broken.json"
    good.write_text(json.dumps(CONFIG))
    bad.write_text(json.dumps({"learning_rate": 50, "hidden": [4]}))
    broken.write_text("{learning_rate: 0.1")
    done = cli(good, "--steps", 5, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "out" / "history.csv").exists(), done.stderr
    refused = cli(bad, "--out", tmp_path / "never", cwd=tmp_path)
    assert refused.returncode == 2 and "config.learning_rate: must be at most 10" in refused.stderr
    assert not (tmp_path / "never").exists()  # nothing written
    refused = cli(broken, cwd=tmp_path)
    assert refused.returncode == 2 and "is not JSON" in refused.stderr and "line 1" in refused.stderr


def test_pictures_without_playwright_say_what_is_missing_and_the_rest_is_written(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "playwright.sync_api", None)  # as on a machine without the test tools
    files = train(CONFIG, 3, tmp_path, png=2)
    note = tmp_path / "png-not-exported.txt"
    assert note in files and "Playwright" in note.read_text() and (tmp_path / "weights.npz") in files
    assert not list(tmp_path.glob("*.png"))
