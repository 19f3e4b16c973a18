"""The schema is generated from the engine's registries: choices, one field per setting
name with its `when`, help everywhere, per-choice defaults and the reset to them; a
registry entry added at run time reaches `hello.schema` and trains."""

import numpy as np
import pytest
from fastapi.testclient import TestClient

from engine import DATASETS, OPTIMIZERS, make_dataset, setup
from engine.recurrent import CELLS
from engine.sequences import TASKS
from server import Settings, create_app
from server.errors import Invalid
from server.schema import defaults, make_fields
from server.settings import Limits
from server.validate import validate, validate_each
from tests.engine.test_registries import Halved  # the throwaway optimizer, written once

from .conftest import Peer, is_frame

REGISTRIES = {
    **{choice: registry for choice, (registry, _) in setup.CHOICES.items()},
    "dataset": {**DATASETS, **TASKS},
    "cell": CELLS,
}


RECURRENT = ("cell",)  # choices shown for sequence tasks only


def fields_by_name(**kw):
    return {f.name: f for f in make_fields(Limits(), **kw)}


def test_every_field_and_every_registry_choice_has_help():
    for f in make_fields(Limits()):
        assert f.help.endswith(".") and f.help[0].isupper(), f.name
        if f.name != "speed":
            for c in f.choices or []:
                assert c["help"], (f.name, c["value"])


def test_choices_carry_the_entries_help_and_properties():
    by_name = fields_by_name()
    relu = next(c for c in by_name["activation"].choices if c["value"] == "relu")
    assert relu == {"value": "relu", "label": "ReLU", "help": relu["help"], "can_die": True, "saturates": False}
    spiral_k = next(c for c in by_name["dataset"].choices if c["value"] == "spiral_k")
    assert (
        spiral_k["problem"] == "multiclass" and spiral_k["classes"] is None and spiral_k["features"][:2] == ["x1", "x2"]
    )
    assert [c["value"] for c in by_name["clip"].choices] == ["none", "norm", "value"]


def test_when_lists_the_entries_that_declare_the_setting():
    by_name = fields_by_name()
    for choice, registry in REGISTRIES.items():
        declared = {}
        for name, entry in registry.items():
            for s in entry.settings:
                declared.setdefault(s.name, []).append(name)
        for setting, entries in declared.items():
            when = {choice: entries} | ({"dataset": list(TASKS)} if choice in RECURRENT else {})
            assert by_name[setting].when == when
            assert by_name[setting].live == by_name[choice].live
    assert by_name["beta1"].when == {"optimizer": ["adam", "adamw", "lion"]}
    assert by_name["clip_threshold"].when == {"clip": ["norm", "value"]}
    assert by_name["samples"].max == Limits().max_samples  # the server's limit narrows the engine's range


def test_lion_shows_its_own_defaults():
    by_name = fields_by_name()
    beta2, wd = by_name["beta2"].describe(), by_name["weight_decay"].describe()
    assert beta2["default"] == 0.999 and beta2["defaults_by"] == {"lion": 0.99}
    assert wd["default"] == 0.01 and wd["defaults_by"] == {"lion": 0.0}
    assert "defaults_by" not in by_name["beta1"].describe()  # every optimizer agrees on 0.9
    assert "lion" in [c["value"] for c in by_name["optimizer"].choices]


def test_hand_written_defaults_are_the_engines():
    config = defaults(make_fields(Limits()))
    assert {k: config[k] for k in setup.DEFAULTS} == setup.DEFAULTS


@pytest.fixture
def fields():
    return make_fields(Limits())


def test_choosing_an_entry_gives_its_settings_their_defaults(fields):
    base = defaults(fields)
    lion, changed = validate({"optimizer": "lion"}, base, fields)
    assert (lion["beta1"], lion["beta2"], lion["weight_decay"]) == (0.9, 0.99, 0.0)
    assert sorted(changed) == ["beta2", "optimizer", "weight_decay"]
    adam, changed = validate({"optimizer": "adam"}, lion, fields)
    assert adam["beta2"] == 0.999 and sorted(changed) == ["beta2", "optimizer"]  # Adam has no weight decay
    adamw, changed = validate({"optimizer": "adamw"}, adam, fields)
    assert adamw["weight_decay"] == 0.01 and sorted(changed) == ["optimizer", "weight_decay"]


def test_a_setting_named_with_the_choice_is_kept_and_others_survive_a_switch(fields):
    base = defaults(fields)
    for partial in ({"optimizer": "lion", "beta2": 0.95}, {"beta2": 0.95, "optimizer": "lion"}):
        merged, _ = validate(partial, base, fields)
        assert merged["beta2"] == 0.95
    tuned, _ = validate({"momentum": 0.9, "beta1": 0.5}, base, fields)
    there, _ = validate({"optimizer": "lion"}, tuned, fields)
    back, changed = validate({"optimizer": "sgd"}, there, fields)
    assert (back["momentum"], back["beta1"]) == (0.9, 0.5) and changed == ["optimizer"]


def test_a_link_names_a_setting_before_its_choice(fields):
    merged, problems = validate_each({"beta2": 0.95, "optimizer": "lion"}, defaults(fields), fields)
    assert merged["beta2"] == 0.95 and not problems
    merged, problems = validate_each({"beta2": 5, "optimizer": "lion"}, defaults(fields), fields)
    assert merged["beta2"] == 0.99 and [p.field for p in problems] == ["config.beta2"]
    with pytest.raises(Invalid):
        validate({"optimizer": "lion", "beta2": 5}, defaults(fields), fields)


@pytest.fixture
def halved(monkeypatch):
    monkeypatch.setitem(OPTIMIZERS, "halved", Halved)


def test_an_entry_added_at_run_time_reaches_the_schema(halved):
    eps = fields_by_name()["eps"].describe()
    assert eps == {
        "name": "eps",
        "label": "ε",
        "kind": "number",
        "default": 1.0,
        "group": "training",
        "live": True,
        "min": 0,
        "max": 10,
        "log": False,
        "when": {"optimizer": ["halved"]},
        "help": "How much the step is shrunk.",
    }
    choice = next(c for c in fields_by_name()["optimizer"].choices if c["value"] == "halved")
    assert choice == {"value": "halved", "label": "Halved", "help": Halved.help}


def test_an_entry_added_at_run_time_is_offered_in_hello_and_trains(halved):
    with TestClient(create_app(Settings())) as client, client.websocket_connect("/ws") as ws:  # the app after the entry
        peer = Peer(ws)
        hello, _, _ = peer.join({"dataset": "xor", "learning_rate": 0.1})
        eps = next(f for f in hello["schema"] if f["name"] == "eps")
        assert eps["when"] == {"optimizer": ["halved"]} and eps["default"] == 1.0 and eps["help"]
        assert hello["config"]["eps"] == 1.0
        peer.send(type="set", config={"optimizer": "halved"})
        assert peer.expect(type="config")["changed"] == ["optimizer"]
        peer.send(type="step", n=3)
        frame, _ = peer.until(lambda m: is_frame(m) and m["step"] == 3)
        a = frame["arrays_"]
        assert abs(a["layer0.dW_step"] + 0.1 * a["layer0.dW"] / 2.0).max() < 1e-6  # eps reached the optimizer
        peer.until(lambda m: m.get("type") == "state")  # the end of the step command
        peer.send(type="set", config={"eps": 3.0})
        assert peer.expect(type="config", rebuilt=False)["changed"] == ["eps"]
        peer.send(type="step", n=1)
        frame, seen = peer.until(lambda m: is_frame(m) and m["step"] == 4)
        assert not [m for m in seen if m.get("type") == "error"]
        a = frame["arrays_"]
        assert abs(a["layer0.dW_step"] + 0.1 * a["layer0.dW"] / 4.0).max() < 1e-6


def test_switching_to_lion_over_the_wire_reports_the_settings_it_reset(peer):
    peer.join({"optimizer": "adam"})
    peer.send(type="set", config={"optimizer": "lion"})
    config = peer.expect(type="config", rebuilt=False)
    assert sorted(config["changed"]) == ["beta2", "optimizer", "weight_decay"]  # the config held AdamW's 0.01
    assert (config["config"]["beta2"], config["config"]["weight_decay"]) == (0.99, 0.0)


def test_the_default_speed_solves_the_circle_in_seconds_and_slow_speeds_stay_in_the_menu():
    """Counted in steps, not timed: the defaults' circle reaches 95% test accuracy within
    5 seconds' worth of steps at the default speed, and 1 and 5 steps/s are still offered."""
    from engine import make_dataset

    by_name = fields_by_name()
    c = defaults(list(by_name.values()))
    data = make_dataset(c["dataset"], c["samples"], c["noise"], c["train_ratio"], c["data_seed"])
    trainer = setup.build(c, data, c["features"])
    steps = next(
        n for n in range(1, 5000) if trainer.step(record=False) and trainer.evaluate("test")["accuracy"] >= 0.95
    )
    assert steps / c["speed"] <= 5, (steps, c["speed"])
    assert {1, 5} <= {choice["value"] for choice in by_name["speed"].choices}


CHANGED = {"batch_norm": True, "residual": True, "dropout": 0.5, "layer_activations": ["sigmoid"],
           "learning_rate": 0.3, "activation": "sigmoid", "initializer": "he"}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CHANGED))
def test_a_setting_hidden_with_conv_blocks_is_one_a_cnn_does_not_have(name):
    """The page hides what a CNN ignores (`without: ["conv"]`), and shows what changes its training."""
    data = make_dataset("bars", 200, 0.0, 0.5, seed=0)
    base = {"conv": [{"kind": "conv", "filters": 2, "kernel": 3}, {"kind": "max_pool"}], "hidden": [4]}

    def trained(settings):
        t = setup.build_cnn(settings, data)
        for _ in range(3):
            t.step()
        return [p.copy() for layer in t.network.weight_layers for p in layer.params.values()]

    same = all(np.array_equal(a, b) for a, b in zip(trained(base), trained({**base, name: CHANGED[name]})))
    assert fields_by_name()[name].without == (["conv"] if same else None), name


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_the_activation_is_hidden_for_exactly_the_cells_that_ignore_it(cell):
    from engine import recurrent_setup
    from engine.sequences import make_sequences

    data = make_sequences("remember", seed=0)

    def trained(activation):
        t = recurrent_setup.build({"cell": cell, "units": 4, "activation": activation}, data)
        for _ in range(3):
            t.step()
        return [p.copy() for p in t.network.cell.params.values()]

    same = all(np.array_equal(a, b) for a, b in zip(trained("tanh"), trained("relu")))
    [unless] = fields_by_name()["activation"].unless
    assert (cell in unless["cell"]) == same and unless["dataset"] == list(TASKS)
