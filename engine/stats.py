"""Summary statistics of one layer at one step, kept small so every step can carry them."""

from __future__ import annotations

import math

import numpy as np


def norm(x: np.ndarray) -> float:
    """Frobenius (L2) norm, as np.linalg.norm sums it (one BLAS dot of the flattened array,
    so the same value to the last bit) without its copy of 2D input or its Python overhead,
    which on a small layer cost more than the sum itself."""
    return math.sqrt(np.vdot(x, x))
