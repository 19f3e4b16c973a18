"""A websocket client that costs its load generator almost nothing per message, so that
200 viewers played from one Python process measure the server, not the client: frames
are split out of the byte stream with a few slices, and a frame's payload past its small
JSON header is never touched. It speaks just what a viewer needs: the handshake, one
masked text message (the join), and reading text and binary messages (ping answered,
close ended). It offers permessage-deflate like a browser and refuses a server that
accepts it (a compressed frame would need inflating, which this client does not do)."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
from collections.abc import Callable

Handler = Callable[[bool, memoryview], None]  # (binary?, the message)


def _frame(opcode: int, payload: bytes) -> bytes:
    """A client's frame: always masked (RFC 6455, 5.3)."""
    n = len(payload)
    head = bytes([0x80 | opcode])
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 1 << 16:
        head += bytes([0x80 | 126]) + struct.pack(">H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack(">Q", n)
    mask = os.urandom(4)
    keys = (mask * (n // 4 + 1))[:n]
    masked = int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")  # XOR of every byte at once
    return head + mask + masked.to_bytes(n, "big")


class LightClient(asyncio.Protocol):
    def __init__(self, on_message: Handler):
        self.on_message = on_message
        self.buf = bytearray()
        self.handshaken = asyncio.get_running_loop().create_future()
        self.closed = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None
        self.head = b""
        self.parts: list[bytes] = []  # a fragmented message's frames so far
        self.binary = False

    def connection_made(self, transport) -> None:  # type: ignore[override]
        self.transport = transport

    def connection_lost(self, exc: Exception | None) -> None:
        for f in (self.handshaken, self.closed):
            if not f.done():
                f.set_result(None)

    def send_text(self, text: str) -> None:
        assert self.transport is not None
        self.transport.write(_frame(0x1, text.encode()))

    def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(_frame(0x8, struct.pack(">H", 1000)))
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.handshaken.done():
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            self.head, self.buf = bytes(self.buf[:end]), self.buf[end + 4 :]
            if b" 101 " not in self.head.split(b"\r\n", 1)[0]:
                self.handshaken.set_exception(RuntimeError(f"handshake refused: {self.head[:80]!r}"))
                return
            if b"permessage-deflate" in self.head.lower():
                self.handshaken.set_exception(RuntimeError("the server compresses; this client cannot inflate"))
                return
            self.handshaken.set_result(None)
        self._frames()

    def _frames(self) -> None:
        buf, at = self.buf, 0
        view = memoryview(buf)
        try:
            while len(buf) - at >= 2:
                b0, b1 = buf[at], buf[at + 1]
                n, start = b1 & 0x7F, at + 2
                if n == 126:
                    if len(buf) - at < 4:
                        break
                    (n,) = struct.unpack_from(">H", buf, at + 2)
                    start = at + 4
                elif n == 127:
                    if len(buf) - at < 10:
                        break
                    (n,) = struct.unpack_from(">Q", buf, at + 2)
                    start = at + 10
                if len(buf) - start < n:
                    break
                self._message(b0, view[start : start + n])
                at = start + n
        finally:
            view.release()
        if at:
            del buf[:at]

    def _message(self, b0: int, payload: memoryview) -> None:
        fin, opcode = b0 & 0x80, b0 & 0x0F
        if opcode == 0x9:  # ping: answered, as a browser would
            assert self.transport is not None
            self.transport.write(_frame(0xA, bytes(payload)))
        elif opcode == 0x8:
            self.close()
        elif opcode in (0x1, 0x2) and fin:
            self.on_message(opcode == 0x2, payload)
        elif opcode in (0x0, 0x1, 0x2):  # a fragment: kept until the last one
            if opcode:
                self.binary, self.parts = opcode == 0x2, []
            self.parts.append(bytes(payload))
            if fin:
                self.on_message(self.binary, memoryview(b"".join(self.parts)))


async def connect(host: str, port: int, path: str, on_message: Handler) -> LightClient:
    loop = asyncio.get_running_loop()
    _, client = await loop.create_connection(lambda: LightClient(on_message), host, port)
    key = base64.b64encode(os.urandom(16)).decode()
    assert client.transport is not None
    client.transport.write(
        (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n\r\n"
        ).encode()
    )
    await asyncio.wait_for(client.handshaken, 30)
    return client


async def join(
    host: str, port: int, message: dict, on_binary: Callable[[memoryview], None]
) -> tuple[LightClient, dict]:
    """Connected to /ws, `message` (a join) sent and its hello back; every binary message from
    then on goes to `on_binary`. A refusal raises, with the server's words."""
    hello: asyncio.Future = asyncio.get_running_loop().create_future()

    def on_message(binary: bool, payload: memoryview) -> None:
        if binary:
            on_binary(payload)
        elif not hello.done():
            m = json.loads(bytes(payload))
            if m.get("type") == "hello":
                hello.set_result(m)
            elif m.get("type") == "error":
                hello.set_exception(RuntimeError(f"refused: {m.get('message')}"))

    client = await connect(host, port, "/ws", on_message)
    client.send_text(json.dumps(message))
    return client, await asyncio.wait_for(hello, 30)
