"""Gradient health. Per layer and step: how big the gradient is, how much of it reaches
the layer, how much the update changes the weights, and whether units are dead or
saturated. From a window of recent steps: warnings in plain words, each naming the
statistic it rests on and the number it found. Every threshold is a named constant here;
docs/diagnostics.md explains them.

The warnings are listed cause first (a diverging loss, a too-high learning rate) and
symptom last (vanishing gradients), one line per kind of problem however many layers
share it, and never two that contradict each other: see `warnings`."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .stats import PERCENTILES, median, norm
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
    `stats` (a step record's) saves recomputing the norms."""
    stats = stats or {"grad_norm": norm(dW), "update_norm": norm(dW_step), "weight_norm": norm(W)}
    return tuple(float(v) for v in steps_diagnostics(activation, [(y, a, delta, stats)])[0])


def steps_diagnostics(
    activation: str, steps: list[tuple[np.ndarray, np.ndarray, np.ndarray, dict[str, float]]]
) -> np.ndarray:
    """One layer over several steps, [steps, len(DIAGNOSTICS)]: row k is layer_diagnostics
    of steps[k] = (y, a, delta, stats). Batches may differ in size."""
    return network_diagnostics([activation], [[step] for step in steps])[:, :, 0]


def network_diagnostics(activations: list[str], steps: list[list[tuple[Any, ...]]]) -> np.ndarray:
    """Every layer over several steps, [steps, len(DIAGNOSTICS), layers]: steps[k][l] =
    (y, a, delta, stats) of layer l (whose activation is activations[l]) at step k, each
    [n, units] or, for a conv layer, [n, channels, H, W]: a channel is a unit (a filter is
    dead when its map is 0 everywhere for every sample). Written for speed: a session
    computes them once a frame for every step since the last, so every layer of every step
    is one segment of one flat array and each measure is one NumPy call for all of them
    (per layer and step, the calls' overhead was most of the cost)."""
    n_steps, n_layers = len(steps), len(activations)
    ys, acts, deltas, stats = zip(*(piece for step in steps for piece in step))  # piece k * n_layers + l
    units = [a.shape[1] for a in acts[:n_layers]]
    spread = [a[0].size // a.shape[1] for a in acts[:n_layers]]  # values per unit and sample: 1, or H·W
    rows = [len(step[0][1]) for step in steps]
    sizes = np.array([n * u * m for n in rows for u, m in zip(units, spread)])
    starts = _starts(sizes.tolist())
    out = np.zeros((n_steps * n_layers, len(DIAGNOSTICS)))
    norms = np.array([(s["grad_norm"], s["update_norm"], s["weight_norm"]) for s in stats])
    out[:, 0] = norms[:, 0]
    out[:, 1] = np.add.reduceat(np.abs(np.concatenate(deltas, axis=None)), starts) / sizes
    np.divide(norms[:, 1], norms[:, 2], out=out[:, 2], where=norms[:, 2] > 0)
    a = np.concatenate(acts, axis=None)
    mean = np.add.reduceat(a, starts) / sizes
    var = np.add.reduceat(a * a, starts) / sizes - mean * mean
    out[:, 3], out[:, 4] = mean, np.sqrt(np.maximum(var, 0.0))
    # Dead or saturated: a unit is when all its values in the batch are. The swapped axes
    # make each unit's values one segment; one activation at a time, as their slopes differ.
    for name in dict.fromkeys(activations):
        act = ACTIVATIONS.get(name)
        if act is None or not act.can_die and act.peak_slope is None:
            continue
        layers = [j for j in range(n_layers) if activations[j] == name]
        mine = [k * n_layers + j for k in range(n_steps) for j in layers]
        unit_starts = _starts([rows[k] * spread[j] for k in range(n_steps) for j in layers for _ in range(units[j])])
        y = np.concatenate([ys[p].swapaxes(0, 1) for p in mine], axis=None)
        if act.can_die:
            column, every = 5, np.maximum.reduceat(y, unit_starts) <= 0
        else:
            assert act.peak_slope is not None
            a_t = np.concatenate([acts[p].swapaxes(0, 1) for p in mine], axis=None)
            column, every = 6, np.logical_and.reduceat(act.df(y, a_t) < SATURATION * act.peak_slope, unit_starts)
        mine_units = [units[j] for _ in range(n_steps) for j in layers]
        out[mine, column] = np.add.reduceat(every, _starts(mine_units)) / mine_units
    return out.reshape(n_steps, n_layers, -1).transpose(0, 2, 1)


def _starts(sizes: list[int]) -> np.ndarray:
    """Where each segment of these sizes starts in their concatenation."""
    return np.array([0, *itertools.accumulate(sizes[:-1])], dtype=np.intp)


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


def health(window: dict[str, np.ndarray] | None) -> dict[str, Any]:
    """The heatmap's headline (frame.health): the ratio the vanishing warning rests on, with
    the same number and the same statistic named as the warning writes them."""
    ratio = first_to_last(window) if window else None
    text = None
    if window and ratio is not None:
        grad = window["grad_norm"][-WINDOW:]
        n = grad.shape[1]
        text = f"{layer_name(0, n)} / {layer_name(n - 1, n)} = {number(ratio)} ({over('median', len(grad))})"
    return {"first_to_last": ratio, "window": WINDOW, "text": text}


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


def _large_updates(ratio: np.ndarray) -> Warning | None:
    middle = median(ratio)
    idx = [int(i) for i in np.flatnonzero(middle > UPDATE_RATIO_HIGH)]
    if not idx:
        return None
    return _warning(
        "large_updates",
        float(middle[idx].max()),
        f"each step changes the weights of {layers_named(idx, ratio.shape[1])} by {spread([middle[i] for i in idx])} "
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


def _units(code: str, share: np.ndarray, activations: list[str]) -> Warning | None:
    """Dead or saturated: the hidden layers whose activation can be so and whose mean share
    of such units reaches the threshold."""
    trait, threshold = {"dead": ("can_die", DEAD_FRACTION), "saturated": ("saturates", SATURATED_FRACTION)}[code]
    mean = share.sum(axis=0) / len(share)  # np.mean's own number, without its overhead
    idx = [i for i, name in enumerate(activations) if ACTIVATIONS[name].describe()[trait] and mean[i] >= threshold]
    if not idx:
        return None
    where, share_text, stat = (
        layers_named(idx, share.shape[1]),
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


def _vanishing(window: dict[str, np.ndarray], shown: dict[str, Warning]) -> Warning | None:
    """Not beside a diverging loss or exploding gradients: a first layer's small share of an
    exploding gradient is not a vanishing one. A first layer with no gradient at all is
    claimed only when no dead or saturated warning for it says why."""
    ratio = first_to_last(window)
    if ratio is None or ratio >= VANISHING_RATIO or "diverging" in shown or "exploding" in shown:
        return None
    steps = len(window["grad_norm"][-WINDOW:])
    if ratio > 0:
        return _warning(
            "vanishing",
            ratio,
            f"hidden layer 1 receives {number(ratio)} of the output layer's gradient "
            f"(‖dW‖, {over('median', steps)}): vanishing gradients",
            [0],
        )
    if any(1 in shown[code]["layers"] for code in ("dead", "saturated") if code in shown):
        return None
    return _warning(
        "vanishing",
        ratio,
        f"hidden layer 1 receives no gradient (‖dW‖ = 0 in most of the last {steps} steps): vanishing gradients",
        [0],
    )


def warnings(window: dict[str, np.ndarray], activations: list[str]) -> list[Warning]:
    """Warnings from the last steps, causes first (WARNINGS' order), one per code. window[name]
    is [steps, layers] for each name in DIAGNOSTICS (the output layer last) and [steps] for
    "loss" (each step's batch loss); activations names each hidden layer's. Each warning: {code, layer (the
    first of its layers, 1-based, or None), layers, value, message}."""
    grad = window["grad_norm"][-WINDOW:]
    if len(grad) == 0:
        return []
    shown: dict[str, Warning] = {}
    checks = {
        "diverging": lambda: _diverging(window["loss"][-WINDOW:]),
        "large_updates": lambda: _large_updates(window["update_ratio"][-WINDOW:]),
        "exploding": lambda: _exploding(grad),
        "dead": lambda: _units("dead", window["dead"][-WINDOW:], activations),
        "saturated": lambda: _units("saturated", window["saturated"][-WINDOW:], activations),
        "vanishing": lambda: _vanishing(window, shown),  # last: it looks at what the others found
    }
    for entry in WARNINGS:
        w = checks[entry["code"]]()
        if w is not None:
            shown[entry["code"]] = w
    return list(shown.values())
