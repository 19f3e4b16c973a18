"""Weight initializers: (rng, fan_in, fan_out) -> W [fan_in, fan_out]. Biases start at 0."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Initializer:
    name: str
    label: str
    draw: Callable[[np.random.Generator, int, int], np.ndarray]


def _zeros(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return np.zeros((fan_in, fan_out))


def _normal(std: float):
    def draw(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
        return rng.normal(0.0, std, (fan_in, fan_out))

    return draw


def _xavier_normal(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))


def _standard(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    """The common heuristic before Glorot & Bengio (2010): U[-1/sqrt(n_in), 1/sqrt(n_in)]."""
    limit = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def _xavier(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out))


def _he(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, fan_out))


def _uniform(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return rng.uniform(-0.5, 0.5, (fan_in, fan_out))


INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in (
        Initializer("xavier", "Xavier/Glorot uniform", _xavier),
        Initializer("xavier_normal", "Xavier/Glorot normal", _xavier_normal),
        Initializer("he", "He normal", _he),
        Initializer("uniform", "Uniform ±0.5", _uniform),
        Initializer("standard", "Standard U(±1/√n)", _standard),
        # zeros: every neuron of a layer gets the same gradient, so they never differ
        Initializer("zeros", "Zeros (symmetry problem)", _zeros),
        Initializer("small_normal", "Small normal (σ 0.01)", _normal(0.01)),
        Initializer("large_normal", "Large normal (σ 1)", _normal(1.0)),
    )
}
