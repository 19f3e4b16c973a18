"""Gradient health. Per layer and step: how big the gradient is, how much of it reaches
the layer, how much the update changes the weights, and whether units are dead or
saturated. From a window of recent steps: warnings in plain words, each with the number
that triggered it. Every threshold is a named constant here; docs/diagnostics.md explains
them."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .stats import norm

PERCENTILES = (0, 7, 16, 31, 50, 69, 84, 93, 100)  # the bands drawn for distributions
SATURATION = 0.05  # saturated: f'(y) below 5% of the activation's peak slope for the whole batch

WINDOW = 20  # steps a warning looks back over
VANISHING_RATIO = 1e-3  # first layer's ‖dW‖ below this fraction of the last layer's
EXPLODING_GROWTH = 1000.0  # total ‖dW‖ grew this many times within the window ...
EXPLODING_SIZE = 1.0  # ... to at least this size (a gradient waking from 1e-9 to 1e-6 is no explosion)
DEAD_FRACTION = 0.4
SATURATED_FRACTION = 0.5
UPDATE_RATIO_HIGH = 0.1  # ‖ΔW‖/‖W‖ per step; about 1e-3 is healthy (Karpathy's rule of thumb)

# The per-layer measures, in the order of a history row. `applies`: the activation
# property (activations.py) a layer needs for the measure to mean anything.
# fmt: off
MEASURES: tuple[dict[str, Any], ...] = (
    {"name": "grad_norm", "label": "‖dW‖", "log": True, "warning": "vanishing",
     "help": "size of the layer's weight gradient (Frobenius norm)"},
    {"name": "mean_abs_delta", "label": "mean |δ|", "log": True,
     "help": "mean |dL/dz| over the batch and the layer's units: the error signal reaching the layer"},
    {"name": "update_ratio", "label": "‖ΔW‖ / ‖W‖", "log": True, "warning": "large_updates",
     "help": "how much one step changes the weights; about 10⁻³ is healthy"},
    {"name": "act_mean", "label": "activation mean", "log": False, "help": "mean activation over the batch"},
    {"name": "act_std", "label": "activation std", "log": False,
     "help": "standard deviation of the activations over the batch"},
    {"name": "dead", "label": "dead ReLUs", "log": False, "unit": "share", "warning": "dead", "applies": "can_die",
     "help": "share of units whose output is 0 for every sample of the batch"},
    {"name": "saturated", "label": "saturated units", "log": False, "unit": "share", "warning": "saturated",
     "applies": "saturates",
     "help": f"share of units whose slope is below {SATURATION:.0%} of its peak for every sample of the batch"},
)
# fmt: on
DIAGNOSTICS = tuple(m["name"] for m in MEASURES)

# Every warning, most serious first: the order the page lists them in.
# fmt: off
WARNINGS: tuple[dict[str, str], ...] = (
    {"code": "exploding", "title": "Exploding gradients",
     "watch_for": "the “exploding gradients” warning, and the gradient map turning bright yellow."},
    {"code": "vanishing", "title": "Vanishing gradients",
     "watch_for": "the “vanishing gradients” warning, and a dark first row in the gradient map."},
    {"code": "dead", "title": "Dead ReLUs",
     "watch_for": "the “dead ReLUs” warning: units that output 0 for every sample stop learning."},
    {"code": "saturated", "title": "Saturated units",
     "watch_for": "the “saturated units” warning: units stuck where their slope is almost 0."},
    {"code": "large_updates", "title": "Updates too large",
     "watch_for": "the “updates too large” warning: each step changes the weights by a large fraction."},
)
# fmt: on


def describe() -> dict[str, Any]:
    """The diagnostics as the page draws them (sent in `hello`): it recomputes none of them."""
    return {
        "window": WINDOW,
        "percentiles": list(PERCENTILES),
        "measures": [dict(m) for m in MEASURES],
        "warnings": [dict(w) for w in WARNINGS],
    }


def layer_diagnostics(
    activation: str,
    y: np.ndarray,
    a: np.ndarray,
    delta: np.ndarray,
    W: np.ndarray,
    dW: np.ndarray,
    dW_step: np.ndarray,
    stats: dict[str, float] | None = None,
) -> tuple[float, ...]:
    """One layer at one step, in the order of DIAGNOSTICS. y = input of the activation
    [n, units], a = its output, delta = dL/dz; W after the update, dW, dW_step = ΔW.
    `stats` (a step record's) saves recomputing the norms. Written for speed: it runs
    every step, and NumPy's mean/std cost more than sums on small arrays."""
    stats = stats or {"grad_norm": norm(dW), "update_norm": norm(dW_step), "weight_norm": norm(W)}
    w_norm = stats["weight_norm"]
    dead = saturated = 0.0
    act = ACTIVATIONS.get(activation)
    if act is not None and act.can_die:
        dead = float(np.all(y <= 0, axis=0).sum()) / y.shape[1]
    elif act is not None and act.peak_slope is not None:
        slope = act.df(y, a)
        saturated = float(np.all(slope < SATURATION * act.peak_slope, axis=0).sum()) / y.shape[1]
    n = a.size
    mean = float(a.sum()) / n
    var = max(float(np.vdot(a, a)) / n - mean * mean, 0.0)
    return (
        stats["grad_norm"],
        float(np.abs(delta).sum()) / delta.size,
        stats["update_norm"] / w_norm if w_norm > 0 else 0.0,
        mean,
        math.sqrt(var),
        dead,
        saturated,
    )


def bands(x: np.ndarray) -> np.ndarray:
    """The distribution of x's values as the PERCENTILES (min ... max)."""
    out: np.ndarray = np.percentile(x, PERCENTILES)
    return out


def power_of_ten(x: float) -> str:
    """1.3e-5 -> '10⁻⁵', for messages a class reads; 0 -> 'none' (no power of ten is 0)."""
    if not x > 0:
        return "none"
    exp = round(math.log10(x))
    return "10" + str(exp).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))


def first_to_last(window: dict[str, np.ndarray]) -> float | None:
    """Median over the last WINDOW steps of ‖dW‖ of layer 1 / ‖dW‖ of the output layer:
    the share of the gradient that reaches the first layer. None where it means nothing
    (fewer than 3 weight layers, or an output gradient of 0 or not finite)."""
    grad = window["grad_norm"][-WINDOW:]
    if len(grad) == 0 or grad.shape[1] < 3:
        return None
    first, last = grad[:, 0], grad[:, -1]
    ok = np.isfinite(first) & np.isfinite(last) & (last > 0)
    return float(np.median(first[ok] / last[ok])) if ok.any() else None


def warnings(window: dict[str, np.ndarray], activations: list[str]) -> list[dict[str, Any]]:
    """Warnings from the last steps. window[name] is [steps, layers] for each name in
    DIAGNOSTICS (the output layer last); activations names each hidden layer's."""
    out: list[dict[str, Any]] = []
    grad = window["grad_norm"]
    n_layers = grad.shape[1]
    if len(grad) == 0:
        return out
    last = grad[-WINDOW:]
    ratio = first_to_last(window)
    if ratio is not None:
        if ratio < VANISHING_RATIO:
            out.append(
                {
                    "code": "vanishing",
                    "layer": 1,
                    "value": ratio,
                    "message": f"layer 1 receives {power_of_ten(ratio)} of the gradient of layer "
                    f"{n_layers}: vanishing gradients",
                }
            )
    total = np.sqrt(np.sum(last**2, axis=1))
    if len(total) > 1:
        low = np.minimum.accumulate(total)[:-1]
        growth = float(np.max(total[1:] / np.maximum(low, 1e-300)))
        if growth >= EXPLODING_GROWTH and total[-1] >= EXPLODING_SIZE:
            out.append(
                {
                    "code": "exploding",
                    "layer": None,
                    "value": growth,
                    "message": f"the gradient norm grew {growth:,.0f}× in {len(total)} steps: exploding gradients",
                }
            )
    for i, act in enumerate(activations):
        dead = float(np.mean(window["dead"][-WINDOW:, i]))
        if ACTIVATIONS[act].can_die and dead >= DEAD_FRACTION:
            out.append(
                {
                    "code": "dead",
                    "layer": i + 1,
                    "value": dead,
                    "message": f"{dead:.0%} of the ReLUs in layer {i + 1} are dead",
                }
            )
        sat = float(np.mean(window["saturated"][-WINDOW:, i]))
        if ACTIVATIONS[act].peak_slope is not None and sat >= SATURATED_FRACTION:
            out.append(
                {
                    "code": "saturated",
                    "layer": i + 1,
                    "value": sat,
                    "message": f"{sat:.0%} of the {act} units in layer {i + 1} are saturated: "
                    "their slope is almost 0, so little gradient passes",
                }
            )
    for i in range(n_layers):
        ratio = float(np.median(window["update_ratio"][-WINDOW:, i]))
        if ratio > UPDATE_RATIO_HIGH:
            out.append(
                {
                    "code": "large_updates",
                    "layer": i + 1,
                    "value": ratio,
                    "message": f"each step changes layer {i + 1}'s weights by {ratio:.0%}: "
                    "the learning rate is likely too high",
                }
            )
    return out
