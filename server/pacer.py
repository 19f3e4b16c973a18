"""When a session trains and when it draws. Training runs on the event loop in short slices
(`slice_seconds`), as many steps as the speed's credit allows, woken once a frame's worth
of steps is due rather than for every step (each wake-up costs the loop as much as a
step); frames leave at most `frame_rate` a second (and up to EARLY_EXTRA more that show
a live change at once), and a costly frame (a big network's output over the whole grid) takes at most
half the time (a quarter gave 16 hidden layers of 32 under 8 frames a second; half, 16).
When frames leave late (many sessions on one loop), the training
between two frames is halved, down to TRAIN_SHARE of what a frame takes, and it grows
again only while frames leave on time and keep KEEP of their rate: a class keeps its
pictures moving while training slows down, instead of the other way round. In
between it waits until there is work or a command wakes it. A session nobody watches
neither trains nor draws: it waits, as it was (playing or not), until someone joins it
and wakes it. The session only says what to do (`step`, `publish`); this module
owns the clock, so the session could be driven by anything else, e.g. a worker process."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from typing import Protocol

log = logging.getLogger(__name__)
EARLY_EXTRA = 1 / 6  # frames a second beyond frame_rate that may show live changes sooner (5 at 30)
STEP_HOLD = 0.25  # seconds a `step` command runs before it shows progress frames
# Training between two frames that leave late, as a share of a frame's cost: on a crowded
# loop about a quarter of the time trains, three quarters draw. At 0.5, 30 students on two
# workers drew 24.6-24.9 frames a second (slowest 23.5-24.2); at 0.35, 26.2-26.7 (slowest
# 25.3-25.6) with as many steps (interleaved runs, 1 December); at 0.25, 27.5 and fewer steps.
TRAIN_SHARE = 0.35
# Training grows only while the frames' interval (a running average) keeps this share of
# the frame rate. Grown whenever a frame was on time, a crowded session settled at about
# 26 frames a second, some at 23-24. On a server held to 1.4 of the 2 cores (a slow day
# of this VM), 30 students on two workers: slowest 20.4-21.9 frames/s before, 25.7-26.5
# with this and the halving below, with as many steps (interleaved runs, 1 December, 04:00 UTC).
KEEP = 0.95


class Paced(Protocol):
    """What the pacer needs of a session."""

    id: str
    config: dict
    running: bool
    steps_pending: int  # steps a `step` command still owes
    dirty: bool  # the last frame is out of date

    @property
    def watched(self) -> bool: ...  # some connection would get a frame

    def step(self) -> bool: ...  # one step; False once training stopped (divergence, a finished `step`, ...)

    def publish(self) -> None: ...  # encode a frame and hand it to every connection

    def fail(self) -> None: ...  # an unexpected error stopped training: pause and say so


class Pacer:
    def __init__(self, session: Paced, frame_rate: float, slice_seconds: float):
        self.session, self.frame_rate, self.slice_seconds = session, frame_rate, slice_seconds
        self.credit = 0.0  # steps earned at the chosen speed and not yet taken
        self.next_frame_at = 0.0
        self.frame_cost = 0.0  # seconds the last frame took to build
        self.budget = math.inf  # seconds of training allowed between two frames
        self.trained = 0.0  # seconds trained since the last frame
        self.last_frame = self.interval = 0.0  # when the last frame left; the average interval
        # A frame since the start or restart: a cadence to be late against (the first one
        # would count as late for a time before it, and cut the training it has not had).
        self.paced = False
        self.recent_frames: deque[float] = deque()  # when the frames of the last second left
        self.early = False  # a live change waits to be shown (show_soon)
        self.wake = asyncio.Event()
        self.task: asyncio.Task | None = None

    def start(self) -> None:
        self.task = asyncio.get_running_loop().create_task(self.run())

    def stop(self) -> None:
        if self.task:
            self.task.cancel()

    def restart(self) -> None:
        """Earn steps from now on (after play, reset or a live change), not for the past; find
        out afresh how crowded the loop is."""
        self.credit, self.budget, self.paced = 0.0, math.inf, False

    def poke(self) -> None:
        """A command arrived: look again at once."""
        self.wake.set()

    def hold(self) -> None:
        """A `step` command: the next frame shows where it ends (or, if it takes longer than
        STEP_HOLD, its progress), not its first steps, however the slices fall."""
        self.next_frame_at = max(self.next_frame_at, time.monotonic() + STEP_HOLD)

    def show_soon(self) -> None:
        """After a live change while training: the next frame leaves at once (after the
        slice of training the poke wakes, so it shows the change at work). At full cadence
        every second already holds `frame_rate` frames, so an early one may exceed that by
        EARLY_EXTRA of it; the regular frames follow a period after it. (Held to half a
        period after the last frame, a change waited up to 17 ms; a presenter's room of 200
        saw that in its p95. On test_pacing's simulated clock at 300 steps a second, changes 20 to
        53 ms apart make at most 33 frames a second, one every 37 to 100 ms 31; closer ones wait
        for the cap.)"""
        self.next_frame_at = min(self.next_frame_at, time.monotonic())
        self.early = True

    async def run(self) -> None:
        last = time.monotonic()
        while True:
            now = time.monotonic()
            try:
                self._tick(now - last)
            except Exception:  # a bug must not end the session's task unseen
                log.exception("session %s: training stopped by an internal error", self.session.id)
                self.session.fail()
            last = now
            await self._idle()

    def _tick(self, elapsed: float) -> None:
        s = self.session
        if not s.watched:  # work only for what someone sees
            return
        if s.running or s.steps_pending:
            self._train(elapsed, min(self.slice_seconds, self.budget - self.trained))
        if s.dirty and time.monotonic() >= self.next_frame_at and self._frame_allowed():
            started, self.early = time.monotonic(), False
            s.publish()
            # A big network's frame is costly (its output over the whole grid): keep
            # drawing frames under half the time, so training still moves.
            self.frame_cost = cost = time.monotonic() - started
            period = 1.0 / self.frame_rate
            self._judge(started, period, cost)
            self.trained, self.paced = 0.0, True
            if 2 * cost > period:
                self.next_frame_at = started + 2 * cost
            else:  # on the cadence, so that wake-ups a little late (and the slice before) cost no frames
                self.next_frame_at = max(self.next_frame_at + period, started + period / 2)

    def _judge(self, started: float, period: float, cost: float) -> None:
        """A frame left at `started`: cut the training between two frames if it was late,
        grow it if frames keep their rate."""
        least = TRAIN_SHARE * cost
        if self.paced:
            self.interval = 0.8 * self.interval + 0.2 * (started - self.last_frame)
        else:  # the first frame since a start or restart: no interval yet
            self.interval = period
        self.last_frame = started
        if self.paced and started > self.next_frame_at + period / 2:  # late: the loop is crowded
            # Halve what was allowed, not what was trained: the last step of a slice ends past
            # its deadline, so a crowded session trains past its budget, and half of that
            # overshoot would keep its training near a frame's cost.
            self.budget = max(least, min(self.budget, self.trained) / 2)
        elif self.interval <= max(period, 2 * cost) / KEEP:
            self.budget += least / 2

    def _batch(self, speed: float) -> float:
        """Steps to wait for before waking to train: a frame's worth."""
        return max(1.0, speed / self.frame_rate)

    def _train(self, elapsed: float, seconds: float) -> None:
        """As many steps as allowed, for at most `seconds`; at least one since the last frame."""
        s, speed = self.session, self.session.config["speed"]
        stepping = bool(s.steps_pending)
        if stepping:
            allowed = s.steps_pending
        elif speed == 0:
            allowed = 1 << 30
        else:  # two frames' worth at most: a wake-up a little late loses no steps, a long stall is not made up
            self.credit = min(self.credit + elapsed * speed, 2 * self._batch(speed))
            allowed = int(self.credit)
        started = time.monotonic()
        # at least one step since the last frame, or while there is nothing new to draw: never stuck
        deadline, first = started + seconds, self.trained == 0 or not s.dirty
        done = 0
        while done < allowed and (time.monotonic() < deadline or (done == 0 and first)):
            if not s.step():
                break
            done += 1
        self.trained += time.monotonic() - started
        if not stepping and speed:
            self.credit -= done

    def _frame_allowed(self) -> bool:
        """At most `frame_rate` frames in any second, plus EARLY_EXTRA of it for frames
        that show a live change."""
        now = time.monotonic()
        while self.recent_frames and now - self.recent_frames[0] >= 1.0:
            self.recent_frames.popleft()
        if len(self.recent_frames) >= self.frame_rate * (1 + EARLY_EXTRA * self.early):
            self.next_frame_at = self.recent_frames[0] + 1.0
            return False
        self.recent_frames.append(now)
        return True

    def until_work(self) -> float | None:
        """Seconds until there is work to do: 0 for now, None until a command or a joiner wakes it."""
        s, speed = self.session, self.session.config["speed"]
        if not s.watched:  # until someone joins (Session.attach wakes it)
            return None
        if s.steps_pending or (s.running and speed == 0):
            return 0.0
        now, waits = time.monotonic(), []
        if s.running:
            waits.append(max(0.0, (self._batch(speed) - self.credit) / speed))
        if s.dirty:
            waits.append(max(0.0, self.next_frame_at - now))
        return min(waits) if waits else None

    async def _idle(self) -> None:
        timeout = self.until_work()
        if timeout == 0.0:
            await asyncio.sleep(0)
            return
        try:
            await asyncio.wait_for(self.wake.wait(), timeout)
        except TimeoutError:
            pass
        self.wake.clear()
