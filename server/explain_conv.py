""" "Explain a step" of a convolutional network: the `explanation` message of a ConvRun
(model: "cnn"), built from the engine's trace of the next step (engine/explain_conv.py).
Stages: forward through each block, then the dense head; the loss; backward through the
head, then each block right to left; the update. The weight is a filter weight
[layer, f, c, i, j]: W[f, c, i, j] of conv layer `layer`. Its chain rule is a sum over the
output positions of the input under that tap × δ there; the message lists the largest
terms and sums the rest, so it stays bounded: maps are sent for the chosen filter and input
channel only (at 28×28, about 50 kB). Message shape: docs/protocol.md, "Explain a step"."""

from __future__ import annotations

from typing import Any

import numpy as np

from engine import ACTIVATIONS, LOSSES
from engine.blocks import BLOCKS
from engine.conv import Conv2D
from engine.explain_conv import BlockTrace, ConvTrace, Terms, conv_block, finite_difference, terms, trace, z_terms

from .conv_run import ConvRun
from .errors import Invalid
from .explain import checked, nums, update_message

LIMIT = 8  # terms listed of a sum (up to 12 when that lists them all); the rest are counted and summed
IMAGES = 144  # the batch's images travel when each has at most this many pixels (12×12)


def stages(run: ConvRun) -> list[dict]:
    names = _names(run)
    blocks = [{"phase": "forward", "layer": None, "t": None, "block": b, "name": n} for b, n in enumerate(names)]
    back = [{**s, "phase": "backward"} for s in reversed(blocks)]
    head = {"layer": None, "t": None, "block": None, "name": "dense head"}
    return [
        *blocks,
        {"phase": "forward", **head},
        {"phase": "loss", "layer": None, "t": None, "block": None, "name": None},
        {"phase": "backward", **head},
        *back,
        {"phase": "update", "layer": None, "t": None, "block": None, "name": None},
    ]


def stage_count(run: ConvRun) -> int:
    return 2 * len(run.blocks) + 4


def _names(run: ConvRun) -> list[str]:
    """ "convolution 1", "max pool 1", ...: each kind counted on its own."""
    seen: dict[str, int] = {}
    out = []
    for b in run.blocks:
        kind = "convolution" if b["kind"] == "conv" else b["kind"].replace("_", " ")
        seen[kind] = seen.get(kind, 0) + 1
        out.append(f"{kind} {seen[kind]}")
    return out


def _convs(run: ConvRun) -> list[Conv2D]:
    return [w for w in run.trainer.network.weight_layers if isinstance(w, Conv2D)]


def default_weight(run: ConvRun) -> tuple[int, ...]:
    """The centre tap of the first filter of the first conv layer, on its first channel."""
    k = _convs(run)[0].kernel
    return 0, 0, 0, k // 2, k // 2


def check_weight(value: Any, run: ConvRun) -> tuple[int, ...]:
    """[layer, f, c, i, j]: W[f, c, i, j] of conv layer `layer`."""
    if not (isinstance(value, list) and len(value) == 5 and all(type(v) is int for v in value)):
        raise Invalid("weight", "must be [layer, f, c, i, j] (five integers: a conv layer's filter weight) or null")
    convs = _convs(run)
    layer, *at = value
    if not 0 <= layer < len(convs):
        raise Invalid("weight", f"layer {layer} is not a conv layer (0 to {len(convs) - 1})")
    shape = convs[layer].params["W"].shape
    for name, v, n in zip(("f", "c", "i", "j"), at, shape):
        if not 0 <= v < n:
            sizes = "×".join(map(str, shape))
            raise Invalid("weight", f"{name} = {v} is out of range for conv layer {layer}'s W, {sizes} (F×C×k×k)")
    return tuple(value)


def _terms(t: Terms, where: str, a: str, b: str) -> dict:
    """The largest LIMIT terms (all of them when at most 4 more would be left), the rest summed."""
    shown = LIMIT if len(t.products) > LIMIT + 4 else len(t.products)
    rest = t.products[shown:]
    return {
        "terms": [
            {where: w.tolist(), a: nums(x), b: nums(y), "product": nums(p)}
            for w, x, y, p in zip(t.where[:shown], t.a, t.b, t.products)
        ],
        "count": len(t.products),
        "padded": t.padded,
        "rest": {"count": len(rest), "sum": nums(rest.sum())} if len(rest) else None,
        "sum": nums(t.total),
    }


def _ranges(maps: np.ndarray | None) -> list | None:
    """[min, max] of each channel of [C, H, W] maps."""
    return None if maps is None else [[nums(m.min()), nums(m.max())] for m in maps]


def _worked(tr: ConvTrace, bt: BlockTrace, f: int, pos: tuple[int, int] | None) -> dict:
    """One output value worked out: a conv's z (its terms), a and δ at `pos` (else its largest |a|)
    of filter `f`; a pool's 2×2 window at the largest output of channel `f`."""
    ch = f if f < bt.out.shape[0] else 0
    p, q = pos if pos is not None else np.unravel_index(int(np.abs(bt.out[ch]).argmax()), bt.out.shape[1:])
    p, q = int(p), int(q)
    common = {"channel": ch, "position": [p, q], "out": nums(bt.out[ch, p, q]), "grad_out": nums(bt.grad_out[ch, p, q])}
    if bt.kind != "conv":
        window = bt.x[ch, 2 * p : 2 * p + 2, 2 * q : 2 * q + 2].ravel()
        back = None if bt.grad_in is None else bt.grad_in[ch, 2 * p : 2 * p + 2, 2 * q : 2 * q + 2].ravel()
        return {**common, "window": nums(window), "grad_in": nums(back)}
    assert bt.layer is not None and bt.z is not None and bt.df is not None and bt.delta is not None
    assert bt.b is not None
    return {
        **common,
        **_terms(z_terms(tr, bt.layer, ch, p, q), "tap", "w", "x"),
        "b": nums(bt.b[ch]),
        "z": nums(bt.z[ch, p, q]),
        "df": nums(bt.df[ch, p, q]),
        "delta": nums(bt.delta[ch, p, q]),
    }


def _block(
    run: ConvRun, tr: ConvTrace, bt: BlockTrace, name: str, weight: tuple[int, ...], top: tuple[int, int]
) -> dict:
    chosen = bt.layer is not None and bt.layer == weight[0]
    entry = BLOCKS[bt.kind]
    out: dict[str, Any] = {
        "index": bt.index,
        "kind": bt.kind,
        "label": entry.label,
        "name": name,
        "layer": bt.layer,
        "shape_in": list(bt.x.shape),
        "shape_out": list(bt.out.shape),
        "stride": bt.stride,
        "kernel": None if bt.W is None else int(bt.W.shape[2]),
        "pad": list(bt.pad),
        "out_range": _ranges(bt.out),
        "grad_range": _ranges(bt.grad_out),
        "delta_range": _ranges(bt.delta),
        "worked": _worked(tr, bt, weight[1], top if chosen else None),
        "activation": None,
    }
    if bt.kind == "conv":
        conv = run.trainer.network.layers[bt.index]
        act = ACTIVATIONS[conv.activation.name]  # type: ignore[union-attr]
        out["activation"] = {"name": act.name, "label": act.label, "formula": act.formula, "slope": act.slope}
    return out


def message(sample: int, stage: int, weight: tuple[int, ...] | None, run: ConvRun) -> dict:
    t, data = run.trainer, run.data
    tr = trace(t, sample=sample)
    weight = default_weight(run) if weight is None else weight
    layer, f, c, i, j = weight
    chain = terms(tr, layer, f, c, i, j)
    bt = conv_block(tr, layer)
    top = (int(chain.where[0][0]), int(chain.where[0][1]))
    assert bt.delta is not None
    pixels = int(np.prod(tr.blocks[0].x.shape))
    names = _names(run)
    entry = LOSSES[tr.loss_name]
    return {
        "type": "explanation",
        "on": True,
        "model": "cnn",
        "step": tr.step,
        "sample": sample,
        "batch_size": len(tr.batch),
        "batch": [int(k) for k in tr.batch],
        # only drawn (grey levels), so 4 decimals: a noisy batch of 32 bars is 30 kB, not 59
        "images": nums(np.round(data.x_train[tr.batch], 4)) if pixels <= IMAGES else None,
        "stage": stage,
        "stages": stages(run),
        "image_shape": list(tr.blocks[0].x.shape),
        "blocks": [_block(run, tr, b, n, weight, top) for b, n in zip(tr.blocks, names)],
        "head": {
            "size": len(tr.flat),
            "hidden": [{"z": nums(z), "a": nums(a)} for z, a in tr.hidden],
            "logits": nums(tr.logits),
            "prediction": nums(tr.prediction),
            "labels": run.view.output_labels(),
        },
        "loss": {
            "name": entry.name,
            "label": entry.label,
            "output": tr.output,
            "link": entry.link_formula,
            "formula": entry.formula,
            "worked": entry.worked(tr.prediction, tr.target),
            "prediction": nums(tr.prediction),
            "target": nums(tr.target),
            "value": nums(tr.loss),
            "batch_value": nums(tr.batch_loss),
            "delta": nums(tr.dlogits),
        },
        "weight": list(weight),
        "maps": {
            "input": nums(bt.x[c]),  # channel c of the layer's input, unpadded
            "a": nums(bt.out[f]),
            "delta": nums(bt.delta[f]),
        },
        "chain": _chain(t, bt, weight, chain, names[bt.index]),
        "update": update_message(tr.update, layer, f, c, i, j),
    }


def _chain(trainer: Any, bt: BlockTrace, weight: tuple[int, ...], chain: Terms, where: str) -> dict:
    layer, f, c, i, j = weight
    fd = finite_difference(trainer, layer, f, c, i, j)
    return {
        "weight": list(weight),
        "name": f"W[{f + 1},{c + 1},{i + 1},{j + 1}]",
        "layer_name": where,
        "value": nums(fd.weight),
        **_terms(chain, "position", "x", "delta"),
        "stride": bt.stride,
        "pad": list(bt.pad),
        "finite_difference": checked(fd, of="batch"),
    }
