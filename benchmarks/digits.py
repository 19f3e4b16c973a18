"""A 64-128-64-10 ReLU network on the UCI 8×8 digits with Adam, batch 32: held-out
accuracy on a 20% split and the seconds it took. Run: python -m benchmarks.digits"""

from __future__ import annotations

import time

import numpy as np

from engine import Network, Trainer, make_dataset, make_optimizer, output_size


def main(steps: int = 5000, seed: int = 0) -> None:
    data = make_dataset("digits", 0, 0.0, 0.8, seed=1)
    rng = np.random.default_rng(seed)
    net = Network.create([64, 128, 64, output_size(data)], "relu", "softmax_ce", "he", rng)
    trainer = Trainer(net, make_optimizer("adam", 0.003), data, [], 32, rng)
    start = time.perf_counter()
    for _ in range(steps):
        trainer.step(record=False)
    seconds = time.perf_counter() - start
    test = trainer.evaluate("test")
    print(
        f"digits 64-128-64-10 relu, Adam 0.003, batch 32, {steps} steps "
        f"({steps * 32 / len(trainer.x_train):.0f} epochs)"
    )
    print(
        f"train {len(trainer.x_train)}  test {len(trainer.x_test)}  "
        f"test accuracy {100 * test['accuracy']:.1f}%  in {seconds:.1f} s"
    )


if __name__ == "__main__":
    main()
