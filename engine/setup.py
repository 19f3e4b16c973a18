"""A trainer from a flat settings dict (the names the protocol and the page use), and
settings applied to a running trainer between steps. Unknown keys are ignored, so the
server can pass its whole config."""
from __future__ import annotations

import numpy as np

from .datasets import Dataset
from .losses import LOSS_FOR_PROBLEM
from .network import Network
from .optimizers import OPTIMIZERS, make_optimizer
from .stopping import EarlyStopping
from .trainer import Trainer, output_size

DEFAULTS = {
    "hidden": [4, 2], "activation": "tanh", "layer_activations": [], "initializer": "xavier", "seed": 1,
    "batch_norm": False, "residual": False, "dropout": 0.0, "optimizer": "sgd", "learning_rate": 0.03,
    "momentum": 0.0, "nesterov": False, "rho": 0.9, "beta1": 0.9, "beta2": 0.999, "weight_decay": 0.01,
    "schedule": "constant", "schedule_period": 1000, "schedule_gamma": 0.5, "schedule_floor": 0.1,
    "clip": "none", "clip_threshold": 1.0, "batch_size": 10, "regularization": "none", "reg_rate": 0.0,
    "early_stopping": False, "patience": 500,
}


def hyper(settings: dict) -> dict:
    """The chosen optimizer's own hyperparameters."""
    return {k: settings[k] for k in OPTIMIZERS[settings["optimizer"]].hyper}


def build(settings: dict, data: Dataset, feature_names: list[str], eval_limit: int | None = None) -> Trainer:
    """A fresh trainer: weights, batch order and dropout masks all come from settings["seed"]."""
    s = {**DEFAULTS, **settings}
    rng = np.random.default_rng(s["seed"])
    n_in = data.x_train.shape[1] if data.inputs == "image" else len(feature_names)
    net = Network.create([n_in, *s["hidden"], output_size(data)], s["activation"], LOSS_FOR_PROBLEM[data.problem],
                         s["initializer"], rng, batch_norm=s["batch_norm"])
    opt = make_optimizer(s["optimizer"], s["learning_rate"], **hyper(s))
    trainer = Trainer(net, opt, data, feature_names, s["batch_size"], rng, eval_limit=eval_limit)
    configure(trainer, s, [])
    return trainer


def configure(trainer: Trainer, settings: dict, changed: list[str]) -> None:
    """Settings that change between two steps, keeping the weights (and the optimizer's
    state, unless the optimizer itself changed)."""
    s, t = {**DEFAULTS, **settings}, trainer
    if "optimizer" in changed:
        t.set_optimizer(s["optimizer"], **hyper(s))
    for key, value in hyper(s).items():
        setattr(t.optimizer, key, value)
    t.learning_rate = s["learning_rate"]
    t.schedule, t.schedule_period = s["schedule"], s["schedule_period"]
    t.schedule_gamma, t.schedule_floor = s["schedule_gamma"], s["schedule_floor"]
    t.clip, t.clip_threshold = s["clip"], s["clip_threshold"]
    t.batch_size = s["batch_size"]
    t.regularizer, t.reg_rate = s["regularization"], s["reg_rate"]
    per_layer = s["layer_activations"]
    for i in range(len(t.network.hidden)):
        t.network.set_activation(per_layer[i] if i < len(per_layer) and per_layer[i] else s["activation"], i)
    t.network.set_dropout(s["dropout"])
    t.network.residual = s["residual"]


def stopper(settings: dict) -> EarlyStopping | None:
    s = {**DEFAULTS, **settings}
    return EarlyStopping(s["patience"]) if s["early_stopping"] else None
