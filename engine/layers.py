"""A fully connected layer with its activation, and optionally batch normalization
before the activation and inverted dropout after it.

Contract (as in numpy-ml and nnfs): `forward(x, training)` caches what the backward
pass needs and returns the output; `backward(dout)` stores the gradients in `grads`
(keys matching `params`) and returns the gradient with respect to the input.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS

BN_EPS = 1e-5
BN_MOMENTUM = 0.9  # running statistics: new = m * old + (1 - m) * batch


class Dense:
    """z = x W + b, [batch norm: y = gamma (z - mean) / std + beta], a = f(y), [dropout].
    x [n, n_in], W [n_in, n_out], b [n_out], z, y and a [n, n_out]."""

    def __init__(self, W: np.ndarray, b: np.ndarray, activation: str, batch_norm: bool = False):
        self.params = {"W": W, "b": b}
        n_out = b.size
        if batch_norm:
            self.params |= {"gamma": np.ones(n_out), "beta": np.zeros(n_out)}
            self.running_mean, self.running_var = np.zeros(n_out), np.ones(n_out)
        self.batch_norm = batch_norm
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.activation = ACTIVATIONS[activation]
        self.dropout = 0.0  # probability of dropping a unit while training
        self.rng: np.random.Generator | None = None
        self.fixed_mask: np.ndarray | None = None  # for gradient checks
        self.x = self.z = self.y = self.a = self.delta = np.empty(0)
        self.mask: np.ndarray | None = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        return self.forward_with(x, self.params["W"], self.params["b"], training)

    def forward_with(self, x: np.ndarray, W: np.ndarray, b: np.ndarray, training: bool) -> np.ndarray:
        """The forward pass with given weights; caches only when training."""
        z = x @ W
        z += b  # in place: one array fewer to allocate (and, on a big layer, to touch)
        y = self._normalize(z, training) if self.batch_norm else z
        a = self.activation.f(y)
        out, mask = a, None
        if training and self.dropout > 0:
            # inverted dropout: scale the kept units so evaluation needs no rescaling
            mask = self.fixed_mask if self.fixed_mask is not None else self._draw_mask(a.shape)
            out = a * mask
        if training:
            self.x, self.z, self.y, self.a, self.mask = x, z, y, a, mask
        return out

    def _draw_mask(self, shape: tuple[int, ...]) -> np.ndarray:
        rng = self.rng or np.random.default_rng()
        return (rng.random(shape) >= self.dropout) / (1.0 - self.dropout)

    def _normalize(self, z: np.ndarray, training: bool) -> np.ndarray:
        if training:
            mean, var = z.mean(axis=0), z.var(axis=0)
            self.running_mean = BN_MOMENTUM * self.running_mean + (1 - BN_MOMENTUM) * mean
            self.running_var = BN_MOMENTUM * self.running_var + (1 - BN_MOMENTUM) * var
        else:
            mean, var = self.running_mean, self.running_var
        inv_std = 1.0 / np.sqrt(var + BN_EPS)
        z_hat = (z - mean) * inv_std
        if training:
            self.z_hat, self.inv_std = z_hat, inv_std
        y: np.ndarray = self.params["gamma"] * z_hat + self.params["beta"]
        return y

    def backward(self, dout: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """dout = dL/d(output) [n, n_out]; returns dL/dx [n, n_in] (None if not needed)."""
        # out = a * mask  ->  dL/da = dL/dout * mask
        da = dout * self.mask if self.mask is not None else dout
        # a = f(y)  ->  dL/dy = dL/da * f'(y)
        dy = da * self.activation.df(self.y, self.a)
        if not self.batch_norm:
            return self.backward_delta(dy, need_dx)
        # y = gamma z_hat + beta, z_hat = (z - mean(z)) / std(z) over the batch:
        # dL/dz = gamma / (n std) (n dy - sum(dy) - z_hat sum(dy z_hat))
        n, z_hat = dy.shape[0], self.z_hat
        self.grads["gamma"] = np.sum(dy * z_hat, axis=0)
        self.grads["beta"] = dy.sum(axis=0)
        dz = self.params["gamma"] * self.inv_std / n * (n * dy - dy.sum(axis=0) - z_hat * self.grads["gamma"])
        return self.backward_delta(dz, need_dx)

    def backward_delta(self, delta: np.ndarray, need_dx: bool = True) -> np.ndarray | None:
        """delta = dL/dz [n, n_out], for when the loss already gives it (output layer)."""
        self.delta = delta
        # z = x W + b  ->  dL/dW = x^T delta, dL/db = sum over the batch, dL/dx = delta W^T
        self.grads["W"] = self.x.T @ delta
        self.grads["b"] = np.add.reduce(delta, axis=0)  # delta.sum(axis=0) without its Python wrapper
        return delta @ self.params["W"].T if need_dx else None
