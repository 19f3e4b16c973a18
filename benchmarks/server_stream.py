"""A playground session at full speed on a real server (a separate process on a free
loopback port), streaming to 1, 10, 100 and 200 websocket viewers, the 200 also with
`--workers 2`: steps per second, frames per second at the viewers, bytes per frame, the
time from a learning-rate change to the first frame that reflects it (p50, p95, at the
controller and at the viewers), the server's CPU and memory; then a viewer that stops
reading, and what it costs the others.

Viewers join the controller's session id without its token (docs/protocol.md, join), on
a light client (lightws.py) so that this process's own CPU does not decide the figures.
Run: python -m benchmarks.server_stream [--quick]"""

from __future__ import annotations

import argparse
import asyncio
import base64
import fcntl
import json
import os
import random
import re
import socket
import struct
import termios
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import websockets

from . import lightws
from .common import HOST, LoadMeter, ProcessMeter, Table, Target, percentile, print_report, running_server

PLAYGROUND = {"speed": 0}  # the default network (circle, 2-4-2-1 tanh, batch 10), as fast as it goes
RATES = (0.01, 0.03)  # the learning rates the controller switches between
_KIND = re.compile(rb'"kind":"(\w+)"')
_STEP = re.compile(rb'"step":(\d+)')
_VERSION = re.compile(rb'"config_version":(\d+)')


@dataclass
class Shared:
    """The change in flight: the config version it creates and when it was sent."""

    version: int = -1
    sent: float = 0.0
    waiting: int = 0  # connections that have not shown it yet
    all_seen: asyncio.Event = field(default_factory=asyncio.Event)
    measuring: bool = False


def _number(pattern: re.Pattern[bytes], head: bytes) -> int:
    """An integer field read from a frame's JSON header without parsing all of it."""
    found = pattern.search(head)
    if found is None:
        raise ValueError(f"no {pattern.pattern!r} in a frame header")
    return int(found.group(1))


@dataclass
class Watcher:
    """One connection's view: frame arrival times, sizes, steps, and change latencies."""

    ws: Any  # a websockets client connection
    role: str
    frames: list[float] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)
    steps: list[tuple[float, int]] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    seen: int = -1  # last config version seen in a frame
    extensions: str = ""
    session: str = ""

    def take(self, msg: bytes | memoryview, shared: Shared) -> None:
        """One binary message: a frame's arrival, size, step and config version."""
        now = time.perf_counter()
        (size,) = struct.unpack_from("<I", msg, 0)
        head = bytes(msg[4 : 4 + size])
        kind = _KIND.search(head)
        if not kind or kind.group(1) != b"frame":
            return
        version = _number(_VERSION, head)
        if shared.measuring:
            self.frames.append(now)
            self.sizes.append(len(msg))
            self.steps.append((now, _number(_STEP, head)))
        if version >= shared.version > self.seen:
            if shared.measuring:
                self.latencies.append(now - shared.sent)
            shared.waiting -= 1
            if shared.waiting == 0:
                shared.all_seen.set()
        self.seen = max(self.seen, version)

    async def read(self, shared: Shared) -> None:
        """The controller's reading loop (a websockets connection)."""
        try:
            async for msg in self.ws:
                if not isinstance(msg, str):
                    self.take(msg, shared)
        except websockets.ConnectionClosed:
            pass

    async def close(self) -> None:
        if isinstance(self.ws, lightws.LightClient):
            self.ws.close()
        else:
            await self.ws.close()


async def light_viewer(port: int, session: str, shared: Shared) -> Watcher:
    """A viewer on the light client (lightws.py): joined, its hello checked, then every
    binary message goes straight to Watcher.take."""
    watcher = Watcher(None, "viewer")
    join = {"type": "join", "session": session, "token": None, "config": None}
    watcher.ws, m = await lightws.join(HOST, port, join, lambda payload: watcher.take(payload, shared))
    assert m["role"] == "viewer" and m["session"] == session
    return watcher


async def connect(url: str, message: dict) -> tuple[Any, dict]:
    """The controller's connection (the websockets library), offering permessage-deflate
    as every browser does."""
    ws = await websockets.connect(url, max_size=None, open_timeout=20, compression="deflate")
    await ws.send(json.dumps(message))
    while True:
        m = await ws.recv()
        if isinstance(m, str) and json.loads(m).get("type") == "hello":
            return ws, json.loads(m)


class StalledViewer:
    """A viewer that joins and then never reads again: a raw socket with a small receive
    buffer, so the server's sends to it block once the kernel's buffers are full."""

    def __init__(self, port: int, session: str):
        self.port, self.session = port, session
        self.sock: socket.socket | None = None

    def open(self) -> None:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        s.settimeout(10)
        s.connect((HOST, self.port))
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall(
            (
                f"GET /ws HTTP/1.1\r\nHost: {HOST}:{self.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += s.recv(1)  # byte by byte: not a byte of the websocket stream is read
        if b" 101 " not in response.split(b"\r\n", 1)[0]:
            raise RuntimeError(f"handshake refused: {response[:80]!r}")
        payload = json.dumps({"type": "join", "session": self.session, "token": None, "config": None}).encode()
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head = (
            bytes([0x81, 0x80 | len(payload)])
            if len(payload) < 126
            else bytes([0x81, 0x80 | 126]) + struct.pack(">H", len(payload))
        )
        s.sendall(head + mask + masked)
        self.sock = s

    def unread(self) -> int:
        """Bytes waiting in this socket's receive queue."""
        buf = bytearray(4)
        assert self.sock is not None, "unread() before start()"
        fcntl.ioctl(self.sock.fileno(), termios.FIONREAD, buf)
        return struct.unpack("i", buf)[0]

    def close(self) -> None:
        if self.sock:
            self.sock.close()


@dataclass
class Result:
    viewers: int
    steps_per_s: float
    fps_controller: float
    fps_viewers_mean: float
    fps_viewers_min: float
    bytes_per_frame: float
    latency_controller: list[float]
    latency_viewers: list[float]
    server_cpu: float  # % of one CPU
    server_rss: float  # MB
    client_cpu: float  # % of one CPU: this process, which plays every viewer
    extensions: str
    unread: int = 0  # bytes the stalled viewer left unread
    workers: int = 1


async def measure(
    controller: Watcher,
    viewers: list[Watcher],
    shared: Shared,
    meter: ProcessMeter,
    seconds: float,
    stalled: StalledViewer | None = None,
) -> Result:
    """Measure for `seconds` while the controller changes the learning rate, one change
    at a time: each waits until every connection has shown it (or 1 s), then 0-33 ms."""
    everyone = [controller, *viewers]
    for w in everyone:
        for series in (w.frames, w.sizes, w.steps, w.latencies):
            series.clear()
    cpu0, own0, t0 = meter.cpu_seconds(), time.process_time(), time.perf_counter()
    shared.measuring = True
    changes = 0
    while time.perf_counter() - t0 < seconds:
        shared.version = max(w.seen for w in everyone) + 1 if changes == 0 else shared.version + 1
        shared.waiting = len(everyone)
        shared.all_seen.clear()
        shared.sent = time.perf_counter()
        await controller.ws.send(json.dumps({"type": "set", "config": {"learning_rate": RATES[changes % 2]}}))
        changes += 1
        try:
            await asyncio.wait_for(shared.all_seen.wait(), 1.0)
        except TimeoutError:
            pass
        await asyncio.sleep(random.uniform(0, 1 / 30))
    shared.measuring = False
    wall = time.perf_counter() - t0
    cpu, own = meter.cpu_seconds() - cpu0, time.process_time() - own0
    steps = controller.steps
    fps = [len(w.frames) / wall for w in viewers]
    return Result(
        viewers=len(viewers),
        steps_per_s=(steps[-1][1] - steps[0][1]) / (steps[-1][0] - steps[0][0]) if len(steps) > 1 else 0.0,
        fps_controller=len(controller.frames) / wall,
        fps_viewers_mean=float(np.mean(fps)) if fps else float("nan"),
        fps_viewers_min=float(np.min(fps)) if fps else float("nan"),
        bytes_per_frame=float(np.median(controller.sizes)) if controller.sizes else float("nan"),
        latency_controller=[1000 * x for x in controller.latencies],
        latency_viewers=[1000 * x for w in viewers for x in w.latencies],
        server_cpu=100 * cpu / wall,
        server_rss=meter.rss_mb(),
        client_cpu=100 * own / wall,
        extensions=controller.extensions,
        unread=stalled.unread() if stalled else 0,
    )


async def open_session(port: int, n_viewers: int, shared: Shared) -> tuple[Watcher, list[Watcher], list]:
    ws, hello = await connect(
        f"ws://{HOST}:{port}/ws", {"type": "join", "session": None, "token": None, "config": PLAYGROUND}
    )
    controller = Watcher(
        ws,
        "controller",
        extensions=ws.response.headers.get("Sec-WebSocket-Extensions", "none"),
        session=hello["session"],
    )
    viewers: list[Watcher] = []
    for start in range(0, n_viewers, 20):  # in groups: a hundred handshakes at once is a test of its own
        viewers += await asyncio.gather(
            *(light_viewer(port, hello["session"], shared) for _ in range(start, min(n_viewers, start + 20)))
        )
    tasks = [asyncio.create_task(controller.read(shared))]
    await controller.ws.send(json.dumps({"type": "play"}))
    return controller, viewers, tasks


async def close_session(controller: Watcher, viewers: list[Watcher], tasks: list) -> None:
    await controller.ws.send(json.dumps({"type": "pause"}))  # an orphaned session must not train on
    await asyncio.sleep(0.1)
    await asyncio.wait_for(asyncio.gather(*(w.close() for w in [controller, *viewers]), return_exceptions=True), 10)
    for t in tasks:
        t.cancel()


async def fan_out(port: int, pid: int, n_viewers: int, seconds: float, warmup: float) -> Result:
    shared = Shared()
    controller, viewers, tasks = await open_session(port, n_viewers, shared)
    try:
        await asyncio.sleep(warmup)
        return await measure(controller, viewers, shared, ProcessMeter(pid), seconds)
    finally:
        await close_session(controller, viewers, tasks)


async def slow_viewer(port: int, pid: int, n_viewers: int, seconds: float, warmup: float) -> list[Result]:
    """Without a stalled viewer, with one, and without again (its socket closed): the
    first and last bracket any drift in the machine's load."""
    shared = Shared()
    controller, viewers, tasks = await open_session(port, n_viewers, shared)
    meter = ProcessMeter(pid)
    out = []
    try:
        await asyncio.sleep(warmup)
        out.append(await measure(controller, viewers, shared, meter, seconds))
        stalled = StalledViewer(port, controller.session)
        await asyncio.to_thread(stalled.open)
        await asyncio.sleep(max(warmup, 2.0))  # until its buffers are full and the server's sends to it block
        out.append(await measure(controller, viewers, shared, meter, seconds, stalled))
        stalled.close()
        await asyncio.sleep(warmup)
        out.append(await measure(controller, viewers, shared, meter, seconds))
    finally:
        await close_session(controller, viewers, tasks)
    return out


ROWS = ((1, 1), (10, 1), (100, 1), (200, 1), (200, 2))  # (viewers, --workers)


def run(quick: bool = False, rows: tuple[tuple[int, int], ...] = ROWS) -> tuple[list[Table], list[Target]]:
    seconds, warmup = (2.0, 0.7) if quick else (5.0, 1.5)
    load = LoadMeter()
    results: list[Result] = []
    server_cpu = 0.0
    for n, workers in rows:
        with running_server(workers=workers) as (proc, port):
            results.append(asyncio.run(fan_out(port, proc.pid, n, seconds, warmup)))
            results[-1].workers = workers
            server_cpu += ProcessMeter(proc.pid).cpu_seconds()
    with running_server() as (proc, port):
        slow = asyncio.run(slow_viewer(port, proc.pid, 10, seconds * 0.8, warmup))
        server_cpu += ProcessMeter(proc.pid).cpu_seconds()

    t = Table(
        f"Server: default playground session (circle, 2-4-2-1 tanh, batch 10) at full speed, {seconds:g} s per row",
        [
            "viewers",
            "--workers",
            "steps/s",
            "frames/s ctrl",
            "viewer fps mean/min",
            "bytes/frame",
            "lr->frame ms ctrl p50/p95",
            "viewers p50/p95",
            "server CPU %",
            "RSS MB",
            "client CPU %",
        ],
    )
    for r in results:
        t.add(
            r.viewers,
            r.workers,
            r.steps_per_s,
            r.fps_controller,
            f"{r.fps_viewers_mean:.1f}/{r.fps_viewers_min:.1f}",
            r.bytes_per_frame,
            _p(r.latency_controller),
            _p(r.latency_viewers),
            r.server_cpu,
            r.server_rss,
            r.client_cpu,
        )
    t.notes += [
        "Viewers join the controller's session id without the token; frames go out at most 30/s per session.",
        "lr->frame: from sending a learning-rate change to the first frame with that config_version, "
        f"{min(len(r.latency_controller) for r in results)}-{max(len(r.latency_controller) for r in results)} "
        "changes per row.",
        f"Websocket extensions negotiated with the controller (which offers permessage-deflate, as a browser does): "
        f"{results[0].extensions}. Viewers use benchmarks/lightws.py, a client that reads a frame's header only, "
        "so that the load generator's own CPU stays small.",
        "server CPU: % of one CPU, the server and its worker processes; client CPU: this process, which plays every "
        "connection on the same 2 CPUs, so its delays are part of the latency.",
        f"Load while this ran: {load.report(server_cpu)}.",
    ]
    without = [slow[0], slow[2]]
    s = Table(
        f"Slow viewer: 10 viewers, then one more that stops reading, then without it ({seconds * 0.8:g} s each)",
        [
            "",
            "steps/s",
            "other viewers' fps mean/min",
            "lr->frame ms viewers p50/p95",
            "server CPU %",
            "RSS MB",
            "unread at the stalled viewer",
        ],
    )
    for name, r in zip(("without", "with a stalled viewer", "without, again"), slow):
        s.add(
            name,
            r.steps_per_s,
            f"{r.fps_viewers_mean:.1f}/{r.fps_viewers_min:.1f}",
            _p(r.latency_viewers),
            r.server_cpu,
            r.server_rss,
            f"{r.unread / 1024:.0f} KB" if r.unread else "",
        )
    base_steps = float(np.mean([r.steps_per_s for r in without]))
    base_fps = float(np.mean([r.fps_viewers_mean for r in without]))
    ratio_steps, ratio_fps = slow[1].steps_per_s / base_steps, slow[1].fps_viewers_mean / base_fps
    targets = []
    most = max(r.viewers for r in results)
    for big in (r for r in results if r.viewers == most):
        ctrl, seen = percentile(big.latency_controller, 95), percentile(big.latency_viewers, 95)
        worst = max(ctrl, seen)
        targets.append(
            Target(
                f"{big.viewers} viewers, --workers {big.workers}: 30 frames/s and p95 command-to-effect < 50 ms",
                f"viewers {big.fps_viewers_mean:.1f} frames/s (min {big.fps_viewers_min:.1f}); "
                f"p95 ctrl {ctrl:.1f} ms, viewers {seen:.1f} ms",
                worst < 50 and big.fps_viewers_min >= 29,
            )
        )
    targets += [
        Target(
            "a slow viewer costs the others nothing (steps/s and their fps within 10%)",
            f"steps/s {ratio_steps:.2f}x, others' fps {ratio_fps:.2f}x of without",
            ratio_steps >= 0.9 and ratio_fps >= 0.9 and slow[1].unread > 0,
        ),
    ]
    return [t, s], targets


def _p(ms: list[float]) -> str:
    return f"{percentile(ms, 50):.1f}/{percentile(ms, 95):.1f}" if ms else "–"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.server_stream", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter windows")
    args = parser.parse_args(argv)
    print_report(*run(args.quick))


if __name__ == "__main__":
    main()
