"""Summary statistics of one layer at one step, kept small so every step can carry them."""

from __future__ import annotations

import math

import numpy as np

# OpenBLAS spreads a dot product of more than 10,000 elements over its threads: each such
# call then waits for every thread (on a busy machine, for one that has been descheduled),
# and its last bits depend on the thread count.
BLAS_THREADED = 10_000


def norm(x: np.ndarray) -> float:
    """Frobenius (L2) norm. A small array's is one BLAS dot (np.linalg.norm's sum, without its
    copy of 2D input and its Python overhead, which cost more than the sum); a big one's is
    summed by einsum on the calling thread, as fast, adding no wait for BLAS threads to a step."""
    if x.size <= BLAS_THREADED:
        return math.sqrt(np.vdot(x, x))
    flat = x.ravel()
    return math.sqrt(np.einsum("i,i->", flat, flat))
