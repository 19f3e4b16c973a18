"""Weight sharing one weight at a time (Conv2D.terms, Conv2D.sources): a filter weight's gradient
is the sum over samples and positions of the patch pixel at its offset times δ, and each term's
pixel is the input pixel `sources` names (0 where the offset falls in the padding)."""

import numpy as np
import pytest

from engine.conv import Conv2D


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("kernel", [2, 3])
def test_terms_sum_to_dW_and_come_from_the_named_pixels(stride, padding, kernel):
    rng = np.random.default_rng(3)
    layer = Conv2D(rng.normal(size=(3, 2, kernel, kernel)), rng.normal(size=3), "tanh", stride, padding)
    x = rng.normal(size=(2, 2, 7, 6))
    out = layer.forward(x)
    layer.backward(rng.normal(size=out.shape))
    for f, c, i, j in np.ndindex(layer.params["W"].shape):
        xs, deltas = layer.terms(f, c, i, j)
        assert xs.shape == deltas.shape == (2, *out.shape[2:])
        assert np.isclose((xs * deltas).sum(), layer.grads["W"][f, c, i, j], rtol=1e-12, atol=1e-12)
        rows, cols = layer.sources(i, j)
        inside = (rows[:, None] >= 0) & (cols[None, :] >= 0)
        pixels = x[:, c][:, np.maximum(rows, 0)][:, :, np.maximum(cols, 0)]
        assert np.array_equal(xs, np.where(inside, pixels, 0.0))
    corners = np.concatenate([layer.sources(0, 0)[0], layer.sources(kernel - 1, kernel - 1)[0]])
    assert (padding == "same") == bool((corners < 0).any())  # only padding is outside the image
