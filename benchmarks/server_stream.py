"""A playground session at full speed on a real server: steps per second while
streaming, frames per second, bytes per frame, and the time from a learning-rate change
to the first frame that shows it (p50, p95). Run: python -m benchmarks.server_stream"""
from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time

import numpy as np
import websockets

from server.protocol import decode


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def measure(url: str, seconds: float = 6.0, changes: int = 40) -> dict:
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "join", "session": None, "token": None, "config": {"speed": 0}}))
        await ws.send(json.dumps({"type": "play"}))
        frames, sizes, first_step, latencies = 0, [], None, []
        start = time.perf_counter()
        pending: tuple[float, float] | None = None
        lrs = [0.01, 0.03]
        last_step = 0
        while time.perf_counter() - start < seconds:
            msg = await ws.recv()
            if isinstance(msg, str):
                continue
            header, arrays = decode(msg)
            if header.get("kind") != "frame":
                continue
            frames += 1
            sizes.append(len(msg))
            last_step = header["step"]
            first_step = first_step if first_step is not None else (header["step"], time.perf_counter())
            lr_now = arrays["history.learning_rate"]
            if pending and len(lr_now) and abs(lr_now[-1] - pending[1]) < 1e-9:
                latencies.append(time.perf_counter() - pending[0])
                pending = None
            if pending is None and len(latencies) < changes and frames > 5:
                new = lrs[len(latencies) % 2]
                pending = (time.perf_counter(), new)
                await ws.send(json.dumps({"type": "set", "config": {"learning_rate": new}}))
        elapsed = time.perf_counter() - first_step[1]
        return {
            "steps_per_s": (last_step - first_step[0]) / elapsed,
            "frames_per_s": frames / (time.perf_counter() - start),
            "bytes_per_frame": float(np.median(sizes)),
            "latency_ms": 1000 * np.array(latencies),
        }


def main() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "server", "--port", str(port)])
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), 0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        r = asyncio.run(measure(f"ws://127.0.0.1:{port}/ws"))
    finally:
        proc.terminate()
        proc.wait(10)
    lat = r["latency_ms"]
    print("default playground session (circle, 2-4-2-1 tanh, batch 10) at full speed, 1 viewer")
    print(f"steps/s while streaming   {r['steps_per_s']:8.0f}")
    print(f"frames/s                  {r['frames_per_s']:8.1f}")
    print(f"bytes per frame (median)  {r['bytes_per_frame']:8.0f}")
    print(f"lr change -> frame, ms    p50 {np.percentile(lat, 50):.1f}  p95 {np.percentile(lat, 95):.1f}"
          f"  (n={len(lat)}; target < 50)")


if __name__ == "__main__":
    main()
