"""Writing to a worker's pipe from the web process's event loop without ever blocking it: a
worker that stops reading (busy, or hung in a step) must not stall the loop, nor deadlock
with a worker writing to us. What the pipe does not take at once waits here, in order,
until it is writable. The bytes are those of multiprocessing's `Connection.send`, so the
worker reads them with `recv`. (They once went through a thread: each hand-over waited for
the GIL, up to 5 ms, while the loop sent frames to a room of viewers.)"""

from __future__ import annotations

import asyncio
import os
import socket
import struct
from multiprocessing.connection import Connection as Pipe
from multiprocessing.reduction import ForkingPickler


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
