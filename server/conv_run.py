"""A convolutional network training on an image dataset: config["conv"] holds its blocks
(engine/blocks.py). A Run whose trainer trains a ConvNetwork; its frames carry, besides
every weight layer's arrays (a conv layer's W, dW and ΔW are its filters, [F, C, k, k]),
what backpropagation does to one chosen sample (config["sample"], a gallery image): each
block's output maps, each conv layer's error maps δ = ∂ℓ/∂z and that sample's own filter
gradient (a sum over positions of patch × δ), at the weights the frame shows."""

from __future__ import annotations

import numpy as np

from engine import ConvNetwork, Dataset, Trainer, diagnostics, output_size, setup
from engine.blocks import BLOCKS, multiply_adds, settings_of, shapes, weight_layer
from engine.conv import Conv2D
from engine.datasets import one_hot
from engine.metrics import confusion_matrix, per_class_accuracy, predicted_labels

from . import names
from .errors import Invalid
from .rules import conv_eval_limit
from .run import Run
from .settings import Settings
from .views import View

# A dense layer of the head with more weights than this sends no W, dW or ΔW in frames: the page
# draws no diagram of the head, and the first dense layer after a big map is the frame's bulk
# (12,544×32 on 28×28: 4.8 MB a frame). Its bias, spread and gradient measures still go.
HEAD_SENT = 4096


class ConvRun(Run):
    trainer: Trainer[ConvNetwork]  # type: ignore[assignment]

    def __init__(self, config: dict, data: Dataset, view: View, settings: Settings):
        self.blocks: list[dict] = list(config["conv"])
        self.sample = _sample(config, view)
        super().__init__(config, data, view, settings)

    def build(self, config: dict, settings: Settings) -> Trainer[ConvNetwork]:  # type: ignore[override]
        h, w = self.data.image_shape[-2:] if self.data.image_shape else (0, 0)
        try:
            per_image = multiply_adds((1, h, w), self.blocks, [*config["hidden"], output_size(self.data)])
            return setup.build_cnn(config, self.data, eval_limit=conv_eval_limit(per_image, settings.eval_limit))
        except ValueError as e:  # a block that leaves nothing, on a dataset read at start-up (MNIST)
            raise Invalid("config.conv", str(e)) from None

    def configure(self, config: dict, changed: list[str]) -> None:
        setup.configure_cnn(self.trainer, config, changed)
        self.sample = _sample(config, self.view)

    def describe(self) -> dict:
        net, d = self.trainer.network, self.data
        blocks = []
        for j, (block, shape) in enumerate(zip(self.blocks, shapes(net.image_shape, self.blocks))):
            layer = weight_layer(self.blocks, j)
            blocks.append({"kind": block["kind"], "label": BLOCKS[block["kind"]].label, **settings_of(block),
                           "shape": list(shape), "layer": layer,
                           "frozen": None if layer is None else layer in self.trainer.frozen})  # fmt: skip
        return {
            "model": "cnn",
            "columns": self.columns(),
            "problem": d.problem,
            "inputs": d.inputs,
            "image_shape": list(net.image_shape),
            "blocks": blocks,
            "sample": {"index": self.sample, "label": int(self.view.samples_y[self.sample])},
        }

    def frame_tensors(self) -> dict[str, np.ndarray]:
        out = self.tensors()
        for i, layer in enumerate(self.trainer.network.weight_layers):
            if not isinstance(layer, Conv2D) and layer.params["W"].size > HEAD_SENT:
                for kind in ("W", "dW", "dW_step"):
                    out.pop(names.layer(i, kind), None)
        return out

    def columns(self) -> list[dict]:
        """The dense head: the flattened maps, the hidden layers, the output."""
        net = self.trainer.network
        dense = [layer for layer in net.weight_layers if not isinstance(layer, Conv2D)]
        cols: list[dict] = [{"size": dense[0].params["W"].shape[0], "activation": None, "labels": None}]
        cols += [{"size": layer.params["b"].size, "activation": layer.activation.name} for layer in dense[:-1]]
        last = dense[-1].params["b"].size
        cols.append({"size": last, "activation": net.loss.output_activation, "labels": self.view.output_labels()})
        return cols

    def params(self) -> list[tuple]:
        if self.record is not None:
            return [(layer.W, layer.b) for layer in self.record.layers]
        return [(layer.params["W"], layer.params["b"]) for layer in self.trainer.network.weight_layers]

    def predictions(self) -> dict[str, np.ndarray]:
        net = self.trainer.network
        with np.errstate(over="ignore", invalid="ignore"):
            probs = net.loss.link(net.forward(self.view.samples_x, training=False))
        out = {names.SAMPLES_PRED: probs.argmax(axis=1), names.SAMPLES_PROB: probs}
        if self.data.problem == "multiclass":
            shown = self.test_predictions()
            out[names.CONFUSION] = confusion_matrix(shown, self.data.y_test[: len(shown)], self.data.classes)
        return out | self.sample_tensors()

    def test_predictions(self) -> np.ndarray:
        """The predicted labels of the test images the losses were evaluated on, at the last step."""
        self.evaluated()  # once a step, however often asked
        return predicted_labels(self.trainer.test_logits)

    def sample_tensors(self) -> dict[str, np.ndarray]:
        """The chosen sample's forward and backward pass at the live weights: each block's
        output maps, and each conv layer's δ maps and this one sample's dW."""
        net = self.trainer.network
        out = {names.SAMPLE_X: self.view.samples_x[self.sample].reshape(net.image_shape)}
        for j, maps in enumerate(self.sample_pass()):
            out[names.block(j, "a")] = maps
        for j, layer in enumerate(net.layers[: len(self.blocks)]):
            if isinstance(layer, Conv2D):
                out[names.block(j, "delta")], out[names.block(j, "dW")] = layer.delta[0], layer.grads["W"]
        return out

    def sample_pass(self) -> list[np.ndarray]:
        """The chosen sample's forward and backward pass at the live weights: each block's output
        maps [C, H, W]; each conv layer keeps this one sample's delta, grads and patches (cols)."""
        net, k = self.trainer.network, self.sample
        x, y = self.view.samples_x[k : k + 1], self.view.samples_y[k : k + 1]
        target = one_hot(y, self.data.classes) if self.data.problem == "multiclass" else y[:, None]
        out = []
        with np.errstate(over="ignore", invalid="ignore"):
            maps = x.reshape(1, *net.image_shape)
            for layer in net.layers[: len(self.blocks)]:
                maps = layer.forward(maps, training=False)
                out.append(maps[0])
            net.loss_and_backward(x, target)  # fills each conv layer's delta, grads and cols for this sample
        return out

    @property
    def convs(self) -> int:
        """How many of the weight layers are convolutions (the first ones): how they are named."""
        return sum(isinstance(layer, Conv2D) for layer in self.trainer.network.weight_layers)

    def warnings(self) -> list[dict]:
        """As a dense network's, naming the layers conv 1.., dense 1.., output (engine/words.py)."""
        if not self.history.count:
            return []
        hidden = [layer.activation.name for layer in self.trainer.network.weight_layers[:-1]]
        return diagnostics.warnings(self.history.window(diagnostics.WINDOW), hidden, self.convs)

    def health(self) -> dict:
        """The heatmap's headline, and `names`: its rows' names as the warnings write them."""
        window = self.history.window(diagnostics.WINDOW) if self.history.count else None
        return diagnostics.health(window, self.convs, len(self.trainer.network.weight_layers))

    def frame_metrics(self) -> dict:
        if self.data.problem != "multiclass":
            return dict(self.metrics)
        shown = self.test_predictions()
        accuracy = per_class_accuracy(shown, self.data.y_test[: len(shown)], self.data.classes)
        return {**self.metrics, "per_class_accuracy": accuracy}


def _sample(config: dict, view: View) -> int:
    return min(int(config.get("sample", 0)), len(view.samples_x) - 1)


def make_run(config: dict, data: Dataset, view: View, settings: Settings) -> Run:
    """A CNN's run when the config has conv blocks and the data are images, else a dense one."""
    if config.get("conv") and data.inputs == "image":
        return ConvRun(config, data, view, settings)
    return Run(config, data, view, settings)
