"""A recurrent trainer from the same flat settings dict as engine/setup.py (the names the
protocol and the page use), and the settings that apply to it between steps. The settings
shared with feed-forward networks (optimizer, learning rate, schedule, clipping, batch size,
regularization, seed, activation, initializer) mean the same here and take the same
defaults; the recurrent ones are declared below, once."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .bptt import RecurrentNetwork
from .initializers import INITIALIZERS, Initializer
from .optimizers import make_optimizer
from .params import Setting
from .recurrent import FORGET_BIAS, RECURRENT_INITIALIZERS, SCALE, RNNCell
from .recurrent_trainer import RecurrentTrainer
from .sequences import TASKS, SequenceData, make_sequences
from .setup import DEFAULTS as SHARED_DEFAULTS
from .setup import configure_training

# What draws W_h: the recurrent initializers first (orthogonal is the default), then the others.
W_H_INITIALIZERS: dict[str, Initializer] = {**RECURRENT_INITIALIZERS, **INITIALIZERS}

# fmt: off
UNITS = Setting("units", "Hidden units", 16, kind="integer", min=1, max=64,
                help="How many numbers the recurrent layer carries from one time step to the next.")
TRUNCATE = Setting("truncate", "BPTT steps", 0, kind="integer", min=0, max=200, presets=(0, 2, 5, 10, 20),
                   help="How many of the last time steps the gradient flows back through; 0: all of them.")
# fmt: on

DEFAULTS: dict[str, Any] = {
    **SHARED_DEFAULTS,
    "cell": "rnn",
    "recurrent_init": "orthogonal",
    **{s.name: s.default for s in (UNITS, TRUNCATE, SCALE, FORGET_BIAS)},
}


def is_sequence(dataset: str) -> bool:
    return dataset in TASKS


def data(settings: Mapping[str, Any]) -> SequenceData:
    """The task's sequences, drawn from the data seed; its own settings (length or delay,
    samples, noise) read from `settings`."""
    s = settings
    task = TASKS[s["dataset"]]
    given = {x.name: s[x.name] for x in task.settings if x.name in s}
    return make_sequences(s["dataset"], s["data_seed"], s["train_ratio"], **given)


def build(settings: Mapping[str, Any], sequences: SequenceData, eval_limit: int | None = None) -> RecurrentTrainer:
    """A fresh trainer: weights and batch order all come from settings["seed"]."""
    s = {**DEFAULTS, **settings}
    rng = np.random.default_rng(s["seed"])
    n_in, n_out = sequences.x_train.shape[2], sequences.y_train.shape[-1]
    net = RecurrentNetwork.create(
        n_in,
        s["units"],
        n_out,
        sequences.loss,
        rng,
        cell=s["cell"],
        readout=sequences.readout,
        initializer=s["initializer"],
        activation=s["activation"],
        recurrent_init=s["recurrent_init"],
        recurrent_scale=s["recurrent_scale"],
        forget_bias=s["forget_bias"],
    )
    trainer = RecurrentTrainer(net, make_optimizer(s["optimizer"], s["learning_rate"]), sequences, s["batch_size"], rng)
    trainer.eval_limit = eval_limit
    configure(trainer, settings, [])
    return trainer


def configure(trainer: RecurrentTrainer, settings: Mapping[str, Any], changed: list[str]) -> None:
    """Settings that change between two steps, keeping the weights (and the optimizer's
    state, unless the optimizer itself changed)."""
    s, t = {**DEFAULTS, **configure_training(trainer, settings, changed)}, trainer
    t.truncate = s["truncate"] or None
    cell = t.network.cell
    if isinstance(cell, RNNCell):  # the gated cells' activations are part of what they are
        cell.activation = ACTIVATIONS[s["activation"]]
