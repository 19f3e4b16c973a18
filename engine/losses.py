"""Losses. Each takes the output layer's pre-activations (logits) z and the targets,
returns the mean loss over the batch and dL/dz, and maps z to the prediction shown to
the user (`link`): a probability for classification, the value for regression.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid
from .params import Entry

Array = np.ndarray


@dataclass(frozen=True)
class Loss(Entry):
    output_activation: str  # what the page calls the output neuron
    value_and_grad: Callable[[Array, Array], tuple[float, Array]]
    link: Callable[[Array], Array]


def _bce_with_logits(z: Array, y: Array) -> tuple[float, Array]:
    """Binary cross-entropy from logits z [n, 1] and labels y [n, 1] in {0, 1}.

    log(1 + e^z) - y z, written as max(z, 0) - y z + log1p(e^-|z|) so that large |z|
    neither overflows nor loses precision; dL/dz = sigmoid(z) - y.
    """
    n = z.shape[0]
    loss = np.maximum(z, 0.0) - y * z + np.log1p(np.exp(-np.abs(z)))
    return float(loss.sum() / n), (sigmoid(z) - y) / n


def _mse(z: Array, y: Array) -> tuple[float, Array]:
    """Half mean squared error, so that dL/dz = (z - y) / n."""
    n = z.shape[0]
    diff = z - y
    return float(0.5 * np.sum(diff * diff) / n), diff / n


def _softmax(z: Array) -> Array:
    e = np.exp(z - z.max(axis=1, keepdims=True))  # shifted: exp never overflows
    p: Array = e / e.sum(axis=1, keepdims=True)
    return p


def _softmax_ce(z: Array, y: Array) -> tuple[float, Array]:
    """Cross-entropy of softmax(z) [n, K] against one-hot y [n, K]:
    logsumexp(z) - z_y, whose gradient is softmax(z) - y."""
    n = z.shape[0]
    shifted = z - z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(shifted).sum(axis=1))
    loss = log_sum - (shifted * y).sum(axis=1)
    return float(loss.sum() / n), (_softmax(z) - y) / n


# fmt: off
LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss("bce", "Binary cross-entropy", "sigmoid", _bce_with_logits, sigmoid,
             help="How surprised the network is by each 0/1 label, given the probability it predicted."),
        Loss("mse", "Half mean squared error", "linear", _mse, lambda z: z,
             help="Half the mean squared distance between the prediction and the target value."),
        Loss("softmax_ce", "Softmax cross-entropy", "softmax", _softmax_ce, _softmax,
             help="How surprised the network is by each class label, given the probabilities it predicted."),
    )
}
# fmt: on

# The problem decides the loss (and so the output activation).
LOSS_FOR_PROBLEM = {"classification": "bce", "multiclass": "softmax_ce", "regression": "mse"}
