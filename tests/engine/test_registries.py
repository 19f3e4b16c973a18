"""Registry entries describe themselves (engine/params.py): names, help, settings with
defaults and ranges; defaults come from one place; a setting of a new name never breaks
the set-up; clipping modes leave the true gradient alone."""

import json

import numpy as np
import pytest

from engine import DATASETS, FEATURES, LOSSES, OPTIMIZERS, Optimizer, make_dataset, setup
from engine.clipping import CLIPPING
from engine.params import Entry, Setting, shared_settings, values
from engine.trainer import Trainer

REGISTRIES = {
    **{choice: registry for choice, (registry, _) in setup.CHOICES.items()},
    "dataset": DATASETS,
    "features": FEATURES,
    "loss": LOSSES,
}
ENTRIES = [(kind, key, entry) for kind, registry in REGISTRIES.items() for key, entry in registry.items()]


@pytest.mark.parametrize("kind,key,entry", ENTRIES, ids=[f"{k}:{n}" for k, n, _ in ENTRIES])
def test_every_entry_describes_itself(kind, key, entry):
    assert entry.name == key and entry.label
    assert entry.help.endswith(".") and entry.help[0].isupper(), "one plain sentence"
    assert all(isinstance(s, Setting) for s in entry.settings)
    json.dumps(entry.describe())
    json.dumps([s.describe() for s in entry.settings])


@pytest.mark.parametrize("choice", list(REGISTRIES))
def test_entries_sharing_a_setting_agree_on_all_but_its_default(choice):
    """One control per setting name: kind, range, label and help must be the same (shared_settings checks)."""
    registry = REGISTRIES[choice]
    for shared in shared_settings(registry, next(iter(registry))).values():
        for name in shared.used_by:
            (own,) = [s for s in registry[name].settings if s.name == shared.setting.name]
            assert own.with_default(shared.setting.default) == shared.setting


def test_two_entries_declaring_one_name_differently_are_refused():
    a = Setting("eps", "ε", 1e-8, min=0, max=1, help="A small number.")
    registry = {
        "p": Entry("p", "P", help="P.", settings=(a,)),
        "q": Entry("q", "Q", help="Q.", settings=(Setting("eps", "ε", 1e-8, min=0, max=10, help="A small number."),)),
    }
    with pytest.raises(ValueError, match="eps"):
        shared_settings(registry, "p")
    registry["q"] = Entry("q", "Q", help="Q.", settings=(a.with_default(1e-6),))  # only the default differs: fine
    shared = shared_settings(registry, "p")["eps"]
    assert shared.setting.default == 1e-8 and shared.used_by == ("p", "q") and shared.defaults_by == {"q": 1e-6}


def test_a_setting_checks_its_own_description():
    with pytest.raises(ValueError, match="kind"):
        Setting("x", "X", 1, kind="text", help="X.")
    with pytest.raises(ValueError, match="outside"):
        Setting("x", "X", 2.0, min=0, max=1, help="X.")
    with pytest.raises(ValueError, match="help"):
        Setting("x", "X", 0.5, min=0, max=1)


def test_values_take_the_given_else_the_entrys_default():
    lion = OPTIMIZERS["lion"]
    assert values(lion.settings, {"beta1": 0.8, "learning_rate": 3}) == {"beta1": 0.8, "beta2": 0.99, "weight_decay": 0}


def test_defaults_are_the_registries_own():
    """setup.DEFAULTS repeats no value: an entry setting's default is the default entry's,
    else the first declaring entry's."""
    for choice, (registry, default) in setup.CHOICES.items():
        assert setup.DEFAULTS[choice] == default
        declared = {s.name: s.default for e in reversed(list(registry.values())) for s in e.settings}
        declared |= {s.name: s.default for s in registry[default].settings}
        assert {name: setup.DEFAULTS[name] for name in declared} == declared
    assert setup.DEFAULTS["beta2"] == 0.999 and setup.DEFAULTS["momentum"] == 0.0


@pytest.fixture
def circle():
    return make_dataset("circle", 100, 0.0, 0.5, seed=1)


def test_build_reads_the_chosen_entrys_own_defaults(circle):
    """A settings dict without beta2 gives Lion its own 0.99, not the 0.999 in DEFAULTS."""
    t = setup.build({"optimizer": "lion"}, circle, ["x1", "x2"])
    assert (t.optimizer.name, t.optimizer.beta2, t.optimizer.weight_decay) == ("lion", 0.99, 0.0)
    setup.configure(t, {"optimizer": "adamw"}, ["optimizer"])
    assert (t.optimizer.beta2, t.optimizer.weight_decay) == (0.999, 0.01)
    t.step()


def test_build_and_configure_survive_missing_and_unknown_settings(circle):
    t = setup.build({}, circle, ["x1", "x2"])
    setup.configure(t, {"no_such_setting": 1, "schedule": "cosine", "clip": "norm"}, ["schedule", "clip"])
    assert setup.stopper({}) is None
    assert t.step().finite


class Halved(Optimizer):
    """A throwaway optimizer whose setting has a name no other entry uses."""

    name, label, help = "halved", "Halved", "Plain SGD divided by 1 + eps."
    settings = (Setting("eps", "ε", 1.0, min=0, max=10, help="How much the step is shrunk."),)
    eps: float

    def direction(self, key, param, grad):
        return -self.learning_rate * grad / (1.0 + self.eps)


def test_an_optimizer_with_a_setting_of_a_new_name_builds_and_changes_live(monkeypatch, circle):
    monkeypatch.setitem(OPTIMIZERS, "halved", Halved)
    t = setup.build({"optimizer": "halved", "learning_rate": 0.1}, circle, ["x1", "x2"])
    assert t.optimizer.eps == 1.0
    rec = t.step()
    np.testing.assert_allclose(rec.layers[0].dW_step, -0.1 * rec.layers[0].dW / 2.0)
    setup.configure(t, {"optimizer": "halved", "learning_rate": 0.1, "eps": 3.0}, ["eps"])
    assert t.optimizer.eps == 3.0 and isinstance(t.optimizer, Halved)
    rec = t.step()
    np.testing.assert_allclose(rec.layers[0].dW_step, -0.1 * rec.layers[0].dW / 4.0)


def test_the_trainer_refuses_a_misspelt_setting(circle):
    net = setup.build({}, circle, ["x1", "x2"]).network
    with pytest.raises(TypeError, match="clip_treshold"):
        Trainer(net, OPTIMIZERS["sgd"](0.1), circle, ["x1", "x2"], 10, np.random.default_rng(0), clip_treshold=1.0)


@pytest.mark.parametrize("mode,limit", [("norm", 0.1), ("value", 0.1)])
def test_clipping_returns_new_arrays_and_leaves_the_gradient_alone(mode, limit):
    grads = [{"W": np.array([[3.0, -4.0]]), "b": np.array([0.05])}]
    before = [{k: g.copy() for k, g in layer.items()} for layer in grads]
    out = CLIPPING[mode].apply(grads, {"clip_threshold": limit})
    assert out is not None
    for layer, old in zip(grads, before):
        for k in layer:
            np.testing.assert_array_equal(layer[k], old[k])
    if mode == "norm":  # global norm sqrt(9 + 16 + 0.0025) scaled to 0.1
        total = np.sqrt(sum(np.sum(g * g) for g in out[0].values()))
        assert total == pytest.approx(0.1)
    else:
        np.testing.assert_allclose(out[0]["W"], [[0.1, -0.1]])
        np.testing.assert_allclose(out[0]["b"], [0.05])
    assert CLIPPING[mode].apply(grads, {"clip_threshold": 100.0}) is None
    assert CLIPPING["none"].apply(grads, {}) is None
