"""Freezing a layer (fine-tuning): its gradient is computed as ever, no update is applied, the
optimizer keeps no state for it, and the explanation of a step shows the same nothing."""

import numpy as np

from engine import make_dataset, setup, trace


def trainer(frozen):
    data = make_dataset("circle", 200, 0.0, 0.5, seed=1)
    return setup.build({"hidden": [4, 4], "optimizer": "adam", "learning_rate": 0.03, "frozen": frozen},
                       data, ["x1", "x2"])  # fmt: skip


def test_a_frozen_layer_keeps_its_weights_bit_for_bit_while_its_gradient_is_shown():
    t = trainer(["", "frozen"])
    W0, b0 = t.network.layers[1].params["W"].copy(), t.network.layers[1].params["b"].copy()
    first = t.network.layers[0].params["W"].copy()
    for _ in range(100):
        rec = t.step()
        assert np.abs(rec.layers[1].dW).max() > 0 and not rec.layers[1].dW_step.any()
    assert np.array_equal(t.network.layers[1].params["W"], W0) and np.array_equal(t.network.layers[1].params["b"], b0)
    assert not np.array_equal(t.network.layers[0].params["W"], first)  # the others learn
    assert not any(key[0] == 1 for key in t.optimizer.state)  # Adam's moments: none for the frozen layer


def test_unfreezing_goes_on_from_the_frozen_weights():
    t = trainer(["frozen"])
    for _ in range(20):
        t.step()
    W = t.network.layers[0].params["W"].copy()
    setup.configure(t, {"hidden": [4, 4], "optimizer": "adam", "learning_rate": 0.03, "frozen": []}, ["frozen"])
    rec = t.step()
    assert np.allclose(rec.layers[0].W - rec.layers[0].dW_step, W) and rec.layers[0].dW_step.any()


def test_the_explanation_of_a_step_shows_no_update_for_a_frozen_layer():
    t = trainer(["frozen"])
    explained = trace(t, sample=0).update.of(0)
    rec = t.step()
    assert not explained.step.any() and np.array_equal(explained.after, explained.value)
    assert np.array_equal(rec.layers[0].W, explained.after)  # "take this step" gives what was shown
