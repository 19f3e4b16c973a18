"""Gradient clipping: what limits the gradients the optimizer gets. The step record
keeps the true gradient; only the update sees the clipped one. Each mode returns the
clipped gradients as new arrays, or None when it left them as they were."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .params import Entry, Setting, number, operand

Grads = list[dict[str, np.ndarray]]  # per layer: {"W": dW, "b": db, ...}

# fmt: off
THRESHOLD = Setting("clip_threshold", "Clip at", 1.0, min=1e-4, max=1000, log=True,
                    presets=(0.01, 0.1, 0.5, 1, 5, 10), help="The largest gradient norm or value let through.")
# fmt: on


@dataclass(frozen=True)
class Clipping(Entry):
    apply: Callable[[Grads, Mapping[str, Any]], Grads | None]  # (gradients, its own settings) -> clipped or None
    # "Explain a step": what clipping did to one element, written out: (g, threshold c, global norm) -> numbers
    formula: str = field(default="", kw_only=True)
    worked: Callable[[float, float, float], str] = field(default=lambda g, c, norm: "", kw_only=True)


def _none(grads: Grads, s: Mapping[str, Any]) -> Grads | None:
    return None


def _norm(grads: Grads, s: Mapping[str, Any]) -> Grads | None:
    """All gradients scaled together so their global norm is at most the threshold (Pascanu et al. 2013)."""
    limit = s[THRESHOLD.name]
    total = float(np.sqrt(sum(float(np.sum(g * g)) for layer in grads for g in layer.values())))
    if not total > limit:  # a NaN total is left to the divergence check
        return None
    return [{k: g * (limit / total) for k, g in layer.items()} for layer in grads]


def _value(grads: Grads, s: Mapping[str, Any]) -> Grads | None:
    """Each element limited to ±threshold."""
    limit = s[THRESHOLD.name]
    if not any(np.abs(g).max(initial=0.0) > limit for layer in grads for g in layer.values()):
        return None
    return [{k: np.clip(g, -limit, limit) for k, g in layer.items()} for layer in grads]


# fmt: off
CLIPPING: dict[str, Clipping] = {
    c.name: c
    for c in (
        Clipping("none", "None", _none, help="Gradients reach the optimizer as computed."),
        Clipping("norm", "Global norm", _norm, settings=(THRESHOLD,), formula="g·c / ‖g‖",
                 worked=lambda g, c, norm: f"{operand(g)}·{number(c)} / {number(norm)}",
                 help="All gradients are scaled down together when their combined norm exceeds the threshold."),
        Clipping("value", "Value", _value, settings=(THRESHOLD,), formula="clip(g, −c, c)",
                 worked=lambda g, c, norm: f"clip({number(g)}, −{number(c)}, {number(c)})",
                 help="Each gradient element is cut to lie within ± the threshold."),
    )
}
# fmt: on
