"""Weight penalties added to the loss: penalty(W) and its gradient. Biases are not penalized."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Regularizer:
    name: str
    label: str
    penalty: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]


REGULARIZERS: dict[str, Regularizer] = {
    r.name: r
    for r in (
        Regularizer("none", "None", lambda w: 0.0, np.zeros_like),
        Regularizer("l1", "L1", lambda w: float(np.abs(w).sum()), np.sign),
        Regularizer("l2", "L2", lambda w: float(0.5 * np.sum(w * w)), lambda w: w),
    )
}
