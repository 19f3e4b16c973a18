"""Lock, release, bring everyone back, try it myself: a connection moves, on its own
websocket, between a class's session and a student's own copy of it (a fork, fork.py). The
copies live where the class's session does (with `--workers N`, in its worker process), so
the socket, routed by the class's id, reaches them; a move sends the page a new `hello`.

- `release` (the class's controller): every watcher gets its own copy of the run as it
  stands and controls it; the class's session is untouched and says `released`.
- `gather` (the class's controller, "bring everyone back"): every connection on a copy of
  this session watches it again; the copies are kept (reaped like any session nobody
  watches, after the grace period) and their students may `reopen` them.
- `try` (a watcher, "try it myself"): a copy of its own, alone.
- `follow` (on a copy): back to watching the class's session.
- `reopen` (a watcher, with a copy's id and token): back to that copy of this class.
Locked is the default: watchers follow. Every refusal is an Invalid, and nothing moved.

A copy is marked with its student (`fork["student"]`, an opaque id of the socket it was made
for, or of the one that reopened it): the class's pool keeps one run a student (pool.py)."""

from __future__ import annotations

import secrets
import weakref

from .connection import Connection
from .errors import Invalid
from .registry import Joinable, Registry

MOVES = ("release", "gather", "try", "follow", "reopen")
_students: weakref.WeakKeyDictionary[Connection, str] = weakref.WeakKeyDictionary()
# Where each moved connection is attached now: a release or a gather moves connections other
# than the one that asked, and each one's receive loop learns it here (`current`).
_where: weakref.WeakKeyDictionary[Connection, Joinable] = weakref.WeakKeyDictionary()


def current(conn: Connection, session: Joinable) -> Joinable:
    """The session `conn` is attached to: `session`, where its receive loop last saw it, unless it moved since."""
    return _where.pop(conn, session)


def move(registry: Registry, session: Joinable, conn: Connection, msg: dict) -> Joinable:
    """Apply one of MOVES from `conn`, attached to `session`; returns the session it is attached to now."""
    kind = msg["type"]
    if kind in ("release", "gather"):
        _presenter(session, conn)
        if kind == "release":
            students = _release(registry, session)
        else:  # the class is locked before they are back: their hellos say so
            copies = [s for s in registry.sessions.values() if s.parent == session.id]
            students = sum(len(s.connections) for s in copies)
        session.command(conn, {"type": "released", "released": kind == "release", "students": students})
        if kind == "gather":
            _gather(registry, session, copies)
        return session
    if kind == "try":
        if conn.role == "controller":
            raise Invalid("type", "this connection controls this session already; 'try' is for those watching it")
        _room_for(registry, 1)
        return _switch(registry, session, conn, registry.forks(session, 1, released=False)[0], "controller")
    if kind == "follow":
        parent = registry.sessions.get(session.parent or "")
        if session.parent is None:
            raise Invalid("type", "this session is not a copy of a class's session: there is nothing to follow")
        if parent is None:
            raise Invalid("type", f"the class's session {session.parent} has ended; this copy stays yours")
        return _switch(registry, session, conn, parent, "viewer")
    return _reopen(registry, session, conn, msg)


def _presenter(session: Joinable, conn: Connection) -> None:
    if conn.role != "controller":
        raise Invalid("type", "this connection is watching; only the presenter releases the class or brings it back")
    if session.parent is not None:
        raise Invalid("type", "this is a student's own copy; only the class's session is released and brought back")


def _release(registry: Registry, session: Joinable) -> int:
    students = [c for c in session.connections if c.role != "controller"]
    _room_for(registry, len(students))
    for conn, copy in zip(students, registry.forks(session, len(students), released=True)):
        _switch(registry, session, conn, copy, "controller")
    return len(students)


def _gather(registry: Registry, session: Joinable, copies: list[Joinable]) -> None:
    for copy in copies:
        for conn in list(copy.connections):
            _switch(registry, copy, conn, session, "viewer")


def _reopen(registry: Registry, session: Joinable, conn: Connection, msg: dict) -> Joinable:
    if conn.role == "controller":
        raise Invalid("type", "the presenter's connection stays with the class's session")
    copy = registry.sessions.get(msg["session"])
    if copy is None or copy.parent != session.id:
        raise Invalid(
            "session",
            f"'{msg['session'][:40]}' is not a copy of this class's session that is still kept "
            f"(a copy nobody has had open for {registry.settings.grace_seconds:g} s is dropped)",
        )
    if not secrets.compare_digest(msg["token"].encode(), copy.token.encode()):  # bytes: any text compares
        raise Invalid("token", "is not that copy's token: only the student it belongs to reopens it")
    return _switch(registry, session, conn, copy, "controller")


def _room_for(registry: Registry, n: int) -> None:
    room = registry.settings.limits.max_sessions - len(registry.sessions)
    if n > room:
        raise Invalid("type", f"the server has room for {max(room, 0)} more sessions, and this needs {n}")


def _own(copy: Joinable, conn: Connection) -> None:
    """Mark a copy its controller moves to with that student; a copy reopened (after a
    reload: a new socket) makes the socket its student's again."""
    room = getattr(copy, "room", None)
    fork = room.fork if room is not None else getattr(copy, "fork", None)  # a Session's, or a RemoteSession's
    if fork is None:  # restored from a save: no longer known as a copy
        return
    if "student" in fork:
        _students[conn] = fork["student"]
        return
    fork["student"] = _students.setdefault(conn, secrets.token_urlsafe(9))
    if room is None:  # its worker holds the copy's room: told as a re-made copy is
        copy.handle.post(("copied", copy.id, copy.parent, fork))  # type: ignore[attr-defined]


def _switch(registry: Registry, src: Joinable, conn: Connection, dst: Joinable, role: str) -> Joinable:
    if role == "controller":
        _own(dst, conn)
    src.detach(conn)
    conn.restart()  # the other session's history starts at its own beginning on this page
    dst.attach(conn, role, registry.schema, registry.limits)
    _where[conn] = dst
    return dst
