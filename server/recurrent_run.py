"""A recurrent network training on a sequence task: the same part in a session as a
feed-forward Run (run.py), with the time axis the page draws instead of the input plane:
the shown sequence, ‖∂L/∂h_t‖ per time step and its recent history (the time heatmap),
and the spectral radius of W_h. Wire names: docs/protocol.md, "Recurrent sessions"."""

from __future__ import annotations

import numpy as np

from engine import recurrent_setup, setup, time_diagnostics
from engine.recurrent import RNNCell
from engine.recurrent_trainer import RecurrentStepRecord, RecurrentTrainer
from engine.sequences import TASKS, SequenceData

from . import names
from .history import History
from .protocol import encode
from .run import FLOAT32_MAX, Run
from .settings import Settings

HEAT_KEPT = 1000  # recent steps the time heatmap spreads its rows over
HEAT_ROWS = 100  # rows a frame carries
EVAL_STEPS = 2_000  # the losses a frame shows: over as many sequences of each set as make this many time steps


class SequenceView:
    """What a sequence task shows besides the network: its inputs' names, and the dataset message."""

    def __init__(self, data: SequenceData, settings: Settings):
        self.data, self.settings = data, settings
        self.task = TASKS[data.name]

    def input_labels(self) -> list[str]:
        return list(self.task.labels)

    def output_labels(self) -> list[str] | None:
        return list(self.task.labels) if self.data.problem == "multiclass" else None  # chars: the next character

    def describe(self) -> dict:
        d = self.data
        out = {"task": d.name, "readout": d.readout, "length": d.x_train.shape[1]}
        return out | ({"alphabet": "".join(self.task.labels)} if d.name == "chars" else {})

    def dataset_message(self) -> bytes:
        d = self.data
        header = {
            "kind": "dataset",
            "problem": d.problem,
            "inputs": "sequence",
            "classes": d.classes,
            "input_labels": self.input_labels(),
            "n_train": len(d.x_train),
            "n_test": len(d.x_test),
            **self.describe(),
        }
        return encode(header, {})


class RecurrentRun(Run):
    # Run's parts, of the recurrent kind: what Run itself reads of them (evaluate, history) both kinds have.
    trainer: RecurrentTrainer  # type: ignore[assignment]
    data: SequenceData  # type: ignore[assignment]
    view: SequenceView  # type: ignore[assignment]

    def __init__(self, config: dict, data: SequenceData, view: SequenceView, settings: Settings):  # type: ignore[override]
        self.data, self.view = data, view
        T = data.x_train.shape[1]
        self.trainer = recurrent_setup.build(config, data, eval_limit=min(settings.eval_limit, max(1, EVAL_STEPS // T)))
        self.stopper = setup.stopper(config)
        self.history = History(0, settings.history_bytes, lambda steps: np.zeros((len(steps), 0)))
        self.record: RecurrentStepRecord | None = None  # type: ignore[assignment]
        self.heat, self.heat_steps, self.heat_count = np.zeros((HEAT_KEPT, T)), np.zeros(HEAT_KEPT), 0
        self.metrics = self.evaluate()
        self.metrics_step = 0

    def apply_live(self, config: dict, changed: list[str]) -> None:
        recurrent_setup.configure(self.trainer, config, changed)
        if "early_stopping" in changed or "patience" in changed:
            self.stopper = setup.stopper(config)

    def step(self) -> RecurrentStepRecord | None:  # type: ignore[override]
        rec = self.trainer.step()
        if not rec.finite:
            return None
        return rec if max(abs(rec.loss), *rec.grad_norms.values()) < FLOAT32_MAX else None

    def commit(self, rec: RecurrentStepRecord) -> None:  # type: ignore[override]
        self.record = rec
        self.history.append((rec.loss, np.nan, np.nan, rec.learning_rate), None)
        assert rec.time is not None
        k = self.heat_count % HEAT_KEPT
        self.heat[k], self.heat_steps[k] = rec.time.dh_norm, rec.step
        self.heat_count += 1

    # -- what a frame shows -----------------------------------------------------------

    def describe(self) -> dict:
        net, time = self.trainer.network, self.record.time if self.record else None
        radii = {k: _finite(r) for k, r in (time.radii if time else net.cell.radii()).items()}
        sequence = {
            "cell": net.cell.name,
            "blocks": list(net.cell.blocks),
            **self.view.describe(),
            "window": time.window if time else self.data.x_train.shape[1],
            "radius": radii[net.cell.candidate],
            "radii": radii,
        }
        return {
            "model": "recurrent",
            "columns": self.columns(),
            "problem": self.data.problem,
            "inputs": "sequence",
            "sequence": sequence,
        }

    def columns(self) -> list[dict]:
        net = self.trainer.network
        cell = net.cell
        kind = cell.activation.name if isinstance(cell, RNNCell) else cell.name
        return [
            {"size": self.data.x_train.shape[2], "activation": None, "labels": self.view.input_labels()},
            {"size": cell.hidden, "activation": kind},
            {"size": net.output.params["b"].size, "activation": net.loss.output_activation,
             "labels": self.view.output_labels()},
        ]  # fmt: skip

    def tensors(self) -> dict[str, np.ndarray]:
        net, rec = self.trainer.network, self.record
        x = self.data.x_test[:1]
        # A training-mode pass keeps the hidden states (net.h); the next step makes its own.
        with np.errstate(over="ignore", invalid="ignore"):
            logits = net.forward(x, training=True)
            K = logits.shape[-1]
            pred = net.loss.link(logits.reshape(-1, K)).reshape(logits.shape)
        out = {
            names.SEQ_X: x[0],
            names.SEQ_Y: self.data.y_test[0],
            names.SEQ_PRED: pred[0],
            names.SEQ_H: net.h[0],
        }
        out[names.TIME_HEAT], out[names.TIME_HEAT_STEPS] = self.recent_heat()
        params = rec.params if rec else tuple(layer.params for layer in net.layers)
        for i, p in enumerate(params):
            out |= {names.layer(i, k): v for k, v in p.items()}
        if rec is None or rec.time is None:
            return out
        out[names.TIME_DH_NORM], out[names.TIME_DWH_NORM] = rec.time.dh_norm, rec.time.dWh_norm
        for i, (grads, updates) in enumerate(zip(rec.grads, rec.updates)):
            out |= {names.layer(i, f"d{k}"): v for k, v in grads.items()}
            out |= {names.layer(i, f"d{k}_step"): v for k, v in updates.items()}
        return out

    def recent_heat(self) -> tuple[np.ndarray, np.ndarray]:
        """Up to HEAT_ROWS rows spread evenly over the last HEAT_KEPT steps, oldest first."""
        n = min(self.heat_count, HEAT_KEPT)
        if not n:
            return np.zeros((0, self.heat.shape[1])), np.zeros(0)
        back = np.unique(np.linspace(n - 1, 0, min(n, HEAT_ROWS)).round().astype(int))[::-1]
        rows = (self.heat_count - 1 - back) % HEAT_KEPT
        return self.heat[rows], self.heat_steps[rows]

    def frame_metrics(self) -> dict:
        return dict(self.metrics)

    def warnings(self) -> list[dict]:
        if not self.record or not self.record.time:
            return []
        heat, _ = self.recent_heat()
        time = self.record.time
        return time_diagnostics.warnings(heat, time.window, self.trainer.network.cell.name, time.radius)

    def health(self) -> dict:
        heat, _ = self.recent_heat()
        return time_diagnostics.health(
            heat, self.record.time.window if self.record and self.record.time else heat.shape[1]
        )


def _finite(v: float) -> float | None:
    """A spectral radius for JSON: None once W_h is not finite (a diverged step)."""
    return v if np.isfinite(v) else None
