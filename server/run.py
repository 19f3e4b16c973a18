"""One network training on a session's data: its trainer, history, last record and
metrics. A session has one run, or two trained in lockstep for a side-by-side comparison."""

from __future__ import annotations

import itertools
import math

import numpy as np

from engine import EXTENT, Dataset, Network, StepRecord, Trainer, output_size, setup
from engine.diagnostics import WINDOW
from engine.diagnostics import health as diagnostic_health
from engine.diagnostics import warnings as diagnostic_warnings
from engine.measures import network_diagnostics
from engine.stats import bands_of

from . import names
from .history import History
from .settings import Settings
from .views import View

FLOAT32_MAX = float(np.finfo(np.float32).max)


class Run:
    def __init__(self, config: dict, data: Dataset, view: View, settings: Settings):
        self.data, self.view = data, view
        self.trainer = self.build(config, settings)
        self.stopper = setup.stopper(config)
        self.history = History(len(self.trainer.network.weight_layers), settings.history_bytes, _diagnostics)
        self.record: StepRecord | None = None
        self.metrics = self.evaluate()
        self.metrics_step = 0  # the step `metrics` were evaluated at

    def build(self, config: dict, settings: Settings) -> Trainer[Network]:
        return setup.build(config, self.data, self.view.feats, eval_limit=settings.eval_limit)

    def configure(self, config: dict, changed: list[str]) -> None:
        setup.configure(self.trainer, config, changed)

    def apply_live(self, config: dict, changed: list[str]) -> None:
        """Settings that change between two steps, keeping weights and optimizer state."""
        self.configure(config, changed)
        if "early_stopping" in changed or "patience" in changed:
            self.stopper = setup.stopper(config)

    def evaluate(self) -> dict[str, float]:
        """The losses (and accuracy or R²) over the whole sets, at most `eval_limit` samples each."""
        if not len(self.data.y_train):  # your own points, all removed: nothing to measure yet
            return {"clipped_steps": 0.0}
        train, test = self.trainer.evaluate_both(float32=True)
        out = {
            "train_loss": train["loss"],
            "test_loss": test["loss"],
            "clipped_steps": float(self.trainer.clipped_steps),
        }
        for key in ("accuracy", "r2"):
            if key in train:
                out[f"train_{key}"], out[f"test_{key}"] = train[key], test[key]
        return out

    def step(self) -> StepRecord | None:
        """One step; None if it diverged (NaN, Inf, or past float32's range, which the
        wire would carry as Inf). Nothing is kept until `commit`."""
        rec = self.trainer.step()
        if not rec.finite:
            return None
        # Plain Python over a dozen floats: an array of them cost a tenth of a small step.
        sizes = itertools.chain((rec.loss,), rec.grad_norms, *(layer.stats.values() for layer in rec.layers))
        return rec if all(abs(v) < FLOAT32_MAX for v in sizes) else None  # NaN compares False

    def commit(self, rec: StepRecord) -> None:
        """Keep a step. Its losses over the whole sets stay unknown (NaN in the history)
        until someone needs them (`evaluated`): a frame, or early stopping."""
        self.record = rec
        # What the diagnostics need, not the record: a big network's weights stay out of it.
        inputs = [(r.activation, r.z if r.y is None else r.y, r.a, r.delta, r.stats) for r in rec.layers]
        self.history.append((rec.loss, np.nan, np.nan, rec.learning_rate), inputs)

    def evaluated(self) -> bool:
        """`metrics` at the last step, evaluated once however often asked, and written into
        that step's history row. False if a loss is past float32's range: a divergence."""
        if self.metrics_step != self.history.last:
            self.metrics, self.metrics_step = self.evaluate(), self.history.last
            self.history.set_losses(_wire(self.metrics["train_loss"]), _wire(self.metrics["test_loss"]))
        return all(abs(v) < FLOAT32_MAX for v in self.metrics.values())

    # -- what a frame shows -----------------------------------------------------------

    def params(self) -> list[tuple]:
        if self.record is not None:  # the record's weights stay good even when the live ones diverged
            return [(layer.W, layer.b) for layer in self.record.layers]
        return [(layer.params["W"], layer.params["b"]) for layer in self.trainer.network.layers]

    def describe(self) -> dict:
        """The frame header's account of the network and what it learns."""
        view = self.view
        return {
            "model": "feedforward",
            "columns": self.columns(),
            "problem": self.data.problem,
            "inputs": self.data.inputs,
            "grid": {"res": view.settings.grid_res, "extent": list(EXTENT), "node_res": view.node_res},
        }

    def columns(self) -> list[dict]:
        net, view = self.trainer.network, self.view
        cols: list[dict] = [{"size": view.input_size, "activation": None, "labels": view.input_labels()}]
        frozen = self.trainer.frozen  # a frozen hidden layer: the diagram's caption says so
        cols += [
            {"size": layer.params["b"].size, "activation": layer.activation.name, "frozen": i in frozen}
            for i, layer in enumerate(net.hidden)
        ]
        cols.append(
            {"size": output_size(self.data), "activation": net.loss.output_activation, "labels": view.output_labels()}
        )
        return cols

    def tensors(self) -> dict[str, np.ndarray]:
        return self.predictions() | self.layer_tensors()

    def frame_tensors(self) -> dict[str, np.ndarray]:
        """What a frame carries of tensors() (a CNN leaves out the head's matrices, not drawn)."""
        return self.tensors()

    def predictions(self) -> dict[str, np.ndarray]:
        """What the network predicts: over the plane or the line, or the sample images."""
        return self.view.tensors(self.trainer.network, self.params(), self.trainer.x_test)

    def layer_tensors(self) -> dict[str, np.ndarray]:
        """Each weight layer's weights, gradient, update and their spread."""
        rec, params, out = self.record, self.params(), {}
        for i, (W, b) in enumerate(params):
            out[names.layer(i, "W")], out[names.layer(i, "b")] = W, b
        if rec is None:
            return out
        spread = iter(bands_of([x for lr in rec.layers for x in (lr.W, lr.dW, lr.a)]))  # all at once: cheaper
        for i, lr in enumerate(rec.layers):
            out[names.layer(i, "dW")], out[names.layer(i, "db")] = lr.dW, lr.db
            out[names.layer(i, "dW_step")], out[names.layer(i, "db_step")] = lr.dW_step, lr.db_step
            # Per neuron (per channel of a conv layer), for the gradient map. Sums over n, not
            # .mean: NumPy's mean costs more than the sum on these small arrays.
            axes, n = (0, *range(2, lr.a.ndim)), lr.a.size // lr.a.shape[1]
            out[names.layer(i, "a_mean")] = lr.a.sum(axis=axes) / n
            out[names.layer(i, "delta_abs")] = np.abs(lr.delta).sum(axis=axes) / n
            for of in ("W", "dW", "a"):
                out[names.bands(i, of)] = next(spread)
        return out

    def frame_metrics(self) -> dict:
        return {**self.metrics, **self.view.class_metrics(self.trainer.network, self.params(), self.trainer.x_test)}

    def warnings(self) -> list[dict]:
        """Plain-word warnings about the last steps; empty again once the pattern is gone."""
        if not self.history.count:
            return []
        hidden = [layer.activation.name for layer in self.trainer.network.weight_layers[:-1]]
        return diagnostic_warnings(self.history.window(WINDOW), hidden)

    def health(self) -> dict:
        """The heatmap's headline: the number the vanishing warning uses, worded as it words it."""
        return diagnostic_health(self.history.window(WINDOW) if self.history.count else None)


def _diagnostics(steps: list[list[tuple]]) -> np.ndarray:
    """The history's per-layer columns of these steps (History.fill), every layer of every
    step at once: [steps, measure, layer] flattened to its row order."""
    activations = [activation for activation, *_ in steps[0]]
    pieces = [[(y, a, delta, stats) for _, y, a, delta, stats in step] for step in steps]
    return network_diagnostics(activations, pieces).reshape(len(steps), -1)


def _wire(v: float) -> float:
    """Past float32's range as the wire carries it: infinite (the page draws no point)."""
    return v if not abs(v) >= FLOAT32_MAX else math.copysign(math.inf, v)
