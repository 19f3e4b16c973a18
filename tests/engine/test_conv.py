"""Convolution, pooling and flatten: every gradient against central finite differences (float64,
every kernel size kind, stride and padding), the forward pass against PyTorch's, and the sizes
that leave nothing refused with the sizes named."""

import numpy as np
import pytest

from engine.conv import Conv2D, Flatten, Pool2D, conv_weights, out_size

EPS = 1e-6
RTOL = 1e-6


def objective(layer, x, R):
    """A scalar with a different weight on every output, so every gradient entry is tested."""
    return float(np.sum(layer.forward(x) * R))


def numeric(f, arr):
    """Central differences of f() with respect to every entry of arr (changed in place, restored)."""
    out = np.zeros_like(arr)
    for i in np.ndindex(arr.shape):
        old = arr[i]
        arr[i] = old + EPS
        up = f()
        arr[i] = old - EPS
        down = f()
        arr[i] = old
        out[i] = (up - down) / (2 * EPS)
    return out


def assert_close(analytic, estimate, what):
    err = np.abs(analytic - estimate).max() / max(np.abs(estimate).max(), 1e-12)
    assert err < RTOL, f"{what}: relative error {err:.1e}"


def check_layer(layer, x, params=("W", "b")):
    rng = np.random.default_rng(1)
    R = rng.normal(size=layer.forward(x).shape)
    layer.forward(x)
    dx = layer.backward(R)
    for name in params:
        assert_close(layer.grads[name], numeric(lambda: objective(layer, x, R), layer.params[name]), f"d{name}")
    assert_close(dx, numeric(lambda: objective(layer, x, R), x), "dx")


@pytest.mark.parametrize("kernel", [1, 2, 3])
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_convolution_matches_finite_differences(kernel, stride, padding):
    rng = np.random.default_rng(kernel * 10 + stride)
    layer = Conv2D(rng.normal(0, 0.5, (3, 2, kernel, kernel)), rng.normal(0, 0.1, 3), "tanh", stride, padding)
    check_layer(layer, rng.normal(size=(2, 2, 5, 6)))


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "linear"])
def test_convolution_with_each_kind_of_activation(activation):
    rng = np.random.default_rng(3)
    layer = Conv2D(rng.normal(0, 0.5, (2, 1, 3, 3)), rng.normal(0, 0.1, 2), activation, 1, "same")
    check_layer(layer, rng.normal(size=(2, 1, 4, 4)) + 0.05)  # off the ReLU's kink


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("shape", [(2, 3, 4, 4), (1, 2, 5, 7)])
def test_pooling_matches_finite_differences(kind, shape):
    x = np.random.default_rng(4).permutation(np.prod(shape)).reshape(shape) / 10.0  # distinct: no ties at the max
    check_layer(Pool2D(kind), x.astype(float), params=())


def test_flatten_keeps_pytorchs_order_and_passes_the_gradient_back():
    x = np.arange(24.0).reshape(2, 3, 2, 2)
    layer = Flatten()
    assert layer.forward(x)[1, :4].tolist() == [12, 13, 14, 15]  # sample 1, channel 0, row by row
    check_layer(layer, x, params=())


def test_a_filters_gradient_is_the_sum_over_positions_of_patch_times_delta():
    rng = np.random.default_rng(5)
    layer = Conv2D(rng.normal(size=(1, 1, 2, 2)), np.zeros(1), "linear")
    x = rng.normal(size=(1, 1, 3, 3))
    layer.forward(x)
    delta = rng.normal(size=(1, 1, 2, 2))
    layer.backward(delta)
    by_hand = sum(x[0, 0, r : r + 2, c : c + 2] * delta[0, 0, r, c] for r in range(2) for c in range(2))
    np.testing.assert_allclose(layer.grads["W"][0, 0], by_hand, rtol=1e-12)


@pytest.mark.parametrize("stride,padding", [(1, "valid"), (2, "valid"), (1, "same"), (2, "same")])
def test_forward_passes_agree_with_pytorch(stride, padding):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(6)
    W, b, x = rng.normal(size=(4, 3, 3, 3)), rng.normal(size=4), rng.normal(size=(2, 3, 8, 7))
    ours = Conv2D(W, b, "linear", stride, padding).forward(x)
    (top, bottom), (left, right) = [
        ((t := max((out_size(s, 3, stride, padding) - 1) * stride + 3 - s, 0)) // 2, t - t // 2) for s in (8, 7)
    ]
    tx = F.pad(torch.from_numpy(x), (left, right, top, bottom))
    theirs = F.conv2d(tx, torch.from_numpy(W), torch.from_numpy(b), stride=stride).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Pool2D("max").forward(x), F.max_pool2d(torch.from_numpy(x), 2).numpy())
    np.testing.assert_allclose(Pool2D("avg").forward(x), F.avg_pool2d(torch.from_numpy(x), 2).numpy())


def test_sizes_that_leave_nothing_are_refused_with_the_sizes():
    layer = Conv2D(np.zeros((2, 1, 5, 5)), np.zeros(2))
    with pytest.raises(ValueError, match="5×5 kernel does not fit a 4×4 input"):
        layer.forward(np.zeros((1, 1, 4, 4)))
    assert Conv2D(np.zeros((2, 1, 5, 5)), np.zeros(2), padding="same").output_shape(1, 4, 4) == (2, 4, 4)
    with pytest.raises(ValueError, match="take 1 channels, the input has 3"):
        layer.output_shape(3, 8, 8)
    with pytest.raises(ValueError, match="at least 2×2, not 1×6"):
        Pool2D().forward(np.zeros((1, 1, 1, 6)))
    with pytest.raises(ValueError, match="stride must be 1 or 2"):
        Conv2D(np.zeros((1, 1, 3, 3)), np.zeros(1), stride=3)


def test_filters_are_drawn_with_a_conv_layers_fans():
    """Xavier's uniform limit √(6 / (fan_in + fan_out)) with fan-in C·k² and fan-out F·k²."""
    W = conv_weights("xavier", np.random.default_rng(7), 16, 8, 3)
    limit = np.sqrt(6 / (8 * 9 + 16 * 9))
    assert W.shape == (16, 8, 3, 3) and np.abs(W).max() <= limit
    assert np.abs(W).max() > 0.95 * limit  # the whole range is used: the limit is the one above
