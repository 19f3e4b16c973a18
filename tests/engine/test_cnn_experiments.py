"""'CNN against MLP on digits' and 'Fine-tune the head', trained with the engine alone from
the server's own configs: what their descriptions say happens (server/presets.py has the
measured numbers; these hold them to margins)."""

import numpy as np

from engine import setup
from engine.transfer import continue_on
from engine.userdata import dataset_for
from server.presets import BY_NAME
from server.schema import defaults, make_fields
from server.settings import Limits

DEFAULTS = defaults(make_fields(Limits()))


def accuracy_after(config: dict, steps: int, start=None) -> float:
    data = dataset_for(config)
    trainer = setup.build_cnn(config, data) if config["conv"] else setup.build(config, data, [])
    if start is not None:
        continue_on(start, trainer.network)
    for _ in range(steps):
        trainer.step(record=False)
    return trainer.evaluate("test")["accuracy"]


def test_cnn_and_mlp_end_even_on_digits_and_the_cnn_wins_on_bars():
    preset = BY_NAME["cnn_vs_mlp"]["config"]
    a = {**DEFAULTS, **preset, "compare": None}
    b = {**a, preset["compare"]["field"]: preset["compare"]["value"]}
    assert b["conv"] == [] and b["hidden"] == a["hidden"]  # B: the same dense layers on the pixels
    assert abs(accuracy_after(a, 1000) - accuracy_after(b, 1000)) < 0.03
    bars = {"dataset": "bars", "samples": 500, "noise": 0.1}
    assert accuracy_after({**a, **bars}, 100) >= 0.98 > 0.97 > accuracy_after({**b, **bars}, 100)


def test_fine_tuning_every_layer_beats_the_head_alone_and_is_no_worse_than_scratch():
    config = {**DEFAULTS, **BY_NAME["fine_tune_head"]["config"]}
    after = {"head": [], "all": [], "scratch": []}
    for seed in (1, 2, 3):
        first = {**config, "seed": seed}
        trainer = setup.build_cnn(first, dataset_for(first))
        for _ in range(500):
            trainer.step(record=False)
        assert trainer.evaluate("test")["accuracy"] > 0.97
        second = {**first, "task": "second"}
        after["head"].append(accuracy_after({**second, "frozen": ["frozen", "frozen"]}, 50, trainer.network))
        after["all"].append(accuracy_after(second, 50, trainer.network))
        after["scratch"].append(accuracy_after(second, 50))
    mean = {k: float(np.mean(v)) for k, v in after.items()}
    assert mean["all"] >= mean["scratch"] and mean["all"] > mean["head"] + 0.08, mean
