"""A server held to a share of this machine's CPUs, as on a slower or busier machine: a
cgroup's CPU quota (cgroup v1's cpu controller or v2's cpu.max), which needs root. This
VM's speed drifts from day to day; a quota measures how much slower a class can get
before its targets are missed, on any day.

Use: `with cpu_limit.held_to(1.4) as prefix:` then start the server as `[*prefix, *cmd]`;
its worker processes inherit the group."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator

V1, V2 = "/sys/fs/cgroup/cpu", "/sys/fs/cgroup"
PERIOD_US = 20_000  # short, so a throttled stretch is shorter than a frame (33 ms)


class Unavailable(Exception):
    """No CPU quota here (not root, or no cgroup cpu controller): says why."""


def _group(name: str, cpus: float) -> str:
    quota = str(int(cpus * PERIOD_US))
    if os.path.exists(f"{V1}/cpu.cfs_quota_us"):
        path = f"{V1}/{name}"
        os.makedirs(path, exist_ok=True)
        _write(f"{path}/cpu.cfs_period_us", str(PERIOD_US))
        _write(f"{path}/cpu.cfs_quota_us", quota)
        return path
    if "cpu" in _read(f"{V2}/cgroup.controllers").split():
        _write(f"{V2}/cgroup.subtree_control", "+cpu")
        path = f"{V2}/{name}"
        os.makedirs(path, exist_ok=True)
        _write(f"{path}/cpu.max", f"{quota} {PERIOD_US}")
        return path
    raise Unavailable("no cgroup cpu controller")


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _write(path: str, text: str) -> None:
    with open(path, "w") as f:
        f.write(text)


@contextlib.contextmanager
def held_to(cpus: float) -> Iterator[list[str]]:
    """A command prefix that puts the command (and its children) in a cgroup allowed
    `cpus` CPUs; the group is removed on the way out."""
    try:
        path = _group(f"backprop-lab-bench-{os.getpid()}", cpus)
    except OSError as e:
        raise Unavailable(f"cannot set a CPU quota ({e.strerror}; it needs root)") from None
    try:
        yield ["sh", "-c", f'echo $$ > {path}/cgroup.procs && exec "$@"', "sh"]
    finally:  # once the server's workers, which leave after it, have gone
        for _ in range(50):
            try:
                os.rmdir(path)
                break
            except OSError:
                time.sleep(0.1)
