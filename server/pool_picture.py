"""A pooled run's picture (issue 13: "a snapshot of any student's run, its picture and
figures"): what the copy's output panel showed when it was sent, computed here from the
copy's own weights and data, small enough to travel in a `pool` message.

- `plane`: the prediction over the input plane on a RES×RES grid ([K, RES, RES] for K
  classes), the per-class test accuracy, and at most POINTS training and test points;
- `line`: the fitted curve at CURVE points along x, and the points;
- `loss` (images, sequences, convolutions): the training and test loss at most CURVE of
  the steps they were evaluated at.

Arrays are little-endian float32 blocks in base64 ({"shape", "data"}), as on the binary
wire, never JSON number lists. The largest (six classes) is under LIMIT bytes of JSON."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

import numpy as np

from engine import EXTENT, features, grid, line_grid

from .history import SCALARS

if TYPE_CHECKING:
    from .run import Run

RES = 24  # the output plot draws it smoothed: a 24×24 grid reads as the 50×50 one does
CURVE = 120
POINTS = 200  # training points kept; half as many test points
LIMIT = 24_000


def array(a: np.ndarray) -> dict:
    a = np.ascontiguousarray(a, dtype="<f4")
    return {"shape": list(a.shape), "data": base64.b64encode(a.tobytes()).decode()}


def picture(run: Run) -> dict:
    """The picture of run A of a copy, at its last step."""
    data = run.data
    if run.describe().get("model") != "feedforward" or data.inputs not in ("plane", "line"):
        return _loss(run)
    net, params = run.trainer.network, run.params()
    points = {
        "train": _points(data.x_train, data.y_train, POINTS),
        "test": _points(data.x_test, data.y_test, POINTS // 2),
    }
    with np.errstate(all="ignore"):  # a diverged copy's prediction is NaN, and drawn as such
        if data.inputs == "line":
            x = line_grid(CURVE)
            y = net.columns(features(x, run.view.feats), params)[-1][:, 0]
            return {"kind": "line", "curve": {"x": array(x[:, 0]), "y": array(y)}, **points}
        pred = net.columns(features(grid(RES), run.view.feats), params)[-1]
    multi = data.problem == "multiclass"
    return {
        "kind": "plane",
        "problem": data.problem,
        "classes": data.classes,
        "class_labels": run.view.output_labels(),
        "extent": list(EXTENT),
        "output": array(pred.T.reshape(-1, RES, RES) if multi else pred.reshape(RES, RES)),
        "per_class_accuracy": run.frame_metrics().get("per_class_accuracy"),
        **points,
    }


def _points(x: np.ndarray, y: np.ndarray, limit: int) -> dict:
    """Evenly spread over the set (its order is already shuffled by the seed)."""
    keep = np.linspace(0, len(y) - 1, limit).astype(int) if len(y) > limit else slice(None)
    return {"x": array(x[keep]), "y": array(y[keep])}


def _loss(run: Run) -> dict:
    rows = run.history.rows
    steps = np.arange(run.history.first, run.history.first + len(rows))
    train, test = rows[:, SCALARS.index("train_loss")], rows[:, SCALARS.index("test_loss")]
    evaluated = ~np.isnan(train)
    steps, train, test = steps[evaluated], train[evaluated], test[evaluated]
    if len(steps) > CURVE:
        keep = np.unique(np.linspace(0, len(steps) - 1, CURVE).astype(int))
        steps, train, test = steps[keep], train[keep], test[keep]
    return {"kind": "loss", "steps": array(steps), "train_loss": array(train), "test_loss": array(test)}
