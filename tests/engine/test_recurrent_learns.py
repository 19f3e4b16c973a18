"""Each sequence task whose difficulty is a long reach back through time, learned by a gated
cell at a setting where a tanh RNN of the same size, trained the same way, fails. The settings
of "a plain RNN forgets" are the remember case's.

Not here, as no quick difference shows: parity (at 4 and 6 bits, orthogonal W_h, a tanh RNN
learns it in 1,500 steps as the LSTM and the GRU do; at 8 bits, "standard" W_h, none of the three
does in 600), the noisy wave and the next character (read at every step, each prediction needs
only the last few steps: after 300 steps, 16 units, Adam 0.01, a tanh RNN's test R² on the wave
was 0.97 and 0.96 for two seeds, the LSTM's 0.98; on the characters 0.91 and 0.92 against 0.90)."""

from dataclasses import dataclass, field

import numpy as np
import pytest

from engine import make_optimizer
from engine.bptt import RecurrentNetwork
from engine.recurrent_trainer import RecurrentTrainer
from engine.sequences import make_sequences


@dataclass(frozen=True)
class Case:
    task: str
    gated: str  # the cell that learns
    units: int
    learning_rate: float
    steps: int
    learned: float  # the gated cell's score at least this (accuracy, or R² for regression)
    failed: float  # the tanh RNN's at most this
    settings: dict = field(default_factory=dict)


# Both cells draw W_h from the classic U(±1/√H) ("standard"): an orthogonal W_h keeps a tanh RNN's
# gradient alive long enough to learn these delays with Adam, which hides the point. Delay 25, as
# at 20 the RNN still learned for 2 seeds of 6 (at 25: none of 6, best 0.72; the LSTM all 6).
CASES = [
    Case("remember", "lstm", 16, 0.003, 400, 0.95, 0.6, {"delay": 25}),
    Case("adding", "gru", 8, 0.01, 400, 0.9, 0.2, {"length": 30}),
]


def score(case: Case, cell: str, seed: int) -> float:
    data = make_sequences(case.task, seed=seed, samples=1000, **case.settings)
    rng = np.random.default_rng(seed)
    net = RecurrentNetwork.create(data.x_train.shape[2], case.units, data.classes, data.loss, rng, cell=cell,
                                  readout=data.readout, recurrent_init="standard")  # fmt: skip
    trainer = RecurrentTrainer(net, make_optimizer("adam", case.learning_rate), data, 32, rng)
    for _ in range(case.steps):
        trainer.step(record=False)
    result = trainer.evaluate("test")
    return result["accuracy"] if data.problem != "regression" else result["r2"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.task)
def test_a_gated_cell_learns_where_a_tanh_rnn_fails(case):
    measure = "accuracy" if case.task != "adding" else "R²"
    gated, plain = score(case, case.gated, seed=0), score(case, "rnn", seed=0)
    figures = (
        f"{case.task} {case.settings}, {case.units} units, Adam {case.learning_rate}, batches of 32: "
        f"{case.gated.upper()} test {measure} {gated:.2f} vs tanh RNN {plain:.2f} after {case.steps} steps"
    )
    assert gated >= case.learned and plain <= case.failed, figures


def test_clipping_tames_a_gradient_exploding_through_time():
    """The settings of "exploding through time": with f(z) = z nothing saturates, so W_h of radius
    1.2 multiplies the gradient by about 1.2 at each of 30 steps back; plain SGD then takes a step
    large enough to diverge within a few steps. Clipping the global norm at 1 keeps every update
    small, and the same network learns."""

    def train(clip: str) -> tuple[int | None, float]:
        data = make_sequences("wave", seed=0, samples=400, length=30)
        rng = np.random.default_rng(0)
        net = RecurrentNetwork.create(1, 16, 1, data.loss, rng, readout="every", activation="linear",
                                      recurrent_scale=1.2)  # fmt: skip
        settings = {"clip_threshold": 1.0} if clip != "none" else {}
        trainer = RecurrentTrainer(net, make_optimizer("sgd", 0.05), data, 16, rng, clip=clip, **settings)
        for step in range(1, 201):
            if not trainer.step(record=False).finite:
                return step, float("nan")
        return None, trainer.evaluate("test")["r2"]

    (diverged, _), (tamed, r2) = train("none"), train("norm")
    figures = f"no clipping: diverged at step {diverged}; norm clipping at 1: diverged at {tamed}, test R² {r2:.2f}"
    assert diverged is not None and diverged <= 10 and tamed is None and r2 > 0.9, figures
