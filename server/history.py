"""Per-step scalars of a session, bounded, so a chart (or a later timeline) can read any
retained range: steps first .. last. Some columns hold one number a step (the loss),
others one per weight layer (the gradient norm). The per-layer columns are computed when
first read (a frame, the warnings), for every step since, in one go: `fill`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from engine.diagnostics import DIAGNOSTICS

from . import names

# train_loss and test_loss are NaN at the steps they were not evaluated at (Run.evaluated).
SCALARS = ("loss", "train_loss", "test_loss", "learning_rate")
PER_LAYER = DIAGNOSTICS  # grad_norm, mean_abs_delta, update_ratio, ...
PENDING_LIMIT = 256  # steps whose per-layer columns wait for a reader, at most (a long `step` command)


class History:
    """Rows in one float64 array that grows by doubling up to `limit` rows, then drops its
    older half: about (4 + 7 per layer) × 8 bytes a step, a tenth of Python tuples.
    `fill(pending)`: the per-layer columns [steps, len(PER_LAYER) × n_layers] of the steps
    appended with those `pending` items (whatever it needs to compute them, e.g. a step's
    activations), in row order: each PER_LAYER name, then each layer."""

    def __init__(self, n_layers: int, limit: int, fill: Callable[[list[Any]], np.ndarray]):
        self.n_layers, self.limit, self.fill = n_layers, limit, fill
        self.pending: list[Any] = []  # of the last len(pending) rows, whose per-layer columns are not yet filled
        self.width = len(SCALARS) + len(PER_LAYER) * n_layers
        self.first = 1  # step number of the oldest retained row
        self.data = np.empty((min(1024, limit), self.width))
        self.count = 0

    @property
    def last(self) -> int:
        return self.first + self.count - 1

    @property
    def rows(self) -> np.ndarray:
        if self.pending:
            self._settle()
        return self.data[: self.count]

    def _settle(self) -> None:
        pending, self.pending = self.pending, []
        self.data[self.count - len(pending) : self.count, len(SCALARS) :] = self.fill(pending)

    def append(self, scalars: tuple[float, ...], pending: Any) -> None:
        """A step's scalars now, its per-layer columns when first read (from `pending`)."""
        if self.pending and (self.count == len(self.data) or len(self.pending) >= PENDING_LIMIT):
            self._settle()
        if self.count == len(self.data):
            if self.count < self.limit:
                grown = np.empty((min(2 * self.count, self.limit), self.width))
                grown[: self.count] = self.data[: self.count]
                self.data = grown
            else:  # drop the older half in one go: amortized O(1)
                keep = self.limit // 2
                self.data[:keep] = self.data[self.count - keep : self.count]
                self.first += self.count - keep
                self.count = keep
        self.data[self.count, : len(SCALARS)] = scalars
        self.pending.append(pending)
        self.count += 1

    def set_losses(self, train_loss: float, test_loss: float) -> None:
        """The last step's losses over the whole sets, once they have been evaluated."""
        row = self.data[self.count - 1]
        row[SCALARS.index("train_loss")], row[SCALARS.index("test_loss")] = train_loss, test_loss

    def _table(self, table: np.ndarray) -> dict[str, np.ndarray]:
        out = {name: table[:, i] for i, name in enumerate(SCALARS)}
        for j, name in enumerate(PER_LAYER):
            start = len(SCALARS) + j * self.n_layers
            out[name] = table[:, start : start + self.n_layers]
        return out

    def arrays(self, start: int, end: int) -> tuple[int, dict[str, np.ndarray]]:
        """Rows for steps start..end (clipped to what is retained) as named arrays."""
        start = max(start, self.first)
        rows = self.rows[start - self.first : max(0, end - self.first + 1)]
        return start, {names.history(k): v for k, v in self._table(rows).items()}

    def window(self, steps: int) -> dict[str, np.ndarray]:
        """The last `steps` rows, by column name."""
        return self._table(self.rows[-steps:])
