"""The initializers for W_h and the cells' self-description."""

import numpy as np
import pytest

from engine.initializers import INITIALIZERS
from engine.params import Entry
from engine.recurrent import CELLS, RECURRENT_INITIALIZERS, make_cell, spectral_radius


@pytest.mark.parametrize("shape", [(6, 6), (6, 4), (4, 6)])
def test_orthogonal_keeps_lengths(shape):
    W = RECURRENT_INITIALIZERS["orthogonal"].draw(np.random.default_rng(0), *shape)
    assert W.shape == shape
    small = min(shape)
    gram = W.T @ W if shape[0] >= shape[1] else W @ W.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


@pytest.mark.parametrize("cell", CELLS)
@pytest.mark.parametrize("init,scale", [("orthogonal", 1.3), ("identity", 0.7)])
def test_every_block_of_Wh_is_drawn_on_its_own_and_scaled(cell, init, scale):
    made = make_cell(cell, 2, 5, np.random.default_rng(1), recurrent_init=init, recurrent_scale=scale)
    Wh = made.params["Wh"]
    assert Wh.shape == (5, 5 * len(made.blocks))
    for k in range(len(made.blocks)):
        block = Wh[:, 5 * k : 5 * (k + 1)]
        np.testing.assert_allclose(block.T @ block, scale**2 * np.eye(5), atol=1e-12)
    assert made.radii() == pytest.approx(dict.fromkeys(made.blocks, scale))
    if init == "orthogonal" and len(made.blocks) > 1:
        assert not np.allclose(Wh[:, :5], Wh[:, 5:10]), "the gates share one draw"


def test_engine_initializers_apply_to_Wh_too():
    made = make_cell("rnn", 2, 50, np.random.default_rng(2), recurrent_init="standard")
    # U(±1/√n) has variance 1/(3n): by the circular law its radius is near 1/√3
    assert 0.45 < spectral_radius(made.params["Wh"]) < 0.7


def test_lstm_forget_gate_starts_open():
    made = make_cell("lstm", 2, 3, np.random.default_rng(0), forget_bias=2.0)
    np.testing.assert_array_equal(made.params["b"], [0, 0, 0, 2, 2, 2, 0, 0, 0, 0, 0, 0])


def test_entries_describe_themselves():
    for entry in RECURRENT_INITIALIZERS.values():
        assert isinstance(entry, Entry) and entry.help and entry.name not in INITIALIZERS
    for cell in CELLS.values():
        assert cell.name and cell.label and cell.help
        assert cell.describe()["candidate"] in cell.describe()["blocks"]
