"""Each ready-made experiment, built and trained with the engine alone, shows in numbers
what it is about. (The experiments' settings are data in server/presets.py.)"""

import numpy as np
import pytest

from engine import make_dataset, setup
from engine.diagnostics import DIAGNOSTICS, WINDOW, warnings
from engine.measures import layer_diagnostics
from engine.sequences import TASKS
from server.presets import PRESETS

BY_NAME = {p["name"]: p for p in PRESETS}
# recurrent: test_recurrent_presets.py; convolutional: test_cnn_presets.py
FEED_FORWARD = [p for p in PRESETS if p["config"]["dataset"] not in TASKS and not p["config"].get("conv")]
FLOAT32_MAX = float(np.finfo(np.float32).max)
DATA = {"dataset": "circle", "samples": 500, "noise": 0.0, "train_ratio": 0.5, "data_seed": 1}


def run(config: dict, steps: int):
    """Train `config` on DATA for up to `steps` steps, stopping where the page would call it
    diverged; yields (trainer, step's diagnostics per layer, the warnings' window, the
    warnings shown) after each kept step."""
    s = {**DATA, **config}
    data = make_dataset(s["dataset"], s["samples"], s["noise"], s["train_ratio"], s["data_seed"])
    t = setup.build(s, data, ["x1", "x2"])
    hidden = [layer.activation.name for layer in t.network.hidden]
    rows, losses = [], []
    for _ in range(steps):
        rec = t.step()
        if not rec.finite or max(rec.loss, *rec.grad_norms) > FLOAT32_MAX:  # what the page calls diverged
            return
        rows.append(
            [layer_diagnostics(r.activation, r.y, r.a, r.delta, r.W, r.dW, r.dW_step, r.stats) for r in rec.layers]
        )
        losses.append(rec.loss)
        window = {
            name: np.array([[layer[j] for layer in row] for row in rows[-WINDOW:]])
            for j, name in enumerate(DIAGNOSTICS)
        }
        window["loss"] = np.array(losses[-WINDOW:])
        yield t, rows[-1], window, warnings(window, hidden)


class Trained:
    """A preset trained for up to 300 steps, with every step's diagnostics and warnings."""

    def __init__(self, name: str, steps: int = 300):
        self.codes: set[str] = set()
        rows = []
        for self.trainer, row, _, shown in run(BY_NAME[name]["config"], steps):
            rows.append(row)
            self.codes |= {w["code"] for w in shown}
        self.diverged = len(rows) < steps
        self.grad = np.array([[layer[0] for layer in row] for row in rows])  # [steps, layers]

    def first_to_last(self) -> float:
        return float(np.median(self.grad[-WINDOW:, 0] / self.grad[-WINDOW:, -1]))


@pytest.fixture(scope="module")
def trained():
    cache: dict[str, Trained] = {}
    return lambda name: cache.setdefault(name, Trained(name))


def test_deep_sigmoid_starves_its_first_layer_and_each_remedy_feeds_it(trained):
    sigmoid = trained("vanishing_sigmoid").first_to_last()
    assert sigmoid < 1e-3  # orders of magnitude below the last layer's gradient
    for remedy in ("vanishing_relu_he", "vanishing_residual", "vanishing_batchnorm"):
        assert trained(remedy).first_to_last() > 100 * sigmoid, remedy


def test_too_small_initialization_against_xavier_in_deep_tanh(trained):
    assert trained("tanh_small_init").first_to_last() < 1e-6
    assert trained("tanh_xavier").first_to_last() > 0.1


def test_exploding_preset_blows_up_and_clipping_keeps_it_finite(trained):
    exploding = trained("exploding")
    assert exploding.diverged and exploding.grad.max() > 1000 * exploding.grad[:5].min()
    clipped = trained("exploding_clipped")
    assert not clipped.diverged and len(clipped.grad) == 300
    assert clipped.trainer.clipped_steps > 0 and clipped.trainer.evaluate("train")["loss"] < 1


def test_dead_relu_preset_kills_relus(trained):
    dead = trained("dead_relu")
    assert "dead" in dead.codes


@pytest.mark.parametrize("preset", FEED_FORWARD, ids=lambda p: p["name"])
def test_each_preset_raises_its_warning_and_healthy_ones_none(trained, preset):
    codes = trained(preset["name"]).codes
    if preset["expect"]:
        assert preset["expect"] in codes
    else:
        assert not codes & {"diverging", "vanishing", "exploding", "dead"}, codes
