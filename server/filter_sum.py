"""The answer to `filter_sum`: why one filter weight's gradient is a sum over positions. For
the chosen sample, the weight dW[f, c, i, j] of conv layer `layer` is Σ over the map's
positions of (the input pixel at offset (i, j) of that position's patch) × δ_f there; the
answer carries every term, their sum, the sample's own dW entry (the frame's block{j}.dW)
and the batch's dW (the mean of such sums over the last step's batch), all from the engine
(Conv2D.terms). Read-only: a watcher may ask, and only the asker is answered. Message
shapes: docs/protocol.md, "A filter weight's gradient, position by position"."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from engine.conv import Conv2D

from .conv_run import ConvRun
from .errors import Invalid
from .explain import nums

if TYPE_CHECKING:
    from .session import Session

TOP = 5  # the positions named (and highlighted) as contributing most: the largest |term|


def answer(s: Session, msg: dict) -> dict:
    """The `filter_sum` message for msg's layer and weight [f, c, i, j]; raises Invalid naming the field."""
    run = s.runs[0]
    if not isinstance(run, ConvRun):
        raise Invalid("type", "filter_sum needs a convolutional network (conv blocks on images)")
    if s.replay.showing is not None:
        raise Invalid("type", "the timeline shows a kept step; return to live to take a weight's gradient apart")
    blocks = [j for j, layer in enumerate(run.trainer.network.layers[: len(run.blocks)]) if isinstance(layer, Conv2D)]
    L = msg["layer"]
    if not 0 <= L < len(blocks):
        raise Invalid("layer", f"must be a conv layer: 0 to {len(blocks) - 1}")
    j = blocks[L]
    layer = run.trainer.network.layers[j]
    assert isinstance(layer, Conv2D)
    shape = layer.params["W"].shape
    weight = msg["weight"]
    if len(weight) != 4 or not all(isinstance(v, int) and not isinstance(v, bool) for v in weight):
        raise Invalid("weight", "must be [filter, channel, row, column], four integers")
    for name, v, n in zip(("filter", "channel", "row", "column"), weight, shape):
        if not 0 <= v < n:
            raise Invalid("weight", f"{name} {v} is outside 0 to {n - 1} (the filters are {list(shape)})")
    f, c, i, k = weight
    maps = run.sample_pass()  # this sample's patches and δ, at the weights the frame shows
    xs, deltas = (a[0] for a in layer.terms(f, c, i, k))
    terms = xs * deltas
    rows, cols = layer.sources(i, k)
    order = np.argsort(-np.abs(terms), axis=None, kind="stable")[:TOP]
    top = []
    for p, q in zip(*np.unravel_index(order, terms.shape)):
        if terms[p, q] == 0:
            break
        inside = rows[p] >= 0 and cols[q] >= 0
        top.append({"at": [int(p), int(q)], "input": [int(rows[p]), int(cols[q])] if inside else None,
                    "x": nums(xs[p, q]), "delta": nums(deltas[p, q]), "term": nums(terms[p, q])})  # fmt: skip
    rec = run.record
    batch = None  # before the first step (or a step not recorded) there is no batch gradient
    if rec is not None and rec.layers:
        batch = {"dW": nums(rec.layers[L].dW[f, c, i, k]), "batch_size": len(rec.layers[L].a), "step": rec.step}
    return {
        "type": "filter_sum",
        "layer": L,
        "block": j,
        "weight": weight,
        "sample": run.sample,
        "step": s.history.last,
        "positions": int(terms.size),
        "input_block": None if j == 0 else j - 1,
        "input_shape": list(maps[j - 1].shape) if j else list(run.trainer.network.image_shape),
        "terms": nums(terms),
        "sum": nums(terms.sum()),
        "dW_sample": nums(layer.grads["W"][f, c, i, k]),
        "top": top,
        "batch": batch,
    }
