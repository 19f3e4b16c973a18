"""What the page draws for each kind of data, computed from a given set of weights:
a heatmap over the input plane (2D), a fitted curve (1D), or sample images with their
predictions (images); a confusion matrix for several classes."""

from __future__ import annotations

import numpy as np

from engine import (
    EXTENT,
    FEATURES,
    Dataset,
    Network,
    confusion_matrix,
    features,
    grid,
    line_grid,
    per_class_accuracy,
    predicted_labels,
)
from engine.datasets import DATASETS

from . import names
from .protocol import encode
from .settings import Settings

SAMPLES = 24  # test images shown with their predicted labels


def usable_features(dataset: str, wanted: list[str]) -> list[str]:
    """The chosen features that apply to this dataset (x2 means nothing on a line; images
    take their pixels), or the first one that does, so a dataset switch never fails."""
    allowed = DATASETS[dataset].features if dataset in DATASETS else ()  # loaded sets are images
    if not allowed:
        return []
    kept = [f for f in wanted if f in allowed]
    return kept or [f for f in ("x1", "x2") if f in allowed] or list(allowed[:1])


def node_res(settings: Settings, hidden: list[int]) -> int:
    """Thumbnail resolution: fine for a classroom network, coarser for big ones so a frame
    stays small (512 neurons at 20×20 would be 800 KB a frame)."""
    neurons = sum(hidden)
    return settings.node_res if neurons <= 64 else max(6, settings.node_res // (2 if neurons <= 256 else 3))


class View:
    def __init__(self, data: Dataset, feats: list[str], settings: Settings, hidden: list[int]):
        self.data, self.feats, self.settings = data, feats, settings
        self.node_res = node_res(settings, hidden)
        res, node_res_ = settings.grid_res, self.node_res
        if data.inputs == "plane":
            self._points(features(grid(res), feats), features(grid(node_res_), feats))
        elif data.inputs == "line":
            self.curve_x = line_grid(res)
            self._points(features(self.curve_x, feats), features(line_grid(node_res_), feats))
        else:
            self.samples_x = data.x_test[:SAMPLES]
            self.samples_y = data.y_test[:SAMPLES]

    def _points(self, out_points: np.ndarray, node_points: np.ndarray) -> None:
        """The output grid's points and the thumbnails', in one array: one forward pass
        draws both, in float32, the precision the wire carries (a 16×32 network's grid
        costs half as much as in float64)."""
        self.n_out = len(out_points)
        self.points = np.concatenate([out_points, node_points]).astype(np.float32)
        self.points_across = np.ascontiguousarray(self.points.T)  # [features, points]: columns_across

    @property
    def input_size(self) -> int:
        return self.data.x_train.shape[1] if self.data.inputs == "image" else len(self.feats)

    def input_labels(self) -> list[str] | None:
        return None if self.data.inputs == "image" else [FEATURES[f].label for f in self.feats]

    def output_labels(self) -> list[str] | None:
        d = self.data
        if d.problem != "multiclass":
            return None
        return list(d.class_labels) if d.class_labels else [f"class {k + 1}" for k in range(d.classes)]

    def dataset_message(self) -> bytes:
        d = self.data
        header = {
            "kind": "dataset",
            "problem": d.problem,
            "inputs": d.inputs,
            "extent": list(EXTENT),
            "classes": d.classes,
            "class_labels": self.output_labels(),
            "image_shape": list(d.image_shape) if d.image_shape else None,
            "n_train": len(d.x_train),
            "n_test": len(d.x_test),
        }
        if d.inputs == "image":
            arrays = {names.SAMPLES_X: self.samples_x, names.SAMPLES_Y: self.samples_y}
        else:
            arrays = {
                names.TRAIN_X: d.x_train,
                names.TRAIN_Y: d.y_train,
                names.TEST_X: d.x_test,
                names.TEST_Y: d.y_test,
            }
        return encode(header, arrays)

    def tensors(self, net: Network, params: list[tuple], x_test: np.ndarray) -> dict[str, np.ndarray]:
        d, s = self.data, self.settings
        out: dict[str, np.ndarray] = {}
        if d.inputs == "image":
            probs = net.columns(self.samples_x, params)[-1]
            out[names.SAMPLES_PRED] = probs.argmax(axis=1)
            out[names.SAMPLES_PROB] = probs
        else:
            cols = self._columns(net, params)  # each [units, points]
            pred, n = cols[-1][:, : self.n_out], self.n_out  # [outputs, points]
            if d.inputs == "line":
                out[names.CURVE_X], out[names.CURVE_Y] = self.curve_x[:, 0], pred[0]
            else:
                out[names.GRID_OUTPUT] = pred.reshape(-1, s.grid_res, s.grid_res)
                if d.problem != "multiclass":
                    out[names.GRID_OUTPUT] = out[names.GRID_OUTPUT][0]
            r = self.node_res
            for j, col in enumerate(c[:, n:] for c in cols):
                if d.inputs == "line":  # each neuron along x, repeated down the rows
                    out[names.grid_nodes(j)] = np.repeat(col[:, None, :], r, axis=1)
                else:
                    out[names.grid_nodes(j)] = col.reshape(-1, r, r)
        if d.problem == "multiclass":
            logits = net.columns(x_test, params)[-1]
            out[names.CONFUSION] = confusion_matrix(predicted_labels(logits), d.y_test, d.classes)
        return out

    def _columns(self, net: Network, params: list[tuple]) -> list[np.ndarray]:
        """Every column over the grid's and the thumbnails' points, each [units, points]
        (columns_across): in float32, unless that overflows (weights near divergence) where
        float64 would not."""
        with np.errstate(over="ignore", invalid="ignore"):
            params32 = [(W.astype(np.float32), b.astype(np.float32)) for W, b in params]
            cols = net.columns_across(self.points_across, params32)
        if all(np.isfinite(c).all() for c in cols):
            return cols
        return net.columns_across(self.points_across.astype(np.float64), params)

    def class_metrics(self, net: Network, params: list[tuple], x_test: np.ndarray) -> dict:
        if self.data.problem != "multiclass":
            return {}
        pred = predicted_labels(net.columns(x_test, params)[-1])
        return {"per_class_accuracy": per_class_accuracy(pred, self.data.y_test, self.data.classes)}
