"""A run as a PyTorch script, or a Jupyter notebook of the same cells, that rebuilds it step for
step in float64: the engine's data (features applied), initial weights, batch order and dropout
masks are embedded; the network, loss, optimizer, schedule, penalty and clipping are torch's own
where torch has a faithful twin, the engine's rule written out in a few lines where it has not,
and what still differs is said at the script's top. The script imports torch, numpy and the
standard library only. Dense feed-forward runs only: a recurrent or convolutional one is refused."""

from __future__ import annotations

import base64
import textwrap
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from .clipping import CLIPPING
from .datasets import Dataset
from .features import INPUT_FEATURES
from .layers import BN_EPS, BN_MOMENTUM
from .params import values
from .regularizers import REGULARIZERS
from .schedules import SCHEDULES
from .setup import DEFAULTS, SHARED, build
from .torch_twins import CLIP_NORM, FACTORS, LOSS_TWINS, PENALTIES, TWINS, imports, optimizer

LINE = 100  # characters of base64 per line of the script
# The settings entries declare are read from the settings given, so a missing one takes the chosen
# entry's own default (Lion's β₂, not Adam's): the engine's defaults without them.
BASE = {k: v for k, v in DEFAULTS.items() if not any(k in declared for declared in SHARED.values())}


def feature_names(settings: Mapping[str, Any], data: Dataset) -> list[str]:
    """The chosen features that apply to the data (none for images), else the first that does."""
    allowed = INPUT_FEATURES[data.inputs]
    kept = [f for f in settings.get("features", ["x1", "x2"]) if f in allowed]
    return kept or list(allowed[:1])


def torch_script(settings: Mapping[str, Any], data: Any, steps: int, features: list[str] | None = None) -> str:
    """The script that rebuilds the first `steps` steps of the run `settings` makes on `data`
    (engine.setup.build's settings; `features` default to the settings' own) and prints each step's loss."""
    doc, cells = _cells(settings, data, steps, features)
    return '"""' + doc + '"""\n\n' + "\n\n\n".join(cells)


def notebook(settings: Mapping[str, Any], data: Any, steps: int, features: list[str] | None = None) -> dict[str, Any]:
    """The same as a Jupyter notebook (nbformat 4): the script's docstring as its first, markdown, cell."""
    doc, cells = _cells(settings, data, steps, features)
    out = [_cell("markdown", doc, 0)] + [_cell("code", c, i + 1) for i, c in enumerate(cells)]
    meta = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
    return {"cells": out, "metadata": {**meta, "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}


def _cell(kind: str, text: str, i: int) -> dict[str, Any]:
    lines = text.strip("\n").splitlines(keepends=True)
    cell: dict[str, Any] = {"cell_type": kind, "id": f"cell-{i}", "metadata": {}, "source": lines}
    return cell | ({"execution_count": None, "outputs": []} if kind == "code" else {})


def _cells(settings: Mapping[str, Any], data: Any, steps: int, features: list[str] | None) -> tuple[str, list[str]]:
    if not isinstance(data, Dataset):
        raise ValueError("recurrent networks are not exported to PyTorch yet; only feed-forward runs are")
    if settings.get("conv") and data.inputs == "image":  # the script would rebuild the dense layers alone
        raise ValueError("convolutional networks are not exported to PyTorch yet; only dense ones are")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a whole number of at least 1, not {steps!r}")
    s = {**BASE, **settings}
    feats = feature_names(settings, data) if features is None else features
    run = _record(s, data, steps, feats)
    cells = [imports(), _data(s, data, run), _model(s, data, run), *_training(s, data, len(run["masks"]))]
    return _doc(s, data, steps, feats, run), cells


def _record(s: dict[str, Any], data: Dataset, steps: int, feats: list[str]) -> dict[str, Any]:
    """The engine's run: its inputs, initial weights, each step's batch, dropout masks and loss."""
    trainer = build(s, data, feats)
    net = trainer.network
    initial = [(layer.params["W"].copy(), layer.params["b"].copy()) for layer in net.layers]
    batches, losses, masks = [], [], []
    for _ in range(steps):
        batches.append(trainer.peek_batch())
        losses.append(trainer.step(record=False).loss)
        if s["dropout"] > 0:
            masks.append([layer.mask > 0 for layer in net.hidden if layer.mask is not None])
    per_layer = [np.stack([m[i] for m in masks]) for i in range(len(net.hidden))] if masks else []
    return {
        "x": (trainer.x_train, trainer.x_test),
        "initial": initial,
        "batches": np.array(batches, dtype=np.int32),
        "losses": np.array(losses),
        "masks": per_layer,
        "sizes": [initial[0][0].shape[0], *(b.size for _, b in initial)],
        "activations": [layer.activation.name for layer in net.hidden],
    }


def _doc(s: dict[str, Any], data: Dataset, steps: int, feats: list[str], run: dict[str, Any]) -> str:
    acts = sorted(set(run["activations"]))
    extras = [name for name in ("batch_norm", "residual") if s[name]] + (
        [f"dropout {s['dropout']}"] * bool(run["masks"])
    )
    training = [f"{s['optimizer']} at {s['learning_rate']}", f"batch {s['batch_size']}"]
    training += [f"{s[k]} {k}" for k in ("schedule", "clip", "regularization") if s[k] not in ("constant", "none")]
    differs = _differs(s, run)
    return "\n".join(
        [
            f"Backprop Lab's run rebuilt in PyTorch: {data.name} ({data.problem}), {steps} steps, in float64.",
            "",
            *textwrap.wrap(
                f"Network: {' -> '.join(map(str, run['sizes']))} ({', '.join(acts) or 'no hidden layer'}"
                f"{''.join(', ' + e for e in extras)}), {s['initializer']} weights from seed {s['seed']}; "
                f"inputs {', '.join(feats) or 'the pixels'}. Training: {', '.join(training)}.",
                100,
            ),
            "The data, initial weights, batch order (and dropout masks) are the engine's, embedded. The settings",
            "are the run's as they are now: one changed during the run applies here from the first step.",
            "Each step prints its loss beside the engine's. Needs torch and numpy: python this_file.py",
            "",
            "Differs from the run:" + (" nothing." if not differs else ""),
            *(line for d in differs for line in textwrap.wrap(d, 100, initial_indent="- ", subsequent_indent="  ")),
        ]
    )


def _differs(s: dict[str, Any], run: dict[str, Any]) -> list[str]:
    out = []
    if s["batch_norm"] and s["hidden"]:
        out.append(
            "evaluation with batch norm: torch's running variance keeps the unbiased batch variance, the engine's "
            "the biased one (the training steps are the same); and torch refuses a batch of one."
        )
    if "softplus" in run["activations"]:
        out.append("softplus: torch's is linear past 20, the engine's exact (a difference below 2e-9).")
    if s.get("compare"):
        out.append(f"the comparison: this is run A only; run B differs in {s['compare']['field']}.")
    if s["early_stopping"]:
        out.append("early stopping: the page pauses once the test loss stops improving; this trains every step.")
    return out


def _pack(name: str, a: np.ndarray) -> str:
    """`name = unpack(...)`: floats as float32 when that loses nothing (the digits' pixels), indices
    as 16 bits when they fit, bools as bytes."""
    if a.dtype.kind == "f" and np.array_equal(a.astype(np.float32), a):
        a = a.astype(np.float32)
    elif a.dtype.kind in "iu" and a.size and 0 <= a.min() and a.max() < 2**16:
        a = a.astype(np.uint16)
    a = np.ascontiguousarray(a.astype(np.uint8) if a.dtype == bool else a)
    text = base64.b64encode(zlib.compress(a.tobytes(), 9)).decode()
    lines = "".join(f'    "{text[i : i + LINE]}"\n' for i in range(0, len(text), LINE)) or '    ""\n'
    return f"{name} = unpack(\n    {a.dtype.str!r}, {a.shape},\n{lines})"


def _data(s: dict[str, Any], data: Dataset, run: dict[str, Any]) -> str:
    x_train, x_test = run["x"]
    out = [
        "# The inputs the engine trained on (features applied), and the labels or targets.",
        _pack("X_TRAIN", x_train),
        _pack("Y_TRAIN", data.y_train),
        _pack("X_TEST", x_test),
        _pack("Y_TEST", data.y_test),
    ]
    if data.problem == "multiclass":
        out.append("Y_TRAIN, Y_TEST = Y_TRAIN.long(), Y_TEST.long()  # class indices")
    else:
        out.append("Y_TRAIN, Y_TEST = Y_TRAIN[:, None], Y_TEST[:, None]  # a column, as the one output")
    out.append(f"# The initial weights the engine drew ({s['initializer']}, seed {s['seed']}): W [inputs, units], b.")
    for i, (W, b) in enumerate(run["initial"]):
        out += [_pack(f"W{i}", W), _pack(f"B{i}", b)]
    out += [
        "# Each step's batch: indices into X_TRAIN, in the engine's shuffled order.",
        _pack("BATCHES", run["batches"]),
        "# The engine's loss at each step, to compare with.",
        _pack("ENGINE_LOSSES", run["losses"]),
    ]
    if run["masks"]:
        out.append(f"# Dropout ({s['dropout']}): the units each step kept, per hidden layer, as the engine drew them.")
        out += [_pack(f"KEEP{i}", m) for i, m in enumerate(run["masks"])]
    return "\n".join(out)


def _model(s: dict[str, Any], data: Dataset, run: dict[str, Any]) -> str:
    sizes, acts = run["sizes"], run["activations"]
    initial = ", ".join(f"(W{i}, B{i})" for i in range(len(sizes) - 1))
    apply = "act(norm(linear(x)))" if s["batch_norm"] else "act(linear(x))"
    forward = [
        "    def forward(self, x, keep=()):",
        "        for i, (linear, norm, act) in enumerate(zip(self.linears, self.norms, self.activations)):"
        if s["batch_norm"]
        else "        for i, (linear, act) in enumerate(zip(self.linears, self.activations)):",
        f"            h = {apply}",
    ]
    if run["masks"]:
        forward.append(f"            h = h * (keep[i] / (1 - {s['dropout']!r})) if keep else h  # inverted dropout")
    if s["residual"]:
        forward.append("            x = h + x if i > 0 and h.shape == x.shape else h  # the residual skip")
    else:
        forward.append("            x = h")
    forward.append("        return self.linears[-1](x)  # logits: the loss applies the output's link")
    norms = (
        f"        self.norms = nn.ModuleList([nn.BatchNorm1d(n, eps={BN_EPS}, momentum={1 - BN_MOMENTUM:.12g}) "
        "for n in SIZES[1:-1]])"
    )
    return "\n".join(
        [
            f"SIZES = {sizes}",
            "",
            "",
            "class Net(nn.Module):",
            '    """The engine\'s network: per hidden layer Linear, [BatchNorm1d], activation, [dropout], [skip];',
            '    a linear output layer."""',
            "",
            "    def __init__(self):",
            "        super().__init__()",
            "        self.linears = nn.ModuleList([nn.Linear(a, b) for a, b in zip(SIZES[:-1], SIZES[1:])])",
            *([norms] if s["batch_norm"] else []),
            f"        self.activations = nn.ModuleList([{', '.join(TWINS[a] for a in acts)}])",
            "",
            *forward,
            "",
            "",
            "model = Net()",
            "with torch.no_grad():  # nn.Linear keeps W transposed: [units, inputs]",
            f"    for linear, (W, b) in zip(model.linears, [{initial}]):",
            "        linear.weight.copy_(W.T)",
            "        linear.bias.copy_(b)",
            "# The engine's W: the penalty and the weight decay concern these only.",
            "weights = [linear.weight for linear in model.linears]",
            "rest = [p for p in model.parameters() if all(p is not w for w in weights)]  # biases, batch norm's γ, β",
        ]
    )


def _training(s: dict[str, Any], data: Dataset, n_masks: int) -> list[str]:
    out = [f"def loss_fn(logits, y):\n    return {LOSS_TWINS[data.problem]}", *optimizer(s)]
    if s["schedule"] != "constant":
        given = values(SCHEDULES[s["schedule"]].settings, s)
        out += [
            "\n".join(
                [
                    f"PERIOD = {max(1, int(given['schedule_period']))}",
                    *(
                        f"{k.removeprefix('schedule_').upper()} = {v!r}"
                        for k, v in given.items()
                        if k != "schedule_period"
                    ),
                ]
            ),
            f"def factor(t):\n    {FACTORS[s['schedule']]}",
            "schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, factor)  # the base rate times factor(step)",
        ]
    rate = REGULARIZERS[s["regularization"]].rate(s)
    keep = ", ".join(f"KEEP{i}[step]" for i in range(n_masks))
    loop = [
        "worst = 0.0  # the largest relative difference from the engine's loss",
        "for step in range(len(BATCHES)):",
        "    idx = BATCHES[step]",
        "    optimizer.zero_grad()",
        f"    loss = loss_fn(model(X_TRAIN[idx], [{keep}]), Y_TRAIN[idx])"
        if keep
        else "    loss = loss_fn(model(X_TRAIN[idx]), Y_TRAIN[idx])",
    ]
    if rate > 0:
        term = PENALTIES[s["regularization"]]
        loop += [
            f"    penalty = {rate!r} * sum({term} for w in weights)  # {s['regularization']}, on the weights only",
            "    (loss + penalty).backward()",
        ]
    else:
        loop.append("    loss.backward()")
    limit = values(CLIPPING[s["clip"]].settings, s).get("clip_threshold")
    if s["clip"] == "norm":
        out.append(CLIP_NORM)
        loop.append(f"    clip_global_norm(list(model.parameters()), {limit!r})")
    elif s["clip"] == "value":
        loop.append(f"    torch.nn.utils.clip_grad_value_(model.parameters(), {limit!r})  # each element to ±limit")
    loop += [
        "    optimizer.step()",
        *(["    schedule.step()"] if s["schedule"] != "constant" else []),
        "    engine = ENGINE_LOSSES[step].item()",
        "    worst = max(worst, abs(loss.item() - engine) / max(abs(engine), 1e-300))",
        '    print(f"step {step + 1} loss {loss.item():.17g} engine {engine:.17g}")',
        'print(f"largest relative difference from the engine\'s losses: {worst:.3g}")',
        "model.eval()",
        "with torch.no_grad():",
        '    print(f"test loss {loss_fn(model(X_TEST), Y_TEST).item():.6g}")',
    ]
    return ["\n\n\n".join(block.strip("\n") for block in out), "\n".join(loop)]
