"""Gradient health. Per layer and step: how big the gradient is, how much of it reaches
the layer, how much the update changes the weights, and whether units are dead or
saturated. From a window of recent steps: warnings in plain words, each naming the
statistic it rests on and the number it found. Every threshold is a named constant here;
docs/diagnostics.md explains them.

The warnings are listed cause first (a diverging loss, a too-high learning rate) and
symptom last (vanishing gradients), one line per kind of problem however many layers
share it, and never two that contradict each other: see `warnings`."""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .stats import PERCENTILES, median
from .stats import bands as bands  # the distributions a frame draws: part of what the diagnostics offer
from .words import layer_name, layers_named, number, over, spread

SATURATION = 0.05  # saturated: f'(y) below 5% of the activation's peak slope for the whole batch

WINDOW = 20  # steps a warning looks back over
DIVERGING_RECENT = 5  # steps whose median batch loss is compared with the window's lowest:
DIVERGING_GROWTH = 10.0  # ... at least this many times it (one spike of a step or two is no divergence) ...
DIVERGING_SIZE = 1.0  # ... and at least this large (a loss of 10⁻⁴ wobbling to 10⁻³ is no divergence)
VANISHING_RATIO = 1e-3  # first layer's ‖dW‖ below this fraction of the last layer's
EXPLODING_GROWTH = 1000.0  # total ‖dW‖ now this many times its lowest in the window ...
EXPLODING_SIZE = 1.0  # ... and at least this large (a gradient waking from 1e-9 to 1e-6 is no explosion)
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

# Every warning, causes before their symptoms: the order the page lists them in.
# fmt: off
WARNINGS: tuple[dict[str, str], ...] = (
    {"code": "diverging", "title": "Training diverging",
     "watch_for": "the “training is diverging” warning: the loss climbs instead of falling."},
    {"code": "large_updates", "title": "Updates too large",
     "watch_for": "the “updates too large” warning: each step changes the weights by a large fraction."},
    {"code": "exploding", "title": "Exploding gradients",
     "watch_for": "the “exploding gradients” warning, and the gradient map turning bright yellow."},
    {"code": "dead", "title": "Dead ReLUs",
     "watch_for": "the “dead ReLUs” warning: units that output 0 for every sample stop learning."},
    {"code": "saturated", "title": "Saturated units",
     "watch_for": "the “saturated units” warning: units stuck where their slope is almost 0."},
    {"code": "vanishing", "title": "Vanishing gradients",
     "watch_for": "the “vanishing gradients” warning, and a dark first row in the gradient map."},
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


# -- the statistics ---------------------------------------------------------------------


def first_to_last(window: dict[str, np.ndarray]) -> float | None:
    """Median over the last WINDOW steps of ‖dW‖ of hidden layer 1 / ‖dW‖ of the output layer:
    the share of the gradient that reaches the first layer. None where it means nothing
    (fewer than 3 weight layers, or an output gradient of 0 or not finite)."""
    grad = window["grad_norm"][-WINDOW:]
    if len(grad) == 0 or grad.shape[1] < 3:
        return None
    first, last = grad[:, 0], grad[:, -1]
    ok = np.isfinite(first) & np.isfinite(last) & (last > 0)
    return float(median(first[ok] / last[ok])) if ok.any() else None


def health(window: dict[str, np.ndarray] | None, convs: int = 0, layers: int | None = None) -> dict[str, Any]:
    """The heatmap's headline (frame.health): the ratio the vanishing warning rests on, with
    the same number and the same statistic named as the warning writes them. `convs`: a CNN's
    conv layers (its first weight layers) of its `layers` weight layers, whose rows the page
    then labels by `names`, from the first frame on."""
    ratio = first_to_last(window) if window else None
    text = None
    if window and ratio is not None:
        grad = window["grad_norm"][-WINDOW:]
        n = grad.shape[1]
        text = f"{layer_name(0, n, convs)} / {layer_name(n - 1, n)} = {number(ratio)} ({over('median', len(grad))})"
    out: dict[str, Any] = {"first_to_last": ratio, "window": WINDOW, "text": text}
    n = window["grad_norm"].shape[1] if window else layers
    if convs and n:
        out["names"] = [layer_name(i, n, convs) for i in range(n)]
    return out


# -- the warnings -----------------------------------------------------------------------

Warning = dict[str, Any]


def _warning(code: str, value: float, message: str, layers: list[int] | None = None) -> Warning:
    """layers: 0-based weight layers; sent 1-based, `layer` being the first of them."""
    named = [i + 1 for i in layers or []]
    return {"code": code, "layer": named[0] if named else None, "layers": named, "value": value, "message": message}


def _diverging(loss: np.ndarray) -> Warning | None:
    """loss: the batch loss of every step (the one the step minimised; the whole-set losses
    are evaluated only once a frame, too seldom for a median of the last few steps)."""
    lowest, recent = float(loss.min()), float(median(loss[-DIVERGING_RECENT:]))
    if not (lowest > 0 and recent >= DIVERGING_SIZE and recent >= DIVERGING_GROWTH * lowest):
        return None
    growth = recent / lowest
    return _warning(
        "diverging",
        growth,
        f"the batch loss ({over('median', min(len(loss), DIVERGING_RECENT))}) is {number(growth)} times "
        f"its lowest of the last {len(loss)} steps: training is diverging",
    )


def _large_updates(ratio: np.ndarray, convs: int) -> Warning | None:
    middle = median(ratio)
    idx = [int(i) for i in np.flatnonzero(middle > UPDATE_RATIO_HIGH)]
    if not idx:
        return None
    return _warning(
        "large_updates",
        float(middle[idx].max()),
        f"each step changes the weights of {layers_named(idx, ratio.shape[1], convs)} "
        f"by {spread([middle[i] for i in idx])} "
        f"({over('median', len(ratio))}): the learning rate is likely too high",
        idx,
    )


def _exploding(grad: np.ndarray) -> Warning | None:
    total = np.sqrt(np.sum(grad**2, axis=1))
    lowest, now = float(total.min()), float(total[-1])
    if not (len(total) > 1 and lowest > 0 and now >= EXPLODING_SIZE and now >= EXPLODING_GROWTH * lowest):
        return None
    growth = now / lowest
    return _warning(
        "exploding",
        growth,
        f"the gradient norm of all layers together is {number(growth)} times its lowest of the last "
        f"{len(total)} steps: exploding gradients",
    )


def _units(code: str, share: np.ndarray, activations: list[str], convs: int) -> Warning | None:
    """Dead or saturated: the hidden layers whose activation can be so and whose mean share
    of such units reaches the threshold."""
    trait, threshold = {"dead": ("can_die", DEAD_FRACTION), "saturated": ("saturates", SATURATED_FRACTION)}[code]
    mean = share.sum(axis=0) / len(share)  # np.mean's own number, without its overhead
    idx = [i for i, name in enumerate(activations) if ACTIVATIONS[name].describe()[trait] and mean[i] >= threshold]
    if not idx:
        return None
    where, share_text, stat = (
        layers_named(idx, share.shape[1], convs),
        spread([mean[i] for i in idx]),
        over("mean", len(share)),
    )
    if code == "dead":
        message = f"{share_text} of the ReLUs in {where} are dead ({stat})"
    else:
        acts = " and ".join(dict.fromkeys(activations[i] for i in idx))
        message = (
            f"{share_text} of the {acts} units in {where} are saturated ({stat}): "
            "their slope is almost 0, so little gradient passes"
        )
    return _warning(code, float(mean[idx].max()), message, idx)


def _vanishing(window: dict[str, np.ndarray], shown: dict[str, Warning], convs: int) -> Warning | None:
    """Not beside a diverging loss or exploding gradients: a first layer's small share of an
    exploding gradient is not a vanishing one. A first layer with no gradient at all is
    claimed only when no dead or saturated warning for it says why."""
    ratio = first_to_last(window)
    if ratio is None or ratio >= VANISHING_RATIO or "diverging" in shown or "exploding" in shown:
        return None
    steps = len(window["grad_norm"][-WINDOW:])
    first = layer_name(0, window["grad_norm"].shape[1], convs)
    if ratio > 0:
        return _warning(
            "vanishing",
            ratio,
            f"{first} receives {number(ratio)} of the output layer's gradient "
            f"(‖dW‖, {over('median', steps)}): vanishing gradients",
            [0],
        )
    if any(1 in shown[code]["layers"] for code in ("dead", "saturated") if code in shown):
        return None
    return _warning(
        "vanishing",
        ratio,
        f"{first} receives no gradient (‖dW‖ = 0 in most of the last {steps} steps): vanishing gradients",
        [0],
    )


def warnings(window: dict[str, np.ndarray], activations: list[str], convs: int = 0) -> list[Warning]:
    """Warnings from the last steps, causes first (WARNINGS' order), one per code. window[name]
    is [steps, layers] for each name in DIAGNOSTICS (the output layer last) and [steps] for
    "loss" (each step's batch loss); activations names each hidden layer's. Each warning: {code, layer (the
    first of its layers, 1-based, or None), layers, value, message}. `convs`: a CNN's conv layers
    (its first weight layers), named "conv 1", ..., the dense ones after them "dense 1", ..."""
    grad = window["grad_norm"][-WINDOW:]
    if len(grad) == 0:
        return []
    shown: dict[str, Warning] = {}
    checks = {
        "diverging": lambda: _diverging(window["loss"][-WINDOW:]),
        "large_updates": lambda: _large_updates(window["update_ratio"][-WINDOW:], convs),
        "exploding": lambda: _exploding(grad),
        "dead": lambda: _units("dead", window["dead"][-WINDOW:], activations, convs),
        "saturated": lambda: _units("saturated", window["saturated"][-WINDOW:], activations, convs),
        "vanishing": lambda: _vanishing(window, shown, convs),  # last: it looks at what the others found
    }
    for entry in WARNINGS:
        w = checks[entry["code"]]()
        if w is not None:
            shown[entry["code"]] = w
    return list(shown.values())
