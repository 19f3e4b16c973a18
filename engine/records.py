"""What a training step records (Trainer.step): each weight layer's arrays and sizes, and
the step's loss, rate and gradient norms; made for speed, as every step makes them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, TypeVar

import numpy as np

from .conv import Conv2D
from .layers import Dense
from .stats import norm


@dataclass(frozen=True)
class LayerRecord:
    """One weight layer at one step. Shapes: batch n, inputs n_in, units n_out."""

    index: int
    activation: str
    z: np.ndarray  # [n, n_out] pre-activations
    a: np.ndarray  # [n, n_out] activations (logits for the output layer)
    delta: np.ndarray  # [n, n_out] dL/dz
    W: np.ndarray  # [n_in, n_out] after the update
    b: np.ndarray  # [n_out]
    dW: np.ndarray  # [n_in, n_out] gradient of the data loss
    db: np.ndarray  # [n_out]
    dW_step: np.ndarray  # [n_in, n_out] update applied: momentum, regularization included
    db_step: np.ndarray  # [n_out]
    stats: dict[str, float] = field(default_factory=dict)
    y: np.ndarray | None = None  # [n, n_out] input of the activation (z after batch norm, else z)


@dataclass(frozen=True)
class StepRecord:
    step: int  # 1 for the first step after a reset
    loss: float  # data loss of the batch, before the update
    penalty: float  # regularization term of the batch's objective
    learning_rate: float
    grad_norms: tuple[float, ...]  # ‖dW‖ per weight layer
    finite: bool  # False once the loss or a weight is NaN/Inf
    layers: tuple[LayerRecord, ...] = ()  # empty when the step was not recorded
    clipped: bool = False  # the gradient was clipped before the update


R = TypeVar("R", LayerRecord, StepRecord)
_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in (LayerRecord, StepRecord)}


def layer_record(i: int, layer: Dense | Conv2D, steps: dict[str, np.ndarray], grad_norm: float) -> LayerRecord:
    """Weight layer i's record, after its update. Only W and b need copying: every other
    array was allocated by this step and is not written again, so it is frozen where it is."""
    W_after, b_after = layer.params["W"].copy(), layer.params["b"].copy()
    dW, db, dW_step, db_step = layer.grads["W"], layer.grads["b"], steps["W"], steps["b"]
    z, y = layer.z, layer.y
    for a in (z, layer.a, layer.delta, W_after, b_after, dW, db, dW_step, db_step):
        a.setflags(write=False)  # not through a.flags, which makes a flags object each time
    if y is not z:  # batch norm's own output; without it y is z
        y.setflags(write=False)
    stats = {"grad_norm": grad_norm, "update_norm": norm(dW_step), "weight_norm": norm(W_after)}
    return made(
        LayerRecord,
        i,
        layer.activation.name,
        z,
        layer.a,
        layer.delta,
        W_after,
        b_after,
        dW,
        db,
        dW_step,
        db_step,
        stats,
        y,
    )


def made(cls: type[R], *values: Any) -> R:
    """cls(*values), every field given, for the records the step makes every time: a frozen
    dataclass's __init__ sets each field through object.__setattr__, several times slower
    than filling the instance's dict at once. The records have no __post_init__ to skip."""
    obj = object.__new__(cls)
    obj.__dict__.update(zip(_FIELDS[cls], values))
    return obj
