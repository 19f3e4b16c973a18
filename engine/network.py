"""A fully connected network: hidden Dense layers and a linear output layer whose
logits go to the loss. The loss decides how logits become a prediction (`link`).
With `residual`, a hidden layer after the first whose width equals its input's (the hidden
layer before it) adds that input to its output (He et al. 2016), so the gradient has a path
that skips the layer. The first hidden layer, whose input is the features, never does."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .layers import Dense
from .losses import LOSSES


class Network:
    def __init__(self, layers: list[Dense], loss: str, residual: bool = False):
        self.layers = layers
        self.loss = LOSSES[loss]
        self.residual = residual

    @classmethod
    def create(
        cls,
        sizes: list[int],
        activation: str | Sequence[str],
        loss: str,
        initializer: str,
        rng: np.random.Generator,
        batch_norm: bool = False,
        residual: bool = False,
        dropout: float = 0.0,
    ) -> Network:
        """sizes = [n_inputs, *hidden widths, n_outputs]; activation: one name for every
        hidden layer or one per hidden layer."""
        n_hidden = len(sizes) - 2
        acts = [activation] * n_hidden if isinstance(activation, str) else list(activation)
        if len(acts) != n_hidden:
            raise ValueError(f"{len(acts)} activations for {n_hidden} hidden layers")
        draw = INITIALIZERS[initializer].draw
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            hidden = i < n_hidden
            layer = Dense(
                draw(rng, n_in, n_out),
                np.zeros(n_out),
                acts[i] if hidden else "linear",
                batch_norm=batch_norm and hidden,
            )
            layer.rng = rng
            layer.dropout = dropout if hidden else 0.0
            layers.append(layer)
        return cls(layers, loss, residual)

    @property
    def hidden(self) -> list[Dense]:
        return self.layers[:-1]

    @property
    def weight_layers(self) -> list[Dense]:
        """The layers with weights, the ones a trainer updates and records: all of them here."""
        return self.layers

    def set_activation(self, name: str, index: int | None = None) -> None:
        """Every hidden layer's activation, or hidden layer `index`'s."""
        for i, layer in enumerate(self.hidden):
            if index is None or i == index:
                layer.activation = ACTIVATIONS[name]

    def set_dropout(self, rate: float) -> None:
        for layer in self.hidden:
            layer.dropout = rate

    def _skips(self, i: int, x: np.ndarray, out: np.ndarray) -> bool:
        return self.residual and 0 < i < len(self.layers) - 1 and x.shape == out.shape

    @property
    def skipped(self) -> list[bool]:
        """Per layer, whether the last forward pass added the layer's input to its output."""
        return self._skipped

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x [n, n_inputs] -> logits [n, n_outputs]."""
        self._skipped = []
        for i, layer in enumerate(self.layers):
            out = layer.forward(x, training)
            skip = self.residual and self._skips(i, x, out)
            self._skipped.append(skip)
            x = out + x if skip else out
        return x

    def loss_and_backward(self, x: np.ndarray, y: np.ndarray) -> float:
        """Forward and backward on one batch; fills every layer's grads. y [n, n_outputs]."""
        loss, delta = self.loss.value_and_grad(self.forward(x, True), y)
        self.backward(delta)
        return loss

    def backward(self, delta: np.ndarray) -> list[np.ndarray]:
        """delta = dL/d(logits) [n, n_outputs], after a training forward pass: fills every
        layer's grads and returns, per layer, the gradient that reached its output
        (the skip's share included), dL/d(logits) itself for the output layer."""
        received = [delta]
        grad = self.layers[-1].backward_delta(delta, need_dx=len(self.layers) > 1)
        for i in range(len(self.layers) - 2, -1, -1):
            assert grad is not None  # every layer but the first passes a gradient back
            received.append(grad)
            through = self.layers[i].backward(grad, need_dx=i > 0)
            # out = layer(x) + x  ->  dL/dx = layer's dL/dx + dL/dout
            grad = through + grad if self._skipped[i] and through is not None else through
        return received[::-1]

    def logits(self, x: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
        """The logits for inputs x with given weights, as at test time; the caches stay alone."""
        for i, (layer, (W, b)) in enumerate(zip(self.layers, params)):
            h = layer.forward_with(x, W, b, training=False)
            x = h + x if self._skips(i, x, h) else h
        return x

    def columns(self, x: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]] | None = None) -> list[np.ndarray]:
        """Every column of neurons for inputs x: [x, h_1, ..., prediction], evaluated as at
        test time, leaving the training caches alone. `params` [(W, b), ...] evaluates
        other weights than the live ones (e.g. a step record's, when the live ones diverged)."""
        params = params or [(layer.params["W"], layer.params["b"]) for layer in self.layers]
        out = [x]
        for i, (layer, (W, b)) in enumerate(zip(self.layers, params)):
            h = layer.forward_with(out[-1], W, b, training=False)
            out.append(h + out[-1] if self._skips(i, out[-1], h) else h)
        out[-1] = self.loss.link(out[-1])
        return out

    def columns_across(self, xT: np.ndarray, params: list[tuple[np.ndarray, np.ndarray]]) -> list[np.ndarray]:
        """columns(xT.T, params) with every column transposed, [units, n]: for many inputs (a
        frame's grid of 2,900 points) each bias is added along a row of n at once, not to n
        rows of a few units (through 2-4-2-1, ~25 µs a layer became ~6). Batch norm's
        statistics are per unit along rows: a network with it takes columns()'s way."""
        if any(layer.batch_norm for layer in self.layers):
            return [c.T for c in self.columns(xT.T, params)]
        out = [xT]
        for i, (layer, (W, b)) in enumerate(zip(self.layers, params)):
            z = W.T @ out[-1]
            z += b[:, None]
            h = layer.activation.f(z)  # every activation is elementwise: the layout is its own
            out.append(h + out[-1] if self._skips(i, out[-1], h) else h)
        out[-1] = self.loss.link(out[-1].T).T  # a softmax runs over each input's outputs
        return out
