"""Datasets (the input features computed from them are in features.py).

Three kinds of input:
  plane  x [n, 2], points on [-6, 6]²; the features x1, x2, x1sq, ... apply.
  line   x [n, 1], a 1D curve to fit on [-6, 6]; only the features built from x1 apply.
  image  x [n, h*w], pixel intensities in [0, 1]; no features, the pixels are the inputs.
Three problems: "classification" (binary, y in {0, 1}), "multiclass" (y in 0..K-1,
stored as float) and "regression".

A generator (generators.py) draws n points with a given noise (0 to 0.5) from a
Generator; every dataset is reproducible from its seed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import generators as g
from .digits import CLASS_LABELS, IMAGE_SHAPE
from .features import INPUT_FEATURES, features
from .params import Entry, Setting

EXTENT = (-6.0, 6.0, -6.0, 6.0)  # xmin, xmax, ymin, ymax

CLASS_RANGE = (3, 6)  # how many classes spiral_k and gauss_k may have

# fmt: off
NOISE = Setting("noise", "Noise", 0.0, min=0, max=0.5,
                help="How far the points stray from the pattern (for regression: noise on the target value).")
# The server narrows the range to its limits.
SAMPLES = Setting("samples", "Points", 500, kind="integer", min=2,
                  help="How many points are drawn, training and test together.")
CLASSES = Setting("classes", "Classes", 3, kind="integer", min=CLASS_RANGE[0], max=CLASS_RANGE[1],
                  help="How many classes (arms, clusters) are drawn.")
GENERATED = (NOISE, SAMPLES)  # the settings of a generated dataset; a fixed set (digits) has none
# fmt: on


@dataclass(frozen=True)
class DatasetKind(Entry):
    """A registry entry. `classes` is None when make_dataset's `classes` keyword chooses it
    (then the entry declares CLASSES among its settings). `suggested_hidden`: hidden layers
    that learn this dataset well, for a user who has not built a network of their own
    (None: the default network does)."""

    problem: str  # "classification" (labels 0/1), "multiclass" (0..K-1) or "regression"
    generate: Callable[..., g.Generated]  # (n, noise, rng) or, when classes is None, (n, noise, rng, k)
    inputs: str = "plane"  # "plane", "line" or "image"
    classes: int | None = 2  # 2 binary, K multiclass, 1 regression
    image_shape: tuple[int, int] | None = None
    class_labels: tuple[str, ...] | None = None
    settings: tuple[Setting, ...] = field(default=GENERATED, kw_only=True)
    suggested_hidden: tuple[int, ...] | None = field(default=None, kw_only=True)

    @property
    def features(self) -> tuple[str, ...]:
        """The FEATURES names that apply to this dataset's inputs (none for images)."""
        return INPUT_FEATURES[self.inputs]

    def describe(self) -> dict[str, Any]:
        return {
            "problem": self.problem,
            "inputs": self.inputs,
            "features": list(self.features),
            "classes": self.classes,
            "suggested_hidden": list(self.suggested_hidden) if self.suggested_hidden else None,
        }


# fmt: off
DATASETS: dict[str, DatasetKind] = {
    d.name: d
    for d in (
        DatasetKind("circle", "Circle", "classification", g.circle, help="One class inside a ring of the other."),
        DatasetKind("xor", "XOR", "classification", g.xor,
                    help="Opposite quadrants share a class: no single straight line separates them."),
        DatasetKind("gauss", "Two Gaussians", "classification", g.gauss, help="Two overlapping clouds of points."),
        DatasetKind("spiral", "Spiral", "classification", g.spiral, help="Two interleaved spiral arms."),
        DatasetKind("moons", "Moons", "classification", g.moons, help="Two interlocking half circles."),
        DatasetKind("plane", "Plane", "regression", g.plane, classes=1,
                    help="A value that rises evenly across the plane."),
        DatasetKind("spiral_k", "Spiral, K arms", "multiclass", g.spiral_k, classes=None,
                    settings=(*GENERATED, CLASSES), help="K spiral arms, one class each."),
        DatasetKind("gauss_k", "K Gaussians", "multiclass", g.gauss_k, classes=None,
                    settings=(*GENERATED, CLASSES), help="K clouds of points in a circle, one class each."),
        DatasetKind("sine", "Sine curve", "regression", g.sine, inputs="line", classes=1,
                    help="A sine wave to fit along one input."),
        # Your own points (userdata.py): the rows come from the config; make_dataset, given none,
        # draws the starter set a user edits.
        DatasetKind("own", "Your points", "classification", g.gauss, settings=(),
                    help="Points you place on the plot (click or tap) or load from a CSV: 2 to 6 classes."),
        DatasetKind("own_line", "Your curve", "regression", g.sine, inputs="line", classes=1, settings=(),
                    help="Points of a curve to fit that you place on the plot or load from a CSV."),
        # 64-16-10 (tanh, SGD 0.03, batch 10): 93% test accuracy after 1,000 steps, 95% after
        # 3,000; the default 4-2 gets 38% and 50% (tests/engine/test_datasets.py checks it).
        DatasetKind("digits", "Digits (8×8)", "multiclass", g.digits, inputs="image", classes=10,
                    image_shape=IMAGE_SHAPE, class_labels=CLASS_LABELS, settings=(), suggested_hidden=(16,),
                    help="A fixed set of 1,797 handwritten 8×8 digits, 0 to 9: points and noise do not apply."),
        DatasetKind("bars", "Bars (12×12)", "multiclass", g.bars, inputs="image", classes=4, image_shape=g.BARS_SHAPE,
                    class_labels=g.BAR_LABELS, suggested_hidden=(16,),
                    help="A bar at one of four angles anywhere in a 12×12 image, on noise: the class is the angle."),
    )
}
# fmt: on


@dataclass(frozen=True)
class Dataset:
    name: str
    problem: str  # "classification", "multiclass" or "regression"
    x_train: np.ndarray  # [n, 2] points, [n, 1] line, or [n, h*w] pixels in [0, 1]
    y_train: np.ndarray  # [n] float: 0/1, class 0..K-1, or target value
    x_test: np.ndarray
    y_test: np.ndarray
    inputs: str = "plane"  # "plane", "line" or "image"
    classes: int = 2  # 2 binary, K multiclass, 1 regression
    image_shape: tuple[int, ...] | None = None  # (h, w) for images
    class_labels: tuple[str, ...] | None = None  # names of the classes, e.g. "0".."9"


def inputs_for(data: Dataset, names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Network inputs (train [n, d], test [m, d]): the named features, or the raw pixels of an image dataset."""
    if data.inputs == "image":
        return data.x_train, data.x_test
    return features(data.x_train, names), features(data.x_test, names)


def one_hot(y: np.ndarray, k: int) -> np.ndarray:
    """Class labels y [n] (0..k-1, any numeric dtype) -> targets [n, k] of 0.0 and 1.0."""
    out: np.ndarray = (y.astype(np.int64)[:, None] == np.arange(k)).astype(np.float64)
    return out


def _clamp(n_train: int, n: int) -> int:
    return min(max(1, n_train), n - 1) if n > 1 else n


def _stratified(y: np.ndarray, train_ratio: float, rng: g.Rng) -> tuple[np.ndarray, np.ndarray]:
    """Train and test indices with train_ratio of every class in train (one at least on each side)."""
    tr, te = [], []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        n_train = _clamp(round(len(idx) * train_ratio), len(idx))
        tr.append(idx[:n_train])
        te.append(idx[n_train:])
    # Shuffled again so the classes are not in blocks; the trainer reshuffles anyway, the viewer may not.
    return rng.permutation(np.concatenate(tr)), rng.permutation(np.concatenate(te))


def make_dataset(
    name: str, samples: int, noise: float, train_ratio: float, seed: int, classes: int = int(CLASSES.default)
) -> Dataset:
    """Draw (or load) a dataset and split it into train and test, reproducibly from seed.

    `classes` (CLASS_RANGE) applies to spiral_k and gauss_k only. Multiclass datasets
    are split per class (stratified); the binary and regression ones as before, so
    their seeds still give the same points.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose from {', '.join(DATASETS)}")
    kind = DATASETS[name]
    rng = np.random.default_rng(seed)
    if kind.classes is None:
        lo, hi = CLASS_RANGE
        if not lo <= classes <= hi:
            raise ValueError(f"classes must be {lo} to {hi}, got {classes}")
        x, y = kind.generate(samples, noise, rng, classes)
    else:
        x, y = kind.generate(samples, noise, rng)
        classes = kind.classes
    if kind.problem == "multiclass":
        tr, te = _stratified(y, train_ratio, rng)
    else:
        order = rng.permutation(len(y))
        n_train = _clamp(round(len(y) * train_ratio), len(y))
        tr, te = order[:n_train], order[n_train:]
    return Dataset(
        name, kind.problem, x[tr], y[tr], x[te], y[te], kind.inputs, classes, kind.image_shape, kind.class_labels
    )


def grid(res: int) -> np.ndarray:
    """Cell centres of a res×res grid over EXTENT, row 0 at the top: [res*res, 2]."""
    xmin, xmax, ymin, ymax = EXTENT
    cx = xmin + (np.arange(res) + 0.5) * (xmax - xmin) / res
    cy = ymax - (np.arange(res) + 0.5) * (ymax - ymin) / res
    gx, gy = np.meshgrid(cx, cy)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def line_grid(res: int) -> np.ndarray:
    """res points evenly spaced over [-6, 6], ends included, for drawing a fitted curve: [res, 1]."""
    xmin, xmax = EXTENT[:2]
    return np.linspace(xmin, xmax, res)[:, None]
