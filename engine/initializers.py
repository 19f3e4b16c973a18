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
        Initializer("xavier", "Xavier/Glorot", _xavier),
        Initializer("he", "He", _he),
        Initializer("uniform", "Uniform ±0.5", _uniform),
    )
}
