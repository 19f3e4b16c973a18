"""BPTT throughput in steps per second: a 1-32-1 tanh RNN over 50 time steps, batch 16, read
out at every step, half mean squared error, plain SGD, on the noisy-sine task. The engine's
RecurrentTrainer, without and with its full record, against PyTorch's nn.RNN + nn.Linear
eager on the CPU, all float64, from the same weights over the same batches, on one thread each
(torch.set_num_threads(1), and NumPy's BLAS limited to one thread through threadpoolctl).

Run: python -m benchmarks.rnn_speed [--quick] [--profile]"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import pstats
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import make_optimizer
from engine.bptt import RecurrentNetwork
from engine.recurrent_trainer import RecurrentTrainer
from engine.sequences import SequenceData, make_sequences

from .common import LoadMeter, Table, Target, interleaved, targets_table
from .engine_speed import CHECK_STEPS, max_weight_diff, peers_available

UNITS, LENGTH, BATCH, LEARNING_RATE, SEED = 32, 50, 16, 0.01, 1
TITLE = f"1-{UNITS}-1 tanh RNN, {LENGTH} time steps, batch {BATCH}, readout at every step, MSE, plain SGD"


@dataclass
class Problem:
    data: SequenceData
    batches: list[np.ndarray]  # the engine's own shuffled order
    weights: dict[str, np.ndarray]  # starting Wx [1, H], Wh [H, H], b [H], W [H, 1], c [1]


def trainer(data: SequenceData) -> RecurrentTrainer:
    rng = np.random.default_rng(SEED)
    net = RecurrentNetwork.create(1, UNITS, 1, data.loss, rng, readout="every")
    return RecurrentTrainer(net, make_optimizer("sgd", LEARNING_RATE), data, BATCH, rng)


def problem(n_batches: int = 4096) -> Problem:
    data = make_sequences("wave", seed=SEED, samples=2048, length=LENGTH, noise=0.05)
    twin = trainer(data)  # same seed: same weights and batch order as every engine here
    batches = [twin._next_batch().copy() for _ in range(n_batches)]
    cell, out = twin.network.cell.params, twin.network.output.params
    weights = {k: v.copy() for k, v in cell.items()} | {"W": out["W"].copy(), "c": out["b"].copy()}
    return Problem(data, batches, weights)


class Engine:
    def __init__(self, p: Problem, record: bool):
        self.trainer, self.record = trainer(p.data), record

    def step(self, i: int) -> None:
        self.trainer.step(record=self.record)

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        cell, out = self.trainer.network.cell.params, self.trainer.network.output.params
        return [(cell["Wx"], cell["b"]), (cell["Wh"], cell["b"]), (out["W"], out["b"])]


class Torch:
    """nn.RNN's second bias (bias_hh) held at 0, so that it has the engine's one bias."""

    def __init__(self, p: Problem):
        import torch
        from torch import nn

        torch.set_num_threads(1)
        self.torch = torch
        w = {k: torch.from_numpy(v.T.copy()) for k, v in p.weights.items()}
        self.rnn = nn.RNN(1, UNITS, batch_first=True, dtype=torch.float64)
        self.out = nn.Linear(UNITS, 1, dtype=torch.float64)
        # by name: nn.RNN's parameters are attributes mypy cannot see
        self.params = dict(self.rnn.named_parameters()) | {"W": self.out.weight, "c": self.out.bias}
        with torch.no_grad():
            for name, key in (
                ("weight_ih_l0", "Wx"),
                ("weight_hh_l0", "Wh"),
                ("bias_ih_l0", "b"),
                ("W", "W"),
                ("c", "c"),
            ):
                self.params[name].copy_(w[key])
            self.params["bias_hh_l0"].zero_()
        self.params["bias_hh_l0"].requires_grad_(False)
        params = [p for p in self.params.values() if p.requires_grad]
        self.opt = torch.optim.SGD(params, lr=LEARNING_RATE)
        self.x, self.y = torch.from_numpy(p.data.x_train), torch.from_numpy(p.data.y_train)
        self.batches = [torch.from_numpy(b.astype(np.int64)) for b in p.batches]
        self.loss = 0.0

    def begin(self) -> None:
        self.torch.set_num_threads(1)

    def step(self, i: int) -> None:
        idx = self.batches[i % len(self.batches)]
        self.opt.zero_grad()
        h, _ = self.rnn(self.x[idx])
        loss = 0.5 * ((self.out(h) - self.y[idx]) ** 2).mean()  # the engine's "mse": half the mean square
        loss.backward()
        self.opt.step()
        self.loss = loss.item()  # the engine hands back the batch loss as a float too

    def weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        w = {k: v.detach().numpy() for k, v in self.params.items()}
        b = w["bias_ih_l0"]
        return [(w["weight_ih_l0"].T, b), (w["weight_hh_l0"].T, b), (w["W"].T, w["c"])]


def one_thread() -> contextlib.AbstractContextManager[Any]:
    """NumPy's BLAS on one thread, as PyTorch is given; a no-op (said in the notes) without threadpoolctl."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1, "blas")


def checked_race(makers: dict[str, Any], reference: Any, chunk: float, rounds: int) -> tuple[dict, dict]:
    """Each contestant's max|ΔW| against `reference` after CHECK_STEPS steps from the same start
    (they run the same computation), then steps/s from interleaved rounds of fresh contestants."""
    for i in range(CHECK_STEPS):
        reference.step(i)
    diffs = {}
    for name, make in makers.items():
        c = make()
        for i in range(CHECK_STEPS):
            c.step(i)
        diffs[name] = max_weight_diff(c.weights(), reference.weights())
    contestants = {name: make() for name, make in makers.items()}
    rates = interleaved(
        {k: c.step for k, c in contestants.items()},
        chunk,
        rounds,
        before={k: getattr(c, "begin", lambda: None) for k, c in contestants.items()},
    )
    return rates, diffs


def run(quick: bool = False) -> tuple[list[Table], list[Target]]:
    meter = LoadMeter()
    missing = peers_available()
    chunk, rounds = (0.2, 3) if quick else (0.5, 7)
    with one_thread():
        p = problem()
        makers: dict[str, Any] = {
            "engine, record off": lambda: Engine(p, False),
            "engine, full record": lambda: Engine(p, True),
        }
        if "torch" not in missing:
            makers["PyTorch nn.RNN, 1 thread"] = lambda: Torch(p)
        rates, diffs = checked_race(makers, Engine(p, False), chunk, rounds)
    full = rates["engine, full record"].median
    table = Table(TITLE, ["", "steps/s", "±%", "full record ÷ this", f"max|ΔW| after {CHECK_STEPS}"])
    for name, r in rates.items():
        table.add(name, r.median, f"{100 * r.spread:.0f}", full / r.median, f"{diffs[name]:.0e}")
    table.notes += [
        f"Steps/s: median of {rounds} interleaved rounds of {chunk:g} s each; ±%: half the interquartile range.",
        "All float64, from the same starting weights over the same batches; one thread each (NumPy's BLAS "
        "through threadpoolctl, PyTorch through torch.set_num_threads(1)).",
        "'full record ÷ this' > 1: the engine with its full record is that many times faster.",
        *([missing["torch"]] if "torch" in missing else []),
        f"Load while this ran: {meter.report()}.",
    ]
    name = "RNN: engine, full record >= PyTorch nn.RNN (1 thread each)"
    if "torch" in missing:
        return [table], [Target(name, "PyTorch not installed", None)]
    t = rates["PyTorch nn.RNN, 1 thread"].median
    target = Target(
        name,
        f"{full:,.0f} vs {t:,.0f} steps/s = {full / t:.2f}x",
        full >= t,
    )
    return [table], [target]


def profile(steps: int = 2000, top: int = 20) -> str:
    """cProfile of RecurrentTrainer.step with and without the record: where BPTT's time goes."""
    p = problem(n_batches=1)
    out = io.StringIO()
    with one_thread():
        for record in (False, True):
            engine = Engine(p, record)
            prof = cProfile.Profile()
            prof.enable()
            for i in range(steps):
                engine.step(i)
            prof.disable()
            out.write(f"\n== {TITLE}: {steps} x RecurrentTrainer.step(record={record}) ==\n")
            pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.rnn_speed", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter rounds")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of RecurrentTrainer.step instead")
    args = parser.parse_args(argv)
    if args.profile:
        print(profile())
        return
    tables, targets = run(args.quick)
    for t in tables:
        print(t.render(), end="\n\n")
    print(targets_table(targets).render())


if __name__ == "__main__":
    main()
