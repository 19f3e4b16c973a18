"""Weight penalties added to the loss: penalty(W) and its gradient, for a rate of 1;
the rate is the entry's setting. Biases are not penalized."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .params import Entry, Setting

# fmt: off
RATE = Setting("reg_rate", "Reg. rate", 0.0, min=0, max=1, presets=(0, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1),
               help="How strongly the penalty on large weights counts against the data loss.")
# fmt: on


@dataclass(frozen=True)
class Regularizer(Entry):
    penalty: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]
    term: str = field(default="", kw_only=True)  # its gradient's term, written out for "Explain a step"

    def rate(self, given: Mapping[str, Any]) -> float:
        """The penalty's weight in the objective; 0 for an entry without a rate."""
        return float(given.get(RATE.name, RATE.default)) if RATE in self.settings else 0.0


# fmt: off
REGULARIZERS: dict[str, Regularizer] = {
    r.name: r
    for r in (
        Regularizer("none", "None", lambda w: 0.0, np.zeros_like, help="No penalty on the weights."),
        Regularizer("l1", "L1", lambda w: float(np.abs(w).sum()), np.sign, settings=(RATE,), term="λ·sign(w)",
                    help="Penalizes the sum of absolute weights, pushing small weights to exactly 0."),
        Regularizer("l2", "L2", lambda w: float(0.5 * np.sum(w * w)), lambda w: w, settings=(RATE,), term="λ·w",
                    help="Penalizes the sum of squared weights, shrinking large weights the most."),
    )
}
# fmt: on
