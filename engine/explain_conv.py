"""Explain a step of a convolutional network: the next `trainer.step()` of a CNN, number by
number, for one sample of its batch, without taking it.

`trace(trainer, sample=0)` runs, on copies, the batch's forward and backward pass (whose
mean gradient is the step's dW, and whose update it previews) and the chosen sample's own
pass (a batch of 1: its loss ℓ, every block's maps and every conv layer's δ = ∂ℓ/∂z maps).
A filter is shared by every position, so the sample's gradient of one filter weight is a sum
over the output positions (p, q) of the input under that tap times δ there:

    ∂ℓ/∂W[f, c, i, j] = Σ_{p,q} x_pad[c, s·p + i, s·q + j] · δ[f, p, q]

`terms(tr, layer, f, c, i, j)` lists those products; `z_terms(tr, layer, f, p, q)` the sum
that makes one z. `finite_difference(trainer, layer, f, c, i, j)` is the central difference
of the batch's loss, the objective dW is the gradient of. Nothing of the trainer changes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from .cnn import ConvNetwork
from .conv import Conv2D, Pool2D
from .explain import ParamUpdate, UpdateTrace, _Plain
from .layers import Dense
from .trainer import Trainer, apply_update


@dataclass(frozen=True)
class BlockTrace(_Plain):
    """One conv or pool block for the traced sample. Conv: F filters of C×k×k, stride s."""

    index: int  # in the network's layers (the blocks come first)
    kind: str  # "conv", "max_pool" or "avg_pool"
    layer: int | None  # a conv block's weight-layer index, else None
    x: np.ndarray  # [C, H, W] the block's input
    out: np.ndarray  # [C', H', W'] its output (a conv's a = f(z))
    grad_out: np.ndarray  # [C', H', W'] ∂ℓ/∂out, what the next block (or the head) sends back
    grad_in: np.ndarray | None  # [C, H, W] ∂ℓ/∂x, what it sends back; None for the first block
    z: np.ndarray | None  # conv: [F, H', W']
    df: np.ndarray | None  # conv: f′(z)
    delta: np.ndarray | None  # conv: δ = ∂ℓ/∂out · f′(z)
    W: np.ndarray | None  # conv: [F, C, k, k]
    b: np.ndarray | None  # conv: [F]
    stride: int
    pad: tuple[int, int]  # zeros added before the rows and before the columns
    padded: np.ndarray | None  # conv: [C, H + pads, W + pads] the input with its zeros


@dataclass(frozen=True)
class ConvTrace:
    step: int  # the training step this would be (1 for the first)
    batch: np.ndarray  # [n] training-set indices of the next batch
    sample: int  # position in the batch
    index: int  # the sample's index in the training set
    blocks: tuple[BlockTrace, ...]
    flat: np.ndarray  # [D] the last block's output, flattened: the dense head's input
    hidden: tuple[tuple[np.ndarray, np.ndarray], ...]  # per hidden dense layer: (z, a)
    output: str  # the loss's output activation
    logits: np.ndarray  # [K]
    prediction: np.ndarray  # [K]
    target: np.ndarray  # [K]
    loss_name: str
    loss: float  # the sample's own loss ℓ
    batch_loss: float  # the batch's mean loss L, whose gradient is dW
    dlogits: np.ndarray  # [K] ∂ℓ/∂logits
    update: UpdateTrace  # W's `samples`: each sample's own gradient [n, ...], whose mean is dW


@dataclass(frozen=True)
class Terms:
    """A sum of products a·b over positions (or taps), the largest |a·b| first."""

    where: np.ndarray  # [m, d] integer positions: (p, q) output positions, or (c, i, j) taps
    a: np.ndarray  # [m]
    b: np.ndarray  # [m]
    products: np.ndarray  # [m]
    padded: int  # products whose `a` is a zero of the padding
    total: float  # Σ products


@dataclass(frozen=True)
class ConvDifference:
    layer: int
    at: tuple[int, int, int, int]  # (f, c, i, j)
    weight: float
    h: float
    loss_plus: float
    loss_minus: float
    estimate: float
    analytic: float  # dW[f, c, i, j] of the batch
    relative_error: float


def _batch(trainer: Trainer[ConvNetwork]) -> tuple[ConvNetwork, np.ndarray, np.ndarray, np.ndarray]:
    net = copy.deepcopy(trainer.network)
    batch = trainer.peek_batch()
    return net, batch, trainer.x_train[batch], trainer.y_train[batch]


def _backward(
    net: ConvNetwork, logits: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray, list[np.ndarray], list[np.ndarray | None]]:
    """ConvNetwork.loss_and_backward's backward pass, keeping what each layer gets and sends:
    received[k] = ∂L/∂(output of layer k); sent[k] = ∂L/∂(input of layer k) (None for the first)."""
    loss, dlogits = net.loss.value_and_grad(logits, y)
    out = net.layers[-1]
    assert isinstance(out, Dense)
    received: list[np.ndarray] = [np.empty(0)] * len(net.layers)
    sent: list[np.ndarray | None] = [None] * len(net.layers)
    received[-1] = dlogits
    sent[-1] = out.backward_delta(dlogits)
    for k in range(len(net.layers) - 2, -1, -1):
        received[k] = sent[k + 1]  # type: ignore[assignment]
        sent[k] = net.layers[k].backward(received[k], need_dx=k > 0)
    return float(loss), dlogits, received, sent


def trace(trainer: Trainer[ConvNetwork], sample: int = 0) -> ConvTrace:
    """The next step for the sample at position `sample` of its batch (module docstring)."""
    net, batch, x, y = _batch(trainer)
    if not 0 <= sample < len(batch):
        raise ValueError(f"sample: {sample} is not a position in the batch of {len(batch)} (0 to {len(batch) - 1})")
    with np.errstate(over="ignore", invalid="ignore"):
        batch_loss, *_ = _backward(net, net.forward(x, training=True), y)
        update = _update(trainer, net)
        one = copy.deepcopy(net)
        logits = one.forward(x[sample : sample + 1], training=True)
        loss, dlogits, received, sent = _backward(one, logits, y[sample : sample + 1])
    blocks, inputs = [], x[sample : sample + 1].reshape(1, *net.image_shape)
    conv_count = 0
    for k, layer in enumerate(one.layers):
        if not isinstance(layer, Conv2D | Pool2D):
            break
        out = layer.forward(inputs, training=False)
        s_in = sent[k]
        common = (inputs[0], out[0], received[k][0], None if s_in is None else s_in[0])
        if isinstance(layer, Conv2D):
            top, left, shape = layer.pad
            padded = np.zeros(shape[1:])
            padded[:, top : top + inputs.shape[2], left : left + inputs.shape[3]] = inputs[0]
            df = layer.activation.df(layer.z, layer.a)[0]
            W, b = layer.params["W"], layer.params["b"]
            blocks.append(BlockTrace(k, "conv", conv_count, *common, layer.z[0], df, layer.delta[0], W, b,
                                     layer.stride, (top, left), padded))  # fmt: skip
            conv_count += 1
        else:
            blocks.append(BlockTrace(k, f"{layer.kind}_pool", None, *common, *(None,) * 5, 2, (0, 0), None))
        inputs = out
    dense = [layer for layer in one.layers if isinstance(layer, Dense)]
    hidden = tuple((d.z[0], d.a[0]) for d in dense[:-1])
    return ConvTrace(trainer.steps + 1, batch, sample, int(batch[sample]), tuple(blocks), inputs.reshape(-1), hidden,
                     net.loss.output_activation, logits[0], net.loss.link(logits)[0], y[sample], net.loss.name,
                     loss, batch_loss, dlogits[0], update)  # fmt: skip


def conv_block(tr: ConvTrace, layer: int) -> BlockTrace:
    """The block of conv layer `layer` (weight-layer index); ValueError if it is not one."""
    for b in tr.blocks:
        if b.layer == layer:
            return b
    raise ValueError(f"layer: {layer} is not a conv layer (0 to {sum(b.layer is not None for b in tr.blocks) - 1})")


def _ranked(where: np.ndarray, a: np.ndarray, b: np.ndarray, padded: int) -> Terms:
    products = a * b
    order = np.argsort(-np.abs(products), kind="stable")
    return Terms(where[order], a[order], b[order], products[order], padded, float(products.sum()))


def terms(tr: ConvTrace, layer: int, f: int, c: int, i: int, j: int) -> Terms:
    """∂ℓ/∂W[f, c, i, j] as Σ_{p,q} x_pad[c, s·p + i, s·q + j] · δ[f, p, q], one product per output position."""
    bt = conv_block(tr, layer)
    assert bt.padded is not None and bt.delta is not None
    s, (Ho, Wo) = bt.stride, bt.delta.shape[1:]
    rows, cols = np.arange(Ho) * s + i, np.arange(Wo) * s + j
    x = bt.padded[c][np.ix_(rows, cols)].ravel()
    H, W = bt.x.shape[1:]
    top, left = bt.pad
    inside = ((rows >= top) & (rows < top + H))[:, None] & ((cols >= left) & (cols < left + W))[None, :]
    where = np.stack(np.meshgrid(np.arange(Ho), np.arange(Wo), indexing="ij"), axis=-1).reshape(-1, 2)
    return _ranked(where, x, bt.delta[f].ravel(), int((~inside).sum()))


def z_terms(tr: ConvTrace, layer: int, f: int, p: int, q: int) -> Terms:
    """z[f, p, q] − b[f] as Σ_{c,i,j} W[f, c, i, j] · x_pad[c, s·p + i, s·q + j], one product per tap."""
    bt = conv_block(tr, layer)
    assert bt.padded is not None and bt.W is not None
    k, s = bt.W.shape[2], bt.stride
    patch = bt.padded[:, s * p : s * p + k, s * q : s * q + k]
    H, W = bt.x.shape[1:]
    top, left = bt.pad
    r, col = s * p + np.arange(k), s * q + np.arange(k)
    inside = ((r >= top) & (r < top + H))[:, None] & ((col >= left) & (col < left + W))[None, :]
    where = np.stack(np.meshgrid(*(np.arange(n) for n in patch.shape), indexing="ij"), axis=-1).reshape(-1, 3)
    padded = int((~inside).sum()) * patch.shape[0]
    return _ranked(where, bt.W[f].ravel(), patch.ravel(), padded)


def finite_difference(
    trainer: Trainer[ConvNetwork], layer: int, f: int, c: int, i: int, j: int, h: float = 1e-5
) -> ConvDifference:
    """The central difference (L(w + h) − L(w − h)) / 2h of the next batch's mean loss L with
    respect to W[f, c, i, j] of conv layer `layer`, beside the analytic dW."""
    net, _, x, y = _batch(trainer)
    convs = [w for w in net.weight_layers if isinstance(w, Conv2D)]
    if not 0 <= layer < len(convs):
        raise ValueError(f"layer: {layer} is not a conv layer (0 to {len(convs) - 1})")
    W = convs[layer].params["W"]
    for name, value, size in zip("fcij", (f, c, i, j), W.shape):
        if not 0 <= value < size:
            raise ValueError(f"{name}: {value} is out of range for conv layer {layer}'s W of shape {W.shape}")
    if not h > 0:
        raise ValueError(f"h: the step must be positive, got {h}")
    at = (f, c, i, j)
    with np.errstate(over="ignore", invalid="ignore"):
        net.loss_and_backward(x, y)
        analytic = float(convs[layer].grads["W"][at])
        weight = float(W[at])
        losses = []
        for w in (weight + h, weight - h):
            W[at] = w
            losses.append(float(net.loss.value_and_grad(net.forward(x, training=False), y)[0]))
        W[at] = weight
    estimate = (losses[0] - losses[1]) / (2 * h)
    scale = max(abs(estimate), abs(analytic))
    error = abs(estimate - analytic) / scale if scale > 0 else 0.0
    return ConvDifference(layer, at, weight, h, losses[0], losses[1], estimate, analytic, error)


def _samples(layer: Conv2D | Dense) -> np.ndarray:
    """Each sample's own gradient of W, from the batch's backward pass: n × its share of the mean."""
    if isinstance(layer, Dense):
        n = layer.x.shape[0]
        dense: np.ndarray = n * layer.x[:, :, None] * layer.delta[:, None, :]
        return dense
    n, F = layer.delta.shape[:2]
    rows = layer.delta.transpose(0, 2, 3, 1).reshape(n, -1, F)  # [n, positions, F]
    cols = layer.cols.reshape(n, rows.shape[1], -1)  # [n, positions, C·k·k]
    conv: np.ndarray = n * np.einsum("npf,npk->nfk", rows, cols).reshape(n, *layer.params["W"].shape)
    return conv


def _update(trainer: Trainer[ConvNetwork], net: ConvNetwork) -> UpdateTrace:
    """The step's update, as Trainer.step computes it, after the batch's backward pass on `net`,
    by a copy of the optimizer on copies of the parameters (engine/explain.py's, for a CNN)."""
    opt = copy.deepcopy(trainer.optimizer)
    opt.learning_rate, opt.notes = trainer.scheduled_rate(), {}
    layers = net.weight_layers
    g = trainer.gradients(layers)
    params = []
    for i, layer in enumerate(layers):
        before = {k: copy.deepcopy(opt.state.get((i, k), {})) for k in layer.params}
        after = {k: v.copy() for k, v in layer.params.items()}
        steps = apply_update(opt, i, after, g.applied[i], i in trainer.frozen)
        for k, v in layer.params.items():
            penalty = g.penalty_W[i] if k == "W" and g.penalty_W else None
            # fmt: off
            params.append(ParamUpdate(
                i, k, v.copy(), layer.grads[k].copy(), _samples(layer) if k == "W" else None, penalty,
                g.total[i][k], g.applied[i][k], before[k], copy.deepcopy(opt.state.get((i, k), {})),
                opt.notes.get((i, k), {}), steps[k], after[k],
            ))
            # fmt: on
    grad_norm = float(np.sqrt(sum(float(np.sum(v * v)) for gs in g.total for v in gs.values())))
    settings = {s.name: getattr(opt, s.name) for s in opt.settings} | trainer.settings
    return UpdateTrace(opt.name, opt.learning_rate, settings, trainer.regularizer, g.penalty, trainer.clip,
                       grad_norm, g.clipped, tuple(params))  # fmt: skip
