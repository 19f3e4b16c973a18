"""A convolutional network: conv and pool blocks over an image, a flatten, then the dense
layers of engine/layers.py, and a linear output whose logits go to the loss. The layers
keep the one contract (forward caches, backward fills `grads`), so the optimizers update
them as they update a dense network's, key by key.

engine/trainer.py trains it as it trains a dense network (`weight_layers`): the optimizers,
schedules, regularization, clipping, frozen layers and the full step record."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .blocks import layer_of, settings_of, shapes
from .conv import Conv2D, Flatten, Pool2D, conv_weights
from .initializers import INITIALIZERS
from .layers import Dense
from .losses import LOSSES
from .optimizers import Optimizer

Array = np.ndarray
Layer = Conv2D | Pool2D | Flatten | Dense


class ConvNetwork:
    def __init__(self, layers: list[Layer], loss: str, image_shape: tuple[int, int, int]):
        self.layers, self.loss, self.image_shape = layers, LOSSES[loss], image_shape

    @classmethod
    def create(
        cls,
        image_shape: tuple[int, int, int],
        blocks: Sequence[Mapping[str, Any]],
        hidden: Sequence[int],
        n_out: int,
        loss: str,
        rng: np.random.Generator,
        activation: str = "relu",
        initializer: str = "he",
    ) -> ConvNetwork:
        """image_shape (C, H, W); blocks, in order, as BLOCKS describes them ({"kind": "conv",
        "filters": 8, ...} or {"kind": "max_pool"}); then dense hidden widths. A block that leaves
        nothing raises ValueError naming the block and the sizes (blocks.shapes)."""
        maps = shapes(image_shape, blocks)
        layers: list[Layer] = []
        for block, before in zip(blocks, [image_shape, *maps]):
            W = None
            if block["kind"] == "conv":
                s = settings_of(block)
                W = conv_weights(initializer, rng, s["filters"], before[0], s["kernel"])
            layers.append(layer_of(block, W, None if W is None else np.zeros(len(W)), activation))
        layers.append(Flatten())
        sizes = [int(np.prod(maps[-1] if maps else image_shape)), *hidden, n_out]
        draw = INITIALIZERS[initializer].draw
        for k, (n_in, n) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers.append(Dense(draw(rng, n_in, n), np.zeros(n), activation if k < len(hidden) else "linear"))
        return cls(layers, loss, image_shape)

    @property
    def weight_layers(self) -> list[Conv2D | Dense]:
        """The conv and dense layers, in order: what a trainer updates and records (weight layer i)."""
        return [layer for layer in self.layers if isinstance(layer, Conv2D | Dense)]

    def forward(self, x: Array, training: bool = True) -> Array:
        """x [n, C·H·W] (as image datasets hold it) or [n, C, H, W] -> logits [n, K]."""
        out: Array = x.reshape(len(x), *self.image_shape)
        for layer in self.layers:
            out = layer.forward(out, training)
        return out

    def loss_and_backward(self, x: Array, y: Array) -> float:
        """Forward and backward on one batch; y in the loss's shape ([n, K] or [n, 1])."""
        logits = self.forward(x, True)
        loss, delta = self.loss.value_and_grad(logits, y)
        output = self.layers[-1]
        assert isinstance(output, Dense)
        dout = output.backward_delta(delta)
        for i in range(len(self.layers) - 2, -1, -1):
            assert dout is not None  # every layer but the first passes its dx back
            dout = self.layers[i].backward(dout, need_dx=i > 0)
        return float(loss)

    def step(self, optimizer: Optimizer, x: Array, y: Array) -> float:
        """One plain training step (no regularization or clipping yet): the loss before it."""
        loss = self.loss_and_backward(x, y)
        for i, layer in enumerate(self.layers):
            for k, p in layer.params.items():
                optimizer.update((i, k), p, layer.grads[k], is_weight=k == "W")
        return loss
