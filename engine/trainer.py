"""Training: one mini-batch step at a time, each returning an immutable record of
everything the page draws. The trainer never prints, sleeps or touches global state;
its randomness (batch order) comes from the Generator it is given."""

from __future__ import annotations

import copy
import math
from typing import Any, Generic, NamedTuple, TypeVar

import numpy as np

from .clipping import CLIPPING, Grads
from .cnn import ConvNetwork
from .conv import Conv2D
from .datasets import Dataset, inputs_for, one_hot
from .layers import Dense
from .metrics import accuracy, predicted_labels, r2_score
from .network import Network
from .optimizers import Optimizer, make_optimizer
from .params import values
from .records import StepRecord, layer_record, made
from .regularizers import RATE, REGULARIZERS
from .schedules import SCHEDULES
from .stats import norm

# The settings the trainer reads, declared by its schedules, clipping modes and regularizers.
SETTINGS = {s.name for r in (SCHEDULES, CLIPPING, REGULARIZERS) for e in r.values() for s in e.settings}


N = TypeVar("N", Network, ConvNetwork)  # what a Trainer trains: a dense network or a CNN


def targets(data: Dataset, y: np.ndarray) -> np.ndarray:
    """Labels [n] -> what the loss compares the output with: one-hot [n, K] for
    multiclass, a column [n, 1] otherwise."""
    return one_hot(y, data.classes) if data.problem == "multiclass" else y[:, None]


def output_size(data: Dataset) -> int:
    return data.classes if data.problem == "multiclass" else 1


class Gradients(NamedTuple):
    """One step's gradients on their way to the optimizer, per weight layer ({"W": ..., "b": ...})."""

    penalty: float  # the regularization term of the objective
    penalty_W: list[np.ndarray]  # [n_in, n_out] per layer: the penalty's gradient (empty when it is off)
    total: Grads  # the data loss's gradient plus the penalty's (on the weights only)
    applied: Grads  # what the optimizer gets: `total`, clipped
    clipped: bool


def apply_update(
    opt: Optimizer, i: int, params: dict[str, np.ndarray], grads: dict[str, np.ndarray], frozen: bool = False
) -> dict[str, np.ndarray]:
    """The optimizer's step on weight layer i's parameters, in place; returns each one's change.
    Only the weights W count as weights (decoupled weight decay leaves biases, γ and β alone).
    A frozen layer changes by nothing and the optimizer's state for it stays as it was."""
    if frozen:
        return {k: np.zeros_like(p) for k, p in params.items()}
    steps = {}
    for k, p in params.items():  # a loop, not a comprehension: one call fewer per layer and step
        steps[k] = opt.update((i, k), p, grads[k], k == "W")
    return steps


class Trainer(Generic[N]):
    def __init__(
        self,
        network: N,
        optimizer: Optimizer,
        data: Dataset,
        feature_names: list[str],
        batch_size: int,
        rng: np.random.Generator,
        regularizer: str = "none",
        reg_rate: float = RATE.default,
        schedule: str = "constant",
        clip: str = "none",
        eval_limit: int | None = None,
        **settings: Any,
    ):
        """`settings`: values of the schedule's and the clipping mode's own settings by name
        (schedule_period=, clip_threshold=, ...); a missing one takes its entry's default.
        The choices and `settings` (reg_rate among them) may change between steps."""
        unknown = set(settings) - SETTINGS
        if unknown:
            raise TypeError(
                f"unknown settings {', '.join(sorted(unknown))}; the trainer reads {', '.join(sorted(SETTINGS))}"
            )
        self.network: N = network
        self.optimizer, self.data = optimizer, data
        self.learning_rate = optimizer.learning_rate  # the base rate; the schedule scales it
        self.schedule, self.clip, self.regularizer = schedule, clip, regularizer
        self.settings: dict[str, Any] = {RATE.name: reg_rate, **settings}
        self.clipped_steps = 0
        self.frozen: set[int] = set()  # weight layers whose gradient is computed and shown, never applied
        self.eval_limit = eval_limit  # evaluate() looks at this many samples at most (large sets)
        self.feature_names = list(feature_names)
        self.batch_size = batch_size
        self.rng = rng
        self.x_train, self.x_test = inputs_for(data, self.feature_names)
        self.y_train, self.y_test = targets(data, data.y_train), targets(data, data.y_test)
        self.steps = 0
        self._order = rng.permutation(len(self.x_train))
        self._pos = 0
        self._both: np.ndarray | None = None  # the train and test inputs evaluate_both passes at once
        self._both32: np.ndarray | None = None  # the same in float32
        self.test_logits = np.empty(0)  # of the test set's first eval_limit samples, at the last evaluate_both

    def set_optimizer(self, name: str, **given: Any) -> None:
        """Switch optimizer between steps: the weights stay, the optimizer's state restarts."""
        self.optimizer = make_optimizer(name, self.learning_rate, **given)

    def _plan(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, int]:
        """The next batch's indices, and the order and position after it: epochs of a
        shuffled order, reshuffled with `rng` when used up."""
        n = len(self._order)
        size = min(self.batch_size, n)
        order, pos = self._order, self._pos
        if pos + size > n:
            order, pos = rng.permutation(n), 0
        return order[pos : pos + size], order, pos + size

    def _next_batch(self) -> np.ndarray:
        idx, self._order, self._pos = self._plan(self.rng)
        return idx

    def peek_batch(self, rng: np.random.Generator | None = None) -> np.ndarray:
        """Indices [n] of the batch the next step will use, consuming nothing: a reshuffle
        draws from `rng`, a copy of the trainer's generator (its state moves on, so the
        caller can go on drawing the step's dropout masks from it), by default a throwaway one."""
        idx, _, _ = self._plan(copy.deepcopy(self.rng) if rng is None else rng)
        return idx.copy()

    def scheduled_rate(self) -> float:
        """The learning rate the next step uses: the base rate times the schedule's factor."""
        schedule = SCHEDULES[self.schedule]
        return self.learning_rate * schedule.factor(self.steps, values(schedule.settings, self.settings))

    def gradients(self, layers: list[Dense] | list[Conv2D | Dense]) -> Gradients:
        """After a backward pass: what the optimizer gets from each layer's gradients."""
        reg = REGULARIZERS[self.regularizer]
        rate = reg.rate(self.settings)
        data = [layer.grads for layer in layers]
        penalty, penalty_W, total = 0.0, [], data
        if rate > 0:  # the penalty concerns weights only; the record keeps the data loss's gradient
            penalty = sum(rate * reg.penalty(layer.params["W"]) for layer in layers)
            penalty_W = [rate * reg.grad(layer.params["W"]) for layer in layers]
            total = [{**g, "W": g["W"] + p} for g, p in zip(data, penalty_W)]
        clip = CLIPPING[self.clip]
        limited = clip.apply(total, values(clip.settings, self.settings))
        return Gradients(penalty, penalty_W, total, total if limited is None else limited, limited is not None)

    # A diverging run overflows; that is reported through `finite`, not as warnings. As a
    # decorator errstate is made once, not at every step (on a small network that was 2%).
    @np.errstate(over="ignore", invalid="ignore")
    def step(self, record: bool = True) -> StepRecord:
        idx = self._next_batch()
        net, opt = self.network, self.optimizer
        opt.learning_rate = self.scheduled_rate()
        loss = net.loss_and_backward(self.x_train[idx], self.y_train[idx])
        g = self.gradients(net.weight_layers)
        layers, grad_norms = [], []
        for i, (layer, applied) in enumerate(zip(net.weight_layers, g.applied)):
            dW = layer.grads["W"]
            steps = apply_update(opt, i, layer.params, applied, i in self.frozen)
            grad_norm = norm(dW)
            grad_norms.append(grad_norm)
            if record:
                layers.append(layer_record(i, layer, steps, grad_norm))
        # A finite gradient and learning rate keep the weights finite; so loss and gradients tell.
        finite = math.isfinite(loss) and math.isfinite(sum(grad_norms))
        self.steps += 1
        self.clipped_steps += g.clipped
        return made(
            StepRecord,
            self.steps,
            loss,
            g.penalty,
            opt.learning_rate,
            tuple(grad_norms),
            finite,
            tuple(layers),
            g.clipped,
        )

    def evaluate(self, split: str) -> dict[str, float]:
        """Loss over the whole train or test set, with accuracy for classification and R²
        for regression."""
        x = (self.x_train if split == "train" else self.x_test)[: self.eval_limit]
        return self._scores(split, self._logits(x))

    def evaluate_both(self, float32: bool = False) -> tuple[dict[str, float], dict[str, float]]:
        """evaluate("train") and evaluate("test") from one forward pass over both sets (a
        session does it once a frame: each pass costs mostly its calls, not its rows).
        `float32`: a dense network's pass in the wire's precision (losses within ~1e-7), cheaper
        (NumPy's float64 tanh and exp have no SIMD loop on AVX2); float64 where it overflows."""
        k = self.eval_limit
        if self._both is None:
            self._both = np.concatenate([self.x_train[:k], self.x_test[:k]])
            self._both32 = self._both.astype(np.float32)
            self._both_y = np.concatenate([self.y_train[:k], self.y_test[:k]])
            self._both_labels = np.concatenate([self.data.y_train[:k], self.data.y_test[:k]])
        logits = None
        if float32 and isinstance(self.network, Network) and self._both32 is not None:
            logits = self._logits32(self.network, self._both32)
        if logits is None:
            logits = self._logits(self._both)
        n = len(self.x_train[:k])
        self.test_logits = logits[n:]
        if n == 0 or n == len(logits):  # an empty set: as evaluate() says it
            return self._scores("train", logits[:n]), self._scores("test", self.test_logits)
        return self._both_scores(logits, n)

    def _both_scores(self, logits: np.ndarray, n: int) -> tuple[dict[str, float], dict[str, float]]:
        """_scores of the first n rows and of the rest, from one pass over every sample's loss
        (and predicted label): the same numbers in half the NumPy calls."""
        m = len(logits) - n
        with np.errstate(over="ignore", invalid="ignore"):
            terms = self.network.loss.terms(logits, self._both_y)
        train = {"loss": float(np.add.reduce(terms[:n]) / n)}
        test = {"loss": float(np.add.reduce(terms[n:]) / m)}
        if self.data.problem == "regression":
            labels = self._both_labels
            for out, rows in ((train, slice(0, n)), (test, slice(n, None))):
                out["r2"] = r2_score(logits[rows], labels[rows]) if np.isfinite(out["loss"]) else float("nan")
            return train, test
        right = predicted_labels(logits) == self._both_labels.ravel()
        train["accuracy"], test["accuracy"] = np.count_nonzero(right[:n]) / n, np.count_nonzero(right[n:]) / m
        return train, test

    def _logits32(self, net: Network, x: np.ndarray) -> np.ndarray | None:
        with np.errstate(over="ignore", invalid="ignore"):  # weights past float32's range: float64 instead
            params = [(lay.params["W"].astype(np.float32), lay.params["b"].astype(np.float32)) for lay in net.layers]
            logits = net.logits(x, params)
        return logits if np.isfinite(logits).all() else None

    def _logits(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore", invalid="ignore"):
            return self.network.forward(x, training=False)

    def _scores(self, split: str, logits: np.ndarray) -> dict[str, float]:
        y, labels = (self.y_train, self.data.y_train) if split == "train" else (self.y_test, self.data.y_test)
        y, labels = y[: self.eval_limit], labels[: self.eval_limit]
        with np.errstate(over="ignore", invalid="ignore"):
            loss = float(np.add.reduce(self.network.loss.terms(logits, y)) / len(y))
        if self.data.problem == "regression":
            return {"loss": loss, "r2": r2_score(logits, labels) if np.isfinite(loss) else float("nan")}
        return {"loss": loss, "accuracy": accuracy(predicted_labels(logits), labels)}
