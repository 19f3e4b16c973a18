"""Losses. Each takes the output layer's pre-activations (logits) z and the targets,
returns the mean loss over the batch and dL/dz, and maps z to the prediction shown to
the user (`link`): a probability for classification, the value for regression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .activations import sigmoid
from .params import Entry, number, operand

Array = np.ndarray


@dataclass(frozen=True)
class Loss(Entry):
    output_activation: str  # what the page calls the output neuron
    value_and_grad: Callable[[Array, Array], tuple[float, Array]]
    terms: Callable[[Array, Array], Array]  # each sample's loss [n]: the value is their mean
    link: Callable[[Array], Array]
    # "Explain a step", for one sample: ℓ and ŷ written out, ℓ with the numbers put in
    # (prediction, target) -> str, and dℓ/dz split as dℓ/dŷ and dŷ/dz (None when ŷ is not elementwise)
    formula: str = field(kw_only=True)
    link_formula: str = field(kw_only=True)
    worked: Callable[[Array, Array], str] = field(kw_only=True)
    split: Callable[[Array, Array], tuple[Array, Array] | None] = field(kw_only=True)


def _bce_with_logits(z: Array, y: Array) -> tuple[float, Array]:
    """Binary cross-entropy from logits z [n, 1] and labels y [n, 1] in {0, 1}.

    log(1 + e^z) - y z, with log(1 + e^z) as np.logaddexp(0, z), which is max(z, 0) +
    log1p(e^-|z|): large |z| neither overflows nor loses precision, in one NumPy call where
    writing it out took five (every step and frame computes it); dL/dz = sigmoid(z) - y.
    """
    n = z.shape[0]
    grad = sigmoid(z)
    grad -= y  # in place: on a small batch each temporary costs as much as the arithmetic
    grad /= n
    return float(np.add.reduce(_bce_terms(z, y)) / n), grad


def _bce_terms(z: Array, y: Array) -> Array:
    terms: Array = np.logaddexp(0.0, z) - y * z
    return terms[:, 0]


def _mse(z: Array, y: Array) -> tuple[float, Array]:
    """Half mean squared error, so that dL/dz = (z - y) / n."""
    n = z.shape[0]
    diff = z - y
    return float(np.add.reduce(_squares(diff)) / n), diff / n


def _mse_terms(z: Array, y: Array) -> Array:
    return _squares(z - y)


def _squares(diff: Array) -> Array:
    """½ Σ diff² over each sample's outputs."""
    out: Array = 0.5 * np.add.reduce(diff * diff, axis=1)
    return out


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shifted: exp never overflows
    p: Array = e / e.sum(axis=1, keepdims=True)
    return p


def _softmax_ce(z: Array, y: Array) -> tuple[float, Array]:
    """Cross-entropy of softmax(z) [n, K] against one-hot y [n, K]:
    logsumexp(z) - z_y, whose gradient is softmax(z) - y."""
    n = z.shape[0]
    loss, e = _softmax_ce_parts(z, y)
    grad = e / e.sum(axis=1, keepdims=True)  # softmax(z), from the same shifted exponentials
    grad -= y
    grad /= n
    return float(loss.sum() / n), grad


def _softmax_ce_terms(z: Array, y: Array) -> Array:
    return _softmax_ce_parts(z, y)[0]


def _softmax_ce_parts(z: Array, y: Array) -> tuple[Array, Array]:
    """Each sample's loss, and the shifted exponentials the gradient is made of."""
    shifted = z - z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return np.log(e.sum(axis=1)) - (shifted * y).sum(axis=1), e


def _bce_worked(p: Array, y: Array) -> str:
    return f"−[{number(y[0])}·log {number(p[0])} + {number(1 - y[0])}·log {number(1 - p[0])}]"


def _bce_split(p: Array, y: Array) -> tuple[Array, Array] | None:
    slope = p * (1.0 - p)
    if not np.all(slope > 0):  # ŷ rounded to exactly 0 or 1: only the product ŷ − y is finite
        return None
    return (p - y) / slope, slope


def _mse_worked(p: Array, y: Array) -> str:
    return " + ".join(f"½·({number(a)} − {operand(b)})²" for a, b in zip(p, y))


def _softmax_worked(p: Array, y: Array) -> str:
    return f"−log {number(p[int(np.argmax(y))])}"


# fmt: off
LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("bce", "Binary cross-entropy", "sigmoid", _bce_with_logits, _bce_terms, sigmoid,
             formula="ℓ = −[y·log ŷ + (1 − y)·log(1 − ŷ)]", link_formula="ŷ = σ(z) = 1 / (1 + e⁻ᶻ)",
             worked=_bce_worked, split=_bce_split,
             help="How surprised the network is by each 0/1 label, given the probability it predicted."),
        Loss("mse", "Half mean squared error", "linear", _mse, _mse_terms, lambda z: z,
             formula="ℓ = ½·(ŷ − y)²", link_formula="ŷ = z", worked=_mse_worked,
             split=lambda p, y: (p - y, np.ones_like(p)),
             help="Half the mean squared distance between the prediction and the target value."),
        Loss("softmax_ce", "Softmax cross-entropy", "softmax", _softmax_ce, _softmax_ce_terms, _softmax,
             formula="ℓ = −log ŷ_c, c the true class", link_formula="ŷₖ = eᶻᵏ / Σⱼ eᶻʲ",
             worked=_softmax_worked, split=lambda p, y: None,
             help="How surprised the network is by each class label, given the probabilities it predicted."),
    )
}
# fmt: on

# The problem decides the loss (and so the output activation).
LOSS_FOR_PROBLEM = {"classification": "bce", "multiclass": "softmax_ce", "regression": "mse"}
