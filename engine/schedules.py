"""Learning-rate schedules: the rate in effect at a step, from the base rate the user
set. Each schedule reads its own settings: `schedule_period` in steps, `schedule_gamma`
a decay factor, `schedule_floor` the lowest rate as a fraction of the base rate."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .params import Entry, Setting, values

# fmt: off
PERIOD = Setting("schedule_period", "Period (steps)", 1000, kind="integer", min=1, max=1_000_000,
                 presets=(100, 300, 1000, 3000, 10000), help="Steps over which the schedule changes the rate.")
GAMMA = Setting("schedule_gamma", "Decay γ", 0.5, min=0.01, max=1, presets=(0.1, 0.3, 0.5, 0.7, 0.9, 0.99),
                help="The factor the rate is multiplied by once per period.")
FLOOR = Setting("schedule_floor", "Floor (× rate)", 0.1, min=0, max=1, presets=(0, 0.01, 0.1, 0.3, 0.5),
                help="The lowest rate, as a fraction of the learning rate.")
# fmt: on

Settings = Mapping[str, Any]


@dataclass(frozen=True)
class Schedule(Entry):
    factor: Callable[[int, Settings], float]  # (step, its own settings) -> multiplier of the base rate


def _period(s: Settings) -> int:
    return max(1, int(s[PERIOD.name]))


def _constant(t: int, s: Settings) -> float:
    return 1.0


def _step(t: int, s: Settings) -> float:
    return float(s[GAMMA.name] ** (t // _period(s)))


def _exponential(t: int, s: Settings) -> float:
    return float(s[GAMMA.name] ** (t / _period(s)))


def _cosine(t: int, s: Settings) -> float:
    """Anneals from 1 to floor over one period, then stays at floor (Loshchilov & Hutter 2017, no restarts)."""
    period, floor = _period(s), s[FLOOR.name]
    progress = min(t, period) / period
    return float(floor + (1.0 - floor) * 0.5 * (1.0 + math.cos(math.pi * progress)))


def _cyclical(t: int, s: Settings) -> float:
    """Smith (2017), triangular: up from floor to 1 in `period` steps, back down in `period`."""
    period, floor = _period(s), s[FLOOR.name]
    x = abs(t / period - 2 * math.floor(1 + t / (2 * period)) + 1)
    return float(floor + (1.0 - floor) * max(0.0, 1.0 - x))


# fmt: off
SCHEDULES: dict[str, Schedule] = {
    s.name: s
    for s in (
        Schedule("constant", "Constant", _constant, help="The learning rate stays as set."),
        Schedule("step", "Step decay", _step, help="The rate is multiplied by γ at the end of every period.",
                 settings=(PERIOD, GAMMA)),
        Schedule("exponential", "Exponential", _exponential, help="The rate shrinks smoothly by γ per period.",
                 settings=(PERIOD, GAMMA)),
        Schedule("cosine", "Cosine", _cosine, help="The rate falls along a half cosine to the floor over one period.",
                 settings=(PERIOD, FLOOR)),
        Schedule("cyclical", "Cyclical (triangular)", _cyclical,
                 help="The rate climbs from the floor to the full rate and back, once every two periods.",
                 settings=(PERIOD, FLOOR)),
    )
}
# fmt: on


def learning_rate(name: str, base: float, step: int, **given: Any) -> float:
    """The rate in effect at `step` (0 for the first step of a run); `given` holds the
    schedule's settings by name (schedule_period=...), the missing ones take its defaults."""
    schedule = SCHEDULES[name]
    return base * schedule.factor(step, values(schedule.settings, given))
