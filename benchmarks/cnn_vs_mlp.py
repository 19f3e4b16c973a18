"""The CNN against the best fully connected network of about the same parameter count on the
bars (12×12 images of bars at four orientations, engine/generators.py): test accuracy after the
same number of steps, mean over three seeds. The CNN is cnn_speed's (conv 8@3×3, pool, conv
16@3×3, pool, dense); the dense networks are every one or two hidden layers of equal width whose
parameters are within a third of the CNN's, each trained alike (Adam 0.01, batch 32, ReLU).

Run: python -m benchmarks.cnn_vs_mlp [--quick]"""

from __future__ import annotations

import argparse
import statistics
from typing import Any

from engine import make_dataset, setup

from .cnn_speed import BLOCKS
from .common import Table

SEEDS, STEPS = (1, 2, 3), 300
BASE = {"optimizer": "adam", "learning_rate": 0.01, "batch_size": 32, "activation": "relu"}


def parameters(trainer: Any) -> int:
    return sum(p.size for layer in trainer.network.weight_layers for p in layer.params.values())


def accuracy(settings: dict, steps: int, seed: int) -> tuple[float, int]:
    """Test accuracy after `steps` steps, and the parameter count."""
    data = make_dataset("bars", 1000, 0.1, 0.5, seed=seed)
    s = {**BASE, **settings, "seed": seed}
    trainer = setup.build_cnn(s, data) if s.get("conv") else setup.build(s, data, [])
    for _ in range(steps):
        trainer.step(record=False)
    return trainer.evaluate("test")["accuracy"], parameters(trainer)


def dense_rivals(target: int) -> list[list[int]]:
    """Hidden layers (one or two of equal width) whose 144-input, 4-output network has about `target` parameters."""

    def count(hidden: list[int]) -> int:
        sizes = [144, *hidden, 4]
        return sum(a * b + b for a, b in zip(sizes, sizes[1:]))

    shapes = [[w] for w in range(4, 65)] + [[w, w] for w in range(4, 65)]
    return [h for h in shapes if 0.75 * target <= count(h) <= 4 / 3 * target]


def run(quick: bool = False) -> Table:
    steps, seeds = (100, SEEDS[:1]) if quick else (STEPS, SEEDS)
    cnn = [accuracy({"conv": BLOCKS, "hidden": []}, steps, seed) for seed in seeds]
    target = cnn[0][1]
    table = Table(
        f"Bars (12×12, 4 orientations): test accuracy after {steps} steps, mean of {len(seeds)} seeds",
        ["network", "parameters", "test accuracy"],
    )
    table.add("CNN: conv 8@3×3, pool, conv 16@3×3, pool, dense 4", target, f"{statistics.mean(a for a, _ in cnn):.3f}")
    rivals = []
    for hidden in dense_rivals(target)[:: 1 if not quick else 4]:
        runs = [accuracy({"conv": [], "hidden": hidden}, steps, seed) for seed in seeds]
        rivals.append((statistics.mean(a for a, _ in runs), runs[0][1], hidden))
    best = max(rivals)
    table.add(f"best dense: 144-{'-'.join(map(str, best[2]))}-4", best[1], f"{best[0]:.3f}")
    worst = min(rivals)
    table.notes += [
        f"{len(rivals)} dense networks of {min(r[1] for r in rivals):,} to {max(r[1] for r in rivals):,} parameters "
        f"tried (one or two hidden layers of equal width, within a third of the CNN's {target:,}); the worst, "
        f"144-{'-'.join(map(str, worst[2]))}-4, reached {worst[0]:.3f}.",
        "Each: Adam 0.01, batch 32, ReLU, the same data and seeds; accuracy over the whole test set (500 images).",
    ]
    return table


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.cnn_vs_mlp", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 steps, one seed, a quarter of the rivals")
    print(run(parser.parse_args(argv).quick).render())


if __name__ == "__main__":
    main()
