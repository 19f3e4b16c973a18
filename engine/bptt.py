"""A recurrent cell unrolled over a sequence's time steps, and backpropagation through time
(BPTT) back over all of them or over the last k only. The linear part of every step,
    ax_t = x_t W_x + b,  ah_t = h_{t-1} W_h,
and so the weights' gradients and each step's share of dW_h, are written here once for every
cell; the cells (engine/recurrent.py) own the non-linear part."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .initializers import INITIALIZERS
from .layers import Dense
from .losses import LOSSES
from .recurrent import FORGET_BIAS, SCALE, Cell, State, make_cell

Array = np.ndarray

READOUTS = ("every", "last")  # the output layer reads h_t at every step, or h_T only


def by_sample(steps: list[Array]) -> Array:
    """T arrays [n, ...] -> [n, T, ...] (a view of a time-major copy): one concatenate, where
    np.stack(axis=1) costs a Python call per array, which counts at every recorded step."""
    n = len(steps[0])
    return np.concatenate(steps).reshape(len(steps), n, *steps[0].shape[1:]).swapaxes(0, 1)


@dataclass(frozen=True)
class TimeRecord:
    """The time axis of one BPTT step. Shapes: batch n, steps T, inputs d, hidden H, G blocks."""

    h: Array  # [n, T, H] hidden state after each step
    z: Array  # [n, T, G*H] pre-activations (of the gates and the candidate for LSTM and GRU)
    dh: Array  # [n, T, H] dL/dh_t in total (from the output at t and from step t+1); 0 outside the window
    delta: Array  # [n, T, G*H] dL/dz_t, the δ_t of "Explain a step"; 0 outside the window
    dh_norm: Array  # [T] ‖dL/dh_t‖ over the batch
    dWh_steps: Array  # [T, H, G*H] each step's share of dW_h, h_{t-1}^T dL/d(h_{t-1} W_h); they sum to dW_h
    dWh_norm: Array  # [T] ‖share‖ per step
    radius: float  # spectral radius of W_h's candidate block, before the update
    radii: dict[str, float]  # per block
    window: int  # how many of the last steps the gradient went back through (T when not truncated)
    c: Array | None = None  # [n, T, H] the LSTM's cell state
    gates: dict[str, Array] = field(default_factory=dict)  # per block, its values [n, T, H] (f: the forget gate)


class RecurrentNetwork:
    """A cell unrolled over T steps, then a linear output layer (Dense) on h_t at every step or
    on h_T only. Inputs x [n, T, d]; targets [n, T, K] (every) or [n, K] (last)."""

    def __init__(self, cell: Cell, output: Dense, loss: str, readout: str = "last"):
        if readout not in READOUTS:
            raise ValueError(f"readout must be one of {', '.join(READOUTS)}, not {readout!r}")
        if loss not in LOSSES:
            raise ValueError(f"unknown loss {loss!r}; choose from {', '.join(LOSSES)}")
        self.cell, self.output, self.loss, self.readout = cell, output, LOSSES[loss], readout
        self.time: TimeRecord | None = None  # filled by a recorded backward pass
        self.h = np.empty(0)  # [n, T, H] after a training forward pass
        self.state: State = ()  # the state after the last step of the last forward pass

    @classmethod
    def create(
        cls,
        n_in: int,
        hidden: int,
        n_out: int,
        loss: str,
        rng: np.random.Generator,
        cell: str = "rnn",
        readout: str = "last",
        initializer: str = "xavier",
        activation: str = "tanh",
        recurrent_init: str = "orthogonal",
        recurrent_scale: float = SCALE.default,
        forget_bias: float = FORGET_BIAS.default,
    ) -> RecurrentNetwork:
        """n_in -> cell of `hidden` units -> n_out outputs. `initializer` draws W_x and the output
        layer's W; the other settings are make_cell's."""
        made = make_cell(cell, n_in, hidden, rng, activation, initializer, recurrent_init, recurrent_scale, forget_bias)
        out = Dense(INITIALIZERS[initializer].draw(rng, hidden, n_out), np.zeros(n_out), "linear")
        return cls(made, out, loss, readout)

    @property
    def layers(self) -> list[Cell | Dense]:
        """Everything with params and grads, in the order the optimizer keys them."""
        return [self.cell, self.output]

    def forward(self, x: Array, training: bool = True, state: State | None = None) -> Array:
        """x [n, T, d] -> logits [n, T, K] (every) or [n, K] (last). `state`: the state before
        step 0 (zeros by default); a truncation check starts a sequence mid-way with it."""
        cell, (n, T, d) = self.cell, x.shape
        Wh = cell.params["Wh"]
        # Time-major [T, n, ...] inside, so each step's slice is contiguous; the input part of
        # every step at once, as it does not depend on h.
        xt = np.ascontiguousarray(x.transpose(1, 0, 2))
        ax = (xt.reshape(T * n, d) @ cell.params["Wx"] + cell.params["b"]).reshape(T, n, -1)
        state = cell.initial(n) if state is None else state
        prevs, caches, hs, cs = [], [], [], []
        for t in range(T):
            prevs.append(state[0])
            state, cache = cell.forward(ax[t], state[0] @ Wh, state)
            caches.append(cache)
            hs.append(state[0])
            cs.append(state[-1])
        h, self.state = np.stack(hs, axis=1), state
        every = self.readout == "every"
        logits = self.output.forward(h.reshape(n * T, -1) if every else h[:, -1], training)
        if training:
            self._xt, self.h, self._prevs, self._caches = xt, h, np.concatenate(prevs).reshape(T, n, -1), caches
            self._c = by_sample(cs) if cell.states == 2 else None
        return logits.reshape(n, T, -1) if every else logits

    def predict(self, x: Array) -> Array:
        """What the page draws beside the targets: probabilities or values, as at test time."""
        logits = self.forward(x, training=False)
        K = logits.shape[-1]
        out: Array = self.loss.link(logits.reshape(-1, K)).reshape(logits.shape)  # softmax wants [m, K]
        return out

    def loss_and_backward(self, x: Array, y: Array, truncate: int | None = None, record: bool = True) -> float:
        """Forward and BPTT on one batch; fills every layer's grads (and `time` when recording)."""
        logits = self.forward(x, True)
        K = logits.shape[-1]
        loss, delta = self.loss.value_and_grad(logits.reshape(-1, K), y.reshape(-1, K))
        self.backward(delta, truncate, record)
        return loss

    def backward(self, delta: Array, truncate: int | None = None, record: bool = True) -> None:
        """delta = dL/d(logits) [n*T or n, K] after a training forward pass. BPTT through the
        last `truncate` steps (all when None): h_{T-k-1} counts as a constant, so earlier steps
        add nothing to W_x, W_h, b; the output layer still sees every step's loss."""
        cell, (T, n, d) = self.cell, self._xt.shape
        H, Wh = cell.hidden, cell.params["Wh"]
        dout = self.output.backward_delta(delta)
        assert dout is not None
        from_output = np.zeros((T, n, H))
        if self.readout == "every":
            from_output[:] = dout.reshape(n, T, H).transpose(1, 0, 2)
        else:
            from_output[-1] = dout
        start = 0 if truncate is None else max(0, T - truncate)
        dax, dah = np.zeros((T, n, Wh.shape[1])), np.zeros((T, n, Wh.shape[1]))
        dh = np.zeros((T, n, H))
        carry = tuple(np.zeros((n, H)) for _ in range(cell.states))  # dL/dstate_t from step t+1
        for t in range(T - 1, start - 1, -1):
            dh[t] = from_output[t] + carry[0]
            dax[t], dah[t], direct = cell.backward((dh[t], *carry[1:]), self._caches[t])
            # ah_t = h_{t-1} W_h  ->  dL/dh_{t-1} gains dL/dah_t W_h^T
            carry = (direct[0] + dah[t] @ Wh.T, *direct[1:])
        # ax_t = x_t W_x + b, ah_t = h_{t-1} W_h  ->  sums over the steps and the batch
        self.cell.grads["Wx"] = self._xt.reshape(T * n, d).T @ dax.reshape(T * n, -1)
        self.cell.grads["b"] = dax.sum(axis=(0, 1))
        self.cell.grads["Wh"] = self._prevs.reshape(T * n, H).T @ dah.reshape(T * n, -1)
        if record:
            steps = self._prevs.transpose(0, 2, 1) @ dah  # [T, H, n] @ [T, n, G*H]
            radii = cell.radii()
            self.time = TimeRecord(
                self.h, by_sample([c["z"] for c in self._caches]), dh.transpose(1, 0, 2), dax.transpose(1, 0, 2),
                np.sqrt(np.einsum("tnh,tnh->t", dh, dh)), steps, np.sqrt(np.einsum("thg,thg->t", steps, steps)),
                radii[cell.candidate], radii, T - start, self._c,
                {b: self.h if b == "h" else by_sample([c[b] for c in self._caches]) for b in cell.blocks},
            )  # fmt: skip
