"""The room around a session: who follows it (and the names some gave when joining),
whether its presenter is there, and how the presenter paces the students' screens
(presentation mode, hidden panels). A Session has one; it lives where the session does
(in a worker process with `--workers N`), so everything here reaches pages as messages.

- The controller seat: the newest connection that presents the token takes it; an older
  controller becomes a viewer and is told (`role`), so two tabs never both steer.
- Watchers are told in plain words when no controller is connected (`presenter`), and
  again when one is back; a watcher's `hello` says whether one is (`presenter`).
- Controllers get `room` (how many watch, the names given): in `hello`, then whenever it
  changes, at most one every `room_interval` seconds, so a class joining at once sends a
  few messages, not one per student. Names never reach watchers.
- `pace` (controller only) sets `pacing`, part of the session's state: every connection
  gets it at once and in its `hello`.
- Released or locked (release.py moves the students): whether the class explores its own
  copies now (`released`, to every connection and in `hello`); a copy's `hello` says whose
  run it copies and whether the presenter released the class (`fork`).
- The class's pooled runs (pool.py): a class's session's Room holds its `pool`; a copy's keeps
  `base`, the presenter's config it was copied from, what its student's run varied from."""

from __future__ import annotations

import asyncio
import time
import unicodedata
from typing import TYPE_CHECKING

from . import pool
from .errors import Invalid
from .protocol import dumps

if TYPE_CHECKING:
    from .connection import Connection
    from .session import Session

# The students' screens' parts a presenter can hide (static/js/pacing.js maps each to the page's panels).
PANELS = {
    "controls": "settings and controls",
    "network": "the network",
    "output": "the output",
    "loss": "the loss chart",
    "gradients": "gradient health",
}
NAME_MAX = 40
DEMOTED = "this session is now controlled from another tab or window; this one watches"


def check_name(value: object) -> str | None:
    """A watcher's name as given at join: trimmed, at most NAME_MAX characters, printable;
    empty means none."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid("name", "must be a string or null")
    name = value.strip()
    if len(name) > NAME_MAX:
        raise Invalid("name", f"must be at most {NAME_MAX} characters (it has {len(name)})")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise Invalid("name", "must not contain control characters or line breaks")
    return name or None


def check_pace(msg: dict) -> dict:
    """The fields a `pace` message sets (their shape checked by messages.py)."""
    changes: dict = {}
    if "present" in msg:
        changes["present"] = msg["present"]
    if "hide" in msg:
        hide = msg["hide"]
        for i, name in enumerate(hide):
            if name not in PANELS:
                shown = str(name)[:40] if isinstance(name, str) else repr(name)[:40]
                raise Invalid(f"hide[{i}]", f"'{shown}' is not a panel; the panels are {', '.join(PANELS)}")
        if len(set(hide)) < len(hide):
            raise Invalid("hide", "names a panel twice")
        changes["hide"] = [p for p in PANELS if p in hide]  # one order, whatever the message's
    return changes


class Room:
    def __init__(self, session: Session, interval: float):
        self.session, self.interval = session, interval
        self.pacing: dict = {"present": False, "hide": []}
        self.last_sent = -float("inf")  # when the controllers last got `room`
        self.timer: asyncio.TimerHandle | None = None
        self.released = False  # the class explores its own copies (release.py)
        self.fork: dict | None = None  # a copy's: {"of": the class's session, "released": by the presenter}
        self.pool = pool.Pool(session)
        pool.register(session)

    @property
    def fork(self) -> dict | None:
        return self._fork

    @fork.setter
    def fork(self, value: dict | None) -> None:
        """Set on a copy as it is made (registry.py): its config then is the presenter's."""
        self._fork = value
        self.base = dict(self.session.config) if value is not None else None

    @property
    def connections(self) -> list[Connection]:
        return self.session.connections

    def controllers(self) -> list[Connection]:
        return [c for c in self.connections if c.role == "controller"]

    def watchers(self) -> list[Connection]:
        return [c for c in self.connections if c.role != "controller"]

    def room(self) -> dict:
        watchers = self.watchers()
        names = [c.name for c in watchers if c.name]
        return {"type": "room", "watching": len(watchers), "names": names, "anonymous": len(watchers) - len(names)}

    def hello(self, conn: Connection) -> dict:
        """What a joining connection's hello carries of the room (`conn` is attached)."""
        fields: dict = {"pacing": self.pacing, "presenter": bool(self.controllers())}
        fields["panels"] = [{"name": name, "label": label} for name, label in PANELS.items()]
        fields["released"] = self.released
        if self.fork is not None:
            fields["fork"] = self.fork
        fields.update(self._pool_hello(conn))
        if conn.role == "controller":
            room = self.room()
            del room["type"]
            fields["room"] = room
        return fields

    def _pool_hello(self, conn: Connection) -> dict:
        """The class's pool as this connection may see it; on a copy, also the run it sent."""
        if self.session.parent is None:
            return {"pool": _bare(self.pool.for_(conn, on_class=True))}
        parent = pool.class_of(self.session)
        if parent is None:
            return {}
        theirs = parent.room.pool
        fields = {"pool": _bare(theirs.for_(conn, on_class=False))}
        student = pool.student_of(self.session)  # their run, sent from this copy or an earlier one
        sent = [k for k, who in theirs.students.items() if who == student]
        if sent:
            fields["pool_sent"] = theirs.runs[sent[0]]
        return fields

    def seat(self, conn: Connection) -> bool:
        """A controller joins (`conn`, attached, before its hello): the newest tab with the
        token steers, older ones watch and are told. Whether a controller was there before."""
        others = [c for c in self.controllers() if c is not conn]
        for old in others:
            old.set_role("viewer")
            old.send({"type": "role", "role": "viewer", "message": DEMOTED})
        return bool(others)

    def joined(self, conn: Connection, had_controller: bool) -> None:
        """After `conn`'s hello: watchers learn the presenter is back; the controllers, the count
        (a controller's own hello holds it)."""
        if conn.role != "controller":
            self.changed()
        elif not had_controller:
            self._tell_watchers(True)

    def left(self, conn: Connection) -> None:
        if conn.role == "controller" and not self.controllers():
            self._tell_watchers(False)
        self.changed()

    def _tell_watchers(self, present: bool) -> None:
        s = self.session
        if present:
            text = "the presenter is back"
        elif s.running:
            text = "the presenter has left; training goes on until they are back"
        else:
            text = f"the presenter has left; the session stays paused at step {s.history.last} until they are back"
        message = dumps({"type": "presenter", "connected": present, "message": text})
        for c in self.watchers():
            c.send_text(message)

    def command(self, msg: dict) -> None:
        """`pace` from the controller, or `released` from release.py (never from a page:
        messages.py knows no such type), which has moved `students` connections."""
        if msg["type"] == "pace":
            self.pacing = {**self.pacing, **check_pace(msg)}
            message = {"type": "pacing", **self.pacing}
        else:
            self.released = msg["released"]
            message = {"type": "released", "released": self.released, "students": msg["students"]}
        text = dumps(message)
        for c in self.connections:
            c.send_text(text)

    # -- `room` to the controllers, throttled ------------------------------------------------

    def changed(self) -> None:
        if self.timer is not None:  # one is on its way and will count this change too
            return
        wait = self.last_sent + self.interval - time.monotonic()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # a session driven by hand, with no event loop: nothing to wait with
            wait = 0
        if wait <= 0:
            self._send_room()
        else:
            self.timer = loop.call_later(wait, self._send_room)

    def _send_room(self) -> None:
        self.timer, self.last_sent = None, time.monotonic()
        controllers = self.controllers()
        if controllers:
            message = dumps(self.room())
            for c in controllers:
                c.send_text(message)

    def close(self) -> None:
        pool.unregister(self.session)
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


def _bare(message: dict) -> dict:
    return {k: v for k, v in message.items() if k != "type"}
