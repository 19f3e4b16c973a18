"""What a session holds in memory at most, estimated from its config, and the server's budget
for all of them (Settings.memory_bytes, README "Memory"). The web process decides from the
configs alone, so it works the same when sessions train in worker processes (workers.py).

A session's bound: each run's history (history.py: its byte budget), the snapshots of its
timeline (snapshots.py: their budget, more for a huge network), and what its networks,
data and frames hold, counted from the layer widths. benchmarks/memory.py measures a
server's real growth against this estimate."""

from __future__ import annotations

import math
from collections.abc import Iterable

from engine import DATASETS

from .history import capacity, row_bytes
from .settings import Settings
from .snapshots import BUDGET, MAX_SLOTS, MIN_SLOTS
from .views import node_res

BASE = 2 * 2**20  # a session's objects, its encoded frames and its connections' queues
PER_PARAMETER = 12  # float64 copies of each weight: itself, its gradient and update, the optimizer's slots, frames
PER_UNIT = 8  # float64 arrays per neuron and sample of a forward and backward pass (z, a, delta, masks, ...)


def widths(config: dict, loaded: Iterable[str] = ()) -> list[int]:
    """The columns of neurons of the config's network, input first (a recurrent cell: its gates)."""
    spec = DATASETS.get(config["dataset"])
    if spec is None and config["dataset"] not in loaded:  # a sequence task: a recurrent cell
        return [config["units"], 4 * config["units"], config["units"]]
    if spec is None:  # MNIST (server.Settings.mnist_dir)
        inputs, classes = 28 * 28, 10
    else:
        inputs = math.prod(spec.image_shape) if spec.image_shape else len(config["features"])
        classes = spec.classes or config["classes"]
    return [max(1, inputs), *config["hidden"], 1 if classes <= 2 else classes]


def session_bytes(config: dict, settings: Settings, loaded: Iterable[str] = ()) -> int:
    """The most a session of this config holds (both runs when comparing). A forward pass over
    the evaluation set and the output grid is not counted: it is freed when done, and one
    process makes one at a time."""
    w = widths(config, loaded)
    runs = 2 if config.get("compare") else 1
    layers = len(w) - 1
    history = capacity(layers, settings.history_bytes) * row_bytes(layers)
    params = sum(a * b + b for a, b in zip(w, w[1:]))
    snapshot = runs * 8 * params
    slots = max(MIN_SLOTS, min(MAX_SLOTS, BUDGET // max(snapshot, 1) - 1))
    samples = min(config["samples"], settings.limits.max_samples) if spec_samples(config) else 2000
    per_run = (
        history
        + PER_PARAMETER * 8 * params
        + PER_UNIT * 8 * sum(w) * config["batch_size"]  # the last step's record
        # The frame: every layer's float32 activations over the output grid and the thumbnails'
        # points (its arrays are views of them), and a joining page's encoded history.
        + 4 * (settings.grid_res**2 + node_res(settings, config["hidden"]) ** 2) * sum(w[1:])
        + history // 2
        + 3 * 8 * samples * (w[0] + 2)  # the data, its features and its evaluation
    )
    return BASE + runs * per_run + (slots + 1) * snapshot


def spec_samples(config: dict) -> bool:
    """Whether the config's `samples` says how many points there are (the generated sets)."""
    spec = DATASETS.get(config["dataset"])
    return spec is not None and any(s.name == "samples" for s in spec.settings)


def refusal(budget: int) -> str:
    """What a page is told when a new session would pass the server's memory budget."""
    return (
        f"the server's memory budget ({budget / 2**20:,.0f} MiB for all sessions) is reached; try again in a "
        "minute, when an unused session has ended, or follow a class with its join code"
    )
