"""A frame: what a session shows at one moment, encoded once and shared by every
connection. `assemble` builds it from the session's runs (run A, and run B with the `b/`
prefix when comparing): the header, the latest tensors, and the per-step scalars since the
previous frame. A connection that missed frames, or has just joined, gets the same
tensors with the history it lacks (`encode_for`). Nothing here knows about sockets or
clocks (but for how old the warnings it reuses are): a worker process could build frames
and hand over their bytes."""

from __future__ import annotations

from dataclasses import dataclass, field
from time import monotonic
from typing import TYPE_CHECKING

import numpy as np

from . import names
from .history import History
from .protocol import encode

if TYPE_CHECKING:
    from .run import Run

# While a run plays, the warnings are computed again once both have passed: at 5 steps/s
# every 8 steps, at 100 steps/s or more four times a second (a class's 30 sessions at 25
# frames/s spent an eighth of their frames' time on them when it was every 8 steps).
DIAGNOSE_EVERY = 8  # steps
DIAGNOSE_SECONDS = 0.25


def assemble(
    runs: list[Run], run: int, config_version: int, running: bool, compare: dict | None, previous: Frame | None
) -> Frame:
    """The frame of runs A (and B) now. `run` counts resets and rebuilds; the history it
    carries starts after `previous` (the same run's last frame) or at the oldest step kept."""
    a = runs[0]
    header = {
        "kind": "frame",
        "step": a.history.last,
        "config_version": config_version,
        "running": running,
        "run": run,
        **a.describe(),
        "metrics": a.frame_metrics(),
    }
    tensors = a.frame_tensors()
    histories = {"": a.history}
    if len(runs) > 1:
        b, described = runs[1], runs[1].describe()
        header |= {f"{key}_b": described[key] for key in ("columns", "sequence") if key in described}
        header |= {"compare": compare, "metrics_b": b.frame_metrics()}
        tensors |= {names.run_b(name): arr for name, arr in b.frame_tensors().items()}
        histories[names.RUN_B] = b.history
    diagnosed = _diagnosis(runs, run, running, previous)
    header |= {key: value for key, value in diagnosed.items() if key not in ("step", "at")}
    first = previous.last + 1 if previous and previous.run == run else a.history.first
    frame = Frame.build(run, first, header, tensors, histories)
    frame.diagnosed = diagnosed
    return frame


def _diagnosis(runs: list[Run], run: int, running: bool, previous: Frame | None) -> dict:
    """The warnings and the heatmap's headline: while a run plays, those of the previous
    frame until DIAGNOSE_EVERY steps and DIAGNOSE_SECONDS have passed (they look at the last
    WINDOW steps and change slowly, and cost a frame a tenth of its time); of this very
    step otherwise."""
    step, now = runs[0].history.last, monotonic()
    kept = previous.diagnosed if previous and previous.run == run and running else {}
    if kept and 0 <= step - kept["step"] and ("warnings_b" in kept) == (len(runs) > 1):
        if step - kept["step"] < DIAGNOSE_EVERY or now - kept["at"] < DIAGNOSE_SECONDS:
            return kept
    # After a divergence (not running): what led up to it.
    out = {"step": step, "at": now, "warnings": runs[0].warnings(), "health": runs[0].health()}
    if len(runs) > 1:
        out |= {"warnings_b": runs[1].warnings(), "health_b": runs[1].health()}
    return out


@dataclass
class Frame:
    run: int  # changes on every reset or rebuild: history starts again
    first: int  # first history step carried by `payload`
    last: int  # last history step
    header: dict
    tensors: dict[str, np.ndarray]
    histories: dict[str, History]  # by array-name prefix: "" for run A, names.RUN_B for run B (lockstep)
    payload: bytes = b""
    caught_up: dict[int, bytes] = field(default_factory=dict)  # by first history step: encode_for's
    diagnosed: dict = field(default_factory=dict)  # the warnings and health it carries, and their step

    @property
    def history(self) -> History:
        return self.histories[""]

    @classmethod
    def build(cls, run: int, first: int, header: dict, tensors: dict, histories: dict[str, History]) -> Frame:
        frame = cls(run, first, histories[""].last, header, tensors, histories)
        frame.payload = frame._encode(first)
        return frame

    def _encode(self, start: int) -> bytes:
        arrays: dict[str, np.ndarray] = {}
        first = start
        for prefix, history in self.histories.items():
            first, part = history.arrays(start, self.last)
            arrays.update({prefix + name: a for name, a in part.items()})
        count = len(arrays[names.history("loss")])
        return encode({**self.header, "history": {"first": first, "count": count}}, {**arrays, **self.tensors})

    def encode_for(self, run: int, next_step: int) -> bytes:
        if run == self.run and next_step == self.first:
            return self.payload
        start = next_step if run == self.run else self.history.first
        # Viewers that missed the same frames lack the same history: encoded once for all.
        if start not in self.caught_up:
            self.caught_up[start] = self._encode(start)
        return self.caught_up[start]
