"""Placeholder until the helper's module lands: the time axis's headline."""

from __future__ import annotations

import numpy as np


def time_health(heat: np.ndarray, window: int) -> dict[str, object]:
    if not len(heat):
        return {"first_to_last": None, "text": ""}
    row = np.median(heat[:, heat.shape[1] - window :], axis=0)
    ratio = float(row[0] / row[-1]) if row[-1] > 0 else None
    return {"first_to_last": ratio, "text": ""}


def time_warnings(heat: np.ndarray, window: int, cell: str, radius: float) -> list[dict[str, object]]:
    return []
