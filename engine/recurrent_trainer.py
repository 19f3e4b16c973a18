"""Training a recurrent network: one mini-batch of sequences per step, BPTT (full or over the
last k steps), then the engine's regularizers, clipping, schedules and optimizers, unchanged.
Each step returns an immutable record with the time axis the page draws."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from .bptt import RecurrentNetwork, TimeRecord
from .clipping import CLIPPING
from .metrics import accuracy, predicted_labels, r2_score
from .optimizers import Optimizer, make_optimizer
from .params import values
from .regularizers import RATE, REGULARIZERS
from .schedules import SCHEDULES
from .sequences import SequenceData
from .stats import norm

Params = dict[str, np.ndarray]

# The settings the trainer reads, declared by its schedules, clipping modes and regularizers.
SETTINGS = {s.name for r in (SCHEDULES, CLIPPING, REGULARIZERS) for e in r.values() for s in e.settings}


def is_weight(key: str) -> bool:
    """W, Wx, Wh: what regularizers and decoupled weight decay act on (biases are left alone)."""
    return key.startswith("W")


@dataclass(frozen=True)
class RecurrentStepRecord:
    step: int  # 1 for the first step after a reset
    loss: float  # data loss of the batch, before the update
    penalty: float  # regularization term of the batch's objective
    learning_rate: float
    grad_norms: dict[str, float]  # ‖gradient‖ of the data loss per weight: "Wx", "Wh", "W" (output layer)
    finite: bool  # False once the loss or a gradient is NaN/Inf
    clipped: bool = False  # the gradient was clipped before the update
    time: TimeRecord | None = None  # None when the step was not recorded
    params: tuple[Params, ...] = ()  # per layer (cell, output), after the update
    grads: tuple[Params, ...] = ()  # per layer, the data loss's gradient
    updates: tuple[Params, ...] = ()  # per layer, the change the optimizer applied


def _frozen(arrays: Params) -> Params:
    for a in arrays.values():
        a.flags.writeable = False
    return arrays


class RecurrentTrainer:
    def __init__(
        self,
        network: RecurrentNetwork,
        optimizer: Optimizer,
        data: SequenceData,
        batch_size: int,
        rng: np.random.Generator,
        truncate: int | None = None,
        regularizer: str = "none",
        reg_rate: float = RATE.default,
        schedule: str = "constant",
        clip: str = "none",
        **settings: Any,
    ):
        """`truncate`: BPTT through the last k steps only (None: the whole sequence).
        `settings`: the schedule's and the clipping mode's own settings by name."""
        unknown = set(settings) - SETTINGS
        if unknown:
            raise TypeError(f"unknown settings {', '.join(sorted(unknown))}; the trainer reads {sorted(SETTINGS)}")
        if truncate is not None and truncate < 1:
            raise ValueError(f"truncate must be at least 1 step, got {truncate}")
        self.network, self.optimizer, self.data = network, optimizer, data
        self.learning_rate = optimizer.learning_rate  # the base rate; the schedule scales it
        self.truncate, self.schedule, self.clip, self.regularizer = truncate, schedule, clip, regularizer
        self.settings: dict[str, Any] = {RATE.name: reg_rate, **settings}
        self.batch_size, self.rng = batch_size, rng
        self.steps = 0
        self.clipped_steps = 0  # steps whose gradient was clipped, since the start
        self.eval_limit: int | None = None  # evaluate at most this many sequences of each set
        self._order, self._pos = rng.permutation(len(data.x_train)), 0

    def set_optimizer(self, name: str, **given: Any) -> None:
        """Switch optimizer between steps: the weights stay, the optimizer's state restarts."""
        self.optimizer = make_optimizer(name, self.learning_rate, **given)

    def _next_batch(self) -> np.ndarray:
        n = len(self._order)
        size = min(self.batch_size, n)
        if self._pos + size > n:
            self._order, self._pos = self.rng.permutation(n), 0
        self._pos += size
        return self._order[self._pos - size : self._pos]

    def peek_batch(self) -> np.ndarray:
        """Indices [n] of the batch the next step will use, consuming nothing: drawn by a shallow
        twin (_next_batch rebinds its order and position, never changes them in place) with a copy
        of the generator."""
        twin = copy.copy(self)
        twin.rng = copy.deepcopy(self.rng)
        return twin._next_batch().copy()

    def step(self, record: bool = True) -> RecurrentStepRecord:
        # A diverging run overflows; that is reported through `finite`, not as warnings.
        with np.errstate(over="ignore", invalid="ignore"):
            return self._step(record)

    def _step(self, record: bool) -> RecurrentStepRecord:
        idx = self._next_batch()
        net, opt = self.network, self.optimizer
        schedule = SCHEDULES[self.schedule]
        opt.learning_rate = self.learning_rate * schedule.factor(self.steps, values(schedule.settings, self.settings))
        loss = net.loss_and_backward(self.data.x_train[idx], self.data.y_train[idx], self.truncate, record)
        layers = net.layers
        data_grads = [dict(layer.grads) for layer in layers]
        reg = REGULARIZERS[self.regularizer]
        rate = reg.rate(self.settings)
        penalty, total = 0.0, data_grads
        if rate > 0:  # the penalty concerns weights only; the record keeps the data loss's gradient
            penalty = rate * sum(reg.penalty(p) for layer in layers for k, p in layer.params.items() if is_weight(k))
            total = [
                {k: g + rate * reg.grad(layer.params[k]) if is_weight(k) else g for k, g in grads.items()}
                for layer, grads in zip(layers, data_grads)
            ]
        clip = CLIPPING[self.clip]
        limited = clip.apply(total, values(clip.settings, self.settings))
        applied = total if limited is None else limited
        updates = [
            {k: opt.update((i, k), p, grads[k], is_weight=is_weight(k)) for k, p in layer.params.items()}
            for i, (layer, grads) in enumerate(zip(layers, applied))
        ]
        grad_norms = {k: norm(g) for grads in data_grads for k, g in grads.items() if is_weight(k)}
        finite = bool(np.isfinite(loss) and np.isfinite(sum(grad_norms.values())))
        self.steps += 1
        self.clipped_steps += limited is not None
        out = RecurrentStepRecord(self.steps, loss, penalty, opt.learning_rate, grad_norms, finite, limited is not None)
        if not record:
            return out
        time = net.time
        assert time is not None
        _frozen({k: v for k, v in vars(time).items() if isinstance(v, np.ndarray)} | time.gates)
        params = tuple(_frozen({k: p.copy() for k, p in layer.params.items()}) for layer in layers)
        grads, steps = tuple(_frozen(g) for g in data_grads), tuple(_frozen(u) for u in updates)
        return dataclasses.replace(out, time=time, params=params, grads=grads, updates=steps)

    def evaluate_both(self, float32: bool = False) -> tuple[dict[str, float], dict[str, float]]:
        """evaluate("train") and evaluate("test"), as Trainer.evaluate_both gives them, in
        float64 whatever `float32` says (a sequence's forward pass is a loop over time, not
        one big tanh)."""
        return self.evaluate("train"), self.evaluate("test")

    def evaluate(self, split: str) -> dict[str, float]:
        """Loss over the train or test sequences, with accuracy (per step when read at every
        step) for classification and R² for regression."""
        x, y = (self.data.x_train, self.data.y_train) if split == "train" else (self.data.x_test, self.data.y_test)
        x, y = x[: self.eval_limit], y[: self.eval_limit]
        with np.errstate(over="ignore", invalid="ignore"):
            logits = self.network.forward(x, training=False)
            K = logits.shape[-1]
            flat, targets = logits.reshape(-1, K), y.reshape(-1, K)
            loss, _ = self.network.loss.value_and_grad(flat, targets)
        if self.data.problem == "regression":
            return {"loss": loss, "r2": r2_score(flat, targets) if np.isfinite(loss) else float("nan")}
        labels = targets[:, 0] if K == 1 else targets.argmax(axis=1)
        return {"loss": loss, "accuracy": accuracy(predicted_labels(flat), labels)}
