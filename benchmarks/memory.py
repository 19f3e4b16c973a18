"""Memory of a full server against its stated budgets: 50 sessions of the largest network the
limits allow, each trained for the steps of an hour at the default speed, in this process.
python -m benchmarks.memory [--sessions 50] [--steps N] [--real N] [--quick]

What it does: each session (server/session.py, as the pacer drives it, without a socket) takes
`--real` real training steps (default 300) with a frame built every 10 steps (30 frames a
second at 300 steps/s: each evaluates the losses over the whole sets into the history, as a
page's frames do); then it is fast-forwarded to `--steps` (default 3,600 × 300 = 1,080,000,
an hour at the default 300 steps/s) at full speed: each further step appends a history row
(its per-layer columns those of the last real step) and offers the weights to the snapshot
ring, exactly as a trained step does, without computing the step, and every 10th step gets
its losses as a frame would give them. A last frame is kept per session, encoded for a page
joining late (the whole thinned history). The sessions stay alive together.

It prints the process's peak resident memory (VmHWM), its growth per session beside the
session's estimate (server/memory.py), and each session's history and snapshot bytes against
their budgets (Settings.history_bytes, snapshots.BUDGET); and, on their own, one session's
figures after 100,000 steps: the default network trained for real, and the largest one
(2,000 real steps, then fast-forwarded). --quick: 10 sessions, 360,000 steps (an hour at 100
steps/s)."""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

import numpy as np

from server import snapshots
from server.frames import assemble
from server.memory import session_bytes
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings

from .common import Table, Target, print_report

LARGEST = {
    "hidden": [32] * 16,
    "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"],
    "dataset": "spiral_k",
    "classes": 6,
    "samples": 2000,
}
FRAME_EVERY = 10  # steps between frames: 300 steps/s at 30 frames/s
MIB = 2**20


def status(key: str) -> int:
    """A /proc/self/status figure (VmRSS, VmHWM), in bytes."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(key)


def frame(session: Session) -> None:
    """What the pacer does for a page: a frame (which evaluates the losses into the history)."""
    s = session
    s.frame = assemble(s.runs, s.run, s.config_version, False, s.config["compare"], getattr(s, "frame", None))


def trained(config: dict, steps: int, real: int, sid: str = "bench") -> Session:
    settings = Settings()
    fields = make_fields(settings.limits)
    session = Session(sid, {**defaults(fields), **config}, settings, fields)
    for n in range(min(real, steps)):
        assert session.step(), "diverged"
        if n % FRAME_EVERY == FRAME_EVERY - 1:
            frame(session)
    fast_forward(session, steps - session.history.last)
    session.frame = assemble(session.runs, session.run, session.config_version, False, None, None)
    return session


def fast_forward(session: Session, n: int) -> None:
    """n more history rows and ring offers, as n trained steps would leave them (see the docstring)."""
    histories = [run.history for run in session.runs]
    fills = [h.fill for h in histories]
    for h in histories:
        columns = h.rows[-1, 4:].copy()
        h.fill = _repeating(columns)
    ring, runs = session.replay.ring, session.runs
    row = tuple(float(v) for v in histories[0].rows[-1, :4])
    for k in range(n):
        for h in histories:
            h.append(row, None)
        ring.keep(runs, histories[0].last)
        if k % FRAME_EVERY == FRAME_EVERY - 1:
            for h in histories:
                h.set_losses(row[0], row[0])
    for h, fill in zip(histories, fills):
        h.rows  # noqa: B018 (settles the last rows with the stand-in fill)
        h.fill = fill


def held(session: Session) -> dict:
    settings = session.settings
    history = sum(run.history.nbytes for run in session.runs)
    return {
        "steps": session.history.last,
        "rows": session.history.count,
        "every": session.history.every,
        "history": history,
        "history_budget": settings.history_bytes * len(session.runs),
        "ring": session.replay.ring.nbytes,
        "kept": len(session.replay.ring.steps),
        "ring_budget": snapshots.BUDGET,
    }


def run(quick: bool = False, sessions: int | None = None, steps: int | None = None, real: int = 300):
    sessions = sessions or (10 if quick else 50)
    steps = steps or (360_000 if quick else 1_080_000)
    settings = Settings()
    config = {**defaults(make_fields(settings.limits)), **LARGEST}
    trained(config, 50, 50, "warm-up")  # imports, caches and BLAS buffers: not a session's
    gc.collect()
    base = status("VmRSS")
    started = time.perf_counter()
    kept = [trained(config, steps, real, f"s{i}") for i in range(sessions)]
    seconds = time.perf_counter() - started
    gc.collect()
    grown = status("VmRSS") - base
    peak = status("VmHWM")
    figures = [held(s) for s in kept]
    estimate = session_bytes(config, settings)
    t = Table(
        f"{sessions} sessions of the largest network (16 hidden layers of 32, batch 10), {steps:,} steps each "
        f"({seconds:.0f} s)",
        ["session", "steps", "history rows", "thinned every", "history MiB", "of", "snapshots MiB", "of"],
    )
    for i, m in enumerate(figures):
        if i < 3 or i == len(figures) - 1:
            t.add(
                f"s{i}",
                f"{m['steps']:,}",
                f"{m['rows']:,}",
                m["every"],
                m["history"] / MIB,
                m["history_budget"] / MIB,
                m["ring"] / MIB,
                m["ring_budget"] / MIB,
            )
    worst = max(m["history"] + m["ring"] for m in figures)
    t.notes += [
        f"(the others alike: history + snapshots at most {worst / MIB:.2f} MiB a session)",
        f"process: peak resident {peak / MIB:,.0f} MiB; the sessions grew it by {grown / MIB:,.0f} MiB, "
        f"{grown / sessions / MIB:.1f} MiB a session; memory.py's estimate {estimate / MIB:.1f} MiB a session",
        f"all sessions' estimates {sessions * estimate / MIB:,.0f} MiB of the server's budget "
        f"{settings.memory_bytes / MIB:,.0f} MiB (Settings.memory_bytes)",
    ]
    within = all(m["history"] <= m["history_budget"] and m["ring"] <= m["ring_budget"] for m in figures)
    targets = [
        Target(
            "each session's history and snapshots within their budgets",
            f"at most {worst / MIB:.2f} MiB of {(figures[0]['history_budget'] + snapshots.BUDGET) / MIB:.0f} MiB",
            within,
        ),
        Target(
            "a session grows the process by no more than its estimate",
            f"{grown / sessions / MIB:.1f} MiB of {estimate / MIB:.1f} MiB",
            grown / sessions <= estimate,
        ),
        Target(
            f"{sessions} largest sessions fit the server's budget",
            f"{sessions * estimate / MIB:,.0f} MiB of {settings.memory_bytes / MIB:,.0f} MiB",
            sessions * estimate <= settings.memory_bytes,
        ),
    ]
    del kept
    gc.collect()
    single = Table(
        "One session after 100,000 steps",
        ["network", "real steps", "history rows", "thinned every", "history MiB", "snapshots MiB", "budget MiB"],
    )
    for name, cfg, real_steps in (("default (2 hidden layers)", {}, 100_000), ("largest", LARGEST, 2_000)):
        m = held(trained(cfg, 100_000, real_steps))
        single.add(
            name,
            f"{real_steps:,}",
            f"{m['rows']:,}",
            m["every"],
            m["history"] / MIB,
            m["ring"] / MIB,
            (m["history_budget"] + m["ring_budget"]) / MIB,
        )
        targets.append(
            Target(
                f"100,000 steps of the {name.split()[0]} network within the budget",
                f"{(m['history'] + m['ring']) / MIB:.2f} MiB of {(m['history_budget'] + m['ring_budget']) / MIB:.0f}",
                m["history"] <= m["history_budget"] and m["ring"] <= m["ring_budget"],
            )
        )
    return [t, single], targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int)
    parser.add_argument("--steps", type=int, help="steps per session (default: an hour at 300 steps/s)")
    parser.add_argument("--real", type=int, default=300, help="real training steps per session before fast-forward")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    print_report(*run(args.quick, args.sessions, args.steps, args.real))


if __name__ == "__main__":
    main()


def _repeating(columns: np.ndarray) -> Callable[[list], np.ndarray]:
    """A history's fill that gives every pending step the same per-layer columns (fast-forward)."""
    return lambda pending: np.broadcast_to(columns, (len(pending), len(columns)))
