"""Engine steps per second on a 2-8-8-1 tanh network, batch 10: the engine with its full
per-step record, without it, and a bare NumPy loop of the same arithmetic.
Run: python -m benchmarks.engine_speed"""
from __future__ import annotations

import time

import numpy as np

from engine import SGD, Network, Trainer, make_dataset


def rate(step, seconds: float = 1.5) -> float:
    for _ in range(200):
        step()
    n, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(100):
            step()
        n += 100
    return n / elapsed


def engine_trainer(hidden=(8, 8), batch=10) -> Trainer:
    data = make_dataset("circle", 500, 0.0, 0.5, seed=1)
    rng = np.random.default_rng(0)
    net = Network.create([2, *hidden, 1], "tanh", "bce", "xavier", rng)
    return Trainer(net, SGD(0.03, 0.9), data, ["x1", "x2"], batch, rng)


def bare_loop(hidden=(8, 8), batch=10):
    """The same forward, backward and momentum update with nothing recorded."""
    t = engine_trainer(hidden, batch)
    x, y = t.x_train, t.y_train
    sizes = [2, *hidden, 1]
    rng = np.random.default_rng(0)
    Ws = [rng.uniform(-0.5, 0.5, (a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [np.zeros(b) for b in sizes[1:]]
    vW = [np.zeros_like(W) for W in Ws]
    vb = [np.zeros_like(b) for b in bs]
    pos = [0]

    def step():
        i = pos[0]
        pos[0] = (i + batch) % (len(x) - batch)
        xb, yb = x[i : i + batch], y[i : i + batch]
        acts = [xb]
        for W, b in zip(Ws[:-1], bs[:-1]):
            acts.append(np.tanh(acts[-1] @ W + b))
        z = acts[-1] @ Ws[-1] + bs[-1]
        delta = (1 / (1 + np.exp(-z)) - yb) / batch
        for k in range(len(Ws) - 1, -1, -1):
            dW, db = acts[k].T @ delta, delta.sum(0)
            if k:
                delta = (delta @ Ws[k].T) * (1 - acts[k] ** 2)
            vW[k] = 0.9 * vW[k] - 0.03 * dW
            vb[k] = 0.9 * vb[k] - 0.03 * db
            Ws[k] += vW[k]
            bs[k] += vb[k]

    return step


def main() -> None:
    plain, recorded = engine_trainer(), engine_trainer()
    rows = [
        ("bare NumPy loop", rate(bare_loop())),
        ("engine, record off", rate(lambda: plain.step(record=False))),
        ("engine, full record", rate(lambda: recorded.step(record=True))),
    ]
    base = rows[0][1]
    print("2-8-8-1 tanh, batch 10, one process")
    print(f"{'':24}{'steps/s':>10}{'vs bare':>9}")
    for name, r in rows:
        print(f"{name:24}{r:10.0f}{r / base:9.2f}")


if __name__ == "__main__":
    main()
