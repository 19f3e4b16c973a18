"""Your own points as a dataset: checked and rounded rows, the split by the ratio (per
class), the number of classes from the labels, the starter sets, and points made your own."""

import numpy as np
import pytest

from engine import make_dataset
from engine.userdata import (
    PointError,
    check_rows,
    dataset_for,
    rows_from,
    starter,
    user_dataset,
)


def test_rows_are_checked_and_rounded_to_float32s_digits():
    assert check_rows([[1.23456789, -6, 2.0]], "own", 10) == [[1.23457, -6.0, 2]]
    assert check_rows([[0.5, 123.456789]], "own_line", 10) == [[0.5, 123.457]]


@pytest.mark.parametrize(
    ("rows", "where", "words"),
    [
        ([[1, 2]], (0, None), "[x1, x2, label]"),
        ([[0, 0, 0], [1, "a", 0]], (1, 1), "must be a number"),
        ([[0, 0, True]], (0, 2), "must be a number"),
        ([[7, 0, 0]], (0, 0), "outside the plot"),
        ([[0, 0, 6]], (0, 2), "not a class"),
        ([[0, 0, 1.5]], (0, 2), "not a whole number"),
        ([[0, float("nan"), 0]], (0, 1), "NaN"),
        ([[float("inf"), 0, 0]], (0, 0), "infinite"),
        ([[0, 0, 0]] * 11, (None, None), "at most 10"),
    ],
)
def test_a_bad_row_is_named_by_its_row_and_column(rows, where, words):
    with pytest.raises(PointError) as e:
        check_rows(rows, "own", 10)
    assert (e.value.row, e.value.column) == where and words in e.value.message


def test_a_curve_value_is_bounded_not_its_extent():
    check_rows([[0, 50.0]], "own_line", 10)
    with pytest.raises(PointError, match="too far"):
        check_rows([[0, 2e6]], "own_line", 10)


def test_labels_make_the_classes_and_the_split_keeps_every_class_on_both_sides():
    rows = [[i / 10, 0, k] for k in (0, 1, 2) for i in range(10)]
    d = user_dataset("own", rows, 0.7, seed=1)
    assert (d.problem, d.classes, d.inputs) == ("multiclass", 3, "plane")
    assert np.bincount(d.y_train.astype(int)).tolist() == [7, 7, 7]
    assert np.bincount(d.y_test.astype(int)).tolist() == [3, 3, 3]
    two = user_dataset("own", [r for r in rows if r[2] < 2], 0.5, seed=1)
    assert (two.problem, two.classes) == ("classification", 2)
    together = np.concatenate([d.x_train, d.x_test])
    assert sorted(map(tuple, together)) == sorted((r[0], r[1]) for r in rows)  # every point, once


def test_a_curve_is_a_regression_on_a_line():
    d = user_dataset("own_line", [[x, x * x] for x in np.linspace(-3, 3, 20)], 0.5, seed=2)
    assert (d.problem, d.inputs, d.classes, d.x_train.shape, len(d.y_test)) == ("regression", "line", 1, (10, 1), 10)
    assert np.allclose(d.y_train, d.x_train[:, 0] ** 2)


def test_too_few_points_are_both_sets_and_none_is_an_empty_set():
    one = user_dataset("own", [[1, 1, 1]], 0.5, seed=1)
    assert one.x_train.tolist() == one.x_test.tolist() == [[1, 1]]
    none = user_dataset("own", [], 0.5, seed=1)
    assert none.x_train.shape == (0, 2) and none.classes == 2


def test_the_split_follows_the_data_seed():
    rows = [[i / 10, 0, i % 2] for i in range(40)]
    a, b = (user_dataset("own", rows, 0.5, s) for s in (1, 2))
    assert a.x_train.tolist() != b.x_train.tolist()
    assert a.x_train.tolist() == user_dataset("own", rows, 0.5, 1).x_train.tolist()


def test_null_rows_are_the_starter_set_from_the_data_seed():
    c = {"dataset": "own", "points": None, "data_seed": 3, "train_ratio": 0.5}
    d = dataset_for(c)
    assert len(d.y_train) + len(d.y_test) == 30 and set(d.y_train) == {0.0, 1.0}
    assert starter("own", 3) != starter("own", 4)
    other = dataset_for({**c, "data_seed": 4})
    every = [np.sort(np.concatenate([e.x_train, e.x_test]), axis=0) for e in (d, other)]
    assert not np.array_equal(*every)  # other points, not only another split
    assert dataset_for({**c, "points": [[0, 0, 0], [1, 1, 1]]}).x_train.shape == (1, 2)


def test_a_generated_set_becomes_rows_to_edit():
    circle = make_dataset("circle", 100, 0.0, 0.5, seed=1)
    rows = rows_from(circle, 2000)
    assert len(rows) == 100 and {r[2] for r in rows} == {0, 1}
    assert len(rows_from(make_dataset("sine", 50, 0.0, 0.5, seed=1), 2000)[0]) == 2
    with pytest.raises(PointError, match="cannot be edited"):
        rows_from(make_dataset("plane", 50, 0.0, 0.5, seed=1), 2000)
