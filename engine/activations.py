"""Hidden-layer activations, keyed by the names the protocol and the page use.

Each activation gives f(z) and its derivative expressed from z and a = f(z), so the
backward pass reuses what the forward pass already computed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .params import Entry

Array = np.ndarray


@dataclass(frozen=True)
class Activation(Entry):
    f: Callable[[Array], Array]
    df: Callable[[Array, Array], Array]  # (z, a) -> da/dz
    can_die: bool = False  # outputs exactly 0 for all z < 0, so a unit can stop learning for good
    peak_slope: float | None = None  # the largest f' of an activation that saturates (flat at both ends)
    formula: str = field(default="", kw_only=True)  # a = f(z), written out for "Explain a step"
    slope: str = field(default="", kw_only=True)  # f'(z), as `df` computes it

    def describe(self) -> dict[str, Any]:
        """What the page and the docs may know of it: the diagnostics that apply."""
        return {"can_die": self.can_die, "saturates": self.peak_slope is not None}


def _sigmoid(z: Array) -> Array:
    if z.dtype == np.float32:  # a frame's grid, in the wire's precision: 1 / (1 + e^-z)
        e: Array = np.negative(z)
        with np.errstate(over="ignore"):  # e^-z = inf: 1 / inf = 0, as the sigmoid
            np.exp(e, out=e)
        e += 1.0
        np.reciprocal(e, out=e)
        return e
    # exp(-log(1 + e^-z)): never overflows, keeps tiny values for very negative z, and
    # is two ufuncs where splitting by sign costs boolean indexing.
    out: Array = np.exp(-np.logaddexp(0.0, -z))
    return out


def _tanh(z: Array) -> Array:
    if z.dtype == np.float32:  # a frame's grid: 2·σ(2z) − 1, within 2.4e-7 (a few float32 steps of 1)
        # NumPy's float32 tanh has no fast loop on this machine's AVX2: 4 ns a value, this 2.
        e: Array = np.multiply(z, -2.0)
        with np.errstate(over="ignore"):
            np.exp(e, out=e)
        e += 1.0
        np.divide(2.0, e, out=e)
        e -= 1.0
        return e
    out: Array = np.tanh(z)
    return out


LEAK = 0.01
GELU_C = np.sqrt(2.0 / np.pi)


def _elu(z: Array) -> Array:
    out: Array = np.where(z > 0, z, np.expm1(np.minimum(z, 0.0)))
    return out


def _gelu(z: Array) -> Array:
    """GELU in its tanh form (Hendrycks & Gimpel 2016); NumPy has no erf."""
    out: Array = 0.5 * z * (1.0 + np.tanh(GELU_C * (z + 0.044715 * z**3)))
    return out


def _gelu_df(z: Array, a: Array) -> Array:
    t = np.tanh(GELU_C * (z + 0.044715 * z**3))
    out: Array = 0.5 * (1.0 + t) + 0.5 * z * (1.0 - t * t) * GELU_C * (1.0 + 3 * 0.044715 * z**2)
    return out


def _softplus(z: Array) -> Array:
    # log(1 + e^z) without overflow for large z
    out: Array = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
    return out


def _silu_df(z: Array, a: Array) -> Array:
    s = _sigmoid(z)
    return s * (1.0 + z * (1.0 - s))


# fmt: off
ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation("sigmoid", "Sigmoid", _sigmoid, lambda z, a: a * (1.0 - a), peak_slope=0.25,
                   formula="a = σ(z) = 1 / (1 + e⁻ᶻ)", slope="f′(z) = a·(1 − a)",
                   help="Squashes to (0, 1); its slope is at most 0.25, so deep stacks of it starve early layers."),
        Activation("tanh", "Tanh", _tanh, lambda z, a: 1.0 - a * a, peak_slope=1.0,
                   formula="a = tanh(z)", slope="f′(z) = 1 − a²",
                   help="Squashes to (−1, 1) around 0; flat, and so slow to learn, for large inputs."),
        Activation("relu", "ReLU", lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(z.dtype), can_die=True,
                   formula="a = max(0, z)", slope="f′(z) = 1 if z > 0, else 0",
                   help="Passes positive inputs unchanged and outputs 0 otherwise; a unit stuck at 0 stops learning."),
        Activation("leaky_relu", "Leaky ReLU", lambda z: np.where(z > 0, z, LEAK * z),
                   lambda z, a: np.where(z > 0, 1.0, LEAK),
                   formula="a = z if z > 0, else 0.01·z", slope="f′(z) = 1 if z > 0, else 0.01",
                   help="ReLU with a small slope (0.01) for negative inputs, so no unit dies."),
        Activation("linear", "Linear", lambda z: z, lambda z, a: np.ones_like(z),
                   formula="a = z", slope="f′(z) = 1",
                   help="No activation: the whole network stays a linear function."),
        # ELU with alpha = 1: for z <= 0, a = e^z - 1, so da/dz = e^z = a + 1
        Activation("elu", "ELU", _elu, lambda z, a: np.where(z > 0, 1.0, a + 1.0),
                   formula="a = z if z > 0, else eᶻ − 1", slope="f′(z) = 1 if z > 0, else a + 1",
                   help="Like ReLU for positive inputs, a smooth curve down to −1 for negative ones."),
        Activation("gelu", "GELU", _gelu, _gelu_df,
                   formula="a = ½·z·(1 + t), t = tanh(√(2/π)·(z + 0.044715·z³))",
                   slope="f′(z) = ½·(1 + t) + ½·z·(1 − t²)·√(2/π)·(1 + 0.134145·z²)",
                   help="The input weighted by how likely it is to be positive; a smooth ReLU used in transformers."),
        Activation("softplus", "Softplus", _softplus, lambda z, a: _sigmoid(z),
                   formula="a = log(1 + eᶻ)", slope="f′(z) = σ(z)",
                   help="A smooth ReLU, log(1 + eᶻ), whose slope is the sigmoid."),
        Activation("silu", "SiLU (swish)", lambda z: z * _sigmoid(z), _silu_df,
                   formula="a = z·σ(z)", slope="f′(z) = σ(z)·(1 + z·(1 − σ(z)))",
                   help="The input times its sigmoid: smooth, and slightly negative for small negative inputs."),
    )
}
# fmt: on

sigmoid = _sigmoid
