"""Sequence tasks: reproducible from the seed, shaped for the loss, and what they claim to be."""

import numpy as np
import pytest

from engine.sequences import ALPHABET, TASKS, make_sequences


@pytest.mark.parametrize("name", TASKS)
def test_each_task_is_deterministic_from_its_seed(name):
    a, b = make_sequences(name, seed=3, samples=40), make_sequences(name, seed=3, samples=40)
    c = make_sequences(name, seed=4, samples=40)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.x_train, c.x_train), "another seed gives the same sequences"


@pytest.mark.parametrize("name", TASKS)
def test_shapes_follow_the_readout(name):
    task = TASKS[name]
    data = make_sequences(name, seed=0, samples=30, length=7, delay=6)
    n, T, _ = data.x_train.shape
    assert (n, T) == (15, 7) and len(data.x_test) == 15
    assert data.problem == task.problem and data.readout == task.readout
    expected = (n, T, task.classes) if task.readout == "every" else (n, task.classes)
    assert data.y_train.shape == expected
    assert data.x_train.dtype == np.float64 and data.y_train.dtype == np.float64


def test_sine_target_is_the_next_input():
    data = make_sequences("wave", seed=1, samples=10, noise=0.1)
    np.testing.assert_array_equal(data.y_train[:, :-1], data.x_train[:, 1:])


def test_remember_asks_for_the_first_sign_after_the_delay():
    data = make_sequences("remember", seed=2, samples=200, delay=9)
    x, y = data.x_train, data.y_train[:, 0]
    assert x.shape[1] == 10
    np.testing.assert_array_equal(y, (x[:, 0, 0] > 0).astype(float))
    assert np.all(x[:, 0, 1] == 1) and np.all(x[:, 1:, 1] == 0)
    # no later input tells the answer
    assert abs(np.corrcoef(x[:, -1, 0], y)[0, 1]) < 0.3


def test_adding_target_is_the_sum_of_the_marked_values():
    data = make_sequences("adding", seed=5, samples=50, length=12)
    x = data.x_train
    assert np.all(x[:, :6, 1].sum(axis=1) == 1) and np.all(x[:, 6:, 1].sum(axis=1) == 1)
    np.testing.assert_allclose(data.y_train[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1))


def test_parity_is_the_parity_of_the_bits_and_noise_flips_labels():
    clean = make_sequences("parity", seed=6, samples=400, length=5)
    np.testing.assert_array_equal(clean.y_train[:, 0], clean.x_train[:, :, 0].sum(axis=1) % 2)
    noisy = make_sequences("parity", seed=6, samples=400, length=5, noise=0.2)
    flipped = np.mean(noisy.y_train[:, 0] != noisy.x_train[:, :, 0].sum(axis=1) % 2)
    assert 0.1 < flipped < 0.3


def test_chars_target_is_the_next_character():
    data = make_sequences("chars", seed=7, samples=10, length=15)
    text = ["".join(ALPHABET[i] for i in row.argmax(axis=1)) for row in data.x_train]
    nxt = ["".join(ALPHABET[i] for i in row.argmax(axis=1)) for row in data.y_train]
    for a, b in zip(text, nxt):
        assert a[1:] == b[:-1]


def test_bad_input_names_the_field():
    with pytest.raises(ValueError, match="unknown sequence task 'nope'"):
        make_sequences("nope", seed=0)
    with pytest.raises(ValueError, match="delay"):
        make_sequences("remember", seed=0, delay=0)
    with pytest.raises(ValueError, match="length"):
        make_sequences("parity", seed=0, length=1000)
