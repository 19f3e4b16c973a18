"""Warnings and the headline for the time axis: from heatmaps built by hand, and from real
recurrent networks whose gradient vanishes or explodes through time."""

import numpy as np
import pytest

from engine import make_optimizer
from engine.bptt import RecurrentNetwork
from engine.recurrent_trainer import RecurrentTrainer
from engine.sequences import make_sequences
from engine.time_diagnostics import ROWS, WARNINGS, health, warnings


def heat_from(factor: float, T: int = 21, rows: int = 12) -> np.ndarray:
    """‖∂L/∂h_t‖ = factor^(T - t): each step back multiplies it by `factor`."""
    return np.tile(factor ** np.arange(T - 1, -1, -1.0), (rows, 1))


def codes(found):
    return [w["code"] for w in found]


def test_a_gradient_that_halves_at_every_step_back_vanishes_and_says_so_in_numbers():
    heat = heat_from(0.5)  # 2⁻²⁰ ≈ 9.5×10⁻⁷ at step 1
    [w] = warnings(heat, 21, "rnn", 0.5)
    assert w["code"] == "vanishing_time" and w["layer"] == 1 and w["layers"] == [1]
    assert w["value"] == pytest.approx(0.5**20)
    assert "step 1 is 9.5×10⁻⁷ of the one at step 21" in w["message"], w["message"]
    assert "cannot learn what happened early" in w["message"] and "0.5, below 1" in w["message"]
    assert "gated cell (LSTM, GRU)" in w["message"]
    assert "forget bias" in warnings(heat, 21, "lstm", 0.5)[0]["message"]


def test_a_steady_gradient_raises_nothing_and_the_headline_gives_the_ratio():
    heat = heat_from(0.9)  # 0.9²⁰ ≈ 0.12: well inside what training weathers
    assert warnings(heat, 21, "rnn", 0.9) == []
    h = health(heat, 21)
    assert h["first_to_last"] == pytest.approx(0.9**20) and h["window"] == ROWS and h["reached"] == 1
    assert h["text"] == f"‖∂L/∂h‖ at step 1 / at step 21 = 0.12 (median over the last {ROWS} steps)"


def test_a_gradient_growing_back_through_time_explodes():
    [w] = warnings(heat_from(1.5), 21, "rnn", 1.5)  # 1.5²⁰ ≈ 3,325
    assert w["code"] == "exploding_time" and w["value"] == pytest.approx(1.5**20)
    assert "step 1 is 3,325 times the one at step 21" in w["message"] and "clipping" in w["message"]


@pytest.mark.parametrize("bad", [np.inf, np.nan, 1e9])
def test_a_non_finite_or_huge_gradient_explodes(bad):
    heat = heat_from(1.0)
    heat[-1, 0] = bad  # at the first step reached: the one the ratio reads
    [w] = warnings(heat, 21, "rnn", 2.0)
    assert w["code"] == "exploding_time"
    if np.isfinite(bad):
        assert w["value"] == bad and "reached 1×10⁹" in w["message"], w["message"]
    else:
        assert w["value"] is None and "not a finite number) in 1 of the last" in w["message"], w["message"]
    assert health(heat, 21)["first_to_last"] == 1.0  # the broken row left out, not a NaN headline


def test_only_the_recent_rows_count():
    vanished, healthy = heat_from(0.5, rows=30), heat_from(1.0, rows=ROWS)
    assert warnings(np.concatenate([vanished, healthy]), 21, "rnn", 1.0) == []
    assert codes(warnings(np.concatenate([healthy, vanished]), 21, "rnn", 1.0)) == ["vanishing_time"]


def test_the_steps_truncation_cuts_off_are_not_vanishing():
    """BPTT over the last 5 steps: the 16 before get 0 by construction; the ratio is from step 17."""
    heat = heat_from(0.9)
    heat[:, :16] = 0.0
    assert warnings(heat, 5, "rnn", 0.9) == []
    h = health(heat, 5)
    assert h["reached"] == 17 and h["first_to_last"] == pytest.approx(0.9**4)
    assert health(heat, 1)["first_to_last"] is None and warnings(heat, 1, "rnn", 0.9) == []
    assert health(np.zeros((0, 21)), 21) == {"first_to_last": None, "window": ROWS, "reached": 1, "text": None}


def heat_of_training(task: str, steps: int, **net) -> tuple[np.ndarray, float]:
    data = make_sequences(task, seed=0, samples=200, delay=30, length=30)
    rng = np.random.default_rng(0)
    network = RecurrentNetwork.create(data.x_train.shape[2], 16, 1, data.loss, rng, readout=data.readout, **net)
    trainer = RecurrentTrainer(network, make_optimizer("sgd", 0.01), data, 16, rng)
    records = [trainer.step() for _ in range(steps)]
    assert records[-1].time is not None
    return np.array([r.time.dh_norm for r in records if r.time is not None]), records[-1].time.radius


def test_a_tanh_rnn_asked_to_remember_30_steps_back_is_warned_of_vanishing():
    heat, radius = heat_of_training("remember", 10, recurrent_init="standard")
    [w] = warnings(heat, heat.shape[1], "rnn", radius)
    assert w["code"] == "vanishing_time" and w["value"] < 1e-5, w["message"]


def test_a_tanh_rnn_with_w_h_scaled_by_3_is_warned_of_exploding():
    heat, radius = heat_of_training("wave", 3, recurrent_scale=3.0)
    assert radius > 3
    [w] = warnings(heat, heat.shape[1], "rnn", radius)
    assert w["code"] == "exploding_time" and w["value"] > 1e3, w["message"]


def test_every_code_a_warning_gives_is_listed_for_the_page():
    found = {w["code"] for h in (heat_from(0.5), heat_from(1.5)) for w in warnings(h, 21, "rnn", 1.0)}
    assert found == {w["code"] for w in WARNINGS}
