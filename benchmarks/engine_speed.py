"""Engine throughput in steps per second, side by side in one process on identical
networks, starting weights, batches and data: a bare NumPy loop of the same arithmetic,
the engine without and with its full per-step record, PyTorch eager on the CPU and
scikit-learn's MLPClassifier stepped with partial_fit (both optional: `pip install
'.[bench]'`; the table says when one is missing).

Threads are compared like for like: the NumPy rows run with NumPy's BLAS thread count,
PyTorch with that many and with one, and the engine once more on one thread, each row
setting its own count before its turns (threadpoolctl, which scikit-learn brings).

Run: python -m benchmarks.engine_speed [--quick] [--profile]"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import functools
import io
import pstats
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from engine import Dataset, make_dataset, setup

from .common import LoadMeter, Rate, Table, Target, blas_threads, interleaved, machine

CHECK_STEPS = 20  # steps after which every contestant's weights are compared with the engine's


@dataclass(frozen=True)
class Spec:
    key: str
    title: str
    hidden: tuple[int, ...]
    activation: str
    batch: int
    learning_rate: float
    # Sleep before each contestant's turn: multithreaded BLAS and OpenMP workers keep
    # spinning a while after a big product and would steal the next contestant's CPUs.
    settle: float = 0.02

    def settings(self) -> dict:
        return {
            "hidden": list(self.hidden),
            "activation": self.activation,
            "batch_size": self.batch,
            "learning_rate": self.learning_rate,
            "optimizer": "sgd",
            "momentum": 0.0,
            "seed": 1,
            "initializer": "xavier" if self.activation == "tanh" else "he",
        }


SPECS = [
    Spec("2-8-8-1", "2-8-8-1 tanh, circle (250 training points), batch 10", (8, 8), "tanh", 10, 0.03),
    Spec("2-8x8-1", "2-8×8-1 tanh (8 hidden layers of 8), circle, batch 10", (8,) * 8, "tanh", 10, 0.03),
    Spec(
        "64-128-64-10", "64-128-64-10 ReLU, UCI digits (1,437 training images), batch 32", (128, 64), "relu", 32, 0.01
    ),
    Spec(
        "784-256-256-10",
        "784-256-256-10 ReLU, random MNIST-shaped data (10,000 uniform [0,1) images of 784 "
        "pixels, random labels 0-9), batch 128",
        (256, 256),
        "relu",
        128,
        0.01,
        settle=0.2,
    ),
]


def dataset(spec: Spec) -> tuple[Dataset, list[str]]:
    if spec.key.startswith("2-"):
        return make_dataset("circle", 500, 0.0, 0.5, seed=1), ["x1", "x2"]
    if spec.key.startswith("64-"):
        return make_dataset("digits", 0, 0.0, 0.8, seed=1), []
    rng = np.random.default_rng(7)
    x_train, x_test = rng.random((10_000, 784)), rng.random((1_000, 784))
    y_train, y_test = rng.integers(0, 10, 10_000).astype(float), rng.integers(0, 10, 1_000).astype(float)
    return Dataset(
        "random_mnist",
        "multiclass",
        x_train,
        y_train,
        x_test,
        y_test,
        inputs="image",
        classes=10,
        image_shape=(28, 28),
        class_labels=tuple(str(i) for i in range(10)),
    ), []


@dataclass
class Problem:
    """What every contestant shares: inputs, targets, the batch sequence, starting weights."""

    spec: Spec
    data: Dataset
    features: list[str]
    x: np.ndarray  # [n, d] network inputs
    targets: np.ndarray  # [n, 1] 0/1 or [n, K] one-hot: what the engine's loss compares with
    labels: np.ndarray  # [n] class labels
    batches: list[np.ndarray]  # index arrays: the engine's own shuffled order
    weights: list[tuple[np.ndarray, np.ndarray]]  # starting W [n_in, n_out], b [n_out] per layer

    @property
    def binary(self) -> bool:
        return self.data.problem == "classification"


def problem(spec: Spec, n_batches: int = 4096) -> Problem:
    data, feats = dataset(spec)
    twin = setup.build(spec.settings(), data, feats)  # same seed: same weights and batch order as every engine here
    batches = [twin._next_batch().copy() for _ in range(n_batches)]
    weights = [(layer.params["W"].copy(), layer.params["b"].copy()) for layer in twin.network.layers]
    return Problem(spec, data, feats, twin.x_train, twin.y_train, data.y_train, batches, weights)


# -- contestants: each has step(i) (one SGD step on batch i) and weights() -----------------------


class Engine:
    def __init__(self, p: Problem, record: bool):
        self.trainer = setup.build(p.spec.settings(), p.data, p.features)
        self.record = record

    def step(self, i: int) -> None:
        self.trainer.step(record=self.record)

    def weights(self):
        return [(layer.params["W"], layer.params["b"]) for layer in self.trainer.network.layers]


class ServerRun:
    """The engine stepped as the server steps a session: the full record, every gradient-health
    diagnostic, the bounded history (the losses over the whole sets wait for a frame)."""

    def __init__(self, p: Problem):
        from server.run import Run
        from server.settings import Settings
        from server.views import View

        settings = Settings()
        config = {**setup.DEFAULTS, **p.spec.settings()}
        self.run = Run(config, p.data, View(p.data, p.features, settings, list(p.spec.hidden)), settings)

    def step(self, i: int) -> None:
        rec = self.run.step()
        if rec is not None:
            self.run.commit(rec)

    def weights(self):
        return [(layer.params["W"], layer.params["b"]) for layer in self.run.trainer.network.layers]


class BareLoop:
    """The same forward pass, loss, backward pass and plain SGD update, written straight
    in NumPy: nothing recorded, no options."""

    def __init__(self, p: Problem):
        self.x, self.y, self.batches, self.binary = p.x, p.targets, p.batches, p.binary
        self.Ws = [W.copy() for W, _ in p.weights]
        self.bs = [b.copy() for _, b in p.weights]
        self.lr, self.relu = p.spec.learning_rate, p.spec.activation == "relu"
        self.loss = 0.0

    def step(self, i: int) -> None:
        idx = self.batches[i % len(self.batches)]
        xb, yb = self.x[idx], self.y[idx]
        Ws, bs, n, lr = self.Ws, self.bs, len(idx), self.lr
        acts = [xb]
        for W, b in zip(Ws[:-1], bs[:-1]):
            z = acts[-1] @ W + b
            acts.append(np.maximum(z, 0.0) if self.relu else np.tanh(z))
        z = acts[-1] @ Ws[-1] + bs[-1]
        if self.binary:
            self.loss = float(np.sum(np.logaddexp(0.0, z) - yb * z) / n)
            delta = (1.0 / (1.0 + np.exp(-z)) - yb) / n
        else:
            shifted = z - z.max(axis=1, keepdims=True)
            e = np.exp(shifted)
            s = e.sum(axis=1, keepdims=True)
            self.loss = float(np.sum(np.log(s[:, 0]) - (shifted * yb).sum(axis=1)) / n)
            delta = (e / s - yb) / n
        for k in range(len(Ws) - 1, -1, -1):
            dW, db = acts[k].T @ delta, delta.sum(axis=0)
            if k:
                a = acts[k]
                delta = (delta @ Ws[k].T) * ((a > 0) if self.relu else (1.0 - a * a))
            Ws[k] -= lr * dW
            bs[k] -= lr * db

    def weights(self):
        return list(zip(self.Ws, self.bs))


class Torch:
    def __init__(self, p: Problem, threads: int):
        import torch
        from torch import nn

        self.threads = threads
        torch.set_num_threads(threads)
        self.torch = torch
        mods: list[nn.Module] = []
        for k, (W, b) in enumerate(p.weights):
            lin = nn.Linear(W.shape[0], W.shape[1], dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W.T.copy()))
                lin.bias.copy_(torch.from_numpy(b))
            mods.append(lin)
            if k < len(p.weights) - 1:
                mods.append(nn.ReLU() if p.spec.activation == "relu" else nn.Tanh())
        self.model = nn.Sequential(*mods)
        self.loss_fn = nn.BCEWithLogitsLoss() if p.binary else nn.CrossEntropyLoss()
        self.opt = torch.optim.SGD(self.model.parameters(), lr=p.spec.learning_rate)
        self.x = torch.from_numpy(p.x)
        self.y = torch.from_numpy(p.targets) if p.binary else torch.from_numpy(p.labels.astype(np.int64))
        self.batches = [torch.from_numpy(b.astype(np.int64)) for b in p.batches]
        self.loss = 0.0

    def begin(self) -> None:
        self.torch.set_num_threads(self.threads)  # a process-wide setting: two PyTorch rows take turns

    def step(self, i: int) -> None:
        idx = self.batches[i % len(self.batches)]
        self.opt.zero_grad()
        loss = self.loss_fn(self.model(self.x[idx]), self.y[idx])
        loss.backward()
        self.opt.step()
        self.loss = loss.item()  # the engine hands back the batch loss as a float too

    def weights(self):
        lins = [m for m in self.model if hasattr(m, "weight")]
        return [(m.weight.detach().numpy().T, m.bias.detach().numpy()) for m in lins]


class Sklearn:
    def __init__(self, p: Problem):
        from sklearn.neural_network import MLPClassifier

        self.clf = MLPClassifier(
            hidden_layer_sizes=p.spec.hidden,
            activation=p.spec.activation,
            solver="sgd",
            batch_size=p.spec.batch,
            learning_rate="constant",
            learning_rate_init=p.spec.learning_rate,
            momentum=0.0,
            nesterovs_momentum=False,
            alpha=0.0,
            shuffle=False,
            max_iter=1,
            random_state=0,
        )
        self.x, self.labels, self.batches = p.x, p.labels, p.batches
        first = p.batches[0]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.clf.partial_fit(p.x[first], p.labels[first], classes=np.unique(p.labels))  # builds the layers
        for k, (W, b) in enumerate(p.weights):  # in place: its optimizer holds these very arrays
            self.clf.coefs_[k][...] = W
            self.clf.intercepts_[k][...] = b

    def step(self, i: int) -> None:
        idx = self.batches[i % len(self.batches)]
        self.clf.partial_fit(self.x[idx], self.labels[idx])

    def weights(self):
        return list(zip(self.clf.coefs_, self.clf.intercepts_))


# -- running -----------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    make: Callable[[], Any] | None  # a contestant: step(i), weights(), maybe begin()
    missing: str = ""  # why it could not run
    blas: int | None = None  # NumPy's BLAS threads during its turns (None: left as they are)


def blas_setter() -> Callable[[int], None] | None:
    """Sets NumPy's BLAS thread count from then on (threadpoolctl, which scikit-learn brings);
    None without it. Lets NumPy contestants with different thread counts take turns in one process."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    controller = ThreadpoolController()

    def set_threads(n: int) -> None:
        controller.limit(limits=n, user_api="blas")

    return set_threads


def thread_label(n: int) -> str:
    return f"{n} thread{'s' * (n > 1)}"


def peers_available() -> dict[str, str]:
    """Missing optional peers, with the reason."""
    out = {}
    try:
        import torch  # noqa: F401
    except Exception as e:  # ImportError, or a CUDA library the wheel wants
        out["torch"] = f"PyTorch not installed ({type(e).__name__}: {str(e)[:60]}); pip install '.[bench]'"
    try:
        import sklearn  # noqa: F401
    except ImportError:
        out["sklearn"] = "scikit-learn not installed; pip install '.[bench]'"
    return out


def max_weight_diff(a, b) -> float:
    return max(
        max(
            float(np.max(np.abs(np.asarray(Wa) - np.asarray(Wb)))),
            float(np.max(np.abs(np.asarray(ba) - np.asarray(bb)))),
        )
        for (Wa, ba), (Wb, bb) in zip(a, b)
    )


def bench_network(
    spec: Spec, chunk: float, rounds: int, missing: dict[str, str], threads: int, server_row: bool
) -> tuple[Table, dict[str, float]]:
    p = problem(spec)
    set_blas = blas_setter()
    rows = [
        Row("bare NumPy loop", lambda: BareLoop(p), blas=threads),
        Row("engine, record off", lambda: Engine(p, False), blas=threads),
        Row("engine, full record", lambda: Engine(p, True), blas=threads),
    ]
    if threads > 1:  # the same engine on one thread, to compare with PyTorch on one
        one = "engine, full record, 1 thread"
        if set_blas is None:
            rows.append(Row(one, None, "threadpoolctl not installed: NumPy's BLAS threads cannot be set per row"))
        else:
            rows.append(Row(one, lambda: Engine(p, True), blas=1))
    if server_row:
        rows.append(Row("engine + server's per-step work", lambda: ServerRun(p), blas=threads))
    if "torch" in missing:
        rows.append(Row("PyTorch eager", None, missing["torch"]))
    else:
        for n in dict.fromkeys([threads, 1]):  # NumPy's BLAS thread count, and one thread
            rows.append(Row(f"PyTorch eager, {thread_label(n)}", functools.partial(Torch, p, n)))
    rows.append(
        Row(
            "sklearn MLP partial_fit",
            (lambda: Sklearn(p)) if "sklearn" not in missing else None,
            missing.get("sklearn", ""),
            blas=threads,
        )
    )

    def before(row: Row, c: Any) -> Callable[[], None]:
        """What runs untimed before each of the row's turns: its BLAS threads, its own begin()."""

        def begin() -> None:
            if set_blas is not None and row.blas is not None:
                set_blas(row.blas)
            getattr(c, "begin", lambda: None)()

        return begin

    # Same arithmetic: from the same weights over the same first batches, every
    # contestant must end where the engine does.
    diffs: dict[str, float] = {}
    reference = Engine(p, False)
    for i in range(CHECK_STEPS):
        reference.step(i)
    for row in rows:
        if row.make is None:
            continue
        c = row.make()
        before(row, c)()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for i in range(CHECK_STEPS):
                c.step(i)
        diffs[row.name] = max_weight_diff(c.weights(), reference.weights())

    contestants = {row.name: (row, row.make()) for row in rows if row.make is not None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rates: dict[str, Rate] = interleaved(
            {k: c.step for k, (_, c) in contestants.items()},
            chunk,
            rounds,
            before={k: before(row, c) for k, (row, c) in contestants.items()},
            settle=spec.settle,
        )
    if set_blas is not None:
        set_blas(threads)
    bare, full = rates["bare NumPy loop"].median, rates["engine, full record"].median
    table = Table(spec.title, ["", "steps/s", "±%", "vs bare", "full record ÷ this", f"max|ΔW| after {CHECK_STEPS}"])
    for row in rows:
        if row.name not in rates:
            table.add(row.name, "not installed")
            if row.missing not in missing.values():
                table.notes.append(row.missing)
            continue
        r = rates[row.name]
        table.add(
            row.name, r.median, f"{100 * r.spread:.0f}", r.median / bare, full / r.median, f"{diffs[row.name]:.0e}"
        )
    figures = {row.name: rates[row.name].median for row in rows if row.name in rates}
    return table, figures


def run(quick: bool = False, threads: int | None = None) -> tuple[list[Table], list[Target]]:
    """`threads`: limit NumPy's BLAS to that many threads (threadpoolctl) and give PyTorch
    as many; by default both use NumPy's BLAS thread count."""
    limit = contextlib.nullcontext()
    if threads is not None:
        from threadpoolctl import threadpool_limits

        limit = threadpool_limits(threads, "blas")
    with limit:
        return _run(quick)


def _run(quick: bool) -> tuple[list[Table], list[Target]]:
    meter = LoadMeter()
    threads, blas = blas_threads()
    missing = peers_available()
    chunk, rounds = (0.06, 3) if quick else (0.15, 9)
    tables, results = [], {}
    for spec in SPECS:
        table, figures = bench_network(spec, chunk, rounds, missing, threads, server_row=spec.key == "2-8-8-1")
        tables.append(table)
        results[spec.key] = figures
    notes = [
        f"Steps/s: median of {rounds} interleaved rounds of {chunk:g} s each; ±%: half the interquartile range.",
        "All float64, plain SGD (no momentum), the same learning rate, starting weights and batch sequence "
        "(the engine's shuffled order), mean loss over the batch: sigmoid+BCE (1 output) or softmax+CE.",
        f"PyTorch runs with torch.set_num_threads({threads}), the thread count of NumPy's {blas}"
        + (
            "; and with one thread, as is the engine in its own row: the 784-256-256-10 targets compare "
            "equal threads, the 2-8-8-1 one takes PyTorch's faster setting."
            if threads > 1
            else "."
        ),
        "max|ΔW|: largest difference from the engine's weights after the same first "
        f"{CHECK_STEPS} steps (same arithmetic, up to rounding).",
        "'full record ÷ this' > 1: the engine with its full record is that many times faster.",
    ]
    notes += list(missing.values())
    notes.append(f"Load while this ran: {meter.report()}.")
    tables[-1].notes += notes
    tables.insert(0, Table("Machine", [""], [[machine()]]))
    return tables, engine_targets(results, missing, threads)


def engine_targets(results: dict[str, dict[str, float]], missing: dict[str, str], threads: int) -> list[Target]:
    small, big = results["2-8-8-1"], results["784-256-256-10"]
    full, bare = small["engine, full record"], small["bare NumPy loop"]
    out = [
        Target(
            "2-8-8-1: engine, full record >= 0.5x bare loop",
            f"{full:,.0f} vs {bare:,.0f} steps/s = {full / bare:.2f}x",
            full / bare >= 0.5,
        )
    ]
    torch_rows = [k for k in small if k.startswith("PyTorch")]
    if not torch_rows:
        out.append(Target("2-8-8-1: engine, full record >= 3x PyTorch eager", "PyTorch not installed", None))
        out.append(Target("784-256-256-10: engine, full record within 1.2x of PyTorch", "PyTorch not installed", None))
    else:
        # Against PyTorch's better thread setting on each network: the stricter comparison.
        name = max(torch_rows, key=lambda k: small[k])
        t, how = small[name], name.removeprefix("PyTorch eager, ")
        out.append(
            Target(
                "2-8-8-1: engine, full record >= 3x PyTorch eager",
                f"{full:,.0f} vs {t:,.0f} steps/s ({how}) = {full / t:.2f}x",
                full / t >= 3,
            )
        )
        # Same threads on both sides: NumPy's BLAS count (what the engine runs with) for each,
        # and one thread each.
        for n in dict.fromkeys([threads, 1]):
            engine = "engine, full record" if n == threads else "engine, full record, 1 thread"
            torch = f"PyTorch eager, {thread_label(n)}"
            name = f"784-256-256-10: engine, full record within 1.2x of PyTorch ({thread_label(n)} each)"
            if engine not in big:
                out.append(Target(name, "threadpoolctl not installed", None))
                continue
            bf, bt = big[engine], big[torch]
            out.append(Target(name, f"{bf:,.1f} vs {bt:,.1f} steps/s: PyTorch {bt / bf:.2f}x", bt / bf <= 1.2))
    return out


def profile(spec_key: str = "2-8-8-1", steps: int = 20_000, top: int = 25) -> str:
    """cProfile of Trainer.step with and without the record: where the engine's time goes."""
    spec = next(s for s in SPECS if s.key == spec_key)
    p = problem(spec, n_batches=1)
    out = io.StringIO()
    for record in (False, True):
        trainer = setup.build(spec.settings(), p.data, p.features)
        prof = cProfile.Profile()
        prof.enable()
        for _ in range(steps):
            trainer.step(record=record)
        prof.disable()
        out.write(f"\n== {spec.title}: {steps} x Trainer.step(record={record}) ==\n")
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.engine_speed", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter rounds")
    parser.add_argument("--threads", type=int, help="BLAS and PyTorch threads (default: NumPy's BLAS count)")
    parser.add_argument(
        "--profile",
        metavar="NET",
        nargs="?",
        const="2-8-8-1",
        help="print a cProfile of Trainer.step on NET (default 2-8-8-1) instead",
    )
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(args.profile))
        return
    from .common import targets_table

    tables, targets = run(args.quick, args.threads)
    for t in tables:
        print(t.render(), end="\n\n")
    print(targets_table(targets).render())


if __name__ == "__main__":
    main()
