"""The snapshots a session keeps for its timeline (replay.py): every run's weights at step 0
and every `every`-th step after it, in a fixed number of slots.

The slots are chosen when a run starts, from the size of one snapshot, so that all of them fit
in BUDGET bytes (at least MIN_SLOTS, at most MAX_SLOTS). When they are full, every other
snapshot is dropped and `every` doubles, so however long a run trains, its whole length stays
covered evenly, in the same memory. A snapshot holds every layer's parameters and batch
norm's running statistics (fork.LAYER_STATS), in float64 as the engine holds them, so a
replayed step is that step exactly. The largest dense network (16 hidden layers of 32 on the
7 features of the plane, 6 classes) has 16,294 parameters, 130,352 bytes a snapshot: 31
slots, and one for the live step a scrub may keep (`head`), in 4 MiB. Recurrent runs are not
kept (their frames draw state through time, not only weights)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import Invalid
from .recurrent_run import RecurrentRun

if TYPE_CHECKING:
    from .run import Run

BUDGET = 4 * 2**20  # bytes of snapshots per session (both runs when comparing)
MIN_SLOTS, MAX_SLOTS = 8, 256  # a huge network still gets 8 (and may pass BUDGET); a tiny one no more than 256

Weights = list[dict[str, np.ndarray]]  # per run: "layer{i}/{name}" -> array


@functools.cache
def _layer_stats() -> tuple[str, ...]:
    from .fork import LAYER_STATS  # here, not above: fork imports the session

    return LAYER_STATS


def batch_stats(layer: Any) -> list[str]:
    """The batch-norm statistics a layer has (fork.LAYER_STATS)."""
    return [k for k in _layer_stats() if hasattr(layer, k)]


@functools.cache
def _key(i: int, name: str) -> str:
    return f"layer{i}/{name}"


def weights_of(run: Run) -> dict[str, np.ndarray]:
    """Copies of a run's parameters and batch-norm statistics, by layer. A young run keeps
    one every step or two (a class's sessions spent 5% of their time here): keys made once."""
    out = {}
    for i, layer in enumerate(run.trainer.network.layers):
        for k, v in layer.params.items():
            out[_key(i, k)] = v.copy()
        for k in batch_stats(layer):
            out[_key(i, k)] = getattr(layer, k).copy()
    return out


def load(run: Run, weights: dict[str, np.ndarray]) -> None:
    """Put `weights` into a run's layers (copies: the ring's stay as they were)."""
    for i, layer in enumerate(run.trainer.network.layers):
        for k in layer.params:
            layer.params[k] = weights[f"layer{i}/{k}"].copy()
        for k in batch_stats(layer):
            setattr(layer, k, weights[f"layer{i}/{k}"].copy())


class Ring:
    """Snapshots of every run at steps origin, origin + every, origin + 2·every, …"""

    def __init__(self) -> None:
        self.steps: list[int] = []
        self.kept: list[Weights] = []
        self.every, self.origin, self.slots, self.seen = 1, 0, MAX_SLOTS, -1

    def restart(self, runs: list[Run], step: int) -> None:
        self.steps, self.kept, self.every, self.origin, self.seen = [], [], 1, step, step - 1
        if any(isinstance(run, RecurrentRun) for run in runs):
            self.slots = 0
            return
        size = sum(a.nbytes for run in runs for a in weights_of(run).values())
        self.slots = max(MIN_SLOTS, min(MAX_SLOTS, BUDGET // max(size, 1) - 1))  # and one for `head`
        self.keep(runs, step)

    def keep(self, runs: list[Run], step: int) -> None:
        """After each step (and at a run's start): its weights, if `step` is one the ring keeps."""
        if not self.slots:
            return
        if step != self.seen + 1:  # steps this ring did not see (a session restored from a snapshot)
            self.restart(runs, step)
            return
        self.seen = step
        if (step - self.origin) % self.every:
            return
        self.steps.append(step)
        self.kept.append([weights_of(run) for run in runs])
        if len(self.steps) > self.slots:  # thin: every other one, from the origin
            self.every *= 2
            pairs = [(s, w) for s, w in zip(self.steps, self.kept) if (s - self.origin) % self.every == 0]
            self.steps, self.kept = [s for s, _ in pairs], [w for _, w in pairs]

    def head(self, runs: list[Run], step: int) -> None:
        """Keep the live step too (training is paused): one slot past `slots`, thinned away later."""
        self.steps.append(step)
        self.kept.append([weights_of(run) for run in runs])

    def truncate(self, step: int) -> None:
        """Forget the snapshots after `step` (a run continued from it)."""
        while self.steps and self.steps[-1] > step:
            self.steps.pop()
            self.kept.pop()
        self.seen = step

    def find(self, step: Any, live: int) -> int:
        """The kept step at or before `step`; Invalid naming the range if it is outside it."""
        if not self.steps:
            raise Invalid("step", "nothing is kept to replay: recurrent networks are not replayed yet")
        if isinstance(step, bool) or not isinstance(step, int) or not self.steps[0] <= step <= live:
            raise Invalid(
                "step",
                f"must be a step from {self.steps[0]} to {live}, the range kept "
                f"(a snapshot every {self.every} step{'s' * (self.every > 1)})",
            )
        return max(s for s in self.steps if s <= step)

    def at(self, step: int) -> Weights:
        return self.kept[self.steps.index(step)]

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for w in self.kept for run in w for a in run.values())
