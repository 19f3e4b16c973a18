"""Per-step scalars of a session, bounded, so a chart (or a later timeline) can read any
retained range: steps first .. last."""
from __future__ import annotations

import numpy as np

SCALARS = ("loss", "train_loss", "test_loss", "learning_rate")


class History:
    def __init__(self, n_layers: int, limit: int):
        self.n_layers, self.limit = n_layers, limit
        self.first = 1  # step number of the oldest retained row
        self.rows: list[tuple[float, ...]] = []  # SCALARS then one grad norm per layer

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    def append(self, row: tuple[float, ...]) -> None:
        self.rows.append(row)
        if len(self.rows) > self.limit:
            drop = len(self.rows) - self.limit // 2  # drop in bulk: amortized O(1)
            del self.rows[:drop]
            self.first += drop

    def arrays(self, start: int, end: int) -> tuple[int, dict[str, np.ndarray]]:
        """Rows for steps start..end (clipped to what is retained) as named arrays."""
        start = max(start, self.first)
        rows = self.rows[start - self.first : max(0, end - self.first + 1)]
        table = np.array(rows, dtype=np.float64).reshape(len(rows), len(SCALARS) + self.n_layers)
        out = {f"history.{name}": table[:, i] for i, name in enumerate(SCALARS)}
        out["history.grad_norm"] = table[:, len(SCALARS):]
        return start, out
