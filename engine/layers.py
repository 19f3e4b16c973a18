"""A fully connected layer with its activation.

Contract (as in numpy-ml and nnfs): `forward(x, training)` caches what the backward
pass needs and returns the output; `backward(da)` stores the gradients in `grads`
(keys matching `params`) and returns the gradient with respect to the input.
"""
from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS


class Dense:
    """z = x W + b, a = f(z).  x [n, n_in], W [n_in, n_out], b [n_out], z and a [n, n_out]."""

    def __init__(self, W: np.ndarray, b: np.ndarray, activation: str):
        self.params = {"W": W, "b": b}
        self.grads = {"W": np.zeros_like(W), "b": np.zeros_like(b)}
        self.activation = ACTIVATIONS[activation]
        self.x = self.z = self.a = self.delta = np.empty(0)

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        z = x @ self.params["W"] + self.params["b"]
        a = self.activation.f(z)
        if training:
            self.x, self.z, self.a = x, z, a
        return a

    def backward(self, da: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """da = dL/da [n, n_out]; returns dL/dx [n, n_in] (None if not needed)."""
        # a = f(z)  ->  dL/dz = dL/da * f'(z)
        return self.backward_delta(da * self.activation.df(self.z, self.a), need_dx)

    def backward_delta(self, delta: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """delta = dL/dz [n, n_out], for when the loss already gives it (output layer)."""
        self.delta = delta
        # z = x W + b  ->  dL/dW = x^T delta, dL/db = sum over the batch, dL/dx = delta W^T
        self.grads["W"] = self.x.T @ delta
        self.grads["b"] = delta.sum(axis=0)
        return delta @ self.params["W"].T if need_dx else None
