"""What each command a page sends does to its session: who may send it (stops.py), then
play, pause, step, reset, a config change, a preset, the timeline, the class's pool, the
explanation. Session.command hands every validated-shape message here."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING

from engine import Dataset

from . import changes, export, filter_sum, owndata, pool, replay, stops, transfer
from .errors import Invalid
from .views import View

if TYPE_CHECKING:
    from .connection import Connection
    from .session import Session


def apply(s: Session, conn: Connection, msg: dict) -> None:
    """Apply one validated-shape message from a connection; raises Invalid."""
    kind = msg["type"]
    if kind in pool.TYPES:  # who may is pool.py's: a student's own copy sends, the class's presenter shows
        return pool.command(s, conn, msg)
    if kind == "export":  # read-only: a watcher may take the run home too
        return conn.send(export.session_file(s, msg["file"]))
    if kind == "filter_sum":  # read-only too: a hovered filter weight's gradient, to the asker
        return conn.send(filter_sum.answer(s, msg))
    why = stops.refused(kind, conn.role, s.diverged_at, s.failed_at, owndata.untrainable(s.config))
    if why:
        raise Invalid("type", why)
    if kind in replay.KINDS:
        s.replay.command(s, msg)
    elif kind not in ("pace", "released"):
        s.replay.leave(s)  # any other command acts on the live run
    if kind == "explain":
        _explain(s, msg)
    elif kind in ("pace", "released"):
        s.room.command(msg)
    elif kind == "play":
        if s.explanation.on:  # training again: the explanation would go stale at once
            s.explanation.on = False
            s._explain(always=True)
        s.running = True
        s.pacer.restart()
    elif kind == "pause":
        s.running, s.steps_pending = False, 0
    elif kind == "step":
        s.running, s.steps_pending = False, msg["n"]
        s.pacer.hold()
    elif kind == "reset":  # new initial weights from the seed, the same data
        s._start(s._runs(s.config, s.data, s.view if isinstance(s.view, View) else None))
    elif kind == "regenerate":
        s._change({"data_seed": secrets.randbelow(2**31 - 1)})
    elif kind == "set":
        s._change(msg["config"])
    elif kind == "preset":
        s._change(changes.preset(msg["name"], s.fields), preset=msg["name"])
    elif kind == "continue":  # the new task's network keeps the old one's layers (transfer.py)
        s._change(transfer.partial(msg, s.config, s.fields), keep=s.runs)
    elif kind in ("points", "upload"):
        assert isinstance(s.data, Dataset)  # own points are feed-forward data
        s._change(owndata.change(msg, s.config, s.data, s.settings.limits))
    if kind in ("play", "pause", "reset"):
        s._broadcast_state()
    s.pacer.poke()


def _explain(s: Session, msg: dict) -> None:
    if s.explanation.command(msg, s.runs[0]):  # just turned on: training pauses
        s.running, s.steps_pending = False, 0
        s._broadcast_state()
    s._explain(always=True)
