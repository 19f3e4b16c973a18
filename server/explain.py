"""A session's "Explain a step" mode: which sample, stage and weight the controller chose,
and the `explanation` message every connection gets, built from the engine's trace of
the next step (engine/explain.py, engine/worked.py; a recurrent run's walk through time is
server/explain_time.py's). The page formats these numbers and computes none. Message
shapes: docs/protocol.md."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from engine import ACTIVATIONS, LOSSES, OPTIMIZERS, finite_difference, trace
from engine.explain import LayerTrace, Trace, UpdateTrace
from engine.worked import Chain, chain, name, update_lines

from .conv_run import ConvRun
from .errors import Invalid
from .recurrent_run import RecurrentRun
from .run import Run


def nums(a: Any) -> Any:
    """Numbers for JSON: lists of floats, non-finite ones as null."""
    if a is None:
        return None
    if isinstance(a, np.ndarray) and a.ndim:
        return [nums(v) for v in a]
    v = float(a)
    return v if math.isfinite(v) else None


def checked(fd: Any, **extra: Any) -> dict:
    """A finite-difference check as every explanation sends it (engine's finite_difference)."""
    return {
        **extra,
        "h": fd.h,
        "loss_plus": nums(fd.loss_plus),
        "loss_minus": nums(fd.loss_minus),
        "estimate": nums(fd.estimate),
        "analytic": nums(fd.analytic),
        "relative_error": nums(fd.relative_error),
    }


def stages(n_layers: int) -> list[dict]:
    """Forward left to right, the loss, backward right to left, the update."""
    forward = [{"phase": "forward", "layer": k} for k in range(n_layers)]
    backward = [{"phase": "backward", "layer": k} for k in reversed(range(n_layers))]
    return [*forward, {"phase": "loss", "layer": None}, *backward, {"phase": "update", "layer": None}]


def sizes(values: np.ndarray) -> list[str | None]:
    """ "large" or "small" against the median magnitude of their layer, for predict-then-reveal."""
    mags = np.abs(values)
    if mags.size < 2:
        return [None] * mags.size
    median = float(np.median(mags))
    return ["large" if m >= median else "small" for m in mags]


def _through_time(run: Run) -> Any:
    """The module that explains a run other than a dense one: the walk through time of a
    recurrent run (server/explain_time.py), a CNN's (server/explain_conv.py); else None. Both
    build on this module's helpers, and so are imported here, when needed."""
    if isinstance(run, RecurrentRun):
        from . import explain_time

        return explain_time
    if isinstance(run, ConvRun):
        from . import explain_conv

        return explain_conv
    return None


def _default_weight(run: Run) -> tuple[int, ...]:
    walk = _through_time(run)
    return walk.default_weight(run) if walk and hasattr(walk, "default_weight") else (0, 0, 0)  # type: ignore[no-any-return]


def _stage_count(run: Run) -> int:
    walk = _through_time(run)
    return walk.stage_count(run) if walk else len(stages(len(run.trainer.network.layers)))


class Explanation:
    def __init__(self) -> None:
        self.on = False
        self.sample, self.stage = 0, 0
        self.weight: tuple[int, ...] | None = (0, 0, 0)

    def command(self, msg: dict, run: Run) -> bool:
        """Apply an `explain` message (shape checked); True when the mode was just turned on.
        Everything is checked before anything changes."""
        on = msg.get("on", self.on)
        if not on and any(k in msg for k in ("sample", "stage", "weight")):
            raise Invalid("on", "explain mode is off; send on: true first (together with these fields, or before)")
        n = _batch(run)
        sample, stage, weight = msg.get("sample", self.sample), msg.get("stage", self.stage), self.weight
        if not 0 <= sample < n:
            raise Invalid("sample", f"{sample} is not a position in the batch of {n} (0 to {n - 1})")
        count = _stage_count(run)
        if not 0 <= stage < count:
            raise Invalid("stage", f"{stage} is not a stage (0 to {count - 1})")
        if "weight" in msg:
            weight = None if msg["weight"] is None else _weight(msg["weight"], run)
        turned_on = on and not self.on
        if turned_on and "sample" not in msg:
            sample = 0
        if turned_on and "stage" not in msg:
            stage = 0
        self.on, self.sample, self.stage, self.weight = on, sample, stage, weight
        return turned_on

    def refit(self, run: Run, restart: bool) -> None:
        """After a step or a rebuild: stage 0 when `restart`, and choices that still fit."""
        self.sample = min(self.sample, _batch(run) - 1)
        self.stage = 0 if restart else min(self.stage, _stage_count(run) - 1)
        if self.weight is not None:
            try:
                _weight(list(self.weight), run)
            except Invalid:
                self.weight = _default_weight(run)

    def update(self, run: Run, restart: bool, always: bool) -> dict | None:
        """The message of the next step while the mode is on (refitted to `run`), the "off"
        message when `always`, else None: nothing to send."""
        if not (self.on or always):
            return None
        if self.on:
            self.refit(run, restart)
        return self.message(run)

    def message(self, run: Run) -> dict:
        if not self.on:
            return {"type": "explanation", "on": False}
        walk = _through_time(run)
        if walk:
            return walk.message(self.sample, self.stage, self.weight, run)
        t, data = run.trainer, run.data
        tr = trace(t, sample=self.sample)
        inputs = run.view.input_labels() or [f"pixel {i + 1}" for i in range(t.x_train.shape[1])]
        out: dict[str, Any] = {
            "type": "explanation",
            "on": True,
            "step": tr.step,
            "sample": self.sample,
            "batch_size": len(tr.batch),
            "batch": [int(i) for i in tr.batch],
            "images": nums(data.x_train[tr.batch]) if data.inputs == "image" else None,
            "stage": self.stage,
            "stages": stages(len(tr.layers)),
            "inputs": inputs,
            "layers": [_layer(lt, len(tr.layers)) for lt in tr.layers],
            "loss": _loss(tr),
            "weight": None if self.weight is None else list(self.weight),
            "chain": None,
            "update": None,
        }
        if self.weight is not None:
            layer, i, j = self.weight
            out["chain"] = _chain(chain(tr, layer, i, j, inputs), t, self.sample)
            out["update"] = update_message(tr.update, layer, i, j)
        return out


def _batch(run: Run) -> int:
    """The number of samples (or sequences) in the next step's batch."""
    return min(run.trainer.batch_size, len(run.data.x_train))


def _weight(value: Any, run: Run) -> tuple[int, ...]:
    walk = _through_time(run)
    if walk:
        return walk.check_weight(value, run)  # type: ignore[no-any-return]
    if not (isinstance(value, list) and len(value) == 3 and all(type(v) is int for v in value)):
        raise Invalid("weight", "must be [layer, i, j] (three integers) or null")
    layer, i, j = value
    layers = run.trainer.network.layers
    if not 0 <= layer < len(layers):
        raise Invalid("weight", f"layer {layer} is not a weight layer (0 to {len(layers) - 1})")
    n_in, n_out = layers[layer].params["W"].shape
    if not (0 <= i < n_in and 0 <= j < n_out):
        raise Invalid("weight", f"[{i}, {j}] is outside layer {layer}'s weights, {n_in} inputs × {n_out} neurons")
    return layer, i, j


def _layer(lt: LayerTrace, n_layers: int) -> dict:
    act = ACTIVATIONS[lt.activation]
    row = {k: nums(getattr(lt, k)[0]) if getattr(lt, k) is not None else None for k in _ROWS}
    return {
        "index": lt.index,
        "name": "output layer" if lt.index == n_layers - 1 else f"hidden layer {lt.index + 1}",
        "activation": act.name,
        "label": act.label,
        "formula": act.formula,
        "slope": act.slope,
        "W": nums(lt.W),
        "b": nums(lt.b),
        "batch_norm": lt.z_hat is not None,
        "gamma": nums(lt.gamma),
        "beta": nums(lt.beta),
        "mean": nums(lt.mean),
        "std": nums(lt.std),
        **row,
        "y": row["y"] if lt.z_hat is not None else None,
        "delta_size": sizes(lt.delta[0]),
        "dW": nums(lt.dW),
        "db": nums(lt.db),
    }


# per-sample rows of a LayerTrace sent as they are
_ROWS = ("x", "z", "z_hat", "y", "a", "mask", "skip", "out", "grad_out", "weighted", "skip_grad", "df", "dy", "delta")


def _loss(tr: Trace) -> dict:
    lt, entry = tr.loss, LOSSES[tr.loss.name]
    split = entry.split(lt.prediction, lt.target)
    return {
        "name": entry.name,
        "label": entry.label,
        "output": lt.output,
        "link": entry.link_formula,
        "formula": entry.formula,
        "worked": entry.worked(lt.prediction[0], lt.target[0]),
        "logits": nums(lt.logits[0]),
        "prediction": nums(lt.prediction[0]),
        "target": nums(lt.target[0]),
        "value": nums(lt.value),
        "batch_value": nums(lt.batch_value),
        "dL_dyhat": None if split is None else nums(split[0][0]),
        "dyhat_dz": None if split is None else nums(split[1][0]),
        "delta": nums(lt.delta[0]),
    }


def _chain(c: Chain, trainer: Any, sample: int) -> dict:
    fd = finite_difference(trainer, c.layer, c.i, c.j, sample=sample)
    return {
        "weight": [c.layer, c.i, c.j],
        "name": name("w", c.layer, c.i, c.j),
        "value": nums(fd.weight),
        "gradient": nums(c.gradient),
        "paths": [
            {
                "factors": [{"name": f.name, "value": nums(f.value), "what": f.what} for f in p.factors],
                "product": nums(p.product),
            }
            for p in c.paths
        ],  # fmt: skip
        "total_paths": c.total_paths,
        "rest": {"count": c.rest_count, "sum": nums(c.rest_sum)} if c.rest_count else None,
        "sum": nums(c.sum),
        "note": c.note,
        "finite_difference": checked(fd),
    }


def update_message(u: UpdateTrace, layer: int, *at: int, key: str = "W") -> dict:
    """The update of weight `at` ([i, j]; a conv filter's [f, c, i, j]) of `layer`'s parameter
    `key`, with the optimizer's rule written out, and each sample's gradient whose mean it uses."""
    p = u.of(layer, key)
    lines = update_lines(u, layer, *at, key=key)
    return {
        "optimizer": u.optimizer,
        "label": OPTIMIZERS[u.optimizer].label,
        "learning_rate": nums(u.learning_rate),
        "samples": nums(None if p.samples is None else p.samples[(slice(None), *at)]),  # type: ignore[arg-type]
        "grad": nums(p.grad[at]),
        "lines": [{**vars(x), "value": nums(x.value)} for x in lines],
        "before": nums(p.value[at]),
        "step": nums(p.step[at]),
        "after": nums(p.after[at]),
        "step_size": sizes(p.step.ravel())[int(np.ravel_multi_index(at, p.step.shape))],
        "clipped": u.clipped,
    }
