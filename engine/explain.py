"""Explain a step: the trainer's next training step, number by number, without taking it.

`trace(trainer, sample=None)` runs the next step's forward pass, loss, backward pass and
update on copies (of the network, its random generator and the optimizer) and returns
every intermediate. The batch is the one the next `trainer.step()` will use, and the
dropout masks are the ones it will draw: both come from a copy of the trainer's generator
in the order the step draws them (a layer built without a generator draws unforeseeable
masks). Nothing of the trainer changes (weights, caches, batch-norm running statistics,
optimizer state, batch position, generator).
`finite_difference(trainer, layer, i, j, sample=None)` checks one weight's gradient.

Every returned name, with its shape, is described in docs/explain.md.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from .network import Network
from .trainer import Trainer, apply_update


class _Plain:
    """A frozen record whose arrays are read-only, like the step record's."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            for v in value.values() if isinstance(value, dict) else (value,):
                if isinstance(v, np.ndarray):
                    v.flags.writeable = False


@dataclass(frozen=True)
class LayerTrace(_Plain):
    index: int
    activation: str
    x: np.ndarray
    W: np.ndarray
    b: np.ndarray
    z: np.ndarray
    z_hat: np.ndarray | None
    mean: np.ndarray | None
    std: np.ndarray | None
    gamma: np.ndarray | None
    beta: np.ndarray | None
    y: np.ndarray
    a: np.ndarray
    mask: np.ndarray | None
    skip: np.ndarray | None
    out: np.ndarray
    grad_out: np.ndarray
    weighted: np.ndarray | None
    skip_grad: np.ndarray | None
    df: np.ndarray
    dy: np.ndarray
    delta: np.ndarray
    dW: np.ndarray
    db: np.ndarray
    dgamma: np.ndarray | None
    dbeta: np.ndarray | None


@dataclass(frozen=True)
class LossTrace(_Plain):
    name: str
    output: str
    logits: np.ndarray
    prediction: np.ndarray
    target: np.ndarray
    value: float
    batch_value: float
    delta: np.ndarray


@dataclass(frozen=True)
class ParamUpdate(_Plain):
    layer: int
    name: str
    value: np.ndarray
    grad: np.ndarray
    samples: np.ndarray | None
    penalty: np.ndarray | None
    total: np.ndarray
    applied: np.ndarray
    state: dict[str, Any]
    state_after: dict[str, Any]
    terms: dict[str, np.ndarray]
    step: np.ndarray
    after: np.ndarray


@dataclass(frozen=True)
class UpdateTrace:
    optimizer: str
    learning_rate: float
    settings: dict[str, Any]
    regularizer: str
    penalty: float
    clip: str
    grad_norm: float
    clipped: bool
    params: tuple[ParamUpdate, ...]

    def of(self, layer: int, name: str = "W") -> ParamUpdate:
        return next(p for p in self.params if p.layer == layer and p.name == name)


@dataclass(frozen=True)
class Trace:
    step: int
    batch: np.ndarray
    sample: int | None
    layers: tuple[LayerTrace, ...]
    loss: LossTrace
    update: UpdateTrace


@dataclass(frozen=True)
class FiniteDifference:
    layer: int
    i: int
    j: int
    sample: int | None
    weight: float
    h: float
    loss_plus: float
    loss_minus: float
    estimate: float
    analytic: float
    relative_error: float


class _Replica:
    """The next step's forward pass, run on copies: the network (with the generator its
    dropout draws from) and the trainer's generator, used in the order the step uses them."""

    def __init__(self, trainer: Trainer[Network], sample: int | None):
        self.net, rng = copy.deepcopy((trainer.network, trainer.rng))
        self.batch = trainer.peek_batch(rng)
        n = len(self.batch)
        if sample is not None and not 0 <= sample < n:
            raise ValueError(f"sample: {sample} is not a position in the batch of {n} (0 to {n - 1})")
        self.sample = sample
        self.rows = slice(None) if sample is None else slice(sample, sample + 1)
        self.x, self.y = trainer.x_train[self.batch], trainer.y_train[self.batch]
        self.logits = self.net.forward(self.x, training=True)
        for layer in self.net.layers:  # any later forward pass (finite differences) keeps these masks
            layer.fixed_mask = layer.mask

    def backward(self) -> tuple[float, np.ndarray, list[np.ndarray]]:
        """The traced loss (the batch's, or the sample's own), its dL/d(logits) and each
        layer's dL/d(out), after filling every layer's grads with its gradient."""
        value, delta = self.loss(self.logits)
        if self.sample is not None:  # the sample's own loss: dℓ_s/d(logits) in its row, 0 in the others
            full = np.zeros_like(self.logits)
            full[self.rows] = delta
            delta = full
        return value, delta, self.net.backward(delta)

    def loss(self, logits: np.ndarray) -> tuple[float, np.ndarray]:
        return self.net.loss.value_and_grad(logits[self.rows], self.y[self.rows])


def trace(trainer: Trainer[Network], sample: int | None = None) -> Trace:
    """The next step of `trainer`, for its whole batch or for the sample at position
    `sample` of it (module docstring). Changes nothing of the trainer."""
    with np.errstate(over="ignore", invalid="ignore"):
        rep = _Replica(trainer, sample)
        batch_value, delta = rep.net.loss.value_and_grad(rep.logits, rep.y)
        received = rep.net.backward(delta)
        update = _update(trainer, rep.net)  # before a sample's backward pass replaces the grads
        value = batch_value
        if sample is not None:
            value, delta, received = rep.backward()
        net, rows = rep.net, rep.rows
        layers = tuple(_layer(net, k, received, rows) for k in range(len(net.layers)))
        logits = rep.logits[rows]
        loss = LossTrace(net.loss.name, net.loss.output_activation, logits, net.loss.link(logits), rep.y[rows],
                         value, batch_value, delta[rows])  # fmt: skip
        return Trace(trainer.steps + 1, rep.batch, sample, layers, loss, update)


def _layer(net: Network, k: int, received: list[np.ndarray], rows: slice) -> LayerTrace:
    layer, last = net.layers[k], k == len(net.layers) - 1
    bn, p, g = layer.batch_norm, layer.params, layer.grads
    skip = layer.x[rows] if net.skipped[k] else None
    out = layer.a if layer.mask is None else layer.a * layer.mask
    nxt = None if last else net.layers[k + 1]
    weighted = None if nxt is None else nxt.delta[rows] @ nxt.params["W"].T
    skip_grad = received[k + 1][rows] if nxt is not None and net.skipped[k + 1] else None
    df = layer.activation.df(layer.y[rows], layer.a[rows])
    mask = None if layer.mask is None else layer.mask[rows]
    grad_out = received[k][rows]
    dy = grad_out * df if mask is None else grad_out * mask * df
    # fmt: off
    return LayerTrace(
        k, layer.activation.name, layer.x[rows], p["W"], p["b"], layer.z[rows],
        layer.z_hat[rows] if bn else None, layer.z.mean(axis=0) if bn else None, 1.0 / layer.inv_std if bn else None,
        p["gamma"] if bn else None, p["beta"] if bn else None,
        layer.y[rows], layer.a[rows], mask, skip, out[rows] if skip is None else out[rows] + skip,
        grad_out, weighted, skip_grad, df, dy, layer.delta[rows],
        g["W"], g["b"], g["gamma"] if bn else None, g["beta"] if bn else None,
    )
    # fmt: on


def _update(trainer: Trainer[Network], net: Network) -> UpdateTrace:
    """The update the step would apply, after the batch's backward pass on `net`, by a copy
    of the trainer's optimizer on copies of the parameters."""
    opt = copy.deepcopy(trainer.optimizer)
    opt.learning_rate, opt.notes = trainer.scheduled_rate(), {}
    g = trainer.gradients(net.layers)
    params = []
    for i, layer in enumerate(net.layers):
        n = layer.x.shape[0]
        samples = {"W": n * layer.x[:, :, None] * layer.delta[:, None, :], "b": n * layer.delta}
        before = {k: copy.deepcopy(opt.state.get((i, k), {})) for k in layer.params}
        after = {k: v.copy() for k, v in layer.params.items()}
        steps = apply_update(opt, i, after, g.applied[i], i in trainer.frozen)
        for k, v in layer.params.items():
            penalty = g.penalty_W[i] if k == "W" and g.penalty_W else None
            state_after = copy.deepcopy(opt.state.get((i, k), {}))
            terms = opt.notes.get((i, k), {})
            total, applied = g.total[i][k], g.applied[i][k]
            # fmt: off
            params.append(ParamUpdate(
                i, k, v, layer.grads[k], samples.get(k), penalty, total, applied,
                before[k], state_after, terms, steps[k], after[k],
            ))
            # fmt: on
    grad_norm = float(np.sqrt(sum(float(np.sum(v * v)) for layer in g.total for v in layer.values())))
    settings = {s.name: getattr(opt, s.name) for s in opt.settings} | trainer.settings
    return UpdateTrace(
        opt.name, opt.learning_rate, settings, trainer.regularizer, g.penalty, trainer.clip, grad_norm,
        g.clipped, tuple(params),
    )  # fmt: skip


def finite_difference(
    trainer: Trainer[Network], layer: int, i: int, j: int, sample: int | None = None, h: float = 1e-5
) -> FiniteDifference:
    """The central finite difference of the traced loss (the batch's, or the sample's own)
    with respect to W[i, j] of weight layer `layer`, beside the analytic gradient."""
    layers = trainer.network.layers
    if not 0 <= layer < len(layers):
        raise ValueError(f"layer: {layer} is not a weight layer (0 to {len(layers) - 1})")
    n_in, n_out = layers[layer].params["W"].shape
    for name, value, size in (("i", i, n_in), ("j", j, n_out)):
        if not 0 <= value < size:
            raise ValueError(f"{name}: {value} is out of range for layer {layer}'s W of shape {n_in}×{n_out}")
    if not h > 0:
        raise ValueError(f"h: the step must be positive, got {h}")
    with np.errstate(over="ignore", invalid="ignore"):
        rep = _Replica(trainer, sample)
        rep.backward()
        analytic = float(rep.net.layers[layer].grads["W"][i, j])
        W = rep.net.layers[layer].params["W"]
        weight = float(W[i, j])
        losses = []
        for w in (weight + h, weight - h):
            W[i, j] = w
            losses.append(rep.loss(rep.net.forward(rep.x, training=True))[0])
        estimate = (losses[0] - losses[1]) / (2 * h)
    scale = max(abs(estimate), abs(analytic))
    error = abs(estimate - analytic) / scale if scale > 0 else 0.0
    return FiniteDifference(layer, i, j, sample, weight, h, losses[0], losses[1], estimate, analytic, error)
