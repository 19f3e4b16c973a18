"""The history's stated budget (Settings.history_bytes, history.py): a long run keeps every
step of its recent past and a thinned tail from step 1, within its bytes, and a page that
joins late gets the whole thinned run with the step of each row."""

import csv
import io

import numpy as np

from server.frames import assemble
from server.headless import history_csv
from server.history import SCALARS, History, capacity, row_bytes
from server.protocol import decode
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings

LAYERS = 17  # the largest dense network: 16 hidden layers and the output layer
BUDGET = Settings().history_bytes


def filled(steps: int, layers: int = LAYERS, budget: int = BUDGET, evaluate_every: int = 33) -> History:
    h = History(layers, budget, lambda pending: np.tile(np.array(pending, float)[:, None], (1, h.width - len(SCALARS))))
    for step in range(1, steps + 1):
        h.append((1.0 / step, np.nan, np.nan, 0.03), step)
        if step % evaluate_every == 0:  # a frame evaluates its last step's losses over the whole sets
            h.set_losses(2.0 / step, 3.0 / step)
    return h


def thinned_session(sid: str, steps: int) -> Session:
    """A default session with room for 64 rows, trained `steps` steps: its older history thinned."""
    settings = Settings(history_bytes=64 * row_bytes(3))
    fields = make_fields(settings.limits)
    s = Session(sid, defaults(fields), settings, fields)
    for _ in range(steps):
        assert s.step()
    return s


def test_a_100000_step_run_stays_in_its_budget_and_keeps_the_whole_run():
    h = filled(100_000)
    rows = h.rows
    assert h.nbytes <= BUDGET and h.count <= capacity(LAYERS, BUDGET)
    assert h.first == 1 and h.last == 100_000
    steps = h.steps
    assert np.all(np.diff(steps) > 0)
    recent = capacity(LAYERS, BUDGET) // 4
    assert np.array_equal(steps[-recent:], np.arange(100_001 - recent, 100_001))  # every recent step
    gaps = np.diff(steps[: h.thinned + 1])
    assert h.thinned > 1000 and gaps.max() <= 2 * h.every  # the older steps evenly, from step 1
    # Each row is the one of its step (the loss of step s is 1/s; the per-layer columns its fill).
    np.testing.assert_array_equal(rows[:, 0], 1.0 / steps)
    np.testing.assert_array_equal(rows[:, -1], steps)
    # The tail keeps the steps whose losses over the whole sets were evaluated: the chart's points.
    evaluated = np.isfinite(rows[: h.thinned, SCALARS.index("train_loss")])
    assert evaluated[1:].mean() > 0.95


def test_the_budget_is_in_bytes_so_a_small_network_keeps_more_steps():
    small, big = filled(30_000, layers=3), filled(30_000)
    assert small.count > 3 * big.count and small.nbytes <= BUDGET and big.nbytes <= BUDGET
    assert capacity(3, BUDGET) == BUDGET // row_bytes(3)


def test_a_page_joining_late_gets_the_whole_thinned_run_with_its_steps():
    s = thinned_session("late", 500)
    frame = assemble(s.runs, s.run, s.config_version, False, None, None)
    h = s.history
    assert h.thinned and h.first == 1
    header, arrays = decode(frame.encode_for(s.run - 1, 0))  # a page of an older run: all of this one
    assert header["history"] == {"first": 1, "count": h.count}
    np.testing.assert_array_equal(arrays["history.step"], h.steps)
    np.testing.assert_allclose(arrays["history.loss"], h.rows[:, 0], rtol=1e-6)
    # A page that has seen up to some recent step gets only the steps after it.
    since = int(h.steps[-5])
    header, arrays = decode(frame.encode_for(s.run, since + 1))
    assert header["history"]["first"] == since + 1 and list(arrays["history.step"]) == list(h.steps[-4:])


def test_the_history_csv_names_each_thinned_row_by_its_step():
    s = thinned_session("csv", 300)
    h = s.history
    rows = list(csv.reader(io.StringIO(history_csv(s.runs[0]))))[1:]
    assert h.thinned and [int(r[0]) for r in rows] == h.steps.tolist()
    assert [float(r[1]) for r in rows] == h.rows[:, 0].tolist()


def test_continuing_from_a_kept_step_keeps_the_thinned_history_up_to_it():
    s = thinned_session("cont", 400)
    old = s.history
    step = s.replay.ring.find(150, old.last)  # a kept step in the thinned part
    assert step < old.steps[old.thinned]
    s.command(type("C", (), {"role": "controller"})(), {"type": "continue_from", "step": step})
    h = s.history
    assert h is not old and h.steps.tolist() == [x for x in old.steps.tolist() if x <= step]
    assert h.last == step and h.first == 1
    assert s.step()
    assert h.last == step + 1


def test_a_history_saved_under_a_larger_budget_is_thinned_into_this_one():
    big = filled(5000, layers=3, budget=2000 * row_bytes(3))
    small = History(3, 400 * row_bytes(3), big.fill)
    small.load(big.rows.copy(), big.steps.copy(), big.state())
    assert small.nbytes <= 400 * row_bytes(3) and small.first == 1 and small.last == 5000
    assert small.steps.tolist() == sorted(set(small.steps.tolist()) & set(big.steps.tolist()))
    small.append((0.5, np.nan, np.nan, 0.03), 5001)
    assert small.last == 5001 and small.rows[-1, -1] == 5001
