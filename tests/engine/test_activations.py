"""The activations' own numbers, where they take a shortcut."""

import numpy as np

from engine.activations import ACTIVATIONS


def test_float32_sigmoid_the_grid_uses_is_float64_sigmoid_within_float32_rounding():
    z = np.linspace(-40, 40, 4001)
    exact = 1 / (1 + np.exp(-z))
    fast = ACTIVATIONS["sigmoid"].f(z.astype(np.float32))
    assert fast.dtype == np.float32
    np.testing.assert_allclose(fast, exact, rtol=0, atol=1.2e-7)
    assert ACTIVATIONS["sigmoid"].f(np.array([-40.0]))[0] > 0  # float64 keeps the tail training needs
