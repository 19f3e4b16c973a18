"""CNN training throughput in steps per second: conv 8@3×3 (same), 2×2 max pool, conv 16@3×3
(same), 2×2 max pool, dense 10, ReLU, softmax cross-entropy, plain SGD, batch 32, on 8×8 inputs
(the digits) and on 28×28 inputs (MNIST's size; random pixels, as the speed does not depend on
them). The engine's ConvNetwork (float64) against PyTorch eager on the CPU in float64 (checked
to the same weights after the same batches) and float32, one thread each.

Run: python -m benchmarks.cnn_speed [--quick]"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from engine import make_dataset, make_optimizer
from engine.cnn import ConvNetwork
from engine.datasets import one_hot

from .common import LoadMeter, Table, Target, targets_table
from .engine_speed import CHECK_STEPS, peers_available
from .rnn_speed import checked_race, one_thread

BATCH, LEARNING_RATE, SEED, CLASSES = 32, 0.01, 1, 10
BLOCKS: list[dict[str, Any]] = [
    {"kind": "conv", "filters": 8, "kernel": 3},
    {"kind": "max_pool"},
    {"kind": "conv", "filters": 16, "kernel": 3},
    {"kind": "max_pool"},
]
TITLE = "conv 8@3×3, pool, conv 16@3×3, pool, dense 10; ReLU, softmax CE, SGD, batch 32"


def images(side: int) -> tuple[np.ndarray, np.ndarray]:
    if side == 8:
        d = make_dataset("digits", 0, 0.0, 0.9, seed=SEED)
        return d.x_train, one_hot(d.y_train, CLASSES)
    rng = np.random.default_rng(SEED)
    return rng.random((2048, side * side)), one_hot(rng.integers(0, CLASSES, 2048).astype(float), CLASSES)


class Engine:
    def __init__(self, side: int, x: np.ndarray, y: np.ndarray, batches: list[np.ndarray]):
        self.net = ConvNetwork.create((1, side, side), BLOCKS, [], CLASSES, "softmax_ce", np.random.default_rng(SEED))
        self.opt = make_optimizer("sgd", LEARNING_RATE)
        self.x, self.y, self.batches = x, y, batches

    def step(self, i: int) -> None:
        idx = self.batches[i % len(self.batches)]
        self.net.step(self.opt, self.x[idx], self.y[idx])

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return [(layer.params["W"], layer.params["b"]) for layer in self.net.layers if layer.params]


class Torch:
    def __init__(self, side: int, x: np.ndarray, y: np.ndarray, batches: list[np.ndarray], twin: Engine, dtype: str):
        import torch
        from torch import nn

        torch.set_num_threads(1)
        self.torch, t = torch, getattr(torch, dtype)
        self.model = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * (side // 4) ** 2, CLASSES),
        ).to(t)  # fmt: skip
        self.params = list(self.model.parameters())  # W, b of each conv and linear layer, in order
        with torch.no_grad():  # the engine's starting weights (its dense W is [in, out], torch's [out, in])
            ours = [a for W, b in twin.weights() for a in (W if W.ndim == 4 else W.T.copy(), b)]
            for param, value in zip(self.params, ours):
                param.copy_(torch.from_numpy(value))
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LEARNING_RATE)
        self.x = torch.from_numpy(x).to(t).reshape(-1, 1, side, side)
        self.labels = torch.from_numpy(y.argmax(axis=1))
        self.batches = [torch.from_numpy(b.astype(np.int64)) for b in batches]

    def begin(self) -> None:
        self.torch.set_num_threads(1)

    def step(self, i: int) -> None:
        idx = self.batches[i % len(self.batches)]
        self.opt.zero_grad()
        loss = self.torch.nn.functional.cross_entropy(self.model(self.x[idx]), self.labels[idx])
        loss.backward()
        self.opt.step()
        loss.item()  # the engine hands back the loss as a float too

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        values = [p.detach().double().numpy() for p in self.params]
        return [(W if W.ndim == 4 else W.T, b) for W, b in zip(values[::2], values[1::2])]


def compare(side: int, chunk: float, rounds: int, missing: dict[str, str]) -> tuple[Table, list[Target]]:
    x, y = images(side)
    rng = np.random.default_rng(SEED)
    batches = [rng.integers(0, len(x), BATCH) for _ in range(512)]

    def engine() -> Engine:
        return Engine(side, x, y, batches)

    makers: dict[str, Any] = {"engine (float64)": engine}
    if "torch" not in missing:
        for dtype in ("float64", "float32"):
            makers[f"PyTorch eager ({dtype})"] = lambda dtype=dtype: Torch(side, x, y, batches, engine(), dtype)
    rates, diffs = checked_race(makers, engine(), chunk, rounds)
    ours = rates["engine (float64)"].median
    columns = ["", "steps/s", "±%", "this ÷ engine", f"max|ΔW| after {CHECK_STEPS}"]
    table = Table(f"{TITLE}, {side}×{side} inputs", columns)
    for name, r in rates.items():
        table.add(name, r.median, f"{100 * r.spread:.0f}", r.median / ours, f"{diffs[name]:.0e}")
    if "torch" in missing:
        return table, []
    t = rates["PyTorch eager (float64)"].median
    name = f"CNN {side}×{side}: engine within 3× PyTorch's time (float64, 1 thread)"
    return table, [Target(name, f"{ours:,.0f} vs {t:,.0f} steps/s = {t / ours:.2f}× its time", ours * 3 >= t)]


def run(quick: bool = False) -> tuple[list[Table], list[Target]]:
    meter, missing = LoadMeter(), peers_available()
    chunk, rounds = (0.2, 3) if quick else (0.5, 7)
    tables, targets = [], []
    with one_thread():
        for side in (8, 28):
            table, found = compare(side, chunk, rounds, missing)
            tables.append(table)
            targets += found
    tables[-1].notes += [
        f"Steps/s: median of {rounds} interleaved rounds of {chunk:g} s each; ±%: half the interquartile range.",
        "The same starting weights and batches; max|ΔW| compares each with the engine after the same steps "
        "(float32 differs by its rounding). One thread each (threadpoolctl; torch.set_num_threads(1)).",
        *([missing["torch"]] if "torch" in missing else []),
        f"Load while this ran: {meter.report()}.",
    ]
    from . import cnn_vs_mlp  # imports this module's BLOCKS

    return [*tables, cnn_vs_mlp.run(quick)], targets


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cnn_speed", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter rounds")
    tables, targets = run(parser.parse_args(argv).quick)
    for t in tables:
        print(t.render(), end="\n\n")
    print(targets_table(targets).render())


if __name__ == "__main__":
    main()
