"""A fully connected network: hidden Dense layers and a linear output layer whose
logits go to the loss. The loss decides how logits become a prediction (`link`)."""
from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS
from .layers import Dense
from .losses import LOSSES


class Network:
    def __init__(self, layers: list[Dense], loss: str):
        self.layers = layers
        self.loss = LOSSES[loss]

    @classmethod
    def create(
        cls,
        sizes: list[int],
        activation: str,
        loss: str,
        initializer: str,
        rng: np.random.Generator,
    ) -> Network:
        """sizes = [n_inputs, *hidden widths, n_outputs]."""
        draw = INITIALIZERS[initializer].draw
        layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            act = "linear" if i == len(sizes) - 2 else activation
            layers.append(Dense(draw(rng, n_in, n_out), np.zeros(n_out), act))
        return cls(layers, loss)

    @property
    def hidden(self) -> list[Dense]:
        return self.layers[:-1]

    def set_activation(self, name: str) -> None:
        for layer in self.hidden:
            layer.activation = ACTIVATIONS[name]

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """x [n, n_inputs] -> logits [n, n_outputs]."""
        for layer in self.layers:
            x = layer.forward(x, training)
        return x

    def loss_and_backward(self, x: np.ndarray, y: np.ndarray) -> float:
        """Forward and backward on one batch; fills every layer's grads. y [n, n_outputs]."""
        loss, delta = self.loss.value_and_grad(self.forward(x, True), y)
        grad = self.layers[-1].backward_delta(delta, need_dx=len(self.layers) > 1)
        for i in range(len(self.layers) - 2, -1, -1):
            grad = self.layers[i].backward(grad, need_dx=i > 0)
        return loss

    def predict(self, x: np.ndarray) -> np.ndarray:
        return self.loss.link(self.forward(x, training=False))

    def columns(self, x: np.ndarray, params: list[tuple] | None = None) -> list[np.ndarray]:
        """Every column of neurons for inputs x: [x, a_1, ..., prediction], leaving the
        training caches alone. `params` [(W, b), ...] evaluates other weights than the
        live ones (e.g. a step record's, when the live ones have diverged)."""
        params = params or [(layer.params["W"], layer.params["b"]) for layer in self.layers]
        out = [x]
        for layer, (W, b) in zip(self.layers, params):
            out.append(layer.activation.f(out[-1] @ W + b))
        out[-1] = self.loss.link(out[-1])
        return out
