"""A worker's pipe as the web process's event loop uses it (workers.py).

- Writing never blocks the loop: a worker that stops reading (busy, or hung in a step)
  must not stall it, nor deadlock with a worker writing to us. What the pipe does not take
  at once waits here, in order, until it is writable. The bytes are those of
  multiprocessing's `Connection.send`, so the worker reads them with `recv`. (They once went
  through a thread: each hand-over waited for the GIL, up to 5 ms, while the loop sent
  frames to a room of viewers.)
- Reading takes everything the worker sent (it never waits for us) and hands it on one
  batch a turn of the loop, so that the connections' pumps send a batch's frame before the
  next replaces it in their outboxes: then every viewer waited for the worker to encode the
  history it lacked (a third of all sends to a room of 200 on a loaded machine, where the
  loop had found two batches waiting). Further behind than BEHIND batches, all at once:
  frames are dropped rather than sent late."""

from __future__ import annotations

import asyncio
import os
import socket
import struct
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection as Pipe
from multiprocessing.reduction import ForkingPickler

BEHIND = 4  # batches read and not yet handed on, past which they are handed on at once


class PipeWriter:
    def __init__(self, pipe: Pipe):
        self.loop = asyncio.get_running_loop()
        self.sock = socket.socket(fileno=os.dup(pipe.fileno()))  # a descriptor of its own for the loop's writer
        self.unsent = bytearray()

    def send(self, msg: object) -> None:
        data = ForkingPickler.dumps(msg)
        size = len(data)
        waiting = bool(self.unsent)
        self.unsent += struct.pack("!i", size) if size < 0x7FFFFFFF else struct.pack("!iQ", -1, size)
        self.unsent += data
        if not waiting:
            self._writable()
            if self.unsent:
                self.loop.add_writer(self.sock.fileno(), self._writable)

    def _writable(self) -> None:
        try:
            sent = self.sock.send(self.unsent, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return
        except OSError:  # the worker is dying: its reader meets the pipe's end and starts the recovery
            sent = len(self.unsent)  # what is left was for a dead process
        del self.unsent[:sent]
        if not self.unsent:
            self.loop.remove_writer(self.sock.fileno())

    def close(self) -> None:
        self.loop.remove_writer(self.sock.fileno())
        self.unsent.clear()
        self.sock.close()


class PipeReader:
    """Calls `deliver` with each batch the worker sent, one a turn; `heard` as each is read;
    `ended` once the pipe ends (after delivering what came before)."""

    def __init__(
        self, pipe: Pipe, deliver: Callable[[list], None], heard: Callable[[], None], ended: Callable[[], None]
    ):
        self.pipe, self.deliver, self.heard, self.ended = pipe, deliver, heard, ended
        self.loop = asyncio.get_running_loop()
        self.inbox: deque[list] = deque()
        self.due = False  # the next batch is handed on at the loop's next turn
        self.open = True
        self.loop.add_reader(pipe.fileno(), self._readable)

    def _readable(self) -> None:
        while self.open:
            try:
                if not self.pipe.poll():
                    break
                batch = self.pipe.recv()
            except (EOFError, OSError):
                self.close()
                while self.inbox:
                    self.deliver(self.inbox.popleft())
                self.ended()
                return
            self.heard()
            self.inbox.append(batch)
        if not self.due:
            self._hand_on()

    def _hand_on(self) -> None:
        self.due = False
        while self.open and len(self.inbox) > BEHIND:
            self.deliver(self.inbox.popleft())
        if self.open and self.inbox:
            self.deliver(self.inbox.popleft())
        if self.open and self.inbox:
            self.due = True
            self.loop.call_soon(self._hand_on)

    def close(self) -> None:
        if self.open:
            self.open = False
            self.loop.remove_reader(self.pipe.fileno())
