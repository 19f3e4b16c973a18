"""Every benchmark, one command, figures printed as tables and the targets marked met or missed:
python -m benchmarks [--engine] [--rnn] [--cnn] [--server] [--classroom] [--page] [--memory] [--quick] [--threads N]

With no part named, all seven run (about 6 minutes on a 2-core machine, and --memory some 8
more on idle cores; --quick about three, and 2 more). Nothing here asserts: a missed target is printed, not raised."""

from __future__ import annotations

import argparse
import importlib.metadata
import shutil
import subprocess
import sys
import time
import traceback

from .common import Target, machine, targets_table


def versions() -> str:
    out = []
    for dist, label in (
        ("torch", "PyTorch"),
        ("scikit-learn", "scikit-learn"),
        ("playwright", "playwright"),
    ):
        try:
            out.append(f"{label} {importlib.metadata.version(dist)}")
        except importlib.metadata.PackageNotFoundError:
            out.append(f"{label} not installed")
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    try:
        out.append(
            subprocess.run([chromium, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
            or "Chromium ?"
        )
    except (OSError, subprocess.TimeoutExpired):
        out.append("Chromium not found")
    return "; ".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    parser.add_argument("--engine", action="store_true", help="engine steps/s against a bare loop, PyTorch, sklearn")
    parser.add_argument("--rnn", action="store_true", help="BPTT steps/s of a tanh RNN against PyTorch's nn.RNN")
    parser.add_argument("--cnn", action="store_true", help="CNN steps/s on 8×8 and 28×28 against PyTorch")
    parser.add_argument("--server", action="store_true", help="a session streaming to 1 to 200 viewers")
    parser.add_argument("--classroom", action="store_true", help="30 students' sessions, with 1 and 2 workers")
    parser.add_argument("--page", action="store_true", help="main-thread time per frame in headless Chromium")
    parser.add_argument("--memory", action="store_true", help="50 largest sessions for an hour of steps: peak memory")
    parser.add_argument("--quick", action="store_true", help="shorter measurements (rougher figures)")
    parser.add_argument("--threads", type=int, help="BLAS and PyTorch threads in --engine (default: NumPy's)")
    args = parser.parse_args(argv)
    every = ("engine", "rnn", "cnn", "server", "classroom", "page", "memory")
    parts = [p for p in every if getattr(args, p)] or list(every)

    start = time.monotonic()
    print(f"Backprop Lab benchmarks{' (quick)' if args.quick else ''}: {', '.join(parts)}")
    print(machine())
    print(versions(), end="\n\n", flush=True)
    targets: list[Target] = []
    failed = []
    for part in parts:
        try:
            tables, found = run_part(part, args)
        except Exception:  # one part's failure should not hide the others' figures
            print(f"The {part} benchmark failed:\n{traceback.format_exc()}", flush=True)
            failed.append(part)
            continue
        for t in tables:
            print(t.render(), end="\n\n", flush=True)
        targets += found
    print(targets_table(targets).render())
    if failed:
        print(f"\nFailed, so their targets are missing above: {', '.join(failed)}")
    print(f"\n{time.monotonic() - start:.0f} s in all")
    return 1 if failed else 0


def run_part(part: str, args: argparse.Namespace) -> tuple[list, list[Target]]:
    if part == "engine":
        from . import engine_speed

        tables, found = engine_speed.run(args.quick, args.threads)
        return tables[1:], found  # the machine line is printed at the top
    if part == "rnn":
        from . import rnn_speed

        return rnn_speed.run(args.quick)
    if part == "cnn":
        from . import cnn_speed

        return cnn_speed.run(args.quick)
    if part == "server":
        from . import server_stream

        return server_stream.run(args.quick)
    if part == "classroom":
        from . import classroom

        return classroom.run(args.quick)
    if part == "memory":
        from . import memory

        return memory.run(args.quick)
    from . import page_draw

    return page_draw.run(args.quick)


if __name__ == "__main__":
    sys.exit(main())
