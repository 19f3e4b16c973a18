"""Per-step scalars of a session, in a stated number of bytes, so a chart (or a timeline) can
read the whole run: every step of the recent past, and a thinned tail of the older steps
(as TensorBoard keeps a long run). Each row carries its step number. Some columns hold one
number a step (the loss), others one per weight layer (the gradient norm). The per-layer
columns are computed when first read (a frame, the warnings), for every step since, in one
go: `fill`."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from engine.diagnostics import DIAGNOSTICS

from . import names

# train_loss and test_loss are NaN at the steps they were not evaluated at (Run.evaluated).
SCALARS = ("loss", "train_loss", "test_loss", "learning_rate")
PER_LAYER = DIAGNOSTICS  # grad_norm, mean_abs_delta, update_ratio, ...
PENDING_LIMIT = 256  # steps whose per-layer columns wait for a reader, at most (a long `step` command)
MIN_ROWS = 16  # rows a history keeps at least, however small its budget
_EVALUATED = SCALARS.index("train_loss")
UNCHANGED = 2**62


def row_bytes(n_layers: int) -> int:
    """Bytes one step takes: its float64 columns and its step number."""
    return 8 * (1 + len(SCALARS) + len(PER_LAYER) * n_layers)


def capacity(n_layers: int, budget: int) -> int:
    """Rows a history of `budget` bytes holds."""
    return max(MIN_ROWS, budget // row_bytes(n_layers))


def thin(steps: np.ndarray, evaluated: np.ndarray, every: int) -> np.ndarray:
    """Indices of the rows to keep at one row per `every` steps: the first step on its own,
    then one row in each block of `every` steps after it (blocks nest as `every` doubles),
    the latest one whose losses over the whole sets were evaluated (the chart's points), else
    the block's latest."""
    key = (steps - steps[0] + every - 1) // every
    order = np.lexsort((steps, evaluated, key))
    last = np.append(key[order][1:] != key[order][:-1], True)
    return np.sort(order[last])


class History:
    """Rows in one float64 array (and their steps beside it) that grows by doubling up to
    `capacity` rows: budget // ((5 + 7 per layer) × 8 bytes). When full, all but the newest
    quarter of its rows join the thinned tail, which keeps one row per `every` steps in at
    most half the rows; `every` doubles when the tail is full. So the newest
    quarter of `capacity` steps (at least) is always kept step by step, and the tail covers
    the run from its first step, ever more sparsely, in the same memory.
    `fill(pending)`: the per-layer columns [steps, len(PER_LAYER) × n_layers] of the steps
    appended with those `pending` items (whatever it needs to compute them, e.g. a step's
    activations), in row order: each PER_LAYER name, then each layer."""

    def __init__(self, n_layers: int, budget: int, fill: Callable[[list[Any]], np.ndarray]):
        self.n_layers, self.fill = n_layers, fill
        self.capacity = capacity(n_layers, budget)
        self.pending: list[Any] = []  # of the last len(pending) rows, whose per-layer columns are not yet filled
        self.width = len(SCALARS) + len(PER_LAYER) * n_layers
        self.start = 1  # the step of the first row, while there is none
        self._last = 0  # the last step taken (its row may be thinned away: a run continued from it)
        self.data = np.empty((min(1024, self.capacity), self.width))
        self._steps = np.empty(len(self.data), np.int64)
        self.count = 0
        self.thinned = 0  # the first `thinned` rows are the tail: one per `every` steps
        self.every = 1
        self.changed = UNCHANGED  # the rows of earlier steps are as they were when `saved()` was called

    @property
    def steps(self) -> np.ndarray:
        """The step of each retained row."""
        return self._steps[: self.count]

    @property
    def first(self) -> int:
        return int(self._steps[0]) if self.count else self.start

    @property
    def last(self) -> int:
        return self._last

    @property
    def rows(self) -> np.ndarray:
        if self.pending:
            self._settle()
        return self.data[: self.count]

    @property
    def nbytes(self) -> int:
        return self.data.nbytes + self._steps.nbytes

    def _settle(self) -> None:
        pending, self.pending = self.pending, []
        self.data[self.count - len(pending) : self.count, len(SCALARS) :] = self.fill(pending)

    def append(self, scalars: tuple[float, ...], pending: Any) -> None:
        """A step's scalars now, its per-layer columns when first read (from `pending`)."""
        if self.pending and (self.count == len(self.data) or len(self.pending) >= PENDING_LIMIT):
            self._settle()
        if self.count == len(self.data):
            if self.count < self.capacity:
                self._resize(min(2 * self.count, self.capacity))
            else:
                self._compact()
        self._last += 1
        self.data[self.count, : len(SCALARS)] = scalars
        self._steps[self.count] = self._last
        self.pending.append(pending)
        self.count += 1

    def _resize(self, rows: int) -> None:
        data, steps = np.empty((rows, self.width)), np.empty(rows, np.int64)
        data[: self.count], steps[: self.count] = self.data[: self.count], self._steps[: self.count]
        self.data, self._steps = data, steps

    def _compact(self) -> None:
        """All but the newest quarter of the rows into the tail, thinned to fit half of them."""
        recent = self.capacity // 4
        moved = self.count - recent
        steps, data = self._steps[:moved], self.data[:moved]
        evaluated = np.isfinite(data[:, _EVALUATED])
        keep = thin(steps, evaluated, self.every)
        while len(keep) > self.capacity // 2:
            self.every *= 2
            keep = thin(steps, evaluated, self.every)
        n = len(keep)
        dropped = np.flatnonzero(keep != np.arange(n))  # the first row dropped: those before it stay
        if len(dropped):
            self.changed = min(self.changed, int(steps[dropped[0]]))
        self.data[:n], self._steps[:n] = data[keep], steps[keep]
        self.data[n : n + recent] = self.data[moved : self.count]
        self._steps[n : n + recent] = self._steps[moved : self.count]
        self.thinned, self.count = n, n + recent

    def saved(self) -> None:
        """The rows up to now are stored (saving.py): thinning changes them from here on."""
        self.changed = UNCHANGED

    def set_losses(self, train_loss: float, test_loss: float) -> None:
        """The last step's losses over the whole sets, once they have been evaluated."""
        if not self.count or self._steps[self.count - 1] != self._last:
            return  # its row is not kept
        row = self.data[self.count - 1]
        row[SCALARS.index("train_loss")], row[SCALARS.index("test_loss")] = train_loss, test_loss

    def _table(self, table: np.ndarray) -> dict[str, np.ndarray]:
        out = {name: table[:, i] for i, name in enumerate(SCALARS)}
        for j, name in enumerate(PER_LAYER):
            start = len(SCALARS) + j * self.n_layers
            out[name] = table[:, start : start + self.n_layers]
        return out

    def _index(self, step: int, side: Any = "left") -> int:
        return int(np.searchsorted(self.steps, step, side))

    def arrays(self, start: int, end: int) -> tuple[int, dict[str, np.ndarray]]:
        """The retained rows of steps start..end as named arrays, `history.step` their steps;
        the first one's step (or `start`, clipped to what is retained, when there is none)."""
        lo, hi = self._index(start), self._index(end, "right")
        rows = self.rows[lo:hi]
        first = int(self._steps[lo]) if hi > lo else max(start, self.first)
        table = {"step": self.steps[lo:hi], **self._table(rows)}
        return first, {names.history(k): v for k, v in table.items()}

    def window(self, steps: int) -> dict[str, np.ndarray]:
        """The last `steps` rows, by column name."""
        return self._table(self.rows[-steps:])

    def until(self, step: int) -> History:
        """The history's rows up to `step`, sharing its arrays (no copy): to read, not to append to."""
        if self.pending:
            self._settle()
        cut = copy.copy(self)
        cut.count = self._index(step, "right")
        cut.thinned, cut._last = min(self.thinned, cut.count), step
        if not cut.count:
            cut.start = step + 1
        return cut

    def state(self) -> dict[str, int]:
        """What `load` needs besides the rows and their steps (fork.py, store.py)."""
        return {
            "first": self.first,
            "last": self.last,
            "count": self.count,
            "thinned": self.thinned,
            "every": self.every,
        }

    def load(self, rows: np.ndarray, steps: np.ndarray | None, state: dict[str, int]) -> None:
        """Rows saved from a history of the same width; `steps` None: a save from before rows
        carried their steps (then they are state["first"] on, one a step)."""
        count = len(rows)
        if steps is None:
            steps = state["first"] + np.arange(count)
        size = max(count, min(1024, self.capacity))
        self.data, self._steps = np.empty((size, self.width)), np.empty(size, np.int64)
        self.data[:count], self._steps[:count] = rows, steps
        self.pending, self.count, self.changed = [], count, UNCHANGED
        self.thinned, self.every = state.get("thinned", 0), state.get("every", 1)
        self.start = state["first"] if not count else self.start
        self._last = state.get("last", int(steps[-1]) if count else state["first"] - 1)
        if self.count > self.capacity:  # a save made under a larger budget
            while self.count > self.capacity:
                self._compact()
            self._resize(self.capacity)
