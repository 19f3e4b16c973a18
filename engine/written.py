"""An optimizer's update of one element, written out for Explain a step (engine/explain.py,
engine/worked.py): what the optimizer did (`Element`) and each line of its rule (`Line`)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """One line of an update written out: symbol ← formula = numbers = value."""

    symbol: str
    formula: str
    numbers: str
    value: float


@dataclass(frozen=True)
class Element:
    """One parameter element's update as the optimizer made it (engine/explain.py): the
    gradient it got, the weight before, its state before and after, its intermediate terms."""

    g: float
    w: float
    step: float
    before: dict[str, float] = field(default_factory=dict)
    after: dict[str, float] = field(default_factory=dict)
    terms: dict[str, float] = field(default_factory=dict)
