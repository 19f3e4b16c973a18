"""Your own data: points placed on the plot or read from a CSV (server/csvdata.py), made a
dataset like the generated ones.

Two kinds (entries of datasets.DATASETS):
  own       points on the plane, rows [x1, x2, label]; the labels are the classes 0 to 5:
            two classes (or one) make a binary problem, three to six a multiclass one.
  own_line  a curve to fit, rows [x, y].
Coordinates lie in the generated sets' extent (EXTENT, -6 to 6). The rows are a config
setting (`points`, `line_points`), so whatever carries a config carries them. None (the
setting's default) is a starter set drawn from the data seed, for a user to edit; [] is no
points at all, which shows an empty plot and trains nothing.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from .datasets import CLASS_RANGE, DATASETS, EXTENT, Dataset, _clamp, _stratified, make_dataset
from .transfer import for_task

COLUMNS = {"own": ("x1", "x2", "label"), "own_line": ("x", "y")}
FIELDS = {"own": "points", "own_line": "line_points"}  # the config setting that holds each kind's rows
MAX_CLASSES = CLASS_RANGE[1]
MAX_VALUE = 1e6  # how far a curve's y may go from 0
DIGITS = 6  # significant digits kept: float32's, what the wire carries
STARTER = 30  # points of a starter set
MIN_TRAIN = 2  # fewer points train nothing: one to train on, one to test on


class PointError(ValueError):
    """A bad value: `row` and `column` index it (row None: the rows as a whole)."""

    def __init__(self, row: int | None, column: int | None, message: str):
        super().__init__(message)
        self.row, self.column, self.message = row, column, message


def is_own(dataset: str) -> bool:
    return dataset in COLUMNS


def check_value(column: str, v: float) -> float:
    """One number for its column ("x1", "label", "y", ...), rounded; raises PointError(None, None, why)."""
    if math.isnan(v):
        raise PointError(None, None, "is NaN (not a number)")
    if math.isinf(v):
        raise PointError(None, None, "is infinite")
    if column == "label":
        if v != int(v):
            raise PointError(None, None, f"{v:g} is not a whole number: a label is a class, 0 to {MAX_CLASSES - 1}")
        if not 0 <= v < MAX_CLASSES:
            raise PointError(None, None, f"{v:g} is not a class: labels are 0 to {MAX_CLASSES - 1}")
        return int(v)
    if column == "y":
        if abs(v) > MAX_VALUE:
            raise PointError(None, None, f"{v:g} is too far from 0: at most {MAX_VALUE:g} either way")
    elif not EXTENT[0] <= v <= EXTENT[1]:
        raise PointError(None, None, f"{v:g} is outside the plot: coordinates go from {EXTENT[0]:g} to {EXTENT[1]:g}")
    return float(f"{v:.{DIGITS}g}")


def check_rows(rows: Any, dataset: str, max_rows: int) -> list[list[float]]:
    """The rows of a kind's points, checked and rounded; raises PointError naming the row and column."""
    columns = COLUMNS[dataset]
    if not isinstance(rows, list):
        raise PointError(None, None, "must be a list of rows " + "[" + ", ".join(columns) + "]")
    if len(rows) > max_rows:
        raise PointError(None, None, f"{len(rows):,} points; at most {max_rows:,}")
    out = []
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise PointError(i, None, "must be a row [" + ", ".join(columns) + "]")
        checked = []
        for j, (column, v) in enumerate(zip(columns, row)):
            if isinstance(v, bool) or not isinstance(v, int | float):
                raise PointError(i, j, "must be a number")
            try:
                checked.append(check_value(column, float(v)))
            except PointError as e:
                raise PointError(i, j, e.message) from None
        out.append(checked)
    return out


def starter(dataset: str, seed: int) -> list[list[float]]:
    """The rows a kind starts with before the user places any (two clouds, a sine), from the seed."""
    return rows_from(make_dataset(dataset, STARTER, 0.1, 0.5, seed), STARTER)


def rows_of(config: Mapping[str, Any], dataset: str) -> list[list[float]]:
    """The rows a config gives a kind: its setting, or the starter set when the setting is None."""
    rows = config.get(FIELDS[dataset])
    return starter(dataset, config.get("data_seed", 1)) if rows is None else rows


def user_dataset(dataset: str, rows: Sequence[Sequence[float]], train_ratio: float, seed: int) -> Dataset:
    """The rows as a dataset, split into training and test by train_ratio (per class), from seed.
    Fewer than MIN_TRAIN points are both the training and the test set (nothing trains on them)."""
    kind = DATASETS[dataset]
    a = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(COLUMNS[dataset]))
    x, y = a[:, :-1], a[:, -1]
    classes = 1 if kind.problem == "regression" else max(2, int(y.max()) + 1 if len(y) else 2)
    problem = kind.problem if classes <= 2 else "multiclass"
    rng = np.random.default_rng(seed)
    if len(y) < MIN_TRAIN:
        tr = te = np.arange(len(y))
    elif problem == "regression":
        order = rng.permutation(len(y))
        n_train = _clamp(round(len(y) * train_ratio), len(y))
        tr, te = order[:n_train], order[n_train:]
    else:
        tr, te = _stratified(y, train_ratio, rng)
        if not len(te):  # classes of one point each all went to training: one comes back to test on
            tr, te = tr[1:], tr[:1]
    return Dataset(dataset, problem, x[tr], y[tr], x[te], y[te], kind.inputs, classes)


def dataset_for(config: Mapping[str, Any]) -> Dataset:
    """The dataset a (validated) feed-forward config names: the user's points, or a generated set."""
    c = config
    if is_own(c["dataset"]):
        return user_dataset(c["dataset"], rows_of(c, c["dataset"]), c["train_ratio"], c["data_seed"])
    data = make_dataset(c["dataset"], c["samples"], c["noise"], c["train_ratio"], c["data_seed"], classes=c["classes"])
    return for_task(data, c.get("task", "all"))  # some of its classes only (fine-tuning, transfer.py)


def own_kind_of(data: Dataset) -> str | None:
    """The own kind a dataset's points could become (the page's "edit these points"), or None."""
    if data.inputs == "line" and data.problem == "regression":
        return "own_line"
    if data.inputs == "plane" and data.problem != "regression" and data.classes <= MAX_CLASSES:
        return "own"
    return None


def rows_from(data: Dataset, max_rows: int) -> list[list[float]]:
    """A dataset's points (training, then test) as the rows of its own kind: to edit them."""
    kind = own_kind_of(data)
    if kind is None:
        raise PointError(None, None, f"the points of {data.name} cannot be edited: only 2-D classes and curves can")
    x = np.concatenate([data.x_train, data.x_test])
    y = np.concatenate([data.y_train, data.y_test])
    lo, hi = EXTENT[:2]
    return check_rows(np.column_stack([np.clip(x, lo, hi), y]).tolist(), kind, max_rows)
