"""Summary statistics of one layer at one step, kept small so every step can carry them."""

from __future__ import annotations

import numpy as np


def norm(x: np.ndarray) -> float:
    """Frobenius (L2) norm, without the copy np.linalg.norm makes for 2D input."""
    flat = x.ravel()
    return float(np.sqrt(flat @ flat))


def layer_stats(W: np.ndarray, dW: np.ndarray, dW_step: np.ndarray) -> dict[str, float]:
    return {"grad_norm": norm(dW), "update_norm": norm(dW_step), "weight_norm": norm(W)}
