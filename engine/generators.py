"""How each generated dataset's points are drawn (datasets.py's registry names them): n
points with a given noise (0 to 0.5) from a Generator, so every dataset is reproducible
from its seed. Plane sets return x [n, 2] on [-6, 6]², the line x [n, 1], images x [n, h*w]."""

from __future__ import annotations

import numpy as np

from .digits import load_digits

Rng = np.random.Generator
Generated = tuple[np.ndarray, np.ndarray]  # x [n, 2] or [n, 1], y [n]


def _jitter(rng: Rng, x: np.ndarray, noise: float) -> np.ndarray:
    return x + rng.normal(0.0, 2.0 * noise, x.shape) if noise > 0 else x


def circle(n: int, noise: float, rng: Rng) -> Generated:
    inside = np.arange(n) < n // 2
    r = np.where(inside, rng.uniform(0.0, 2.5, n), rng.uniform(3.5, 5.0, n))
    t = rng.uniform(0.0, 2 * np.pi, n)
    x = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    return _jitter(rng, x, noise), inside.astype(float)


def xor(n: int, noise: float, rng: Rng) -> Generated:
    x = rng.uniform(-5.0, 5.0, (n, 2))
    x += np.sign(x) * 0.3  # a margin around the axes, as in TensorFlow Playground
    y = (x[:, 0] * x[:, 1] >= 0).astype(float)
    return _jitter(rng, x, noise), y


def gauss(n: int, noise: float, rng: Rng) -> Generated:
    y = (np.arange(n) < n // 2).astype(float)
    centre = np.where(y[:, None] == 1, 2.0, -2.0)
    return centre + rng.normal(0.0, 0.6 + 3.0 * noise, (n, 2)), y


def spiral(n: int, noise: float, rng: Rng) -> Generated:
    half = n // 2
    i = np.concatenate([np.arange(half), np.arange(n - half)]) / max(half, 1)
    y = (np.arange(n) < half).astype(float)
    r = 5.0 * i
    t = 1.75 * 2 * np.pi * i + np.pi * (1 - y)
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return _jitter(rng, x, noise), y


def moons(n: int, noise: float, rng: Rng) -> Generated:
    y = (np.arange(n) < n // 2).astype(float)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(y[:, None] == 1, upper, lower)
    return _jitter(rng, (x - [0.5, 0.25]) * 3.5, noise), y


def plane(n: int, noise: float, rng: Rng) -> Generated:
    x = rng.uniform(-6.0, 6.0, (n, 2))
    y = (x[:, 0] + x[:, 1]) / 12.0
    return x, y + (rng.normal(0.0, noise, n) if noise > 0 else 0.0)


def _arms(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Labels [n] in k contiguous, near-equal blocks, and each point's place in its block [n] in [0, 1)."""
    y = np.arange(n) * k // n
    start = np.searchsorted(y, np.arange(k))
    count = np.bincount(y, minlength=k)
    return y, (np.arange(n) - start[y]) / count[y]


def spiral_k(n: int, noise: float, rng: Rng, k: int) -> Generated:
    y, t = _arms(n, k)
    r = 0.3 + 4.7 * t
    # One turn, not the binary spiral's 1.75: with six arms, more turns pack them too tight to see.
    a = 2 * np.pi * (t + y / k)
    x = np.stack([r * np.sin(a), r * np.cos(a)], axis=1)
    return _jitter(rng, x, noise), y.astype(float)


def gauss_k(n: int, noise: float, rng: Rng, k: int) -> Generated:
    y, _ = _arms(n, k)
    a = 2 * np.pi * y / k
    centre = 4.0 * np.stack([np.sin(a), np.cos(a)], axis=1)
    return centre + rng.normal(0.0, 0.6 + 3.0 * noise, (n, 2)), y.astype(float)


def sine(n: int, noise: float, rng: Rng) -> Generated:
    x = rng.uniform(-6.0, 6.0, (n, 1))
    y = np.sin(x[:, 0])
    return x, y + (rng.normal(0.0, noise, n) if noise > 0 else 0.0)


def digits(n: int, noise: float, rng: Rng) -> Generated:
    # A fixed set: the sample count and the noise do not apply.
    return load_digits()


BARS_SHAPE = (12, 12)
BAR = 7  # pixels long
BAR_LABELS = ("—", "|", "\\", "/")  # the bars as they look: short enough for a gallery caption


def bars(n: int, noise: float, rng: Rng) -> Generated:
    """12×12 images of one bar 7 pixels long at one of four orientations (the class), anywhere
    it fits, on pixel noise of standard deviation `noise` (clipped to [0, 1]): edge and line
    detectors are the filters a network needs, so a student knows what should emerge."""
    h, w = BARS_SHAPE
    y = rng.integers(0, 4, n)
    along = np.arange(BAR)
    # where each bar starts, so that it fits: (row step, column step) per class, then a random start
    dr, dc = np.array([0, 1, 1, 1])[y], np.array([1, 0, 1, -1])[y]
    r0 = rng.integers(0, h - (BAR - 1) * dr)
    c_low = np.where(dc < 0, BAR - 1, 0)
    c0 = rng.integers(c_low, w - np.where(dc > 0, BAR - 1, 0))
    rows, cols = r0[:, None] + dr[:, None] * along, c0[:, None] + dc[:, None] * along
    x = np.zeros((n, h, w))
    x[np.repeat(np.arange(n), BAR), rows.ravel(), cols.ravel()] = 1.0
    x += rng.normal(0.0, noise, x.shape) if noise > 0 else 0.0
    return np.clip(x, 0.0, 1.0).reshape(n, h * w), y.astype(float)
