"""Recurrent cells, and the initializers made for their recurrent weights W_h.

Every cell has the same linear part, written once in engine/bptt.py's RecurrentNetwork:
    ax_t = x_t W_x + b   [n, G*H]     ah_t = h_{t-1} W_h   [n, G*H]
with G blocks of H columns (1 for a plain RNN, 4 gates for an LSTM, 3 for a GRU).
The cell owns only the non-linear part: (ax_t, ah_t, state_{t-1}) -> state_t, and its
chain-rule step back, which returns dL/dax_t, dL/dah_t and the part of dL/dstate_{t-1}
that does not go through W_h. So the weights' gradients, and each time step's share of
dW_h (h_{t-1}^T dL/dah_t), are computed in one place for every cell.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from .activations import ACTIVATIONS, Activation, sigmoid
from .initializers import INITIALIZERS, Initializer
from .params import Setting

Array = np.ndarray
State = tuple[Array, ...]  # (h,) for RNN and GRU, (h, c) for LSTM; each [n, H]
# What a step's backward needs: "z", the pre-activations [n, G*H], and each block's values [n, H] by its name.
Cache = dict[str, Array]

# fmt: off
# The recurrent layer's own: it multiplies W_h whichever initializer drew it.
SCALE = Setting("recurrent_scale", "W_h scale", 1.0, min=0.1, max=3.0, presets=(0.5, 0.9, 1.0, 1.1, 1.5, 2.0),
                help="Multiplies W_h as drawn: above 1 an orthogonal W_h makes gradients grow through time.")
FORGET_BIAS = Setting("forget_bias", "Forget bias", 1.0, min=-3.0, max=5.0, presets=(0, 1, 2, 3),
                      help="The LSTM forget gate's starting bias: higher keeps more of the cell state at every step.")
# fmt: on


def _orthogonal(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    """A (semi-)orthogonal matrix (Saxe et al. 2014): every singular value is 1, so W_h alone
    neither shrinks nor grows a vector, however many steps it is applied."""
    a = rng.normal(0.0, 1.0, (max(fan_in, fan_out), min(fan_in, fan_out)))
    q, r = np.linalg.qr(a)
    q = q * np.sign(np.diag(r))  # QR's signs are arbitrary; this makes q uniform over orthogonal matrices
    return q if fan_in >= fan_out else q.T


def _identity(rng: np.random.Generator, fan_in: int, fan_out: int) -> Array:
    """The identity (Le et al. 2015, IRNN): h_{t-1} passes on unchanged before the activation."""
    return np.eye(fan_in, fan_out)


# Made for W_h, beside engine/initializers.py's INITIALIZERS (which apply to W_h too). They fit
# that registry as they are (same Initializer, same draw signature): merging is moving the entries.
# fmt: off
RECURRENT_INITIALIZERS: dict[str, Initializer] = {
    i.name: i
    for i in (
        Initializer("orthogonal", "Orthogonal", _orthogonal,
                    help="A random rotation: keeps a vector's length, so gradients neither shrink nor grow at first."),
        Initializer("identity", "Identity", _identity,
                    help="W_h = I: each unit keeps its own past (times the W_h scale); with ReLU, Le et al.'s IRNN."),
    )
}
# fmt: on


# The part of dL/dh_{t-1} that does not pass through W_h, for cells where there is none: a 0-d
# zero broadcasts in the sum, and costs no [n, H] allocation per step.
NOTHING = np.zeros(())
NOTHING.flags.writeable = False


def spectral_radius(W: Array) -> float:
    """Largest |eigenvalue| of a square matrix: how much W stretches a vector per step in the long run.
    NaN for a W that is not finite (a diverged run): eigvals refuses it, and no radius means anything then."""
    try:
        return float(np.max(np.abs(np.linalg.eigvals(W))))
    except np.linalg.LinAlgError:  # raised for a non-finite W: no cost on every healthy step
        return float("nan")


class Cell:
    """The non-linear part of a recurrent step. params: Wx [d, G*H], Wh [H, G*H], b [G*H]."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    help: ClassVar[str] = ""
    settings: ClassVar[tuple[Setting, ...]] = ()
    uses_activation: ClassVar[bool] = False  # the network's `activation` is its f (a plain RNN's), or unused
    blocks: ClassVar[tuple[str, ...]] = ("h",)  # names of the G column blocks, in order
    candidate: ClassVar[str] = "h"  # the block that plays a plain RNN's W_h: its radius is the headline
    states: ClassVar[int] = 1

    def __init__(self, Wx: Array, Wh: Array, b: Array):
        self.params = {"Wx": Wx, "Wh": Wh, "b": b}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """What the page may know of it: its column blocks and whether it carries a cell state."""
        return {"blocks": list(cls.blocks), "candidate": cls.candidate, "states": cls.states}

    @property
    def hidden(self) -> int:
        return int(self.params["Wh"].shape[0])

    def initial(self, n: int) -> State:
        return tuple(np.zeros((n, self.hidden)) for _ in range(self.states))

    def forward(self, ax: Array, ah: Array, prev: State) -> tuple[State, Cache]:
        raise NotImplementedError

    def backward(self, dstate: State, cache: Cache) -> tuple[Array, Array, State]:
        """dstate: dL/dstate_t in total; returns dL/dax_t, dL/dah_t and dL/dstate_{t-1} not via W_h."""
        raise NotImplementedError

    def radii(self) -> dict[str, float]:
        """Spectral radius of each square H x H block of W_h, by block name."""
        Wh, H = self.params["Wh"], self.hidden
        return {g: spectral_radius(Wh[:, k * H : (k + 1) * H]) for k, g in enumerate(self.blocks)}


class RNNCell(Cell):
    """h_t = f(z_t), z_t = x_t W_x + h_{t-1} W_h + b."""

    name, label = "rnn", "Plain RNN"
    uses_activation = True
    help = "h = f(x·W_x + h_prev·W_h + b): the gradient through time is multiplied by W_h and f′ at every step."

    def __init__(self, Wx: Array, Wh: Array, b: Array, activation: str = "tanh"):
        super().__init__(Wx, Wh, b)
        self.activation: Activation = ACTIVATIONS[activation]

    def forward(self, ax: Array, ah: Array, prev: State) -> tuple[State, Cache]:
        z = ax + ah
        h = self.activation.f(z)
        return (h,), {"z": z, "h": h}

    def backward(self, dstate: State, cache: Cache) -> tuple[Array, Array, State]:
        # h = f(z), z = ax + ah  ->  dL/dz = dL/dh f'(z), the same for ax and ah
        dz = dstate[0] * self.activation.df(cache["z"], cache["h"])
        return dz, dz, (NOTHING,)


class LSTMCell(Cell):
    """Gates i, f, o = σ(·), candidate g = tanh(·); c_t = f c_{t-1} + i g, h_t = o tanh(c_t).
    PyTorch's nn.LSTM, gate order included, with one bias where it has two."""

    name, label = "lstm", "LSTM"
    help = "A cell state c carried forward by a forget gate: where f ≈ 1 the gradient passes back unchanged."
    blocks, candidate, states = ("i", "f", "g", "o"), "g", 2
    settings = (FORGET_BIAS,)

    def forward(self, ax: Array, ah: Array, prev: State) -> tuple[State, Cache]:
        z = ax + ah
        H = self.hidden
        s = sigmoid(z)  # one call for the three gates (g's block is wasted): calls, not flops, cost here
        i, f, o, g = s[:, :H], s[:, H : 2 * H], s[:, 3 * H :], np.tanh(z[:, 2 * H : 3 * H])
        c = f * prev[1] + i * g
        tc = np.tanh(c)
        return (o * tc, c), {"z": z, "i": i, "f": f, "g": g, "o": o, "c_prev": prev[1], "tc": tc}

    def backward(self, dstate: State, cache: Cache) -> tuple[Array, Array, State]:
        dh, dc_next = dstate
        i, f, g, o, tc = cache["i"], cache["f"], cache["g"], cache["o"], cache["tc"]
        # h = o tanh(c)  ->  dL/do = dh tanh(c); dL/dc gains dh o (1 - tanh²c)
        dc = dc_next + dh * o * (1.0 - tc * tc)
        # c = f c_prev + i g  ->  di = dc g, df = dc c_prev, dg = dc i, dc_prev = dc f
        di, df, dg, do = dc * g, dc * cache["c_prev"], dc * i, dh * tc
        dz = np.concatenate([di * i * (1.0 - i), df * f * (1.0 - f), dg * (1.0 - g * g), do * o * (1.0 - o)], axis=1)
        return dz, dz, (NOTHING, dc * f)


class GRUCell(Cell):
    """Reset r and update u = σ(·); candidate n = tanh(ax_n + r ah_n) (reset after W_h);
    h_t = (1 - u) n + u h_{t-1}. PyTorch's nn.GRU, gate order included, with its b_hn at 0."""

    name, label = "gru", "GRU"
    help = "An update gate mixes the old state into the new one: where u ≈ 1 the gradient passes back unchanged."
    blocks, candidate = ("r", "u", "n"), "n"

    def forward(self, ax: Array, ah: Array, prev: State) -> tuple[State, Cache]:
        H, h_prev = self.hidden, prev[0]
        zru = ax[:, : 2 * H] + ah[:, : 2 * H]
        ru = sigmoid(zru)
        r, u = ru[:, :H], ru[:, H:]
        ahn = ah[:, 2 * H :]
        zn = ax[:, 2 * H :] + r * ahn
        n = np.tanh(zn)
        h = (1.0 - u) * n + u * h_prev
        return (h,), {"z": np.concatenate([zru, zn], axis=1), "r": r, "u": u, "n": n, "ahn": ahn, "h_prev": h_prev}

    def backward(self, dstate: State, cache: Cache) -> tuple[Array, Array, State]:
        dh = dstate[0]
        r, u, n = cache["r"], cache["u"], cache["n"]
        # h = (1 - u) n + u h_prev  ->  dn = dh (1 - u), du = dh (h_prev - n), dh_prev gains dh u
        dzn = dh * (1.0 - u) * (1.0 - n * n)
        dzu = dh * (cache["h_prev"] - n) * u * (1.0 - u)
        # zn = ax_n + r ah_n  ->  dr = dzn ah_n, d(ah_n) = dzn r
        dzr = dzn * cache["ahn"] * r * (1.0 - r)
        dax = np.concatenate([dzr, dzu, dzn], axis=1)
        dah = np.concatenate([dzr, dzu, dzn * r], axis=1)
        return dax, dah, (dh * u,)


CELLS: dict[str, type[Cell]] = {c.name: c for c in (RNNCell, LSTMCell, GRUCell)}


def make_cell(
    name: str,
    n_in: int,
    hidden: int,
    rng: np.random.Generator,
    activation: str = "tanh",
    initializer: str = "xavier",
    recurrent_init: str = "orthogonal",
    recurrent_scale: float = SCALE.default,
    forget_bias: float = FORGET_BIAS.default,
) -> Cell:
    """A cell with W_x drawn by one of INITIALIZERS and W_h, block by block, by one of those or
    RECURRENT_INITIALIZERS, times `recurrent_scale`. `activation` is the plain RNN's f,
    `forget_bias` the LSTM's."""
    for field, value, registry in (
        ("cell", name, CELLS),
        ("activation", activation, ACTIVATIONS),
        ("initializer", initializer, INITIALIZERS),
        ("recurrent_init", recurrent_init, RECURRENT_INITIALIZERS | INITIALIZERS),
    ):
        if value not in registry:
            raise ValueError(f"unknown {field} {value!r}; choose from {', '.join(registry)}")
    kind = CELLS[name]
    G = len(kind.blocks)
    draw_h = (RECURRENT_INITIALIZERS | INITIALIZERS)[recurrent_init].draw
    Wx = np.concatenate([INITIALIZERS[initializer].draw(rng, n_in, hidden) for _ in range(G)], axis=1)
    Wh = recurrent_scale * np.concatenate([draw_h(rng, hidden, hidden) for _ in range(G)], axis=1)
    b = np.zeros(G * hidden)
    if kind is LSTMCell:
        # The forget gate open at first (Gers et al. 2000; 1 in Jozefowicz et al. 2015): c is kept, not wiped,
        # and the gradient through c shrinks only by σ(bias) per step.
        b[hidden : 2 * hidden] = forget_bias
    return RNNCell(Wx, Wh, b, activation) if kind is RNNCell else kind(Wx, Wh, b)
