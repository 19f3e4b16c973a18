"""Hidden-layer activations, keyed by the names the protocol and the page use.

Each activation gives f(z) and its derivative expressed from z and a = f(z), so the
backward pass reuses what the forward pass already computed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Activation:
    name: str
    label: str
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]  # (z, a) -> da/dz


def _sigmoid(z: Array) -> Array:
    # Split by sign so exp never overflows.
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


LEAK = 0.01

ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "Sigmoid", _sigmoid, lambda z, a: a * (1.0 - a)),
        Activation("tanh", "Tanh", np.tanh, lambda z, a: 1.0 - a * a),
        Activation("relu", "ReLU", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype)),
        Activation(
            "leaky_relu",
            "Leaky ReLU",
            lambda z: np.where(z > 0, z, LEAK * z),
            lambda z, a: np.where(z > 0, 1.0, LEAK),
        ),
        Activation("linear", "Linear", lambda z: z, lambda z, a: np.ones_like(z)),
    )
}

sigmoid = _sigmoid
