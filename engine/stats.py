"""Summary statistics of one layer at one step, kept small so every step can carry them."""

from __future__ import annotations

import math

import numpy as np

# OpenBLAS spreads a dot product of more than 10,000 elements over its threads: each such
# call then waits for every thread (on a busy machine, for one that has been descheduled),
# and its last bits depend on the thread count.
BLAS_THREADED = 10_000


def norm(x: np.ndarray) -> float:
    """Frobenius (L2) norm: BLAS dots (np.linalg.norm's sum, without its copy of 2D input and
    its Python overhead, which on a small layer cost more than the sum), a big array's in
    pieces each summed on the calling thread, so a step never waits for BLAS threads here."""
    if x.size <= BLAS_THREADED:
        return math.sqrt(np.vdot(x, x))
    flat, total = x.ravel(), 0.0
    for start in range(0, flat.size, BLAS_THREADED):
        piece = flat[start : start + BLAS_THREADED]
        total += float(np.vdot(piece, piece))
    return math.sqrt(total)
