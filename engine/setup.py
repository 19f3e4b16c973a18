"""A trainer from a flat settings dict (the names the protocol and the page use), and
settings applied to a running trainer between steps. Unknown keys are ignored, so the
server can pass its whole config; missing ones take their defaults.

The defaults are written once: here for the settings no registry entry declares, in
the entries for theirs. An entry's settings are always read from the settings dict
itself, so a missing one takes the chosen entry's own default (Lion's β₂, not Adam's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .clipping import CLIPPING
from .cnn import ConvNetwork
from .datasets import Dataset
from .initializers import INITIALIZERS
from .losses import LOSS_FOR_PROBLEM
from .network import Network
from .optimizers import OPTIMIZERS, make_optimizer
from .params import Described, Shared, shared_settings
from .regularizers import REGULARIZERS
from .schedules import SCHEDULES
from .stopping import EarlyStopping
from .trainer import SETTINGS as TRAINER_SETTINGS
from .trainer import Trainer, output_size

# Each choice of the trainer: its registry and the entry chosen by default.
CHOICES: dict[str, tuple[Mapping[str, Described], str]] = {
    "activation": (ACTIVATIONS, "tanh"),
    "initializer": (INITIALIZERS, "xavier"),
    "optimizer": (OPTIMIZERS, "sgd"),
    "schedule": (SCHEDULES, "constant"),
    "clip": (CLIPPING, "none"),
    "regularization": (REGULARIZERS, "none"),
}

# Per choice, the settings its entries declare (one control per name).
SHARED: dict[str, dict[str, Shared]] = {choice: shared_settings(*CHOICES[choice]) for choice in CHOICES}

DEFAULTS: dict[str, Any] = {
    "hidden": [4, 2],
    "conv": [],  # blocks (engine/blocks.py) before the dense layers: a CNN, for images
    "layer_activations": [],
    "frozen": [],
    "seed": 1,
    "batch_norm": False,
    "residual": False,
    "dropout": 0.0,
    "learning_rate": 0.03,
    "batch_size": 10,
    "early_stopping": False,
    "patience": 500,
    **{choice: default for choice, (_, default) in CHOICES.items()},
    **{name: shared.setting.default for declared in SHARED.values() for name, shared in declared.items()},
}


def build(
    settings: Mapping[str, Any], data: Dataset, feature_names: list[str], eval_limit: int | None = None
) -> Trainer[Network]:
    """A fresh trainer: weights, batch order and dropout masks all come from settings["seed"]."""
    s = {**DEFAULTS, **settings}
    rng = np.random.default_rng(s["seed"])
    n_in = data.x_train.shape[1] if data.inputs == "image" else len(feature_names)
    net = Network.create(
        [n_in, *s["hidden"], output_size(data)],
        s["activation"],
        LOSS_FOR_PROBLEM[data.problem],
        s["initializer"],
        rng,
        batch_norm=s["batch_norm"],
    )
    opt = make_optimizer(s["optimizer"], s["learning_rate"])  # its settings: configure's
    trainer = Trainer(net, opt, data, feature_names, s["batch_size"], rng, eval_limit=eval_limit)
    configure(trainer, settings, [])
    return trainer


def configure(trainer: Trainer[Network], settings: Mapping[str, Any], changed: list[str]) -> None:
    """Settings that change between two steps, keeping the weights (and the optimizer's
    state, unless the optimizer itself changed)."""
    s, t = configure_training(trainer, settings, changed), trainer
    t.frozen = {i for i, v in enumerate(s["frozen"][: len(t.network.hidden)]) if v == "frozen"}
    per_layer = s["layer_activations"]
    for i in range(len(t.network.hidden)):
        t.network.set_activation(per_layer[i] if i < len(per_layer) and per_layer[i] else s["activation"], i)
    t.network.set_dropout(s["dropout"])
    t.network.residual = s["residual"]


def build_cnn(settings: Mapping[str, Any], data: Dataset, eval_limit: int | None = None) -> Trainer[ConvNetwork]:
    """A fresh trainer of a CNN for an image dataset: settings["conv"]'s blocks, then the
    dense `hidden` layers; every conv and hidden layer uses `activation`."""
    s = {**DEFAULTS, **settings}
    if data.inputs != "image" or data.image_shape is None:
        raise ValueError(f"conv blocks need images; {data.name} is not an image dataset")
    rng = np.random.default_rng(s["seed"])
    h, w = data.image_shape[-2:]
    image = (1, h, w)
    problem = LOSS_FOR_PROBLEM[data.problem]
    net = ConvNetwork.create(image, s["conv"], s["hidden"], output_size(data), problem, rng, s["activation"],
                             s["initializer"])  # fmt: skip
    trainer = Trainer(net, make_optimizer(s["optimizer"], s["learning_rate"]), data, [], s["batch_size"], rng,
                      eval_limit=eval_limit)  # fmt: skip
    configure_cnn(trainer, settings, [])
    return trainer


def configure_cnn(trainer: Trainer[ConvNetwork], settings: Mapping[str, Any], changed: list[str]) -> None:
    """configure's CNN twin: `frozen` counts every weight layer but the output, conv layers first."""
    s, t = configure_training(trainer, settings, changed), trainer
    layers = t.network.weight_layers
    t.frozen = {i for i, v in enumerate(s["frozen"][: len(layers) - 1]) if v == "frozen"}
    for layer in layers[:-1]:
        layer.activation = ACTIVATIONS[s["activation"]]


def configure_training(trainer: Any, settings: Mapping[str, Any], changed: list[str]) -> dict[str, Any]:
    """What every trainer (feed-forward or recurrent) reads the same way: optimizer, learning rate,
    schedule, clipping, regularization and batch size. Returns the settings with the defaults."""
    s, t = {**DEFAULTS, **settings}, trainer
    if "optimizer" in changed:
        t.set_optimizer(s["optimizer"])
    t.optimizer.configure(settings)
    t.learning_rate = s["learning_rate"]
    t.schedule, t.clip, t.regularizer = s["schedule"], s["clip"], s["regularization"]
    t.settings = {k: v for k, v in settings.items() if k in TRAINER_SETTINGS}  # a missing one: the entry's own
    t.batch_size = s["batch_size"]
    return s


def stopper(settings: Mapping[str, Any]) -> EarlyStopping | None:
    s = {**DEFAULTS, **settings}
    return EarlyStopping(s["patience"]) if s["early_stopping"] else None
