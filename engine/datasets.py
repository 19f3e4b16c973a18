"""2D datasets on the plane [-6, 6]², and the input features computed from them.

A generator draws n points with a given noise (0 to 0.5) from a Generator; every
dataset is reproducible from its seed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

EXTENT = (-6.0, 6.0, -6.0, 6.0)  # xmin, xmax, ymin, ymax

Rng = np.random.Generator
Generated = tuple[np.ndarray, np.ndarray]  # x [n, 2], y [n]


def _jitter(rng: Rng, x: np.ndarray, noise: float) -> np.ndarray:
    return x + rng.normal(0.0, 2.0 * noise, x.shape) if noise > 0 else x


def _circle(n: int, noise: float, rng: Rng) -> Generated:
    inside = np.arange(n) < n // 2
    r = np.where(inside, rng.uniform(0.0, 2.5, n), rng.uniform(3.5, 5.0, n))
    t = rng.uniform(0.0, 2 * np.pi, n)
    x = np.stack([r * np.cos(t), r * np.sin(t)], axis=1)
    return _jitter(rng, x, noise), inside.astype(float)


def _xor(n: int, noise: float, rng: Rng) -> Generated:
    x = rng.uniform(-5.0, 5.0, (n, 2))
    x += np.sign(x) * 0.3  # a margin around the axes, as in TensorFlow Playground
    y = (x[:, 0] * x[:, 1] >= 0).astype(float)
    return _jitter(rng, x, noise), y


def _gauss(n: int, noise: float, rng: Rng) -> Generated:
    y = (np.arange(n) < n // 2).astype(float)
    centre = np.where(y[:, None] == 1, 2.0, -2.0)
    return centre + rng.normal(0.0, 0.6 + 3.0 * noise, (n, 2)), y


def _spiral(n: int, noise: float, rng: Rng) -> Generated:
    half = n // 2
    i = np.concatenate([np.arange(half), np.arange(n - half)]) / max(half, 1)
    y = (np.arange(n) < half).astype(float)
    r = 5.0 * i
    t = 1.75 * 2 * np.pi * i + np.pi * (1 - y)
    x = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return _jitter(rng, x, noise), y


def _moons(n: int, noise: float, rng: Rng) -> Generated:
    y = (np.arange(n) < n // 2).astype(float)
    t = rng.uniform(0.0, np.pi, n)
    upper = np.stack([np.cos(t), np.sin(t)], axis=1)
    lower = np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1)
    x = np.where(y[:, None] == 1, upper, lower)
    return _jitter(rng, (x - [0.5, 0.25]) * 3.5, noise), y


def _plane(n: int, noise: float, rng: Rng) -> Generated:
    x = rng.uniform(-6.0, 6.0, (n, 2))
    y = (x[:, 0] + x[:, 1]) / 12.0
    return x, y + (rng.normal(0.0, noise, n) if noise > 0 else 0.0)


@dataclass(frozen=True)
class DatasetKind:
    name: str
    label: str
    problem: str  # "classification" (labels 0/1) or "regression"
    generate: Callable[[int, float, Rng], Generated]


DATASETS: dict[str, DatasetKind] = {
    d.name: d
    for d in (
        DatasetKind("circle", "Circle", "classification", _circle),
        DatasetKind("xor", "XOR", "classification", _xor),
        DatasetKind("gauss", "Two Gaussians", "classification", _gauss),
        DatasetKind("spiral", "Spiral", "classification", _spiral),
        DatasetKind("moons", "Moons", "classification", _moons),
        DatasetKind("plane", "Plane", "regression", _plane),
    )
}


@dataclass(frozen=True)
class Feature:
    name: str
    label: str
    f: Callable[[np.ndarray], np.ndarray]  # x [n, 2] -> [n]


FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", "x₁", lambda x: x[:, 0]),
        Feature("x2", "x₂", lambda x: x[:, 1]),
        Feature("x1sq", "x₁²", lambda x: x[:, 0] ** 2),
        Feature("x2sq", "x₂²", lambda x: x[:, 1] ** 2),
        Feature("x1x2", "x₁x₂", lambda x: x[:, 0] * x[:, 1]),
        Feature("sinx1", "sin x₁", lambda x: np.sin(x[:, 0])),
        Feature("sinx2", "sin x₂", lambda x: np.sin(x[:, 1])),
    )
}


def features(x: np.ndarray, names: list[str]) -> np.ndarray:
    """Raw points x [n, 2] -> network inputs [n, len(names)]."""
    return np.stack([FEATURES[name].f(x) for name in names], axis=1)


@dataclass(frozen=True)
class Dataset:
    name: str
    problem: str
    x_train: np.ndarray  # [n, 2] raw points
    y_train: np.ndarray  # [n]
    x_test: np.ndarray
    y_test: np.ndarray


def make_dataset(name: str, samples: int, noise: float, train_ratio: float, seed: int) -> Dataset:
    kind = DATASETS[name]
    rng = np.random.default_rng(seed)
    x, y = kind.generate(samples, noise, rng)
    order = rng.permutation(samples)
    n_train = min(max(1, round(samples * train_ratio)), samples - 1)
    tr, te = order[:n_train], order[n_train:]
    return Dataset(name, kind.problem, x[tr], y[tr], x[te], y[te])


def grid(res: int) -> np.ndarray:
    """Cell centres of a res×res grid over EXTENT, row 0 at the top: [res*res, 2]."""
    xmin, xmax, ymin, ymax = EXTENT
    cx = xmin + (np.arange(res) + 0.5) * (xmax - xmin) / res
    cy = ymax - (np.arange(res) + 0.5) * (ymax - ymin) / res
    gx, gy = np.meshgrid(cx, cy)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)
