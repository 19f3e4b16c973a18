"""Convolution, pooling and flatten over images, for convolutional networks. Images are
[n, C, H, W] (PyTorch's layout, so a layer maps one to one onto torch.nn's). Same contract
as engine/layers.py: `forward(x, training)` caches what `backward(dout)` needs, which
stores `grads` (keys matching `params`) and returns dL/dx.

Vectorized: a convolution is one matrix product over every patch (im2col, through NumPy's
sliding windows); its backward adds the patches' gradients back with one loop over the k×k
kernel offsets, never over pixels or samples. A filter is shared by every position, so its
gradient is a sum over positions: dW = Σ_positions patch × δ, one row of `cols` per position."""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .activations import ACTIVATIONS
from .initializers import INITIALIZERS

Array = np.ndarray
PADDINGS = ("valid", "same")
POOLS = ("max", "avg")


def out_size(size: int, kernel: int, stride: int, padding: str) -> int:
    """Output height (or width) of a convolution: `same` keeps ⌈size / stride⌉, `valid` fits the kernel inside."""
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel) // stride + 1


def pads(size: int, kernel: int, stride: int, padding: str) -> tuple[int, int]:
    """Zeros added before and after one axis; for `same`, the odd one goes after (as TensorFlow
    does; PyTorch's padding="same" agrees wherever it is allowed, stride 1 and odd kernels)."""
    if padding == "valid":
        return 0, 0
    total = max((out_size(size, kernel, stride, padding) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv_weights(initializer: str, rng: np.random.Generator, filters: int, channels: int, kernel: int) -> Array:
    """[F, C, k, k] drawn by one of INITIALIZERS with a conv layer's usual fans: fan-in C·k², fan-out
    F·k² (PyTorch's and Keras's count). The registry draws [fan_in, fan_out] matrices of independent
    values at the scale those fans give; the first F columns of one are such values too."""
    fan_in, fan_out = channels * kernel * kernel, filters * kernel * kernel
    W = INITIALIZERS[initializer].draw(rng, fan_in, fan_out)[:, :filters]
    return np.ascontiguousarray(W.T).reshape(filters, channels, kernel, kernel)


class Conv2D:
    """z = W ⋆ x + b (cross-correlation over every k×k patch, as frameworks compute it), a = f(z).
    x [n, C, H, W], W [F, C, k, k], b [F], z and a [n, F, H', W']."""

    def __init__(self, W: Array, b: Array, activation: str = "relu", stride: int = 1, padding: str = "valid"):
        if padding not in PADDINGS:
            raise ValueError(f"padding must be one of {', '.join(PADDINGS)}, not {padding!r}")
        if stride not in (1, 2):
            raise ValueError(f"stride must be 1 or 2, not {stride}")
        if W.ndim != 4 or W.shape[2] != W.shape[3] or b.shape != (W.shape[0],):
            raise ValueError(f"W must be [F, C, k, k] and b [F]; got {W.shape} and {b.shape}")
        self.params = {"W": W, "b": b}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.activation = ACTIVATIONS[activation]
        self.stride, self.padding = stride, padding
        self.x_shape: tuple[int, ...] = ()
        self.cols: Array = np.empty(0)
        self.z: Array = np.empty(0)
        self.a: Array = np.empty(0)
        self.delta: Array = np.empty(0)
        self.y: Array = self.z  # the activation's input, as a dense layer names it (no batch norm here)

    @property
    def kernel(self) -> int:
        return int(self.params["W"].shape[2])

    def output_shape(self, channels: int, height: int, width: int) -> tuple[int, int, int]:
        """[F, H', W'] for an input [C, H, W]; ValueError, naming the sizes, where nothing would be left."""
        F, C, k, _ = self.params["W"].shape
        if channels != C:
            raise ValueError(f"the filters take {C} channels, the input has {channels}")
        h, w = (out_size(s, k, self.stride, self.padding) for s in (height, width))
        if h < 1 or w < 1:
            raise ValueError(f"a {k}×{k} kernel does not fit a {height}×{width} input without padding")
        return F, h, w

    def forward(self, x: Array, training: bool = True) -> Array:
        n, C, H, W_ = x.shape
        F, _, k, _ = self.params["W"].shape
        _, Ho, Wo = self.output_shape(C, H, W_)
        (top, bottom), (left, right) = (pads(s, k, self.stride, self.padding) for s in (H, W_))
        xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right))) if top + bottom + left + right else x
        s = self.stride
        # every k×k patch at every output position: [n, C, Ho, Wo, k, k], then one row per position
        windows = sliding_window_view(xp, (k, k), axis=(2, 3))[:, :, : s * Ho : s, : s * Wo : s]
        cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * Ho * Wo, C * k * k)
        z = (cols @ self.params["W"].reshape(F, -1).T + self.params["b"]).reshape(n, Ho, Wo, F).transpose(0, 3, 1, 2)
        a = self.activation.f(z)
        if training:
            self.x_shape, self.pad, self.cols, self.z, self.y, self.a = x.shape, (top, left, xp.shape), cols, z, z, a
        return a

    def backward(self, dout: Array, need_dx: bool = True) -> Array | None:
        """dout = dL/da [n, F, H', W']; returns dL/dx [n, C, H, W]."""
        # a = f(z)  ->  δ = dL/dz = dL/da f'(z)
        self.delta = delta = dout * self.activation.df(self.z, self.a)
        n, F, Ho, Wo = delta.shape
        rows = delta.transpose(0, 2, 3, 1).reshape(-1, F)  # one row per output position, as `cols`
        # z = cols W^T + b at every position  ->  dW = Σ_positions δ × patch, db = Σ_positions δ
        self.grads["W"] = (rows.T @ self.cols).reshape(self.params["W"].shape)
        self.grads["b"] = rows.sum(axis=0)
        if not need_dx:
            return None
        C, k, s = self.x_shape[1], self.kernel, self.stride
        dcols = (rows @ self.params["W"].reshape(F, -1)).reshape(n, Ho, Wo, C, k, k)
        top, left, padded = self.pad
        dxp = np.zeros(padded)
        for i in range(k):  # each kernel offset's patches land on the input shifted by it
            for j in range(k):
                dxp[:, :, i : i + s * Ho : s, j : j + s * Wo : s] += dcols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
        H, W_ = self.x_shape[2:]
        return dxp[:, :, top : top + H, left : left + W_]

    def terms(self, f: int, c: int, i: int, j: int) -> tuple[Array, Array]:
        """Weight sharing, one weight at a time: dW[f, c, i, j] of the last backward is the sum
        over samples and positions of x × δ, where x [n, H', W'] is the pixel at offset (i, j)
        of each position's patch (0 in the padding) and δ [n, H', W'] is filter f's error map."""
        n, _, Ho, Wo = self.delta.shape
        k = self.kernel
        x = self.cols[:, (c * k + i) * k + j].reshape(n, Ho, Wo)
        return x, self.delta[:, f]

    def sources(self, i: int, j: int) -> tuple[Array, Array]:
        """The input row [H'] and column [W'] that offset (i, j) of each position's patch reads,
        -1 where it falls in the padding: where `terms`' x values come from."""
        top, left, _ = self.pad
        Ho, Wo = self.delta.shape[2:]
        H, W_ = self.x_shape[2:]
        rows = np.arange(Ho) * self.stride - top + i
        cols = np.arange(Wo) * self.stride - left + j
        return np.where((rows >= 0) & (rows < H), rows, -1), np.where((cols >= 0) & (cols < W_), cols, -1)


class Pool2D:
    """2×2 max or average pooling, stride 2; an odd last row or column is dropped (as PyTorch does).
    x [n, C, H, W] -> [n, C, H//2, W//2]."""

    def __init__(self, kind: str = "max"):
        if kind not in POOLS:
            raise ValueError(f"pooling must be one of {', '.join(POOLS)}, not {kind!r}")
        self.kind = kind
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.x_shape: tuple[int, ...] = ()
        self.argmax: Array = np.empty(0, dtype=np.intp)

    def output_shape(self, channels: int, height: int, width: int) -> tuple[int, int, int]:
        if height < 2 or width < 2:
            raise ValueError(f"2×2 pooling needs an input of at least 2×2, not {height}×{width}")
        return channels, height // 2, width // 2

    def _blocks(self, x: Array) -> Array:
        """[n, C, Ho, Wo, 4]: each output's 2×2 block, row by row."""
        n, C, H, W = x.shape
        Ho, Wo = H // 2, W // 2
        return (
            x[:, :, : 2 * Ho, : 2 * Wo].reshape(n, C, Ho, 2, Wo, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, C, Ho, Wo, 4)
        )

    def forward(self, x: Array, training: bool = True) -> Array:
        self.output_shape(*x.shape[1:])
        blocks = self._blocks(x)
        if self.kind == "avg":
            out: Array = blocks.mean(axis=-1)
        else:
            argmax = blocks.argmax(axis=-1)  # the first of equal maxima, as PyTorch takes
            out = np.take_along_axis(blocks, argmax[..., None], axis=-1)[..., 0]
            if training:
                self.argmax = argmax
        if training:
            self.x_shape = x.shape
        return out

    def backward(self, dout: Array, need_dx: bool = True) -> Array | None:
        if not need_dx:
            return None
        n, C, Ho, Wo = dout.shape
        if self.kind == "avg":  # out = mean of 4  ->  each gets a quarter
            blocks = np.repeat(dout[..., None] / 4.0, 4, axis=-1)
        else:  # out = the maximum  ->  it alone gets the gradient
            blocks = np.zeros((n, C, Ho, Wo, 4))
            np.put_along_axis(blocks, self.argmax[..., None], dout[..., None], axis=-1)
        dx = np.zeros(self.x_shape)
        dx[:, :, : 2 * Ho, : 2 * Wo] = (
            blocks.reshape(n, C, Ho, Wo, 2, 2).transpose(0, 1, 2, 4, 3, 5).reshape(n, C, 2 * Ho, 2 * Wo)
        )
        return dx


class Flatten:
    """[n, C, H, W] -> [n, C·H·W], channel by channel (PyTorch's order), for the dense layers after."""

    def __init__(self) -> None:
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.x_shape: tuple[int, ...] = ()

    def forward(self, x: Array, training: bool = True) -> Array:
        if training:
            self.x_shape = x.shape
        return x.reshape(len(x), -1)

    def backward(self, dout: Array, need_dx: bool = True) -> Array | None:
        return dout.reshape(self.x_shape) if need_dx else None
