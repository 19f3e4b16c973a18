"""Replay: what a session's timeline shows and does, from the snapshots it keeps
(snapshots.py): a kept step's frame while the controller scrubs, and "continue from here".

While the controller scrubs (`{"type": "scrub", "step": N}`), training pauses and every
connection is sent the frame of the kept step at or before N, built by the session's own
frame code from that step's weights (the page never recomputes it); its history ends at that
step and its header says `"replay": {...}`. `{"type": "scrub", "step": null}` (or any other
command) returns to live, playing again if it was. `continue_from` starts a new run from a
kept step's weights: the history up to it stays, the optimizer's state starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .frames import Frame, assemble
from .history import History
from .snapshots import Ring, batch_stats, load

if TYPE_CHECKING:
    from .run import Run
    from .session import Session

KINDS = ("scrub", "continue_from")
# History rows a replay frame carries at least, up to its step: the page cuts its charts back to
# them, and its gradient heatmap shows the steps before the one shown (its width, 300 steps:
# LAYER_WINDOW in static/js/history.js).
ROWS = 300
OPTIMIZER_NOTE = "the optimizer's state (momentum, Adam's moments) starts afresh"


@dataclass
class _Since:
    """Stands for the previous frame in `assemble`: the history a replay frame carries starts after `last`."""

    run: int
    last: int


class ReplayFrame(Frame):
    """A frame of a kept step. Its history ends at that step, and every connection gets at
    least the ROWS steps up to it: a page whose charts ran further cuts them back to it (and
    gets the rest again with the next live frame)."""

    def encode_for(self, run: int, next_step: int) -> bytes:
        return super().encode_for(run, min(next_step, self.last - ROWS + 1))


class Replay:
    """A session's ring and what its timeline shows (`showing`: a kept step, or None: live)."""

    def __init__(self) -> None:
        self.ring = Ring()
        self.showing: int | None = None
        self.asked: int | None = None  # the step the last scrub asked for (`showing` is the kept one at or before it)
        self.frame: ReplayFrame | None = None
        self.resume = False  # playing when the scrub began: play again on returning to live

    def restart(self, runs: list[Run]) -> None:
        self.showing = self.frame = None
        self.ring = Ring()
        self.ring.restart(runs, runs[0].history.last)

    def keep(self, runs: list[Run]) -> None:
        self.ring.keep(runs, runs[0].history.last)

    def describe(self) -> dict:
        """The frame header's `replay`: what is shown and what could be."""
        r = self.ring
        first = r.steps[0] if r.steps else None
        return {
            "step": self.showing,
            "asked": self.asked,
            "first": first,
            "every": r.every,
            "optimizer": OPTIMIZER_NOTE,
        }

    def command(self, session: Session, msg: dict) -> None:
        if msg["type"] == "scrub" and msg["step"] is None:
            self.leave(session)
            return
        live = session.history.last
        if self.ring.seen != live:  # restored from a snapshot (fork.py) and not trained since: only now is known
            self.ring.restart(session.runs, live)
        step = self.ring.find(msg["step"], live)
        if step < msg["step"] == live and session.diverged_at is None:  # the live step itself: kept now
            self.ring.head(session.runs, live)
            step = live
        if msg["type"] == "continue_from":
            self.continue_from(session, step)
            return
        if self.showing is None:  # training pauses while the timeline is held
            self.resume = session.running
            session.running, session.steps_pending = False, 0
            session._broadcast_state()
        # The pacer draws it, at its frame rate: a fast drag's scrubs coalesce to the last one.
        self.showing, self.asked, session.dirty = step, msg["step"], True

    def leave(self, session: Session) -> None:
        """Back to live (and playing, if it was), and the live frame to everyone."""
        if self.showing is None:
            return
        self.showing = self.frame = None
        session.running = self.resume
        session.pacer.restart()
        session._broadcast_state()
        session.publish()

    def publish(self, session: Session) -> None:
        """The frame of the step shown, to every connection."""
        assert self.showing is not None
        self.frame = self.build(session, self.showing)
        session.dirty = False
        for conn in session.connections:
            conn.offer(self.frame)

    def joined(self, conn: Any) -> None:
        if self.frame is not None:
            conn.offer(self.frame)

    def build(self, session: Session, step: int) -> ReplayFrame:
        """The frame at kept step `step`: the live runs, for a moment, hold that step's weights."""
        runs, saved = session.runs, []
        try:
            for run, weights in zip(runs, self.ring.at(step)):
                saved.append(_swap_in(run, weights, step))
            # The history most connections have: the live frame's, or the last replay frame's.
            had = (session.frame if self.frame is None else self.frame).last
            since = _Since(session.run, min(had, step - ROWS))
            f = assemble(runs, session.run, session.config_version, False, session.config["compare"], since)  # type: ignore[arg-type]
        finally:
            for run, state in zip(runs, saved):
                _swap_out(run, state)
        f.header["replay"] = self.describe()
        out = ReplayFrame(f.run, f.first, f.last, f.header, f.tensors, f.histories)
        out.payload = out._encode(out.first)  # again: the header now says it is a replay
        return out

    def continue_from(self, session: Session, step: int) -> None:
        """A new run from kept step `step`: its weights, its history so far, the optimizer afresh."""
        weights = self.ring.at(step)
        runs = session._runs(session.config, session.data, getattr(session, "view", None))
        for run, old, w in zip(runs, session.runs, weights):
            load(run, w)
            run.trainer.steps = step
            _history_to(run, old.history, step)
        ring, playing = self.ring, self.resume if self.showing is not None else session.running
        ring.truncate(step)
        session.running = playing
        session._start(runs)  # a new run (the page clears its charts and gets the history again)
        self.ring = ring  # which goes on from the kept step: the timeline still reaches back before it
        session._broadcast(
            {"type": "state", **session.state(), "message": f"continued from step {step}; {OPTIMIZER_NOTE}"}
        )


def _swap_in(run: Run, weights: dict[str, np.ndarray], step: int) -> tuple:
    """Give a run a kept step's weights and its history up to that step; what it had, for `_swap_out`."""
    layers = run.trainer.network.layers
    state = (
        [dict(layer.params) for layer in layers],
        [{k: getattr(layer, k) for k in batch_stats(layer)} for layer in layers],
        run.record,
        run.history,
        run.metrics,
        run.metrics_step,
        getattr(run.trainer, "test_logits", None),
    )
    for i, layer in enumerate(layers):
        for k in layer.params:
            layer.params[k] = weights[f"layer{i}/{k}"]
        for k in batch_stats(layer):
            setattr(layer, k, weights[f"layer{i}/{k}"])
    run.record = None  # no gradient is kept: the frame is drawn as a run's first one is
    run.history = run.history.until(step)
    run.metrics, run.metrics_step = run.evaluate(), step
    return state


def _swap_out(run: Run, state: tuple) -> None:
    params, stats, run.record, run.history, run.metrics, run.metrics_step, logits = state
    for layer, p, s in zip(run.trainer.network.layers, params, stats):
        layer.params.update(p)
        for k, v in s.items():
            setattr(layer, k, v)
    if logits is not None:
        run.trainer.test_logits = logits


def _history_to(run: Run, old: History, step: int) -> None:
    """A continued run's history: the old one's steps up to `step`, copied."""
    cut = old.until(step)
    h = run.history
    h.load(cut.rows.copy(), cut.steps.copy(), cut.state())
    if h.count:  # evaluated again at the step continued from, when first asked
        run.metrics_step = -1
    else:
        run.metrics = run.evaluate()
