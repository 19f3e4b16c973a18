"""One network training on a session's data: its trainer, history, last record and
metrics. A session has one run, or two trained in lockstep for a side-by-side comparison."""
from __future__ import annotations

import numpy as np

from engine import LOSS_FOR_PROBLEM, OPTIMIZERS, Dataset, Network, StepRecord, Trainer, make_optimizer, output_size
from engine.diagnostics import WINDOW, bands, layer_diagnostics
from engine.diagnostics import warnings as diagnostic_warnings
from engine.stopping import EarlyStopping

from .history import History
from .settings import Settings
from .views import View

FLOAT32_MAX = float(np.finfo(np.float32).max)


class Run:
    def __init__(self, config: dict, data: Dataset, view: View, settings: Settings):
        self.config, self.data, self.view = config, data, view
        rng = np.random.default_rng(config["seed"])  # same seed, same start and batch order
        sizes = [view.input_size, *config["hidden"], output_size(data)]
        net = Network.create(sizes, config["activation"], LOSS_FOR_PROBLEM[data.problem],
                             config["initializer"], rng, batch_norm=config["batch_norm"])
        opt = make_optimizer(config["optimizer"], config["learning_rate"], **self._hyper())
        self.trainer = Trainer(net, opt, data, view.feats, config["batch_size"], rng,
                               eval_limit=settings.eval_limit)
        self.stopper: EarlyStopping | None = None
        self.apply_live(config, [])
        self.history = History(len(net.layers), settings.history_limit)
        self.record: StepRecord | None = None
        self.metrics = self.evaluate()

    def _hyper(self) -> dict:
        return {k: self.config[k] for k in OPTIMIZERS[self.config["optimizer"]].hyper}

    def apply_live(self, config: dict, changed: list[str]) -> None:
        """Settings that change between two steps, keeping weights and optimizer state."""
        self.config = c = config
        t = self.trainer
        if "optimizer" in changed:
            t.set_optimizer(c["optimizer"], **self._hyper())
        for key, value in self._hyper().items():
            setattr(t.optimizer, key, value)
        t.learning_rate = c["learning_rate"]
        t.schedule, t.schedule_period = c["schedule"], c["schedule_period"]
        t.schedule_gamma, t.schedule_floor = c["schedule_gamma"], c["schedule_floor"]
        t.clip, t.clip_threshold = c["clip"], c["clip_threshold"]
        t.batch_size = c["batch_size"]
        t.regularizer, t.reg_rate = c["regularization"], c["reg_rate"]
        per_layer = c["layer_activations"]
        for i in range(len(t.network.hidden)):
            t.network.set_activation(per_layer[i] if i < len(per_layer) and per_layer[i] else c["activation"], i)
        t.network.set_dropout(c["dropout"])
        t.network.residual = c["residual"]
        if "early_stopping" in changed or "patience" in changed or not changed:
            self.stopper = EarlyStopping(c["patience"]) if c["early_stopping"] else None

    def evaluate(self) -> dict[str, float]:
        train, test = self.trainer.evaluate("train"), self.trainer.evaluate("test")
        out = {"train_loss": train["loss"], "test_loss": test["loss"],
               "clipped_steps": float(self.trainer.clipped_steps)}
        for key in ("accuracy", "r2"):
            if key in train:
                out[f"train_{key}"], out[f"test_{key}"] = train[key], test[key]
        return out

    def step(self) -> tuple[StepRecord, dict] | None:
        """One step; None if it diverged (NaN, Inf, or past float32's range, which the
        wire would carry as Inf). Nothing is kept until `commit`."""
        rec = self.trainer.step()
        if not rec.finite:
            return None
        metrics = self.evaluate()
        sizes = [rec.loss, *rec.grad_norms, *metrics.values()]
        sizes += [v for layer in rec.layers for v in layer.stats.values()]
        return (rec, metrics) if all(abs(v) < FLOAT32_MAX for v in sizes) else None

    def commit(self, rec: StepRecord, metrics: dict) -> None:
        self.record, self.metrics = rec, metrics
        per_layer = [layer_diagnostics(r.activation, r.y, r.a, r.delta, r.W, r.dW, r.dW_step, r.stats)
                     for r in rec.layers]
        self.history.append((rec.loss, metrics["train_loss"], metrics["test_loss"], rec.learning_rate), per_layer)

    # -- what a frame shows -----------------------------------------------------------

    def params(self) -> list[tuple]:
        if self.record is not None:  # the record's weights stay good even when the live ones diverged
            return [(layer.W, layer.b) for layer in self.record.layers]
        return [(layer.params["W"], layer.params["b"]) for layer in self.trainer.network.layers]

    def columns(self) -> list[dict]:
        net, view = self.trainer.network, self.view
        cols = [{"size": view.input_size, "activation": None, "labels": view.input_labels()}]
        cols += [{"size": layer.params["b"].size, "activation": layer.activation.name} for layer in net.hidden]
        cols.append({"size": output_size(self.data), "activation": net.loss.output_activation,
                     "labels": view.output_labels()})
        return cols

    def tensors(self) -> dict[str, np.ndarray]:
        rec, params = self.record, self.params()
        out = self.view.tensors(self.trainer.network, params, self.trainer.x_test)
        for i, (W, b) in enumerate(params):
            out[f"layer{i}.W"], out[f"layer{i}.b"] = W, b
            if rec is not None:
                lr = rec.layers[i]
                out[f"layer{i}.dW"], out[f"layer{i}.db"] = lr.dW, lr.db
                out[f"layer{i}.dW_step"], out[f"layer{i}.db_step"] = lr.dW_step, lr.db_step
                out[f"layer{i}.a_mean"] = lr.a.mean(axis=0)
                out[f"layer{i}.delta_abs"] = np.abs(lr.delta).mean(axis=0)  # per neuron, for the gradient map
                out[f"layer{i}.bands.W"] = bands(lr.W)
                out[f"layer{i}.bands.dW"] = bands(lr.dW)
                out[f"layer{i}.bands.a"] = bands(lr.a)
        return out

    def frame_metrics(self) -> dict:
        return {**self.metrics, **self.view.class_metrics(self.trainer.network, self.params(), self.trainer.x_test)}

    def warnings(self) -> list[dict]:
        """Plain-word warnings about the last steps; empty again once the pattern is gone."""
        if not self.history.rows:
            return []
        hidden = [layer.activation.name for layer in self.trainer.network.hidden]
        return diagnostic_warnings(self.history.window(WINDOW), hidden)
