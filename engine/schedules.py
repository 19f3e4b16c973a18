"""Learning-rate schedules: the rate in effect at a step, from the base rate the user
set. `period` is in steps; `gamma` is a decay factor; `floor` is the lowest rate as a
fraction of the base rate (cosine and cyclical)."""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Schedule:
    name: str
    label: str
    factor: Callable[[int, int, float, float], float]  # (step, period, gamma, floor) -> multiplier


def _step(t: int, period: int, gamma: float, floor: float) -> float:
    return gamma ** (t // period)


def _exponential(t: int, period: int, gamma: float, floor: float) -> float:
    return gamma ** (t / period)


def _cosine(t: int, period: int, gamma: float, floor: float) -> float:
    """Anneals from 1 to floor over one period, then stays at floor (Loshchilov & Hutter 2017, no restarts)."""
    progress = min(t, period) / period
    return floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def _cyclical(t: int, period: int, gamma: float, floor: float) -> float:
    """Smith (2017), triangular: up from floor to 1 in `period` steps, back down in `period`."""
    x = abs(t / period - 2 * math.floor(1 + t / (2 * period)) + 1)
    return floor + (1.0 - floor) * max(0.0, 1.0 - x)


SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule("constant", "Constant", lambda t, p, g, f: 1.0),
        Schedule("step", "Step decay", _step),
        Schedule("exponential", "Exponential", _exponential),
        Schedule("cosine", "Cosine", _cosine),
        Schedule("cyclical", "Cyclical (triangular)", _cyclical),
    )
}


def learning_rate(name: str, base: float, step: int, period: int = 1000, gamma: float = 0.5,
                  floor: float = 0.1) -> float:
    """The rate in effect at `step` (0 for the first step of a run)."""
    return base * SCHEDULES[name].factor(step, max(1, period), gamma, floor)
