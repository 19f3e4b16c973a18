"""Metrics against examples worked out by hand."""

import numpy as np
import pytest

from engine.metrics import accuracy, confusion_matrix, per_class_accuracy, predicted_labels, r2_score

#             true: 0  0  1  1  1  2
#        predicted: 0  1  1  1  2  2   -> 4 of 6 right
TRUE = np.array([0, 0, 1, 1, 1, 2], float)
PRED = np.array([0, 1, 1, 1, 2, 2])


def test_accuracy():
    assert accuracy(PRED, TRUE) == pytest.approx(4 / 6)
    assert accuracy(TRUE, TRUE) == 1.0
    assert accuracy(PRED[:, None], TRUE) == pytest.approx(4 / 6)  # a column of labels is fine too
    with pytest.raises(ValueError, match="non-empty"):
        accuracy(np.array([]), np.array([]))
    with pytest.raises(ValueError):
        accuracy(PRED[:3], TRUE)


def test_confusion_matrix_rows_are_true_classes():
    cm = confusion_matrix(PRED, TRUE, 4)
    expected = [[1, 1, 0, 0], [0, 2, 1, 0], [0, 0, 1, 0], [0, 0, 0, 0]]
    np.testing.assert_array_equal(cm, expected)
    assert cm.dtype.kind == "i" and cm.sum() == 6


def test_confusion_matrix_refuses_labels_out_of_range():
    with pytest.raises(ValueError, match="labels must be whole numbers 0 to 2"):
        confusion_matrix(PRED, TRUE + 1, 3)
    with pytest.raises(ValueError, match="predictions"):
        confusion_matrix(PRED - 1, TRUE, 3)
    with pytest.raises(ValueError, match="labels"):
        confusion_matrix(PRED, TRUE + 0.5, 3)
    with pytest.raises(ValueError, match="labels"):
        confusion_matrix(PRED, np.array([0, 0, 1, 1, 1, np.nan]), 3)


def test_per_class_accuracy_is_recall_and_none_for_absent_classes():
    assert per_class_accuracy(PRED, TRUE, 4) == [pytest.approx(0.5), pytest.approx(2 / 3), 1.0, None]


def test_predicted_labels():
    np.testing.assert_array_equal(predicted_labels(np.array([[0.1, 2.0, -1], [3, 0, 0]])), [1, 0])
    np.testing.assert_array_equal(predicted_labels(np.array([[-0.5], [0.5], [0.0]])), [0, 1, 0])


def test_r2_score_by_hand():
    y = np.array([1.0, 2.0, 3.0, 4.0])  # mean 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5
    pred = np.array([1.0, 2.0, 3.0, 5.0])  # SS_res = 1
    assert r2_score(pred, y) == pytest.approx(1 - 1 / 5)
    assert r2_score(y, y) == 1.0
    assert r2_score(np.full(4, 2.5), y) == 0.0
    assert r2_score(pred[:, None], y[:, None]) == pytest.approx(0.8)
    assert r2_score(-y, y) == pytest.approx(1 - 120 / 5)  # SS_res = 4 * (1 + 4 + 9 + 16): below 0, worse than the mean


def test_r2_score_of_a_constant_target_is_finite():
    assert r2_score(np.full(3, 2.0), np.full(3, 2.0)) == 1.0
    assert r2_score(np.array([1.0, 2, 3]), np.full(3, 2.0)) == 0.0
