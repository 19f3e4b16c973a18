"""Gradient-health numbers checked by value, and the frame-rate cap checked by counting.

The history rows of every step (docs/diagnostics.md) are recomputed here from a run
reproduced with the engine (same config and seed); the vanishing warning's number from
the frame's own history; the cap by counting the frames of a session at full speed."""

import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from websockets.sync.client import connect

from server.protocol import decode

from .conftest import is_frame, reference, steps

ROOT = Path(__file__).resolve().parents[2]

SATURATION = 0.05  # of the activation's peak slope (docs/diagnostics.md)
PEAK_SLOPE = {"sigmoid": 0.25, "tanh": 1.0}
SLOPE = {"sigmoid": lambda a: a * (1 - a), "tanh": lambda a: 1 - a * a}
WINDOW = 20


def measures(layer, activation):
    """One layer's history row at one step, from its step record, as docs/diagnostics.md defines it."""
    a = layer.a
    return {
        "grad_norm": np.sqrt(np.sum(layer.dW**2)),
        "mean_abs_delta": np.mean(np.abs(layer.delta)),
        "update_ratio": np.sqrt(np.sum(layer.dW_step**2)) / np.sqrt(np.sum(layer.W**2)),
        "act_mean": a.mean(),
        "act_std": a.std(),
        "dead": np.mean(np.all(a == 0, axis=0)) if activation == "relu" else 0.0,
        "saturated": np.mean(np.all(SLOPE[activation](a) < SATURATION * PEAK_SLOPE[activation], axis=0))
        if activation in PEAK_SLOPE
        else 0.0,
    }


def history(frames):
    """The frames' history arrays joined: every step from the first to the last."""
    first = frames[0]["history"]["first"]
    steps_seen = []
    for f in frames:
        h = f["history"]
        assert h["first"] == first + len(steps_seen), "a step is missing from the histories"
        steps_seen += range(h["first"], h["first"] + h["count"])
    names = [k for k in frames[-1]["arrays_"] if k.startswith("history.")]
    return first, {k[len("history.") :]: np.concatenate([f["arrays_"][k] for f in frames]) for k in names}


HEALTH = {
    "dataset": "gauss",
    "features": ["x1", "x2", "x1sq", "x2sq"],
    "hidden": [8, 8, 8],
    "layer_activations": ["tanh", "sigmoid", "relu"],
    "initializer": "large_normal",
    "learning_rate": 0.3,
}


def test_every_history_row_is_the_documented_measure_of_its_step(peer):
    hello, _, _ = peer.join(HEALTH)
    n = 30
    _, frames = steps(peer, n)
    first, got = history(frames)
    assert first == 1 and len(got["loss"]) == n
    assert list(got.pop("step")) == list(range(1, n + 1))  # every step of a short run, each named
    trainer = reference(hello["config"])
    activations = [*HEALTH["layer_activations"], "linear"]
    want: dict[str, list] = {}
    for _ in range(n):
        rec = trainer.step()
        row = {
            "loss": rec.loss,
            "learning_rate": rec.learning_rate,
            "train_loss": trainer.evaluate("train")["loss"],
            "test_loss": trainer.evaluate("test")["loss"],
        }
        per_layer = [measures(layer, act) for layer, act in zip(rec.layers, activations)]
        for name in per_layer[0]:
            row[name] = [m[name] for m in per_layer]
        for name, value in row.items():
            want.setdefault(name, []).append(value)
    assert set(got) == set(want)
    # The losses over the whole sets are evaluated once a frame, at its last step, and NaN
    # at the steps between (docs/protocol.md, history.train_loss).
    evaluated = np.zeros(n, bool)
    evaluated[[f["step"] - 1 for f in frames if f["step"]]] = True
    for name in ("train_loss", "test_loss"):
        assert np.array_equal(~np.isnan(got[name]), evaluated), name
        got[name] = np.where(evaluated, got[name], np.array(want[name]))
    assert frames[-1]["metrics"]["train_loss"] == pytest.approx(want["train_loss"][-1], rel=1e-5)
    for name, values in want.items():
        np.testing.assert_allclose(got[name], np.array(values), rtol=1e-5, atol=1e-7, err_msg=name)
    # Dead and saturated units occur in this run, so both measures are checked on more than zeros.
    assert got["dead"][:, 2].max() > 0 and got["saturated"][:, 0].max() > 0


def median_ratio(grad_norm):
    """The vanishing warning's number: median over the window of ‖dW‖ of layer 1 / the last layer's."""
    window = grad_norm[-WINDOW:]
    return float(np.median(window[:, 0] / window[:, -1]))


@pytest.mark.parametrize("preset,warns", [("vanishing_sigmoid", True), ("vanishing_relu_he", False)])
def test_the_vanishing_warning_follows_the_gradient_ratio(peer, preset, warns):
    peer.join()
    peer.send(type="preset", name=preset)
    peer.until(lambda m: m.get("type") == "config" and m.get("preset") == preset)
    peer.until(lambda m: is_frame(m) and m["step"] == 0)
    last, frames = steps(peer, 60)
    _, got = history(frames)
    ratio = median_ratio(got["grad_norm"].astype(np.float64))
    vanishing = [w for w in last["warnings"] if w["code"] == "vanishing"]
    assert last["health"]["first_to_last"] == pytest.approx(ratio, rel=1e-4)
    if warns:
        assert ratio < 1e-3 and len(vanishing) == 1, last["warnings"]
        assert vanishing[0]["layer"] == 1 and vanishing[0]["value"] == pytest.approx(ratio, rel=1e-4)
        # The heatmap's headline and the warning: the same number, the same statistic, in the same words.
        number = last["health"]["text"].split(" = ")[1]  # "1.1×10⁻⁵ (median over the last 20 steps)"
        figure, statistic = number.split(" (")
        assert f"receives {figure} of" in vanishing[0]["message"] and statistic.rstrip(")") in vanishing[0]["message"]
    else:
        assert ratio > 1e-2 and vanishing == [], last["warnings"]


# A real server in its own process: the client reading the frames shares no interpreter
# (and no lock) with the session it measures, so the count is the session's own.
SERVE = """
import sys, uvicorn
from server import Settings, create_app
uvicorn.run(create_app(Settings(frame_rate=float(sys.argv[2]))), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning")
"""


@pytest.fixture
def served():
    procs = []

    def start(frame_rate: float) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        procs.append(subprocess.Popen([sys.executable, "-c", SERVE, str(port), str(frame_rate)], cwd=ROOT))
        deadline = time.monotonic() + 30
        while True:  # until the port answers
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
                return f"ws://127.0.0.1:{port}/ws"
            except OSError:
                assert time.monotonic() < deadline and procs[-1].poll() is None, "the server did not start"
                time.sleep(0.05)

    yield start
    for p in procs:
        p.terminate()
        p.wait(10)


def frames_until(ws, pred):
    """Read until a text message satisfies pred; returns how many frames came before it."""
    frames = 0
    while True:
        m = ws.recv(timeout=10)
        if isinstance(m, bytes):
            frames += decode(m)[0]["kind"] == "frame"
        elif pred(json.loads(m)):
            return frames


@pytest.mark.parametrize("frame_rate", [10.0, 30.0])
def test_frames_never_exceed_the_frame_rate_at_full_speed(served, frame_rate):
    """Play at full speed for two seconds while a slider is dragged (40 live changes a
    second; each may bring the next frame forward) and count every frame the session sent
    between `play` and `pause`: never more than frame_rate a second."""
    seconds, changes_per_second = 2.0, 40
    with connect(served(frame_rate)) as ws:
        ws.send(
            json.dumps({"type": "join", "session": None, "token": None, "config": {"dataset": "circle", "speed": 0}})
        )
        frames_until(ws, lambda m: m["type"] == "hello")
        start = time.monotonic()
        ws.send(json.dumps({"type": "play"}))
        assert frames_until(ws, lambda m: m["type"] == "state" and m["running"]) <= 2  # the join's, at most
        frames, changes, next_change = 0, 0, start
        while (now := time.monotonic()) - start < seconds:
            if now >= next_change:
                changes += 1
                ws.send(json.dumps({"type": "set", "config": {"learning_rate": 0.03 + 0.001 * (changes % 2)}}))
                next_change += 1 / changes_per_second
            try:
                m = ws.recv(timeout=max(0.0, next_change - time.monotonic()))
            except TimeoutError:
                continue
            frames += isinstance(m, bytes) and decode(m)[0]["kind"] == "frame"
        elapsed = time.monotonic() - start
        ws.send(json.dumps({"type": "pause"}))
        frames += frames_until(ws, lambda m: m["type"] == "state" and not m["running"])
    # The server sees play and pause a little later than they were sent (half a second of slack),
    # and a window of whole seconds holds one frame more than the rate at its two ends.
    assert frames <= frame_rate * (elapsed + 0.5) + 1, (frames, elapsed)
    assert frames >= 0.3 * frame_rate * seconds, f"too few frames to tell: {frames}"
