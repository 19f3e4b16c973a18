"""Shared by the benchmarks: interleaved timing, plain-text tables, targets marked
met/missed, a real server on a free loopback port, and a process's CPU and memory."""

from __future__ import annotations

import contextlib
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

HOST = "127.0.0.1"  # everything that talks over the network stays on this machine


# -- timing -----------------------------------------------------------------------


@dataclass
class Rate:
    """Steps per second over several interleaved rounds: the median, and the spread."""

    rounds: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.rounds)

    @property
    def spread(self) -> float:
        """Half the interquartile range over the median, as a fraction: how steady the
        machine was (one round disturbed by another process does not count)."""
        q1, q3 = np.percentile(self.rounds, [25, 75])
        return (q3 - q1) / 2 / self.median if self.median else 0.0


def interleaved(
    steppers: dict[str, Callable[[int], None]],
    chunk: float,
    rounds: int,
    warmup: float = 0.1,
    before: dict[str, Callable[[], None]] | None = None,
    settle: float = 0.0,
) -> dict[str, Rate]:
    """Time each `step(i)` callable in turn, round after round, so a change in the
    machine's load hits every contestant alike. Each gets `chunk` seconds a round
    (its step count is calibrated once); the result is its steps/s per round.
    `before[name]()`, if given, runs (untimed) before each of that contestant's turns;
    `settle` seconds of sleep before every turn let the previous contestant's idle worker
    threads (OpenBLAS, OpenMP) stop spinning, so they do not steal the next one's CPUs."""
    before = before or {}
    nothing = lambda: None  # noqa: E731
    counts: dict[str, int] = {}
    for name, step in steppers.items():  # warm up and calibrate
        before.get(name, nothing)()
        n, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < warmup or n < 3:
            step(n)
            n += 1
        counts[name] = max(1, int(n / elapsed * chunk))
    done = dict.fromkeys(steppers, 0)
    out: dict[str, list[float]] = {name: [] for name in steppers}
    names = list(steppers)
    for r in range(rounds):
        order = names[r % len(names) :] + names[: r % len(names)]  # rotate who goes first
        for name in order:
            step, n, i0 = steppers[name], counts[name], done[name]
            before.get(name, nothing)()
            time.sleep(settle)
            start = time.perf_counter()
            for i in range(i0, i0 + n):
                step(i)
            out[name].append(n / (time.perf_counter() - start))
            done[name] += n
    return {name: Rate(v) for name, v in out.items()}


def percentile(values, q: float) -> float:
    return float(np.percentile(values, q)) if len(values) else float("nan")


# -- tables and targets ---------------------------------------------------------------


@dataclass
class Table:
    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        self.rows.append(list(cells))

    def render(self) -> str:
        cells = [[_cell(c) for c in row] for row in self.rows]
        widths = [max([len(h)] + [len(r[i]) for r in cells if i < len(r)]) for i, h in enumerate(self.columns)]

        def line(row: list[str]) -> str:
            parts = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:], widths[1:])]
            return "  ".join(parts).rstrip()

        out = [self.title, line(self.columns), line(["-" * w for w in widths])]
        out += [line(r + [""] * (len(widths) - len(r))) for r in cells]
        out += [f"  {n}" for n in self.notes]
        return "\n".join(out)


def _cell(value: object) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        if value != value:
            return "–"
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    return str(value)


@dataclass
class Target:
    name: str
    measured: str
    met: bool | None  # None: could not be measured (say why in `measured`)

    @property
    def verdict(self) -> str:
        return "n/a" if self.met is None else ("met" if self.met else "MISSED")


def print_report(tables: list[Table], targets: list[Target]) -> None:
    for t in tables:
        print(t.render(), end="\n\n")
    print(targets_table(targets).render())


def targets_table(targets: list[Target]) -> Table:
    t = Table("Targets", ["target", "measured", "verdict"])
    for x in targets:
        t.add(x.name, x.measured, x.verdict)
    return t


# -- the machine ---------------------------------------------------------------------


def blas_threads() -> tuple[int, str]:
    """Threads of NumPy's BLAS and its name, from threadpoolctl when it is installed."""
    try:
        from threadpoolctl import threadpool_info

        for info in threadpool_info():
            if info.get("user_api") == "blas":
                return int(info["num_threads"]), f"{info.get('internal_api')} {info.get('version') or ''}".strip()
    except ImportError:
        pass
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        if os.environ.get(var, "").isdigit():
            return int(os.environ[var]), f"BLAS ({var})"
    return os.cpu_count() or 1, "BLAS (assumed one thread per CPU)"


def machine() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    threads, blas = blas_threads()
    return (
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; Python {platform.python_version()}, "
        f"NumPy {np.__version__} ({blas}, {threads} threads)"
    )


# -- a process's CPU and memory ---------------------------------------------------------


class ProcessMeter:
    """CPU seconds and resident memory of one process and its descendants (a server's
    worker processes, its forkserver), read from /proc; psutil is not needed."""

    source = "/proc"

    def __init__(self, pid: int):
        self.pid = pid

    def _tree(self) -> list[int]:
        parents: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    parents[int(entry)] = int(self._stat(int(entry))[1])
        tree, grew = {self.pid}, True
        while grew:
            more = {p for p, parent in parents.items() if parent in tree} - tree
            tree |= more
            grew = bool(more)
        return sorted(tree)

    @staticmethod
    def _stat(pid: int) -> list[str]:
        """/proc/PID/stat's fields after the command name (state, ppid, ...)."""
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()

    def cpu_seconds(self) -> float:
        total = 0
        for pid in self._tree():
            with contextlib.suppress(OSError):
                fields = self._stat(pid)
                total += int(fields[11]) + int(fields[12])
        return total / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        total = 0
        for pid in self._tree():
            with contextlib.suppress(OSError), open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1])
        return total * os.sysconf("SC_PAGE_SIZE") / 2**20


# -- a real server ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(
    timeout: float = 30.0, workers: int = 1, in_memory: bool = False, prefix: Sequence[str] = ()
) -> Iterator[tuple[subprocess.Popen, int]]:
    """`python -m server` on a free loopback port, stopped on the way out. With workers > 1
    the process measured by ProcessMeter(pid) is the web process; its workers are children.
    Sessions are saved as a user's are (every 2 s), to a data directory of its own that goes
    with it, unless `in_memory`. `prefix` goes before the command (cpu_limit.held_to)."""
    port = free_port()
    data = tempfile.TemporaryDirectory(prefix="backprop-lab-bench-")
    keep = ["--in-memory"] if in_memory else ["--data-dir", data.name]
    where = ["--host", HOST, "--port", str(port), "--workers", str(workers)]
    proc = subprocess.Popen(
        [*prefix, sys.executable, "-m", "server", *where, *keep],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://{HOST}:{port}/", timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.1)
        yield proc, port
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        data.cleanup()


class LoadMeter:
    """How busy the whole machine was while a part ran, and how much of it was this
    process (and the children it has waited for): the rest is someone else's load."""

    def __init__(self):
        self.start = self._sample()

    @staticmethod
    def _sample() -> tuple[float, float, float]:
        busy = float("nan")
        with contextlib.suppress(OSError):
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
            busy = (sum(v) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle and iowait
        t = os.times()
        return time.monotonic(), busy, t.user + t.system + t.children_user + t.children_system

    def report(self, extra_cpu: float = 0.0) -> str:
        """`extra_cpu`: CPU seconds of helper processes not yet waited for (a server, a browser)."""
        t1, busy1, own1 = self._sample()
        t0, busy0, own0 = self.start
        cpus, wall = os.cpu_count() or 1, t1 - t0
        busy, own = (busy1 - busy0) / wall, (own1 - own0 + extra_cpu) / wall
        return (
            f"{wall:.0f} s; the {cpus} CPUs were {100 * busy / cpus:.0f}% busy, "
            f"{100 * max(0.0, busy - own) / cpus:.0f}% of it other processes' load"
        )
