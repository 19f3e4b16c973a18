"""A class on one server: N students, each with a session of their own, all playing at
once over real websockets against a real server process (`python -m server` on a free
loopback port). Per session: steps per second (from the frames' `step`) and frames per
second, for N = 1, 10, 30 at the default speed and at full speed ("max"), with the
sessions in one process (`--workers 1`) and in two worker processes (`--workers 2`); then
what one frame costs to build, for the default network and for 16 hidden layers of 32, in
this process (the server's code, no socket). And the largest class at the default speed
with two workers once more, the server held to HELD of the 2 CPUs (a slower day of this
VM; cpu_limit.py, as root): how much slower a machine can get before the targets go.

Run: python -m benchmarks.classroom [--quick] [--counts 1,10,30] [--speeds default,max] [--workers 1,2]
[--held 1.4,1.1] (CPUs; 0: none)"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import struct
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from server.schema import DEFAULT_SPEED

from . import cpu_limit, lightws
from .common import HOST, LoadMeter, ProcessMeter, Table, Target, print_report, running_server

COUNTS = (1, 10, 30)
SPEEDS = {"default": (f"{DEFAULT_SPEED} (default)", None), "max": ("max", 0)}  # None: the default config's speed
_KIND = re.compile(rb'"kind":"(\w+)"')
_STEP = re.compile(rb'"step":(\d+)')
BIG = {"hidden": [32] * 16}  # the largest network the default limits allow
HELD = (1.4,)  # CPUs a server is held to for the slow-day row


@dataclass
class Student:
    """One session's controller: when each frame came and the step it showed. On the light
    client (lightws.py): in a class each student's page runs on their own device, so the
    load generator's CPU, which this machine shares with the server, is kept small."""

    ws: Any = None
    frames: list[tuple[float, int]] = field(default_factory=list)
    measuring: bool = False

    def take(self, payload: memoryview) -> None:
        if not self.measuring:
            return
        (size,) = struct.unpack_from("<I", payload, 0)
        head = bytes(payload[4 : 4 + size])
        kind, step = _KIND.search(head), _STEP.search(head)
        if kind and kind.group(1) == b"frame" and step:
            self.frames.append((time.perf_counter(), int(step.group(1))))

    def send(self, message: dict) -> None:
        self.ws.send_text(json.dumps(message))

    def rates(self, wall: float) -> tuple[float, float]:
        """Steps/s between the first and last frame seen, and frames/s over the window."""
        f = self.frames
        steps = (f[-1][1] - f[0][1]) / (f[-1][0] - f[0][0]) if len(f) > 1 and f[-1][0] > f[0][0] else 0.0
        return steps, len(f) / wall


async def join(port: int, config: dict) -> Student:
    student = Student()
    join = {"type": "join", "session": None, "token": None, "config": config}
    student.ws, _ = await lightws.join(HOST, port, join, student.take)
    return student


@dataclass
class Row:
    workers: int
    cpus: str  # "all", or the CPUs the server was held to
    speed: str
    sessions: int
    steps: list[float]
    fps: list[float]
    server_cpu: float  # % of one CPU


async def classroom(
    port: int,
    meter: ProcessMeter,
    n: int,
    speed: int | None,
    seconds: float,
    label: str,
    workers: int,
    cpus: str = "all",
) -> Row:
    config = {} if speed is None else {"speed": speed}
    students = [await join(port, config) for _ in range(n)]
    for s in students:
        s.send({"type": "play"})
    await asyncio.sleep(min(2.0, seconds / 4))  # every session under way
    cpu0, t0 = meter.cpu_seconds(), time.perf_counter()
    for s in students:
        s.measuring = True
    await asyncio.sleep(seconds)
    for s in students:
        s.measuring = False
    wall = time.perf_counter() - t0
    cpu = meter.cpu_seconds() - cpu0
    rates = [s.rates(wall) for s in students]
    # Closing: a session nobody watches stops training (or, before that, trained through its grace period).
    for s in students:
        s.send({"type": "pause"})
        s.ws.close()
    await asyncio.wait_for(asyncio.gather(*(s.ws.closed for s in students)), 20)
    return Row(workers, cpus, label, n, [r[0] for r in rates], [r[1] for r in rates], 100 * cpu / wall)


class _Sink:
    """A connection that takes frames and sends them nowhere."""

    def offer(self, frame: object) -> None:
        pass


def frame_cost(config: dict, repeats: int) -> float:
    """Median ms of one `publish` (assemble and encode a frame) after a few steps, in-process."""
    from server.schema import defaults, make_fields
    from server.session import Session
    from server.settings import Settings

    settings = Settings()
    fields = make_fields(settings.limits)
    session = Session("benchmrk", {**defaults(fields), **config}, settings, fields)
    session.connections.append(_Sink())  # type: ignore[arg-type]  # a frame is built only for a watcher
    for _ in range(5):
        session.step()
    times = []
    for _ in range(repeats):
        session.step()
        start = time.perf_counter()
        session.publish()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def run(
    quick: bool = False,
    counts: tuple[int, ...] = COUNTS,
    speeds: tuple[str, ...] = ("default", "max"),
    workers: tuple[int, ...] = (1, 2),
    held: tuple[float, ...] = HELD,
) -> tuple[list[Table], list[Target]]:
    seconds = 4.0 if quick else 10.0
    load = LoadMeter()
    before = os.getloadavg()
    rows: list[Row] = []
    for w in workers:
        for label, speed in (SPEEDS[name] for name in speeds):
            with running_server(workers=w) as (proc, port):  # a fresh server per speed: the sessions limit is 50
                meter = ProcessMeter(proc.pid)
                for n in counts:
                    rows.append(asyncio.run(classroom(port, meter, n, speed, seconds, label, w)))
    unheld = _held(rows, held, max(counts), seconds)
    after = os.getloadavg()
    t = Table(
        f"A class: N sessions each playing, one server process ({seconds:g} s each)",
        [
            "--workers",
            "CPUs",
            "speed",
            "sessions",
            "steps/s per session mean/min",
            "frames/s per session mean/min",
            "server CPU %",
        ],
    )
    for r in rows:
        t.add(
            r.workers,
            r.cpus,
            r.speed,
            r.sessions,
            f"{np.mean(r.steps):,.0f}/{min(r.steps):,.0f}",
            f"{np.mean(r.fps):.1f}/{min(r.fps):.1f}",
            r.server_cpu,
        )
    t.notes = [
        "steps/s: from the `step` of the first and last frame each session's controller received; "
        "frames/s: frames received over the window. Server CPU: % of one CPU, the server and its workers.",
        f"Load average before {before[0]:.2f} {before[1]:.2f} {before[2]:.2f}, after "
        f"{after[0]:.2f} {after[1]:.2f} {after[2]:.2f}; {load.report()}.",
        *unheld,
    ]
    repeats = 10 if quick else 30
    default_ms, big_ms = frame_cost({}, repeats), frame_cost(BIG, max(3, repeats // 5))
    c = Table("What one frame costs to build (median, in this process)", ["network", "ms per frame"])
    c.add("default (2-4-2-1)", default_ms)
    c.add("16 hidden layers of 32", big_ms)
    targets = []
    most = max(counts)
    for r in rows:
        if r.speed != "max" and r.sessions == most and r.cpus == "all":
            targets.append(
                Target(
                    f"{r.sessions} sessions at the default speed, --workers {r.workers}: "
                    "each >= 95 steps/s and >= 25 frames/s",
                    f"slowest {min(r.steps):.0f} steps/s, {min(r.fps):.1f} frames/s",
                    min(r.steps) >= 95 and min(r.fps) >= 25,
                )
            )
    full = {r.workers: r.sessions * float(np.mean(r.steps)) for r in rows if r.speed == "max" and r.sessions == most}
    if 1 in full and 2 in full:
        targets.append(
            Target(
                f"{most} sessions at full speed: all their steps/s with 2 workers >= 1.7x with 1",
                f"{full[2]:,.0f} vs {full[1]:,.0f} steps/s = {full[2] / full[1]:.2f}x",
                full[2] >= 1.7 * full[1],
            )
        )
    return [t, c], targets


def _held(rows: list[Row], held: tuple[float, ...], n: int, seconds: float) -> list[str]:
    """The slow-day rows: n sessions at the default speed on two workers, the server held to
    each of `held` CPUs. Returns a note where no quota could be set."""
    for cpus in (c for c in held if c):
        try:
            with cpu_limit.held_to(cpus) as prefix, running_server(workers=2, prefix=prefix) as (proc, port):
                label, meter, share = SPEEDS["default"][0], ProcessMeter(proc.pid), f"{cpus:g} of {os.cpu_count()}"
                rows.append(asyncio.run(classroom(port, meter, n, None, seconds, label, 2, share)))
        except cpu_limit.Unavailable as e:
            return [f"Not measured: the server held to {cpus:g} CPUs ({e})."]
    return []


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.classroom", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="shorter windows")
    parser.add_argument("--counts", default=",".join(map(str, COUNTS)), help="session counts, comma-separated")
    parser.add_argument("--speeds", default="default,max", help="comma-separated: default, max")
    parser.add_argument("--workers", default="1,2", help="the server's --workers, comma-separated")
    parser.add_argument("--held", default=",".join(map(str, HELD)), help="CPUs for the slow-day rows (0: none)")
    args = parser.parse_args(argv)
    counts, speeds = tuple(int(x) for x in args.counts.split(",")), tuple(args.speeds.split(","))
    held = tuple(float(x) for x in args.held.split(","))
    print_report(*run(args.quick, counts, speeds, tuple(int(x) for x in args.workers.split(",")), held))


if __name__ == "__main__":
    main()
