"""Explain a step through time: the walk back over the time steps gives BPTT's own numbers,
for the sequence the next step will train on, and changes nothing."""

import copy

import numpy as np
import pytest

from engine import make_optimizer
from engine.bptt import RecurrentNetwork
from engine.explain_time import finite_difference, trace, update
from engine.recurrent_trainer import RecurrentTrainer
from engine.sequences import make_sequences
from engine.worked import update_lines

CASES = [(cell, task, k) for cell in ("rnn", "lstm", "gru") for task in ("remember", "wave") for k in (None, 3)]


def trainer(cell: str, task: str, truncate=None, seed: int = 0) -> RecurrentTrainer:
    data = make_sequences(task, seed=seed, samples=40, delay=6, length=7, noise=0.1)
    rng = np.random.default_rng(seed)
    net = RecurrentNetwork.create(data.x_train.shape[2], 4, data.classes, data.loss, rng, cell=cell,
                                  readout=data.readout)  # fmt: skip
    for layer in net.layers:  # non-zero biases: every term of the walk is non-trivial
        layer.params["b"][:] = rng.normal(0, 0.3, layer.params["b"].shape)
    t = RecurrentTrainer(net, make_optimizer("adam", 0.01), data, 8, rng, truncate=truncate)
    for _ in range(6):  # far enough that the next batch needs a reshuffle: the peek must foresee it
        t.step(record=False)
    return t


@pytest.mark.parametrize("cell,task,truncate", CASES)
def test_the_walk_back_gives_bptts_numbers_for_one_sequence(cell, task, truncate):
    t = trainer(cell, task, truncate)
    got = trace(t)
    net = RecurrentNetwork(*_copy(t.network))
    k = got.sequence
    loss = net.loss_and_backward(t.data.x_train[k : k + 1], t.data.y_train[k : k + 1], truncate)
    time = net.time
    assert time is not None and got.window == time.window and got.loss == pytest.approx(loss, rel=1e-12)
    for s in got.steps:
        np.testing.assert_allclose(s.dh, time.dh[0, s.t], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(s.delta, time.delta[0, s.t], rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(s.dWh, time.dWh_steps[s.t], rtol=1e-10, atol=1e-15)
        assert s.reached == (truncate is None or s.t >= 7 - truncate)
        if s.reached:
            extra = 0.0 if s.direct is None else s.direct
            np.testing.assert_allclose(s.dh, s.from_output + s.recurrent + extra, rtol=1e-12, atol=1e-15)
        if cell == "rnn":
            np.testing.assert_allclose(s.delta, s.df * s.dh, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(got.dWh, net.cell.grads["Wh"], rtol=1e-10, atol=1e-15)
    assert [s.t for s in got.steps] == list(range(7)) and not got.steps[-1].recurrent.any()
    assert all((s.direct is not None) == (cell == "gru") and (s.df is not None) == (cell == "rnn") for s in got.steps)


def _copy(net: RecurrentNetwork):
    n = copy.deepcopy(net)
    return n.cell, n.output, n.loss.name, n.readout


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_the_traced_sequence_is_the_next_steps_first_and_nothing_changes(cell):
    t = trainer(cell, "remember")
    weights = [{k: p.copy() for k, p in layer.params.items()} for layer in t.network.layers]
    state = (t.steps, t._pos, t._order.copy(), t.rng.bit_generator.state)
    got = trace(t)
    finite_difference(t, 0, 1)
    assert (
        (t.steps, t._pos) == state[:2] and np.array_equal(t._order, state[2]) and t.rng.bit_generator.state == state[3]
    )
    for layer, old in zip(t.network.layers, weights):
        for k in old:
            np.testing.assert_array_equal(layer.params[k], old[k])
    record = t.step()
    assert got.step == record.step and record.time is not None
    np.testing.assert_allclose(np.array([s.h for s in got.steps]), record.time.h[0], rtol=1e-10)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("task", ["remember", "wave"])
def test_a_central_finite_difference_of_w_h_agrees(cell, task):
    t = trainer(cell, task)
    H = t.network.cell.hidden
    for i, j in ((0, 1), (H - 1, t.network.cell.params["Wh"].shape[1] - 1)):
        fd = finite_difference(t, i, j)
        assert fd.relative_error < 1e-6, fd
        assert fd.analytic == pytest.approx(trace(t).dWh[i, j], rel=1e-10)


def test_bad_indices_are_refused_by_name():
    t = trainer("rnn", "remember")
    with pytest.raises(ValueError, match="i: 9"):
        finite_difference(t, 9, 0)
    with pytest.raises(ValueError, match="h: "):
        finite_difference(t, 0, 0, h=0)


def test_a_later_sample_is_that_position_of_the_next_batch():
    t = trainer("rnn", "remember")
    batch = t.peek_batch()
    got = trace(t, sample=3)
    assert got.sequence == batch[3] != trace(t).sequence
    assert finite_difference(t, 0, 1, sample=3).analytic == pytest.approx(got.dWh[0, 1], rel=1e-10)
    with pytest.raises(ValueError, match="sample: 8"):
        trace(t, sample=8)


@pytest.mark.parametrize("cell", ["rnn", "gru"])
@pytest.mark.parametrize("setup", [{}, {"clip": "norm", "clip_threshold": 0.01, "regularizer": "l2", "reg_rate": 0.1}])
def test_the_update_is_the_next_steps_own(cell, setup):
    data = make_sequences("remember", seed=1, samples=40, delay=6, length=7, noise=0.1)
    rng = np.random.default_rng(1)
    net = RecurrentNetwork.create(
        data.x_train.shape[2], 4, data.classes, data.loss, rng, cell=cell, readout=data.readout
    )
    t = RecurrentTrainer(net, make_optimizer("adam", 0.01), data, 8, rng, truncate=3, **setup)
    for _ in range(3):
        t.step(record=False)
    u = update(t)
    Wh = u.of(0, "Wh")
    np.testing.assert_allclose(Wh.samples.mean(axis=0), Wh.grad, rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(Wh.samples[2], trace(t, sample=2).dWh, rtol=1e-10, atol=1e-15)
    record = t.step()
    assert u.clipped == record.clipped == bool(setup)
    for i, layer in enumerate(t.network.layers):
        for k, v in layer.params.items():
            np.testing.assert_allclose(u.of(i, k).after, v, rtol=1e-12, atol=1e-15)
            np.testing.assert_allclose(u.of(i, k).step, record.updates[i][k], rtol=1e-12, atol=1e-15)
    assert update_lines(u, 0, 1, 2, key="Wh")[-1].value == pytest.approx(float(t.network.cell.params["Wh"][1, 2]))
