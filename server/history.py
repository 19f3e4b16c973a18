"""Per-step scalars of a session, bounded, so a chart (or a later timeline) can read any
retained range: steps first .. last. Some columns hold one number a step (the loss),
others one per weight layer (the gradient norm)."""
from __future__ import annotations

import numpy as np

from engine.diagnostics import DIAGNOSTICS

SCALARS = ("loss", "train_loss", "test_loss", "learning_rate")
PER_LAYER = DIAGNOSTICS  # grad_norm, mean_abs_delta, update_ratio, ...


class History:
    def __init__(self, n_layers: int, limit: int):
        self.n_layers, self.limit = n_layers, limit
        self.first = 1  # step number of the oldest retained row
        self.rows: list[tuple[float, ...]] = []  # SCALARS, then each PER_LAYER column for every layer

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    def append(self, scalars: tuple[float, ...], per_layer: list[tuple[float, ...]]) -> None:
        """per_layer: one tuple per layer, in PER_LAYER order."""
        self.rows.append((*scalars, *(v for column in zip(*per_layer) for v in column)))
        if len(self.rows) > self.limit:
            drop = len(self.rows) - self.limit // 2  # drop in bulk: amortized O(1)
            del self.rows[:drop]
            self.first += drop

    def _table(self, rows: list) -> dict[str, np.ndarray]:
        width = len(SCALARS) + len(PER_LAYER) * self.n_layers
        table = np.array(rows, dtype=np.float64).reshape(len(rows), width)
        out = {name: table[:, i] for i, name in enumerate(SCALARS)}
        for j, name in enumerate(PER_LAYER):
            start = len(SCALARS) + j * self.n_layers
            out[name] = table[:, start : start + self.n_layers]
        return out

    def arrays(self, start: int, end: int) -> tuple[int, dict[str, np.ndarray]]:
        """Rows for steps start..end (clipped to what is retained) as named arrays."""
        start = max(start, self.first)
        rows = self.rows[start - self.first : max(0, end - self.first + 1)]
        return start, {f"history.{k}": v for k, v in self._table(rows).items()}

    def window(self, steps: int) -> dict[str, np.ndarray]:
        """The last `steps` rows, by column name."""
        return self._table(self.rows[-steps:])
