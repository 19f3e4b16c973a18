"""What the web process holds of a session that trains in a worker process (workers.py):
the session's stand-in, which forwards to its worker, and a frame the worker encoded."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING

from .connection import Connection

if TYPE_CHECKING:
    from .workers import Pool, WorkerHandle


class RemoteFrame:
    """A frame a worker encoded: its shared payload, and the worker to ask for the history
    a particular connection lacks."""

    def __init__(self, handle: WorkerHandle, wired: tuple):
        self.handle = handle
        self.sid, self.seq, self.run, self.first, self.last, self.payload = wired
        # Connections that missed the same frames lack the same history: one request for
        # all of them (after a burst, a room of viewers would otherwise ask one by one).
        self.asked: dict[tuple[int, int], asyncio.Future] = {}

    def encode_for(self, run: int, next_step: int) -> bytes | Awaitable[bytes | None]:
        if run == self.run and next_step == self.first:
            return self.payload
        key = (run, next_step)
        if key not in self.asked:
            self.asked[key] = self.handle.request(("encode", self.sid, self.seq, run, next_step))
        return asyncio.shield(self.asked[key])  # one waiter's cancellation must not cancel the others


class RemoteSession:
    """What the registry and the receive loop hold of a session that trains in a worker."""

    def __init__(self, pool: Pool, sid: str, config: dict, token: str, copy_of: RemoteSession | None = None):
        """`copy_of`: this is a copy of that session (release.py), which its worker makes
        (WorkerRegistry.copies): it lives there, so no weights cross processes."""
        self.pool, self.id, self.token = pool, sid, token  # the worker makes the same token (secret.py)
        self.config = config  # the worker's latest (`config` items): what a re-creation starts from
        self.parent = None if copy_of is None else copy_of.id
        self.fork: dict | None = None  # a copy's room.fork, to make it again as a copy (`recreate`)
        self.connections: list[Connection] = []
        self.orphaned_at: float | None = time.monotonic()
        if copy_of is None:
            self.handle = pool.place(self, ready_first=False)
        else:
            self.handle = copy_of.handle
            self.handle.sessions[sid] = self

    def attach(self, conn: Connection, role: str, schema: list[dict], limits: dict) -> None:
        conn.role = role
        self.connections.append(conn)
        self.orphaned_at = None
        cid = self.pool.register(conn)
        conn.relay = lambda message: self.handle.post(("say", self.id, cid, message))
        self.handle.post(("attach", self.id, cid, role, conn.name, False))

    def detach(self, conn: Connection) -> None:
        if conn in self.connections:
            self.connections.remove(conn)
            self.handle.post(("detach", self.id, self.pool.unregister(conn)))
        if not self.connections:
            self.orphaned_at = time.monotonic()

    def command(self, conn: Connection, msg: dict) -> None:
        self.handle.post(("command", self.id, self.pool.cids[conn], msg))

    def close(self) -> None:
        self.handle.post(("close", self.id))
        self.handle.sessions.pop(self.id, None)
        self.pool.latest.pop(self.id, None)

    def recreate(self) -> None:
        """Its worker died: the same session again on a live one, and its pages told."""
        self.handle = self.pool.place(self, ready_first=True)
        if self.fork is not None:  # from its config, but still its student's copy of the class's run
            self.handle.post(("copied", self.id, self.parent, self.fork))
        for conn in self.connections:
            conn.restart()
            self.handle.post(("attach", self.id, self.pool.cids[conn], conn.role, conn.name, True))
