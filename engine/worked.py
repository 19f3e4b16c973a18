"""One weight of a traced step worked out: its gradient as the chain rule writes it, a
product of factors along every path from the loss back to the weight, and its update as
the optimizer's rule with the numbers put in. Everything comes from a `Trace`
(engine/explain.py); names follow the textbook: w⁽ˡ⁾ᵢ,ⱼ joins input i of weight layer l
to its neuron j, z, a and δ are a neuron's weighted sum, activation and dL/dz."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from .clipping import CLIPPING
from .explain import LayerTrace, Trace, UpdateTrace
from .losses import LOSSES
from .optimizers import make_optimizer
from .params import number, operand
from .regularizers import REGULARIZERS
from .written import Element, Line

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_SUB = str.maketrans("0123456789,", "₀₁₂₃₄₅₆₇₈₉,")


def name(symbol: str, layer: int, *neurons: int) -> str:
    """`symbol` of weight layer `layer` (0-based; shown 1-based) at 0-based neuron indices."""
    sub = ",".join(str(n + 1) for n in neurons).translate(_SUB)
    return f"{symbol}⁽{str(layer + 1).translate(_SUP)}⁾{sub}"


def input_name(layer: int, i: int, inputs: list[str]) -> str:
    """Input i of weight layer `layer`: a feature, or the previous layer's activation."""
    return inputs[i] if layer == 0 else name("a", layer - 1, i)


@dataclass(frozen=True)
class Factor:
    name: str
    value: float
    what: str


@dataclass(frozen=True)
class Path:
    factors: tuple[Factor, ...]  # the loss's end first, the weight's input last
    product: float


@dataclass(frozen=True)
class Chain:
    layer: int
    i: int
    j: int
    gradient: float  # dℓ/dw of the traced sample
    paths: tuple[Path, ...]  # the largest |product| first, at most `limit`
    total_paths: int
    rest_count: int
    rest_sum: float  # the paths not listed, summed
    sum: float  # every path's product, summed
    note: str | None


_WHAT = {
    "dL/dy": "how the loss changes with the prediction",
    "dy/dz": "the output activation's slope",
    "dL/dz": "the loss's slope at the output's weighted sum: ŷ − y",
    "w": "a weight the gradient flows back through",
    "f'": "the activation's slope at this neuron",
    "mask": "dropout's mask: 0 drops the neuron, 1/(1 − p) keeps it",
    "skip": "the residual connection passes the gradient on unchanged",
    "x": "the input the weight multiplies",
    "delta": "that neuron's δ from the backward pass, itself a sum over the paths beyond it",
}


def _f(name: str, value: float, what: str) -> Factor:
    return Factor(name, float(value), _WHAT[what])


def chain(tr: Trace, layer: int, i: int, j: int, inputs: list[str], limit: int = 8, max_paths: int = 4096) -> Chain:
    """dℓ/dW[i, j] of weight layer `layer` for the traced sample, path by path."""
    if tr.sample is None:
        raise ValueError("chain: trace one sample (trace(trainer, sample=...)), not the whole batch")
    ls = tr.layers
    gradient = float(ls[layer].dW[i, j])
    x = _f(input_name(layer, i, inputs), ls[layer].x[0, i], "x")
    if any(t.z_hat is not None for t in ls[layer:]):
        bn = (
            "Batch normalization couples the samples of a batch through its mean and standard deviation, "
            "so this sample's loss reaches the weight through every sample's row: ∂ℓ/∂w = Σ over the batch "
            "of x·δ. The backward table shows each δ."
        )
        return Chain(layer, i, j, gradient, (), 0, 0, 0.0, gradient, bn)
    count = _count(ls, layer)
    note: str | None = None
    if count <= max_paths:
        found = [(*p, x) for p in _paths(tr, layer, j)]
    else:
        found = [(*p, x) for p in _collapsed(ls, layer, j)]
        note = f"{count:,} paths lead from the loss to this weight; each δ⁽{layer + 2}⁾ below sums the paths beyond it."
    paths = sorted((Path(tuple(fs), math.prod(f.value for f in fs)) for fs in found), key=lambda p: -abs(p.product))
    rest = paths[limit:]
    total = math.fsum(p.product for p in paths)
    return Chain(
        layer, i, j, gradient, tuple(paths[:limit]), count if count <= max_paths else len(paths), len(rest),
        math.fsum(p.product for p in rest), total, note,
    )  # fmt: skip


def _count(ls: tuple[LayerTrace, ...], layer: int) -> int:
    """Paths from one neuron of `layer` to the loss: through every neuron of the next layer,
    and past it along a residual connection."""
    n = 1
    for t in range(len(ls) - 1, layer, -1):
        n = ls[t].W.shape[1] * (1 if t == len(ls) - 1 else n) + (n if ls[t].skip is not None else 0)
    return n


def _own(t: LayerTrace, layer: int, j: int) -> list[Factor]:
    """The factors inside a hidden neuron: the mask (with dropout), then f′(z) (the loss's end first)."""
    out = [_f(f"f′({name('z', layer, j)})", t.df[0, j], "f'")]
    if t.mask is not None:
        out.insert(0, _f(name("m", layer, j), t.mask[0, j], "mask"))
    return out


def _output(tr: Trace, k: int) -> list[Factor]:
    loss, K = tr.loss, tr.loss.delta.shape[1]
    y = "ŷ" if K == 1 else f"ŷ{str(k + 1).translate(_SUB)}"
    split = _split(tr)
    if split is None:
        return [_f(f"∂ℓ/∂{name('z', len(tr.layers) - 1, k)}", loss.delta[0, k], "dL/dz")]
    dl, dy = split
    return [_f(f"∂ℓ/∂{y}", dl[0, k], "dL/dy"), _f(f"∂{y}/∂{name('z', len(tr.layers) - 1, k)}", dy[0, k], "dy/dz")]


def _split(tr: Trace) -> tuple[np.ndarray, np.ndarray] | None:
    return LOSSES[tr.loss.name].split(tr.loss.prediction, tr.loss.target)


def _paths(tr: Trace, layer: int, j: int) -> list[list[Factor]]:
    """Every path from neuron j of `layer` to the loss, as factor lists (the loss's end first)."""
    ls, last = tr.layers, len(tr.layers) - 1
    if layer == last:
        return [_output(tr, j)]

    def beyond(t: int, n: int) -> list[list[Factor]]:  # from out of layer t, neuron n, to the loss
        found = []
        nxt = ls[t + 1]
        for m in range(nxt.W.shape[1]):
            w = _f(name("w", t + 1, n, m), nxt.W[n, m], "w")
            if t + 1 == last:
                found.append([*_output(tr, m), w])
            else:
                found += [[*p, *_own(nxt, t + 1, m), w] for p in beyond(t + 1, m)]
        if nxt.skip is not None and t + 1 < last:
            found += [[*p, Factor("skip", 1.0, _WHAT["skip"])] for p in beyond(t + 1, n)]
        return found

    return [[*p, *_own(ls[layer], layer, j)] for p in beyond(layer, j)]


def _collapsed(ls: tuple[LayerTrace, ...], layer: int, j: int) -> list[list[Factor]]:
    """One step of the chain: through each neuron of the next layer, whose δ sums the rest."""
    nxt, own = ls[layer + 1], _own(ls[layer], layer, j)
    found = [
        [_f(name("δ", layer + 1, m), nxt.delta[0, m], "delta"), _f(name("w", layer + 1, j, m), nxt.W[j, m], "w"), *own]
        for m in range(nxt.W.shape[1])
    ]
    skip_grad = ls[layer].skip_grad
    if skip_grad is not None:
        found.append([_f(f"∂ℓ/∂{name('out', layer + 1, j)}", skip_grad[0, j], "delta"), *own])
    return found


# -- the update ------------------------------------------------------------------------


def update_lines(u: UpdateTrace, layer: int, *at: int, key: str = "W") -> list[Line]:
    """The batch's update of W[at] (at = i, j; a conv filter's f, c, i, j) of weight layer
    `layer` (or of its parameter `key`: a recurrent cell's "Wh"), from the per-sample gradients
    to the new weight: regularization, clipping, the optimizer's rule, w ← w + Δw."""
    p = u.of(layer, key)
    n = 0 if p.samples is None else p.samples.shape[0]
    g = float(p.grad[at])
    lines = [Line("∂L/∂w", "mean of the batch's per-sample gradients gᵢ", f"(1/{n})·Σ gᵢ", g)]
    if p.penalty is not None:
        reg = REGULARIZERS[u.regularizer]
        lines.append(Line("g", f"∂L/∂w + {reg.term}", f"{number(g)} + {operand(p.penalty[at])}", float(p.total[at])))
    total, applied = float(p.total[at]), float(p.applied[at])
    if u.clip != "none":
        clip, c = CLIPPING[u.clip], float(u.settings["clip_threshold"])
        if u.clipped:
            lines.append(Line("g", clip.formula, clip.worked(total, c, u.grad_norm), applied))
        else:
            lines.append(
                Line("g", f"not clipped: ‖g‖ = {number(u.grad_norm)}, c = {number(c)}", number(total), applied)
            )
    opt = make_optimizer(u.optimizer, u.learning_rate, **u.settings)

    def scalar(d: dict[str, Any]) -> dict[str, float]:
        return {k: float(v if np.ndim(v) == 0 else v[at]) for k, v in d.items()}

    e = Element(applied, float(p.value[at]), float(p.step[at]), scalar(p.state), scalar(p.state_after), scalar(p.terms))
    lines += opt.rule(e)
    lines.append(Line("w", "w + Δw", f"{number(e.w)} + {operand(e.step)}", float(p.after[at])))
    return lines
