"""Weight initializers: (rng, fan_in, fan_out) -> W [fan_in, fan_out]. Biases start at 0."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .params import Entry


@dataclass(frozen=True)
class Initializer(Entry):
    draw: Callable[[np.random.Generator, int, int], np.ndarray]


def _zeros(rng: np.random.Generator, fan_in: int, fan_out: int) -> np.ndarray:
    return np.zeros((fan_in, fan_out))


def _normal(std: float) -> Callable[[np.random.Generator, int, int], np.ndarray]:
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


# fmt: off
INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in (
        Initializer("xavier", "Xavier/Glorot uniform", _xavier,
                    help="Uniform weights scaled by fan-in and fan-out, so signals keep their size both ways."),
        Initializer("xavier_normal", "Xavier/Glorot normal", _xavier_normal,
                    help="Normal weights with Glorot's variance 2 / (fan-in + fan-out)."),
        Initializer("he", "He normal", _he, help="Normal weights with variance 2 / fan-in, made for ReLU layers."),
        Initializer("uniform", "Uniform ±0.5", _uniform, help="Uniform weights in ±0.5, whatever the layer's size."),
        Initializer("standard", "Standard U(±1/√n)", _standard,
                    help="Uniform weights in ±1/√fan-in, the common choice before Glorot and Bengio."),
        # zeros: every neuron of a layer gets the same gradient, so they never differ
        Initializer("zeros", "Zeros (symmetry problem)", _zeros,
                    help="All weights 0: the neurons of a layer stay identical and the network cannot learn."),
        Initializer("small_normal", "Small normal (σ 0.01)", _normal(0.01),
                    help="Tiny random weights: signals and gradients shrink in every layer."),
        Initializer("large_normal", "Large normal (σ 1)", _normal(1.0),
                    help="Large random weights: activations saturate and gradients can explode."),
    )
}
# fmt: on
