"""Summary statistics: of one layer at one step, kept small so every step can carry them;
the bands of a distribution; a median. Written for speed: a session asks for them every
step or every frame."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

PERCENTILES = (0, 7, 16, 31, 50, 69, 84, 93, 100)  # the bands drawn for distributions

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


_QUANTILES = np.true_divide(PERCENTILES, 100)


@functools.lru_cache(maxsize=256)
def _band_points(sizes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """Where the PERCENTILES fall in arrays of these sizes, sorted and laid end to end, as
    np.percentile's linear method puts them: the neighbours below and above each, the
    weight t of the one above, 1 - t, and where np.percentile interpolates down from the
    one above (t >= 0.5); then where each array's last (largest) value is."""
    ends = np.cumsum(sizes)
    virtual = (np.array(sizes)[:, None] - 1) * _QUANTILES
    below = np.floor(virtual)
    t = virtual - below
    above = np.minimum(below + 1, virtual[:, -1:])  # the 100th percentile is the last value
    starts = (ends - sizes)[:, None]
    points = ((starts + below).astype(np.intp), (starts + above).astype(np.intp), t, 1 - t, t >= 0.5, ends - 1)
    for p in points:
        p.flags.writeable = False  # shared by every call of these sizes
    return points


def bands(x: np.ndarray) -> np.ndarray:
    """The distribution of x's values as the PERCENTILES (min ... max): np.percentile's numbers."""
    out: np.ndarray = bands_of([x])[0]
    return out


def bands_of(xs: list[np.ndarray]) -> np.ndarray:
    """bands(x) of each x, [len(xs), len(PERCENTILES)], from one sort of each and the
    interpolation points of each set of sizes kept (np.percentile's general code costs ~70 µs
    a call, and a frame asks for three per layer: one NumPy call for all of them, not each)."""
    v = np.concatenate(xs, axis=None)
    below, above, t, rest, upper, last = _band_points(tuple(x.size for x in xs))
    start = 0
    for x in xs:  # each array's values sorted where they lie (np.sort's wrapper costs more than the sort)
        end = start + x.size
        v[start:end].sort()
        start = end
    a, b = v[below], v[above]
    with np.errstate(invalid="ignore"):  # infinities give NaN where np.percentile's do
        diff = b - a
        out: np.ndarray = a + diff * t
        np.subtract(b, diff * rest, out=out, where=upper)
    out[np.isnan(v[last])] = np.nan  # NaN sorts last: any NaN makes every band NaN, as np.percentile does
    return out


def median(x: np.ndarray) -> Any:
    """np.median along the first axis (a window's steps), from one sort: np.median's general
    code costs ~30 µs a call, and a frame's warnings ask for several."""
    v = np.sort(x, axis=0)
    n = len(v)
    mid = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    nan = np.isnan(v[-1])  # NaN sorts last: any NaN makes the median NaN, as in np.median
    if x.ndim == 1:
        return np.nan if nan else mid
    return np.where(nan, np.nan, mid)
