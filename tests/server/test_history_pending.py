"""The history's per-layer columns are computed when first read, for every step since, in
one batch (History.fill): they must be the numbers each step gave when it was taken, even
after the trainer has taken more steps, with batches of uneven size and any activation."""

import numpy as np
import pytest

from engine.diagnostics import DIAGNOSTICS
from engine.measures import layer_diagnostics
from engine.stats import PERCENTILES, bands_of
from server.history import PENDING_LIMIT
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings


def session(**config):
    settings = Settings(history_bytes=64 * 200)  # small: the history thins its older steps on the way
    fields = make_fields(settings.limits)
    return Session("pending", {**defaults(fields), **config}, settings, fields)


def eager(rec):
    """What the history row of this record must hold, computed at once from it."""
    return [
        layer_diagnostics(r.activation, r.z if r.y is None else r.y, r.a, r.delta, r.W, r.dW, r.dW_step, r.stats)
        for r in rec.layers
    ]


@pytest.mark.parametrize(
    "config",
    [
        {},  # tanh, batches of 10
        {"activation": "relu", "hidden": [6, 5, 3], "batch_size": 7, "samples": 60},  # 30 train points: a short batch
        {"activation": "sigmoid", "batch_norm": True, "dataset": "spiral", "classes": 3},
    ],
)
def test_every_step_keeps_the_numbers_it_had_when_taken(config):
    s = session(**config)
    run = s.runs[0]
    expected = {}
    for n in range(150):  # past the history's limit, with reads (frames) at uneven intervals
        rec = run.step()
        run.commit(rec)
        expected[rec.step] = eager(rec)
        if n % 13 == 5:
            run.history.window(20)  # a reader: a frame, the warnings
    h = run.history
    first, arrays = h.arrays(h.first, h.last)
    assert first == h.first == 1 and h.last == 150 and h.thinned and not h.pending
    assert np.array_equal(arrays["history.step"], h.steps)
    for j, name in enumerate(DIAGNOSTICS):
        got = arrays[f"history.{name}"]
        want = np.array([[layer[j] for layer in expected[step]] for step in h.steps])
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15, err_msg=name)


def test_a_history_read_every_step_fills_and_thins():
    run = session().runs[0]
    for _ in range(150):  # read (nothing pending) each time the history is full
        run.commit(run.step())
        run.history.window(20)
    assert run.history.last == 150


def test_a_long_step_command_keeps_no_more_than_the_pending_limit():
    run = session().runs[0]
    for _ in range(PENDING_LIMIT + 10):
        run.commit(run.step())
    assert len(run.history.pending) <= PENDING_LIMIT


def test_bands_of_several_arrays_are_each_ones_percentiles():
    """The interpolation points are kept by the arrays' sizes: arrays of new sizes, or the
    same sizes in another order, must not get another call's points."""
    rng = np.random.default_rng(3)
    for shapes in [[(2, 4), (4,), (1,)], [(4,), (2, 4), (1,)], [(3, 3), (1, 1), (50,)], [(2, 4), (4,), (1,)]]:
        xs = [rng.standard_normal(shape) for shape in shapes]
        xs[-1].flat[0] = np.nan  # any NaN makes every band of its array NaN, and only of its array
        with np.errstate(invalid="ignore"):
            want = [np.percentile(x, PERCENTILES) for x in xs]
        np.testing.assert_array_equal(bands_of(xs), want)


def test_steps_of_uneven_batches_are_each_steps_own():
    from engine.measures import steps_diagnostics

    rng = np.random.default_rng(4)
    steps = []
    for n in (5, 1, 3):
        y = rng.standard_normal((n, 4)) * 3
        y[:, 1] = -abs(y[:, 1])  # a unit dead (relu) for this batch only
        stats = {"grad_norm": rng.random(), "update_norm": rng.random(), "weight_norm": rng.random()}
        steps.append((y, np.maximum(y, 0), rng.standard_normal((n, 4)), stats))
    for activation in ("relu", "tanh", "linear"):
        together = steps_diagnostics(activation, steps)
        one_by_one = [steps_diagnostics(activation, [step])[0] for step in steps]
        np.testing.assert_allclose(together, one_by_one, rtol=1e-12, err_msg=activation)
