"""The exported PyTorch script reproduces the engine's run: each configuration's script runs
with PyTorch (2.13, CPU) and its printed losses match the engine's own loss history for the
first 100 steps to 1e-6 relative. The scripts run in one subprocess, so torch loads once."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from engine import make_dataset, setup
from engine.export_torch import feature_names, notebook, torch_script
from engine.sequences import make_sequences

pytest.importorskip("torch", reason="torch==2.13.0 is in the test extra (pyproject.toml)")

STEPS = 100
TOLERANCE = 1e-6

# name: (dataset, make_dataset's keywords, settings). Together: every optimizer, every schedule,
# L1 and L2, norm and value clipping, several activations, the three losses, batch norm, dropout, skips.
CONFIGS = {
    "sgd_tanh": ("circle", {}, {"optimizer": "sgd", "activation": "tanh"}),
    "momentum_relu": ("xor", {}, {"optimizer": "sgd", "momentum": 0.9, "activation": "relu", "hidden": [6, 4]}),
    "nesterov_sigmoid_step": (
        "gauss",
        {},
        {"optimizer": "sgd", "momentum": 0.9, "nesterov": True, "activation": "sigmoid", "learning_rate": 0.3,
         "schedule": "step", "schedule_period": 30, "schedule_gamma": 0.5},
    ),
    "adam_gelu_softmax_cosine": (
        "spiral_k",
        {"classes": 3},
        {"optimizer": "adam", "activation": "gelu", "hidden": [8, 6], "batch_size": 16, "learning_rate": 0.01,
         "schedule": "cosine", "schedule_period": 60, "schedule_floor": 0.1},
    ),
    "adamw_relu_regression": (
        "plane",
        {},
        {"optimizer": "adamw", "weight_decay": 0.05, "activation": "relu", "learning_rate": 0.01},
    ),
    "rmsprop_l1_value_clip": (
        "moons",
        {},
        {"optimizer": "rmsprop", "rho": 0.95, "activation": "elu", "learning_rate": 0.01, "regularization": "l1",
         "reg_rate": 0.003, "clip": "value", "clip_threshold": 0.05},
    ),
    "adagrad_l2_norm_clip": (
        "circle",
        {},
        {"optimizer": "adagrad", "activation": "silu", "learning_rate": 0.1, "regularization": "l2",
         "reg_rate": 0.01, "clip": "norm", "clip_threshold": 0.3, "features": ["x1", "x2", "x1sq", "x2sq"]},
    ),
    "lion_leaky": (
        "spiral",
        {},
        {"optimizer": "lion", "weight_decay": 0.01, "activation": "leaky_relu", "learning_rate": 0.003,
         "hidden": [8, 8], "features": ["x1", "x2", "sinx1", "sinx2"]},
    ),
    "bn_dropout_residual_exponential": (
        "gauss_k",
        {"classes": 4},
        {"optimizer": "adam", "activation": "tanh", "layer_activations": ["", "softplus", "relu"],
         "hidden": [6, 6, 6], "batch_norm": True, "dropout": 0.2, "residual": True, "learning_rate": 0.01,
         "schedule": "exponential", "schedule_period": 50, "schedule_gamma": 0.3},
    ),
    "sine_momentum_cyclical": (
        "sine",
        {},
        {"optimizer": "sgd", "momentum": 0.5, "activation": "tanh", "hidden": [8], "learning_rate": 0.05,
         "schedule": "cyclical", "schedule_period": 20, "schedule_floor": 0.2, "features": ["x1", "sinx1"]},
    ),
}  # fmt: skip

# Runs each script as written, its output to <script>.out (a traceback instead if it fails).
DRIVER = """
import contextlib, runpy, sys, traceback
for path in sys.argv[1:]:
    with open(path + ".out", "w") as out, contextlib.redirect_stdout(out):
        try:
            runpy.run_path(path, run_name="__main__")
        except BaseException:
            traceback.print_exc(file=out)
"""


def _data(name):
    dataset, keywords, _ = CONFIGS[name]
    return make_dataset(dataset, samples=200, noise=0.1, train_ratio=0.5, seed=3, **keywords)


def engine_losses(name):
    """The engine's own loss history, from its trainer (not from the script's embedded copy)."""
    settings, data = CONFIGS[name][2], _data(name)
    trainer = setup.build(settings, data, feature_names(settings, data))
    return np.array([trainer.step(record=False).loss for _ in range(STEPS)])


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """Each configuration's script, run with torch: the text it printed."""
    folder = tmp_path_factory.mktemp("scripts")
    paths = []
    for name, (_, _, settings) in CONFIGS.items():
        path = folder / f"{name}.py"
        path.write_text(torch_script(settings, _data(name), STEPS))
        paths.append(str(path))
    subprocess.run([sys.executable, "-c", DRIVER, *paths], check=True, timeout=120)
    return {name: (folder / f"{name}.py.out").read_text() for name in CONFIGS}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_script_reproduces_the_engines_losses(name, printed):
    out = printed[name]
    torch_losses = np.array([float(m) for m in re.findall(r"^step \d+ loss (\S+)", out, re.M)])
    assert len(torch_losses) == STEPS, f"{name}: the script printed {len(torch_losses)} losses:\n{out[-3000:]}"
    ours = engine_losses(name)
    rel = np.abs(torch_losses - ours) / np.maximum(np.abs(ours), 1e-300)
    worst = int(np.argmax(rel))
    assert rel.max() <= TOLERANCE, (
        f"{name}: step {worst + 1} differs by {rel[worst]:.3g} relative "
        f"(torch {torch_losses[worst]!r}, engine {ours[worst]!r}); first over 1e-6 at step "
        f"{int(np.argmax(rel > TOLERANCE)) + 1}"
    )


def test_notebook_has_the_scripts_cells():
    name = "adamw_relu_regression"
    settings, data = CONFIGS[name][2], _data(name)
    book = json.loads(json.dumps(notebook(settings, data, 5)))  # JSON as written to the file
    assert (book["nbformat"], book["nbformat_minor"], book["cells"][0]["cell_type"]) == (4, 5, "markdown")
    # nbformat 4.5's required keys (its JSON schema): an id for every cell, outputs for code cells
    for cell in book["cells"]:
        code = {"execution_count", "outputs"} if cell["cell_type"] == "code" else set()
        assert set(cell) == {"cell_type", "id", "metadata", "source"} | code, cell.keys()
    assert len({c["id"] for c in book["cells"]}) == len(book["cells"]) and "kernelspec" in book["metadata"]
    code = ["".join(c["source"]) for c in book["cells"] if c["cell_type"] == "code"]
    script = torch_script(settings, data, 5)
    assert len(code) >= 4 and all(c in script for c in code)
    assert "".join(book["cells"][0]["source"]) in script


def test_a_setting_without_a_faithful_twin_is_said_at_the_top():
    name = "bn_dropout_residual_exponential"
    script = torch_script(CONFIGS[name][2], _data(name), 3)
    top = script.split('"""')[1]
    assert "Differs from the run:" in top and "batch norm" in top and "softplus" in top
    plain = torch_script(CONFIGS["sgd_tanh"][2], _data("sgd_tanh"), 3)
    assert "Differs from the run: nothing." in plain.split('"""')[1]


def test_the_script_imports_torch_numpy_and_the_standard_library_only():
    script = torch_script(CONFIGS["lion_leaky"][2], _data("lion_leaky"), 3)
    imported = {m.split(".")[0] for m in re.findall(r"^(?:import|from) (\S+)", script, re.M)}
    assert imported <= {"base64", "math", "zlib", "numpy", "torch"}, imported


def test_a_convolutional_run_is_refused_clearly():
    bars = make_dataset("bars", 100, 0.1, 0.5, seed=1)
    conv = [{"kind": "conv", "filters": 4, "kernel": 3, "stride": 1, "same": True}]
    with pytest.raises(ValueError, match="convolutional networks are not exported"):
        torch_script({"dataset": "bars", "conv": conv, "hidden": []}, bars, 10)


def test_a_recurrent_run_is_refused_clearly():
    sequences = make_sequences("parity", 1, 0.5)
    with pytest.raises(ValueError, match="recurrent networks are not exported"):
        torch_script({"dataset": "parity"}, sequences, 10)
