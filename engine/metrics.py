"""Scores of a trained network: accuracy, per-class accuracy, confusion matrix, R².

Labels and predictions are class indices [n] of any numeric dtype (the datasets
store them as float). Nothing here returns NaN: a class with no samples has
per-class accuracy None (null in JSON), and R² of a constant target is 1 for a
perfect fit and 0 otherwise.
"""

from __future__ import annotations

import numpy as np


def _classes(a: np.ndarray, k: int, what: str) -> np.ndarray:
    a = np.asarray(a).ravel()
    with np.errstate(invalid="ignore"):  # NaN or Inf labels: refused just below, no warning first
        idx = a.astype(np.int64)
    if np.any(idx != a) or np.any(idx < 0) or np.any(idx >= k):
        raise ValueError(f"{what} must be whole numbers 0 to {k - 1}")
    return idx


def predicted_labels(outputs: np.ndarray) -> np.ndarray:
    """Network outputs (logits) [n, K] -> class indices [n]; a single column [n, 1] is binary, logit > 0 is 1."""
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0).astype(np.int64)
    labels: np.ndarray = np.argmax(outputs, axis=1)
    return labels


def accuracy(pred_labels: np.ndarray, labels: np.ndarray) -> float:
    """Share of pred_labels [n] equal to labels [n], in [0, 1]. Raises ValueError for n = 0."""
    pred, true = np.asarray(pred_labels).ravel(), np.asarray(labels).ravel()
    if pred.shape != true.shape or true.size == 0:
        raise ValueError(f"accuracy needs two equal, non-empty label arrays, got {pred.shape} and {true.shape}")
    return np.count_nonzero(pred == true) / true.size  # np.mean's number, a few µs sooner (once a frame)


def confusion_matrix(pred: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Counts [k, k] int64: row = true class, column = predicted class."""
    p, t = _classes(pred, k, "predictions"), _classes(labels, k, "labels")
    if p.shape != t.shape:
        raise ValueError(f"{p.size} predictions for {t.size} labels")
    return np.bincount(t * k + p, minlength=k * k).reshape(k, k)


def per_class_accuracy(pred: np.ndarray, labels: np.ndarray, k: int) -> list[float | None]:
    """Recall of each class, k entries: correct / samples of that class, None for a class with no samples."""
    cm = confusion_matrix(pred, labels, k)
    total = cm.sum(axis=1)
    return [float(cm[c, c] / total[c]) if total[c] else None for c in range(k)]


def r2_score(pred: np.ndarray, y: np.ndarray) -> float:
    """Coefficient of determination 1 - SS_res / SS_tot of pred against y, both [n] or [n, 1].

    1 is a perfect fit, 0 is no better than predicting the mean, below 0 is worse.
    A constant y (SS_tot = 0) gives 1.0 if pred matches it exactly, else 0.0.
    """
    p, t = np.asarray(pred, np.float64).ravel(), np.asarray(y, np.float64).ravel()
    if p.shape != t.shape or t.size == 0:
        raise ValueError(f"r2_score needs two equal, non-empty arrays, got {p.shape} and {t.shape}")
    ss_res = float(np.sum((t - p) ** 2))
    ss_tot = float(np.sum((t - t.mean()) ** 2))
    if ss_tot == 0.0:
        return 1.0 if ss_res == 0.0 else 0.0
    return 1.0 - ss_res / ss_tot
