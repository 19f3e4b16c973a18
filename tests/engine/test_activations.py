"""The activations' own numbers, where they take a shortcut."""

import warnings

import numpy as np
import pytest

from engine.activations import ACTIVATIONS


@pytest.mark.parametrize(
    ("name", "exact", "atol"),
    [("sigmoid", lambda z: np.exp(-np.logaddexp(0.0, -z)), 1.2e-7), ("tanh", np.tanh, 2.4e-7)],
)
def test_float32_activations_the_grid_uses_are_float64_within_float32_rounding(name, exact, atol):
    z = np.concatenate([np.linspace(-40, 40, 4001), [-1e4, -100.0, 0.0, 1e-30, 100.0, 1e4]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e^-z past float32's range is expected, not a warning
        fast = ACTIVATIONS[name].f(z.astype(np.float32))
    assert fast.dtype == np.float32
    np.testing.assert_allclose(fast, exact(z), rtol=0, atol=atol)
    assert np.isnan(ACTIVATIONS[name].f(np.array([np.nan], np.float32))[0])


def test_float64_sigmoid_keeps_its_tail():
    assert ACTIVATIONS["sigmoid"].f(np.array([-40.0]))[0] > 0  # float64 keeps the tail training needs
