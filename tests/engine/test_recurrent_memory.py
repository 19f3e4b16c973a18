"""What the recurrent part of the lab is for: the gradient shrinks or grows through time
with W_h, and gating keeps it alive where a plain RNN loses it."""

import numpy as np
import pytest

from engine import make_optimizer
from engine.bptt import RecurrentNetwork
from engine.recurrent_trainer import RecurrentTrainer
from engine.sequences import make_sequences


@pytest.mark.parametrize("scale", [0.5, 1.0, 1.5])
def test_a_linear_rnn_scales_the_gradient_by_the_radius_at_every_step(scale):
    """With f = identity and W_h = s·Q (Q orthogonal), dL/dh_{t-1} = dL/dh_t W_h^T has norm
    s·‖dL/dh_t‖ exactly: vanishing below radius 1, exploding above it."""
    T = 12
    rng = np.random.default_rng(0)
    net = RecurrentNetwork.create(1, 5, 1, "mse", rng, activation="linear", recurrent_scale=scale)
    x = rng.normal(0, 1, (3, T, 1))
    net.loss_and_backward(x, rng.normal(0, 1, (3, 1)))
    time = net.time
    assert time is not None and time.radius == pytest.approx(scale)
    expected = time.dh_norm[-1] * scale ** np.arange(T - 1, -1, -1)
    np.testing.assert_allclose(time.dh_norm, expected, rtol=1e-9)


def learn(cell: str, seed: int, delay: int = 30, steps: int = 250, truncate: int | None = None) -> tuple[float, float]:
    """Test accuracy after training, and ‖dL/dh_0‖ / ‖dL/dh_T‖ at the first step."""
    data = make_sequences("remember", seed=seed, samples=1000, delay=delay)
    rng = np.random.default_rng(seed)
    # the same classic U(±1/√n) for W_h in both: no initializer rescues the plain RNN here
    net = RecurrentNetwork.create(2, 8, 1, data.loss, rng, cell=cell, readout=data.readout, recurrent_init="standard")
    trainer = RecurrentTrainer(net, make_optimizer("adam", 0.01), data, 32, rng, truncate=truncate)
    time = trainer.step().time
    assert time is not None
    reach = float(time.dh_norm[0] / time.dh_norm[-1])
    for _ in range(steps - 1):
        trainer.step(record=False)
    return trainer.evaluate("test")["accuracy"], reach


def test_an_lstm_remembers_the_first_input_where_a_tanh_rnn_forgets():
    """Delay 30, 8 units, Adam 0.01, 250 steps of 32 sequences, seeds 0-2. (Over seeds 0-8
    with 400 steps, the LSTM learned it 8 times, the RNN twice, late.)"""
    results = {cell: [learn(cell, seed) for seed in range(3)] for cell in ("lstm", "rnn")}
    figures = "; ".join(
        f"{cell}: test accuracy {', '.join(f'{a:.2f}' for a, _ in r)}, ‖dL/dh_0‖/‖dL/dh_T‖ at step 1 "
        f"{', '.join(f'{g:.1e}' for _, g in r)}"
        for cell, r in results.items()
    )
    assert all(a >= 0.95 for a, _ in results["lstm"]), figures
    assert all(a <= 0.6 for a, _ in results["rnn"]), figures
    # the reason: the plain RNN's gradient reaching the first step is far smaller
    assert max(g for _, g in results["rnn"]) < min(g for _, g in results["lstm"]), figures


def test_truncated_bptt_cannot_learn_a_delay_longer_than_its_window():
    """The LSTM of the test above, with the gradient cut 5 steps back: nothing tells it what
    happened 30 steps ago. (Cut 10 steps back it sometimes creeps up, 0.72 after 400 steps for
    seed 0: the weights it learns inside the window also act before it.)"""
    accuracy, _ = learn("lstm", seed=0, truncate=5)
    assert accuracy <= 0.6, f"LSTM, delay 30, BPTT over the last 5 steps: test accuracy {accuracy:.2f}"
