"""Explain a step through time: one BPTT step of a recurrent trainer, number by number, for one
sequence of the batch the next `trainer.step()` will use (the first, or the one at position
`sample`), without taking the step.

`trace(trainer, sample=0)` runs the forward pass over that sequence alone (a batch of 1, so its loss is
its own) on a copy of the network, then walks back right to left over the time steps. At each
step t, in the row-vector convention of engine/bptt.py:

    ∂L/∂h_t = (from the output layer at t) + δ_{t+1} W_hᵀ (+ for a GRU, u_{t+1} ⊙ ∂L/∂h_{t+1})
    δ_t = f′(z_t) ⊙ ∂L/∂h_t   (plain RNN; for LSTM and GRU, the gate deltas of the cell's backward)
    this step's share of dW_h = h_{t-1}ᵀ δ_t

with the truncation of the trainer: before its window, nothing is propagated. The cell's
backward step is the cell's own (engine/recurrent.py); what is spelled out here is the sum
that makes ∂L/∂h_t and, for a plain RNN, the product that makes δ_t.
`finite_difference(trainer, i, j, sample=0)` checks one entry of the sequence's dW_h, and
`update(trainer)` is the update the step would apply: the batch's gradient (the mean of its
sequences'), regularized and clipped as the trainer does, through a copy of its optimizer.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .bptt import RecurrentNetwork
from .clipping import CLIPPING
from .explain import FiniteDifference, ParamUpdate, UpdateTrace, _Plain
from .params import values
from .recurrent import RNNCell
from .recurrent_trainer import RecurrentTrainer, is_weight
from .regularizers import REGULARIZERS
from .schedules import SCHEDULES


@dataclass(frozen=True)
class TimeStepTrace(_Plain):
    """One time step t (0-based) of the sequence. H hidden units, G blocks of the cell."""

    t: int
    reached: bool  # inside the truncation window: the gradient got here
    x: np.ndarray  # [d] the input
    h_prev: np.ndarray  # [H] h_{t-1} (zeros before the first step)
    z: np.ndarray  # [G*H] pre-activations
    h: np.ndarray  # [H] h_t
    from_output: np.ndarray  # [H] ∂L/∂h_t through the output layer (0 where the output is not read)
    recurrent: np.ndarray  # [H] δ_{t+1} W_hᵀ: what step t+1 sends back through W_h (0 at the last step)
    direct: np.ndarray | None  # [H] the GRU's u_{t+1} ⊙ ∂L/∂h_{t+1}, which bypasses W_h; None for other cells
    dh: np.ndarray  # [H] their sum, ∂L/∂h_t
    df: np.ndarray | None  # [H] f′(z_t) of a plain RNN; None for LSTM and GRU
    delta: np.ndarray  # [G*H] δ_t = ∂L/∂z_t (the gates' and the candidate's for LSTM and GRU)
    dWh: np.ndarray  # [H, G*H] this step's share of dW_h


@dataclass(frozen=True)
class TimeTrace:
    step: int  # the training step this would be (1 for the first)
    sequence: int  # the sequence's index in the training set
    cell: str
    blocks: tuple[str, ...]
    readout: str
    window: int  # time steps the gradient goes back through
    Wh: np.ndarray  # [H, G*H]
    prediction: np.ndarray  # [T, K] or [K]: probabilities or values
    target: np.ndarray  # same shape
    loss: float  # the sequence's own loss
    steps: tuple[TimeStepTrace, ...]  # in time order; the backward walk reads them last to first
    dWh: np.ndarray  # [H, G*H] the sum of the steps' shares


def _sequence(trainer: RecurrentTrainer, sample: int = 0) -> tuple[RecurrentNetwork, int, np.ndarray, np.ndarray]:
    """A copy of the network, and the sequence at position `sample` of the next batch as a batch of 1."""
    batch = trainer.peek_batch()
    if not 0 <= sample < len(batch):
        raise ValueError(f"sample: {sample} is not a position in the batch of {len(batch)} (0 to {len(batch) - 1})")
    k = int(batch[sample])
    data = trainer.data
    return copy.deepcopy(trainer.network), k, data.x_train[k : k + 1], data.y_train[k : k + 1]


def trace(trainer: RecurrentTrainer, sample: int = 0) -> TimeTrace:
    """The next step's BPTT for the sequence at position `sample` of its batch (module
    docstring). Changes nothing of the trainer."""
    net, k, x, y = _sequence(trainer, sample)
    cell, truncate = net.cell, trainer.truncate
    with np.errstate(over="ignore", invalid="ignore"):
        logits = net.forward(x, training=True)
        K = logits.shape[-1]
        loss, dlogits = net.loss.value_and_grad(logits.reshape(-1, K), y.reshape(-1, K))
        dout = net.output.backward_delta(dlogits)
        assert dout is not None
        T, H = x.shape[1], cell.hidden
        Wh = cell.params["Wh"]
        from_output = np.zeros((T, H))  # rows of dout: every step's, or the last step's only
        from_output[T - len(dout) :] = dout
        start = 0 if truncate is None else max(0, T - truncate)
        caches, prevs = net._caches, net._prevs[:, 0]
        steps: list[TimeStepTrace] = []
        recurrent, direct = np.zeros(H), (None if cell.name != "gru" else np.zeros(H))
        carry = tuple(np.zeros((1, H)) for _ in range(cell.states))  # the cell state's part (LSTM: ∂L/∂c)
        for t in range(T - 1, -1, -1):
            reached = t >= start
            z, h = caches[t]["z"][0], net.h[0, t]
            dh = from_output[t] + recurrent + (0.0 if direct is None else direct) if reached else np.zeros(H)
            df = cell.activation.df(z, h) if isinstance(cell, RNNCell) else None
            if not reached:
                delta, dah = np.zeros(Wh.shape[1]), np.zeros(Wh.shape[1])
            elif df is not None:
                delta = dah = df * dh  # z = x W_x + h_{t-1} W_h + b: the same δ for both products
            else:
                dax, dah_t, carry = cell.backward((dh[None], *carry[1:]), caches[t])
                delta, dah = dax[0], dah_t[0]
            share = np.outer(prevs[t], dah)
            steps.append(TimeStepTrace(t, reached, x[0, t], prevs[t], z, h, from_output[t], recurrent, direct, dh, df,
                                       delta, share))  # fmt: skip
            # ah_t = h_{t-1} W_h  ->  ∂L/∂h_{t-1} gains δ_t W_hᵀ
            recurrent = dah @ Wh.T
            if direct is not None:
                direct = carry[0][0] if reached else np.zeros(H)
        prediction = net.loss.link(logits.reshape(-1, K)).reshape(logits.shape)[0]
    ordered = tuple(reversed(steps))
    dWh = np.sum([s.dWh for s in ordered], axis=0)
    return TimeTrace(trainer.steps + 1, k, cell.name, cell.blocks, net.readout, T - start, Wh.copy(), prediction,
                     y[0], float(loss), ordered, dWh)  # fmt: skip


def finite_difference(trainer: RecurrentTrainer, i: int, j: int, sample: int = 0, h: float = 1e-5) -> FiniteDifference:
    """The central finite difference of the traced sequence's loss with respect to W_h[i, j],
    beside the analytic gradient of full BPTT (truncated BPTT differentiates another objective:
    the state before its window held fixed). `layer` is 0, the recurrent layer."""
    net, _, x, y = _sequence(trainer, sample)
    Wh = net.cell.params["Wh"]
    for name, value, size in (("i", i, Wh.shape[0]), ("j", j, Wh.shape[1])):
        if not 0 <= value < size:
            raise ValueError(f"{name}: {value} is out of range for W_h of shape {Wh.shape[0]}×{Wh.shape[1]}")
    if not h > 0:
        raise ValueError(f"h: the step must be positive, got {h}")
    with np.errstate(over="ignore", invalid="ignore"):
        net.loss_and_backward(x, y, None, record=False)
        analytic = float(net.cell.grads["Wh"][i, j])
        weight = float(Wh[i, j])
        losses = []
        for w in (weight + h, weight - h):
            Wh[i, j] = w
            logits = net.forward(x, training=False)
            K = logits.shape[-1]
            losses.append(net.loss.value_and_grad(logits.reshape(-1, K), y.reshape(-1, K))[0])
        estimate = (losses[0] - losses[1]) / (2 * h)
    scale = max(abs(estimate), abs(analytic))
    error = abs(estimate - analytic) / scale if scale > 0 else 0.0
    return FiniteDifference(0, i, j, sample, weight, h, losses[0], losses[1], estimate, analytic, error)


def update(trainer: RecurrentTrainer) -> UpdateTrace:
    """The update the next step would apply, as RecurrentTrainer._step computes it, on copies
    (network, optimizer). Per layer (0: the cell, 1: the output layer) and parameter; W_h's
    `samples` are each sequence's own gradient [n, H, G*H], whose mean is the batch's."""
    net, opt = copy.deepcopy((trainer.network, trainer.optimizer))
    batch, data = trainer.peek_batch(), trainer.data
    schedule = SCHEDULES[trainer.schedule]
    factor = schedule.factor(trainer.steps, values(schedule.settings, trainer.settings))
    opt.learning_rate = trainer.learning_rate * factor
    opt.notes = {}
    with np.errstate(over="ignore", invalid="ignore"):
        samples = []
        for k in batch:  # each sequence alone: its own gradient
            net.loss_and_backward(data.x_train[k : k + 1], data.y_train[k : k + 1], trainer.truncate, record=False)
            samples.append(net.cell.grads["Wh"].copy())
        net.loss_and_backward(data.x_train[batch], data.y_train[batch], trainer.truncate, record=False)
        layers = net.layers
        grads = [dict(layer.grads) for layer in layers]
        reg = REGULARIZERS[trainer.regularizer]
        rate = reg.rate(trainer.settings)
        penalty, pen = 0.0, [dict.fromkeys(g) for g in grads]
        if rate > 0:
            for layer, p in zip(layers, pen):
                for k, w in layer.params.items():
                    if is_weight(k):
                        penalty += rate * reg.penalty(w)
                        p[k] = rate * reg.grad(w)
        total = [{k: g + p[k] if p[k] is not None else g for k, g in gs.items()} for gs, p in zip(grads, pen)]
        clip = CLIPPING[trainer.clip]
        limited = clip.apply(total, values(clip.settings, trainer.settings))
        applied = total if limited is None else limited
        params = []
        for i, layer in enumerate(layers):
            for k, v in layer.params.items():
                before = copy.deepcopy(opt.state.get((i, k), {}))
                after = v.copy()
                step = opt.update((i, k), after, applied[i][k], is_weight=is_weight(k))
                # fmt: off
                params.append(ParamUpdate(
                    i, k, v, grads[i][k], np.array(samples) if (i, k) == (0, "Wh") else None, pen[i][k],
                    total[i][k], applied[i][k], before, copy.deepcopy(opt.state.get((i, k), {})),
                    opt.notes.get((i, k), {}), step, after,
                ))
                # fmt: on
        grad_norm = float(np.sqrt(sum(float(np.sum(g * g)) for gs in total for g in gs.values())))
    settings = {s.name: getattr(opt, s.name) for s in opt.settings} | trainer.settings
    return UpdateTrace(opt.name, opt.learning_rate, settings, trainer.regularizer, penalty, trainer.clip, grad_norm,
                       limited is not None, tuple(params))  # fmt: skip
