"""One websocket's outbox. Control messages queue in order; of frames only the newest
waits, so a slow reader drops frames instead of slowing training or other viewers."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.websockets import WebSocket

from .protocol import dumps

if TYPE_CHECKING:
    from .frames import Frame
    from .remote import RemoteFrame


class Connection:
    def __init__(self, ws: WebSocket):
        self.ws = ws
        self.role = ""  # "controller" or "viewer" once joined
        self.name: str | None = None  # a watcher's name, if given at join
        self.address = ""  # the client's, set at join (address.py): what the per-address caps count
        self.outbox: deque[tuple[str, object]] = deque()
        self.ready = asyncio.Event()
        self.drained = asyncio.Event()  # set while the outbox is empty
        self.run, self.next_step = -1, 0  # what this connection's history has reached
        self.closed = False
        # Set while a worker process runs this connection's session (workers.py): what this
        # side says then goes through the worker, so it keeps its order with what the worker says.
        self.relay: Callable[[dict], None] | None = None

    def set_role(self, role: str) -> None:
        """Its session changed its role (room.py: another tab took the controller seat)."""
        self.role = role

    def send(self, message: dict) -> None:
        if self.relay is not None:
            self.relay(message)
        else:
            self._put("text", dumps(message))

    def send_text(self, text: str) -> None:
        """A message already encoded once for every connection."""
        self._put("text", text)

    def send_bytes(self, data: bytes) -> None:
        self._put("bytes", data)

    def offer(self, frame: Frame | RemoteFrame) -> None:
        self._drop_frame()
        self._put("frame", frame)

    def _drop_frame(self) -> None:
        for i, (kind, _) in enumerate(self.outbox):
            if kind == "frame":
                del self.outbox[i]
                break

    def _put(self, kind: str, item: object) -> None:
        if not self.closed:
            self.outbox.append((kind, item))
            self.drained.clear()
            self.ready.set()

    def restart(self) -> None:
        """Its session was made again (its worker process died): history starts over, and a
        frame of the old session still waiting is dropped."""
        self.run, self.next_step = -1, 0
        self._drop_frame()

    async def flush(self, timeout: float = 2.0) -> None:
        """Wait (briefly) until everything queued has been sent: before a deliberate close."""
        try:
            await asyncio.wait_for(self.drained.wait(), timeout)
        except TimeoutError:
            pass

    async def pump(self) -> None:
        try:
            while True:
                await self.ready.wait()
                self.ready.clear()
                while self.outbox:
                    kind, item = self.outbox.popleft()
                    if kind == "text":
                        await self.ws.send_text(item)  # type: ignore[arg-type]
                    elif kind == "bytes":
                        await self.ws.send_bytes(item)  # type: ignore[arg-type]
                    else:
                        frame: Frame | RemoteFrame = item  # type: ignore[assignment]
                        data: bytes | None
                        encoded = frame.encode_for(self.run, self.next_step)
                        # A worker's frame: the worker encodes the history this connection lacks.
                        data = encoded if isinstance(encoded, bytes) else await encoded
                        if data is None:  # its session was made again meanwhile
                            continue
                        self.run, self.next_step = frame.run, frame.last + 1
                        await self.ws.send_bytes(data)
                self.drained.set()
        except Exception:  # the peer went away mid-send; the receive loop notices too
            self.closed = True
