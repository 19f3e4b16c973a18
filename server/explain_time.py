""" "Explain a step" through time: the `explanation` message of a recurrent run, built from the
engine's trace of the next BPTT step for one sequence of its batch (engine/explain_time.py).
The stages: forward over the time steps, the loss, backward one stage per time step the
gradient reaches (the last first; truncated BPTT stops at its window), the update. The weight
is one of W_h, [0, i, j]: the link from h_{t-1} unit i to block column j of h_t. The shared
parts (numbers for JSON, the optimizer's update) are server/explain.py's. Message shape:
docs/protocol.md, "Explain a step"."""

from __future__ import annotations

from typing import Any

from engine import ACTIVATIONS, LOSSES
from engine.explain_time import TimeStepTrace, TimeTrace, finite_difference, trace, update
from engine.recurrent import RNNCell

from .errors import Invalid
from .explain import checked, nums, update_message
from .recurrent_run import RecurrentRun

_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")


def stages(length: int, window: int) -> list[dict]:
    """Forward, the loss, backward from the last time step to the earliest the gradient
    reaches (`window` of the `length` steps), the update."""
    back = [{"phase": "backward", "layer": None, "t": t} for t in range(length - 1, length - window - 1, -1)]
    return [
        {"phase": "forward", "layer": None, "t": None},
        {"phase": "loss", "layer": None, "t": None},
        *back,
        {"phase": "update", "layer": None, "t": None},
    ]


def stage_count(run: RecurrentRun) -> int:
    T = run.data.x_train.shape[1]
    truncate = run.trainer.truncate
    return len(stages(T, T if truncate is None else min(truncate, T)))


def check_weight(value: Any, run: RecurrentRun) -> tuple[int, int, int]:
    """[0, i, j]: W_h[i, j], the only weight walked through time."""
    if not (isinstance(value, list) and len(value) == 3 and all(type(v) is int for v in value)):
        raise Invalid("weight", "must be [0, i, j] (three integers: W_h's row and column) or null")
    layer, i, j = value
    if layer != 0:
        raise Invalid("weight", f"layer {layer}: only the recurrent weights W_h (layer 0) are explained through time")
    n_in, n_out = run.trainer.network.cell.params["Wh"].shape
    if not (0 <= i < n_in and 0 <= j < n_out):
        raise Invalid("weight", f"[{i}, {j}] is outside W_h, {n_in} units × {n_out} columns")
    return layer, i, j


def message(sample: int, stage: int, weight: tuple[int, int, int] | None, run: RecurrentRun) -> dict:
    t = run.trainer
    net = t.network
    tr = trace(t, sample=sample)
    pick = None if weight is None else weight[1:]
    batch = t.peek_batch()
    cell = net.cell
    act = ACTIVATIONS[cell.activation.name] if isinstance(cell, RNNCell) else None
    out: dict[str, Any] = {
        "type": "explanation",
        "on": True,
        "model": "recurrent",
        "step": tr.step,
        "sample": sample,
        "batch_size": len(batch),
        "batch": [int(k) for k in batch],
        "images": None,
        "stage": stage,
        "stages": stages(len(tr.steps), tr.window),
        "inputs": run.view.input_labels(),
        "cell": tr.cell,
        "blocks": list(tr.blocks),
        "activation": None
        if act is None
        else {"name": act.name, "label": act.label, "formula": act.formula, "slope": act.slope},  # fmt: skip
        "readout": tr.readout,
        "length": len(tr.steps),
        "window": tr.window,
        "Wh": nums(tr.Wh),
        "steps": [_step(s, pick) for s in tr.steps],
        "loss": _loss(tr, net.loss.name),
        "weight": None if weight is None else list(weight),
        "gradient": None,
        "update": None,
    }
    if pick is not None:
        out["gradient"] = _gradient(tr, t, sample, *pick)
        out["update"] = update_message(update(t), 0, *pick, key="Wh")
    return out


def _step(s: TimeStepTrace, pick: tuple[int, int] | None) -> dict:
    return {
        "t": s.t,
        "reached": s.reached,
        "x": nums(s.x),
        "h_prev": nums(s.h_prev),
        "z": nums(s.z),
        "h": nums(s.h),
        "from_output": nums(s.from_output),
        "recurrent": nums(s.recurrent),
        "direct": nums(s.direct),
        "dh": nums(s.dh),
        "df": nums(s.df),
        "delta": nums(s.delta),
        "share": None if pick is None else nums(s.dWh[pick]),  # the chosen weight's share of dW_h
    }


def _loss(tr: TimeTrace, name: str) -> dict:
    entry = LOSSES[name]
    last = tr.prediction.ndim == 1  # read at the last step only: [K]; at every step: [T, K]
    return {
        "name": entry.name,
        "label": entry.label,
        "link": entry.link_formula,
        "formula": entry.formula,
        "prediction": nums(tr.prediction),
        "target": nums(tr.target),
        # the last step's ℓ written out; read at every step, the loss is the mean over the steps
        "worked": entry.worked(tr.prediction if last else tr.prediction[-1], tr.target if last else tr.target[-1]),
        "value": nums(tr.loss),
    }


def _gradient(tr: TimeTrace, trainer: Any, sample: int, i: int, j: int) -> dict:
    fd = finite_difference(trainer, i, j, sample=sample)
    H = tr.Wh.shape[0]
    block = tr.blocks[j // H]
    truncated = tr.window < len(tr.steps)
    return {
        "weight": [0, i, j],
        "name": f"W_h{f'{i + 1},{j + 1}'.translate(_SUB)}",
        "from": i,  # h_{t-1}'s unit
        "to": j % H,  # h_t's unit
        "block": block,
        "value": nums(fd.weight),
        "gradient": nums(tr.dWh[i, j]),  # the sum of the steps' shares
        "finite_difference": checked(fd),
        "note": (
            f"Truncated BPTT: the shares of the last {tr.window} steps sum to the gradient the step uses; "
            "the finite difference measures the whole sequence's, which full BPTT gives (analytic)."
            if truncated
            else None
        ),
    }
