"""Input features: what the network sees of a point. A plane point (x1, x2) or a line
point (x1) becomes the chosen features (x1, x2, x1², x1·x2, sin x1, ...); image data
take their pixels instead and have none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .params import Entry


@dataclass(frozen=True)
class Feature(Entry):
    f: Callable[[np.ndarray], np.ndarray]  # x [n, 2] or [n, 1] -> [n]
    uses_x2: bool = False  # True: needs the second coordinate, so not for line inputs


# fmt: off
FEATURES: dict[str, Feature] = {
    f.name: f
    for f in (
        Feature("x1", "x₁", lambda x: x[:, 0], help="The first coordinate."),
        Feature("x2", "x₂", lambda x: x[:, 1], uses_x2=True, help="The second coordinate."),
        Feature("x1sq", "x₁²", lambda x: x[:, 0] ** 2, help="The first coordinate squared."),
        Feature("x2sq", "x₂²", lambda x: x[:, 1] ** 2, uses_x2=True, help="The second coordinate squared."),
        Feature("x1x2", "x₁x₂", lambda x: x[:, 0] * x[:, 1], uses_x2=True, help="The product of the coordinates."),
        Feature("sinx1", "sin x₁", lambda x: np.sin(x[:, 0]), help="The sine of the first coordinate."),
        Feature("sinx2", "sin x₂", lambda x: np.sin(x[:, 1]), uses_x2=True, help="The sine of the second coordinate."),
    )
}
# fmt: on

INPUT_FEATURES: dict[str, tuple[str, ...]] = {
    "plane": tuple(FEATURES),
    "line": tuple(n for n, f in FEATURES.items() if not f.uses_x2),
    "image": (),
}


def features(x: np.ndarray, names: list[str]) -> np.ndarray:
    """Raw points x [n, 2] (plane) or [n, 1] (line) -> network inputs [n, len(names)].

    Raises ValueError for an unknown name, a feature that needs x2 on line inputs,
    or image inputs (use inputs_for).
    """
    if x.ndim != 2 or x.shape[1] not in (1, 2):
        raise ValueError(f"features apply to points [n, 2] or [n, 1], not an array of shape {x.shape}")
    for name in names:
        if name not in FEATURES:
            raise ValueError(f"unknown feature {name!r}; choose from {', '.join(FEATURES)}")
        if x.shape[1] == 1 and FEATURES[name].uses_x2:
            raise ValueError(f"feature {name!r} needs x2, but a line dataset has only x1")
    return np.stack([FEATURES[name].f(x) for name in names], axis=1)
