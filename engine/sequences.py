"""Sequence tasks for recurrent networks, drawn from a seed (nothing is downloaded).

Inputs are x [n, T, d]. Targets are already in the loss's shape: [n, T, K] when the
output is read at every step, [n, K] when only the last step counts. Problems are the
datasets' ("regression", "classification" binary, "multiclass"), so the loss follows
from LOSS_FOR_PROBLEM as for feed-forward networks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .datasets import NOISE, SAMPLES, one_hot
from .losses import LOSS_FOR_PROBLEM
from .params import Entry, Setting, values

Array = np.ndarray
Rng = np.random.Generator

# fmt: off
LENGTH = Setting("length", "Steps", 20, kind="integer", min=2, max=200,
                 help="How many time steps each sequence has: how far back the gradient must reach.")
DELAY = Setting("delay", "Delay", 20, kind="integer", min=1, max=200,
                help="How many steps pass between the input to remember and the moment it is asked for.")
# fmt: on

TEXT = (
    "the cat sat on the mat. the dog sat on the log. the cat saw the dog and the dog saw the cat. "
    "a bird sat on the dog. the dog ran to the mat and the cat ran to the log. "
)  # a tiny text of our own: few letters, many repeats, so a small network can learn it
ALPHABET = "".join(sorted(set(TEXT)))


def _sine(n: int, s: Mapping[str, Any], rng: Rng) -> tuple[Array, Array]:
    """Waves of random frequency and phase, plus noise; at every step the target is the next value."""
    T = int(s["length"])
    freq, phase = rng.uniform(0.15, 0.6, (n, 1)), rng.uniform(0, 2 * np.pi, (n, 1))
    wave = np.sin(freq * np.arange(T + 1) + phase) + rng.normal(0, s["noise"], (n, T + 1))
    return wave[:, :T, None], wave[:, 1:, None]


def _remember(n: int, s: Mapping[str, Any], rng: Rng) -> tuple[Array, Array]:
    """A random ±1 at every step, with a marker on the first one; the target is the first
    sign, asked for `delay` steps later. Noise blurs the inputs."""
    T = sequence_length("remember", s)
    x = np.zeros((n, T, 2))
    x[:, :, 0] = rng.choice([-1.0, 1.0], (n, T))
    x[:, 0, 1] = 1.0  # the marker: which step to remember (a net cannot otherwise tell step 0 from the rest)
    y = (x[:, 0, 0] > 0).astype(float)[:, None]
    x[:, :, 0] += rng.normal(0, s["noise"], (n, T))
    return x, y


def _adding(n: int, s: Mapping[str, Any], rng: Rng) -> tuple[Array, Array]:
    """Hochreiter & Schmidhuber's adding problem: values in [0, 1] and a marker on two of
    them, one in each half; the target is their sum (plus noise)."""
    T = sequence_length("adding", s)
    x = np.zeros((n, T, 2))
    x[:, :, 0] = rng.uniform(0, 1, (n, T))
    rows = np.arange(n)
    x[rows, rng.integers(0, T // 2, n), 1] = 1.0
    x[rows, rng.integers(T // 2, T, n), 1] = 1.0
    y = (x[:, :, 0] * x[:, :, 1]).sum(axis=1) + rng.normal(0, s["noise"], n)
    return x, y[:, None]


def _parity(n: int, s: Mapping[str, Any], rng: Rng) -> tuple[Array, Array]:
    """Random bits; the target is 1 when an odd number of them is 1 (each label flipped with
    probability `noise`). Every bit matters, so the gradient must reach all of them."""
    T = int(s["length"])
    bits = rng.integers(0, 2, (n, T)).astype(float)
    y = bits.sum(axis=1) % 2
    flip = rng.random(n) < s["noise"]
    return bits[:, :, None], np.where(flip, 1.0 - y, y)[:, None]


def _chars(n: int, s: Mapping[str, Any], rng: Rng) -> tuple[Array, Array]:
    """Windows of TEXT, one-hot; at every step the target is the next character."""
    T, codes = int(s["length"]), np.array([ALPHABET.index(c) for c in TEXT])
    starts = rng.integers(0, len(TEXT), n)
    idx = codes[(starts[:, None] + np.arange(T + 1)) % len(TEXT)]  # the text read round and round
    k = len(ALPHABET)
    x = one_hot(idx[:, :T].ravel(), k).reshape(n, T, k)
    return x, one_hot(idx[:, 1:].ravel(), k).reshape(n, T, k)


@dataclass(frozen=True)
class SequenceTask(Entry):
    problem: str  # "regression", "classification" or "multiclass"
    readout: str  # "every" (a target at every step) or "last"
    generate: Callable[[int, Mapping[str, Any], Rng], tuple[Array, Array]]  # (n, settings, rng) -> x, y
    classes: int = 1  # outputs: 1 for regression and binary, K for multiclass
    labels: tuple[str, ...] = ()  # each input's name at a time step (chars: the alphabet, one-hot)

    def describe(self) -> dict[str, Any]:
        return {"problem": self.problem, "inputs": "sequence", "readout": self.readout, "classes": self.classes}


_SEQ = (SAMPLES, NOISE)
# fmt: off
TASKS: dict[str, SequenceTask] = {
    t.name: t
    for t in (
        SequenceTask("wave", "Noisy wave, next value", "regression", "every", _sine, labels=("value",),
                     settings=(*_SEQ, LENGTH.with_default(30)),
                     help="Predict the next value of a noisy sine wave at every step; noise is added to the wave."),
        SequenceTask("remember", "Remember the first input", "classification", "last", _remember,
                     labels=("sign", "marker"),
                     settings=(*_SEQ, DELAY),
                     help="Say, after a delay, whether the first input was + or −: a long delay defeats a plain RNN."),
        SequenceTask("adding", "Adding problem", "regression", "last", _adding, settings=(*_SEQ, LENGTH),
                     labels=("value", "marker"),
                     help="Add the two marked values of a long sequence; noise is added to the sum."),
        SequenceTask("parity", "Parity of bits", "classification", "last", _parity, labels=("bit",),
                     settings=(*_SEQ, LENGTH.with_default(8)),
                     help="Say whether a sequence of bits holds an odd number of ones; noise flips labels."),
        SequenceTask("chars", "Next character", "multiclass", "every", _chars, classes=len(ALPHABET),
                     labels=tuple(ALPHABET),
                     settings=(*_SEQ, LENGTH.with_default(20)),
                     help="Predict the next character of a short text at every step; noise does not apply."),
    )
}
# fmt: on


@dataclass(frozen=True)
class SequenceData:
    name: str
    problem: str
    readout: str
    x_train: Array  # [n, T, d]
    y_train: Array  # [n, T, K] (readout "every") or [n, K] ("last")
    x_test: Array
    y_test: Array
    classes: int = 1

    @property
    def loss(self) -> str:
        return LOSS_FOR_PROBLEM[self.problem]


def make_sequences(name: str, seed: int, train_ratio: float = 0.5, **given: Any) -> SequenceData:
    """Draw a task's sequences from `seed` and split them into train and test. `given`: the
    task's settings (samples, noise, length or delay); a missing one takes its default."""
    if name not in TASKS:
        raise ValueError(f"unknown sequence task {name!r}; choose from {', '.join(TASKS)}")
    task = TASKS[name]
    s = values(task.settings, given)
    for setting in task.settings:
        low, high, v = setting.min, setting.max, s[setting.name]
        if (low is not None and v < low) or (high is not None and v > high):
            raise ValueError(f"{setting.name} must be {low} to {high}, got {v}")
    n = int(s["samples"])
    x, y = task.generate(n, s, np.random.default_rng(seed))
    cut = min(max(1, round(n * train_ratio)), n - 1) if n > 1 else n
    return SequenceData(name, task.problem, task.readout, x[:cut], y[:cut], x[cut:], y[cut:], task.classes)


def sequence_length(name: str, given: Mapping[str, Any]) -> int:
    """How many time steps the task's sequences have with these settings (a missing one: its default)."""
    s = values(TASKS[name].settings, given)
    return int(s["delay"]) + 1 if "delay" in s else max(int(s["length"]), 2)
