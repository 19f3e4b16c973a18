"""The per-layer measures of each step (diagnostics.MEASURES, in a history row's order),
from what the step recorded: the gradient's and update's size, the error reaching the
layer, the activations' spread, and the dead or saturated share of its units. A session
computes them once a frame for every step since the last (`network_diagnostics`)."""

from __future__ import annotations

import functools
import itertools
import math
from typing import Any

import numpy as np

from .activations import ACTIVATIONS
from .diagnostics import DIAGNOSTICS, SATURATION
from .stats import norm


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
    shapes = tuple(a.shape for a in acts[:n_layers])
    rows = tuple(len(step[0][1]) for step in steps)
    sizes, starts, units = _layout(tuple(activations), shapes, rows)
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
    for act, mine, unit_starts, mine_units, unit_sets in units:
        y = np.concatenate([ys[p].swapaxes(0, 1) for p in mine], axis=None)
        if act.can_die:
            column, every = 5, np.maximum.reduceat(y, unit_starts) <= 0
        else:
            a_t = np.concatenate([acts[p].swapaxes(0, 1) for p in mine], axis=None)
            column, every = 6, np.logical_and.reduceat(act.df(y, a_t) < SATURATION * act.peak_slope, unit_starts)
        out[mine, column] = np.add.reduceat(every, unit_sets) / mine_units
    return out.reshape(n_steps, n_layers, -1).transpose(0, 2, 1)


@functools.lru_cache(maxsize=64)
def _layout(
    activations: tuple[str, ...], shapes: tuple[tuple[int, ...], ...], rows: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray, list[tuple[Any, ...]]]:
    """Where each layer of each step lies in the flat arrays `network_diagnostics` joins
    (the same from frame to frame, so kept): every segment's size and start, and per
    activation that can die or saturate, its pieces, each unit's start, and each piece's units."""
    n_layers = len(activations)
    units = [shape[1] for shape in shapes]
    spread = [math.prod(shape[2:]) for shape in shapes]  # values per unit and sample: 1, or H·W
    sizes = np.array([n * u * m for n in rows for u, m in zip(units, spread)])
    per_activation = []
    for name in dict.fromkeys(activations):
        act = ACTIVATIONS.get(name)
        if act is None or not act.can_die and act.peak_slope is None:
            continue
        layers = [j for j in range(n_layers) if activations[j] == name]
        mine = [k * n_layers + j for k in range(len(rows)) for j in layers]
        unit_starts = _starts([n * spread[j] for n in rows for j in layers for _ in range(units[j])])
        mine_units = np.array([units[j] for _ in rows for j in layers])
        per_activation.append((act, mine, unit_starts, mine_units, _starts(mine_units.tolist())))
    return sizes, _starts(sizes.tolist()), per_activation


def _starts(sizes: list[int]) -> np.ndarray:
    """Where each segment of these sizes starts in their concatenation."""
    return np.array([0, *itertools.accumulate(sizes[:-1])], dtype=np.intp)
