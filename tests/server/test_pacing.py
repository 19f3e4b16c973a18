"""The pacer on a simulated clock: a session at 300 steps a second takes every step and
every frame it should, waking about once a frame (not once a step: each wake-up costs the
event loop as much as a step); and on a loop shared by many sessions (every turn late) a
turn trains for at most TRAIN_SHARE of what a frame takes, so the pictures keep moving."""

import types

import pytest

from server import pacer
from server.pacer import TRAIN_SHARE, Pacer

STEP, FRAME = 0.0002, 0.001  # seconds a step and a frame cost on the simulated clock


class Clock:
    def __init__(self):
        self.now = 100.0

    def monotonic(self):
        return self.now


class Student:
    """A Paced session whose steps and frames take simulated time."""

    id, steps_pending, dirty, running, watched = "s", 0, False, True, True

    def __init__(self, clock, speed):
        self.clock, self.config = clock, {"speed": speed}
        self.steps, self.frames = 0, []

    def step(self):
        self.clock.now += STEP
        self.steps += 1
        self.dirty = True
        return True

    def publish(self):
        self.clock.now += FRAME
        self.frames.append(self.steps)
        self.dirty = False

    def fail(self):
        raise AssertionError("no internal error expected")


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(pacer, "time", types.SimpleNamespace(monotonic=c.monotonic))
    return c


def play(clock, student, seconds, others=0.0):
    """The pacer's loop (Pacer.run) on the simulated clock; `others`: seconds the other
    sessions on the loop take between two turns of this one. Returns the turns taken."""
    p = Pacer(student, frame_rate=30, slice_seconds=0.005)
    end, last, turns = clock.now + seconds, clock.now, 0
    while clock.now < end:
        now = clock.now
        p._tick(now - last)
        last, turns = now, turns + 1
        wait = p.until_work()
        assert wait is not None
        clock.now += max(wait, others, 1e-6)  # a timer fires no sooner than that
    return turns


def live_changes(clock, student, changes, poke=False):
    """The pacer's loop on the simulated clock with a live change at each of `changes`, as
    Session makes one while training (show_soon, and `poke` as a command does); returns when
    each frame left."""
    shown_at: list[float] = []
    publish = student.publish
    student.publish = lambda: (shown_at.append(clock.now), publish())
    p = Pacer(student, frame_rate=30, slice_seconds=0.005)
    pending, last = list(changes), clock.now
    while clock.now < changes[-1] + 1.0:
        now = clock.now
        if pending and now >= pending[0]:
            p.show_soon()
            if poke:
                p.poke()
            pending.pop(0)
        p._tick(now - last)
        last = now
        wait = p.until_work()
        assert wait is not None
        clock.now = max(clock.now, min(now + max(wait, 1e-6), pending[0] if pending else float("inf")))
    return shown_at


def test_a_session_at_300_steps_a_second_wakes_about_once_a_frame(clock):
    student = Student(clock, speed=300)
    turns = play(clock, student, 10.0)
    assert 2950 <= student.steps <= 3000  # every step the speed asks for
    assert 295 <= len(student.frames) <= 300  # and every frame: late wake-ups cost none
    assert turns <= 2 * len(student.frames) + 10  # not a wake-up per step (3,000)


def test_on_a_crowded_loop_a_turn_trains_for_a_share_of_a_frame(clock):
    student = Student(clock, speed=300)
    turns = play(clock, student, 10.0, others=0.040)  # 40 ms of the other sessions' work between two turns
    assert len(student.frames) >= turns - 2  # every turn is late for its frame, and draws it
    per_frame = student.steps / turns
    share = TRAIN_SHARE * FRAME / STEP  # not 10 steps (a frame's worth): the pictures keep moving
    assert share <= per_frame <= share + 1


def test_a_step_command_after_a_crowded_stretch_still_steps(clock):
    """The session drew its own last frame (a `step` command's end) after the budget was
    spent: nothing new to draw, so the next command must step, not spin."""
    student = Student(clock, speed=300)
    p = Pacer(student, frame_rate=30, slice_seconds=0.005)
    p.budget, p.trained, p.frame_cost = 0.0005, 0.001, FRAME  # spent, and not reset by a pacer frame
    student.running, student.steps_pending = False, 3
    for _ in range(3):
        p._tick(0.0)
        student.steps_pending = max(0, 3 - student.steps)
    assert student.steps == 3


def test_a_live_change_shows_within_half_a_frame_and_the_rate_stays_bounded(clock):
    """At full cadence every second already holds frame_rate frames: a change's frame may
    exceed that by EARLY_EXTRA, so it leaves at most half a period after the last frame
    instead of up to a whole one; changes every 50 ms (a dragged slider) keep the rate
    under the cap."""
    student = Student(clock, speed=300)
    changes = [clock.now + 2.0 + 0.050 * i for i in range(60)]  # after 2 s at full cadence
    shown_at = live_changes(clock, student, changes)
    waits = []
    for c in changes:
        first = next(t for t in shown_at if t >= c)
        waits.append(first - c)
    period = 1 / 30
    assert max(waits) <= period / 2, f"slowest change shown after {1000 * max(waits):.1f} ms"
    per_second = max(sum(1 for t in shown_at if a <= t < a + 1) for a in shown_at)
    assert per_second <= 30 * (1 + pacer.EARLY_EXTRA) + 1, per_second


def frame_judged(clock, budget, trained, since_last, average, late):
    """One frame of a paced session (not training) whose last frame left `since_last` ago,
    frames averaging `average` apart, this one `late` or on time: the budget after it."""
    student = Student(clock, speed=300)
    student.running, student.dirty = False, True
    p = Pacer(student, frame_rate=30, slice_seconds=0.005)
    p.paced, p.budget, p.trained = True, budget, trained
    p.last_frame, p.interval = clock.now - since_last, average
    p.next_frame_at = clock.now - (0.030 if late else 0.0)
    p._tick(0.0)
    assert len(student.frames) == 1
    return p.budget


def test_a_late_frame_halves_the_training_allowed_not_the_overshoot(clock):
    """A crowded session's last step ends past its slice's deadline: it trained 1.2 ms on
    a 0.8 ms budget. Late, the budget is halved from 0.8 ms, not from what it trained."""
    assert frame_judged(clock, 0.0008, 0.0012, 0.050, 0.050, late=True) == pytest.approx(0.0004)
    least = TRAIN_SHARE * FRAME  # and never below a share of the frame
    assert frame_judged(clock, 0.0004, 0.0012, 0.050, 0.050, late=True) == pytest.approx(least)


def test_training_grows_only_while_frames_keep_their_rate(clock):
    """On time, but frames averaging 40 ms apart (25 a second): the training between two
    frames does not grow; at 30 a second it does, by half the least share."""
    grow = TRAIN_SHARE * FRAME / 2
    assert frame_judged(clock, 0.001, 0.001, 0.040, 0.040, late=False) == pytest.approx(0.001)
    assert frame_judged(clock, 0.001, 0.001, 1 / 30, 1 / 30, late=False) == pytest.approx(0.001 + grow)
    # the average, not one interval: a single long gap among frames at 30 a second still grows
    assert frame_judged(clock, 0.001, 0.001, 0.040, 1 / 30, late=False) == pytest.approx(0.001 + grow)
