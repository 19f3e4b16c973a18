"""Memory of a session's timeline and history after a long run, against their stated budgets:
python -m benchmarks.replay_memory [--steps N] [--largest]

Trains a real session (server/session.py, as the pacer would, without a socket) for N steps
(default 100,000) and prints what its snapshot ring (server/snapshots.py) and its per-step
history (server/history.py) hold, in bytes, beside their budgets:

- snapshots: at most snapshots.BUDGET (4 MiB) per session, the live step's extra slot included;
- history: at most Settings.history_bytes (4 MiB) per run, every recent step and the older
  ones thinned: that is history.py's bound, not this module's.

--largest trains the largest network the limits allow (16 hidden layers of 32 on all seven
features), about 5 ms a step here: 100,000 steps take some ten minutes."""

from __future__ import annotations

import argparse
import time

from server import snapshots
from server.schema import defaults, make_fields
from server.session import Session
from server.settings import Settings

LARGEST = {"hidden": [32] * 16, "features": ["x1", "x2", "x1sq", "x2sq", "x1x2", "sinx1", "sinx2"]}


def measure(config: dict, steps: int) -> dict:
    settings = Settings()
    fields = make_fields(settings.limits)
    session = Session("bench", {**defaults(fields), **config}, settings, fields)
    started = time.perf_counter()
    for _ in range(steps):
        if not session.step():
            break
    seconds = time.perf_counter() - started
    ring, history = session.replay.ring, session.history
    assert len(history.rows) == history.count  # settles the last steps' per-layer columns, as a reader would
    one = ring.nbytes // max(1, len(ring.steps))
    return {
        "steps": session.history.last,
        "seconds": seconds,
        "kept": len(ring.steps),
        "slots": ring.slots,
        "every": ring.every,
        "snapshot": one,
        "ring": ring.nbytes,
        "ring_budget": snapshots.BUDGET,
        "head": ring.nbytes + one,  # with the live step kept on a scrub
        "history": history.nbytes,
        "history_budget": settings.history_bytes,
        "history_steps": history.count,
    }


def report(name: str, m: dict) -> None:
    mib = 2**20
    print(f"\n{name}: {m['steps']:,} steps in {m['seconds']:.0f} s")
    print(f"  snapshots  {m['kept']} of {m['slots']} slots, one every {m['every']:,} steps, {m['snapshot']:,} B each")
    ok = "within" if m["head"] <= m["ring_budget"] else "OVER"
    print(
        f"  ring       {m['ring'] / mib:8.3f} MiB ({m['head'] / mib:.3f} with the live step) "
        f"of {m['ring_budget'] / mib:.0f} MiB: {ok}"
    )
    ok = "within" if m["history"] <= m["history_budget"] else "OVER"
    print(
        f"  history    {m['history'] / mib:8.3f} MiB ({m['history_steps']:,} steps) "
        f"of {m['history_budget'] / mib:.1f} MiB: {ok}"
    )
    total, budget = m["head"] + m["history"], m["ring_budget"] + m["history_budget"]
    print(f"  together   {total / mib:8.3f} MiB of {budget / mib:.1f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=100_000)
    parser.add_argument("--largest", action="store_true", help="also the largest network (slow)")
    args = parser.parse_args()
    report("default network", measure({}, args.steps))
    if args.largest:
        report("largest network (16 hidden layers of 32)", measure(LARGEST, args.steps))


if __name__ == "__main__":
    main()
