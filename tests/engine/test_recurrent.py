"""Central finite-difference checks of BPTT, full and truncated, for every cell."""

import numpy as np
import pytest

from engine import ACTIVATIONS
from engine.bptt import RecurrentNetwork

T, D, H = 5, 2, 3
CELLS = [("rnn", a) for a in ACTIVATIONS] + [("lstm", "tanh"), ("gru", "tanh")]
LOSS_FOR_READOUT = {"every": "mse", "last": "bce"}


def make(cell: str, activation: str, readout: str, loss: str, seed: int = 0):
    rng = np.random.default_rng(seed)
    k = 3 if loss == "softmax_ce" else 1
    net = RecurrentNetwork.create(D, H, k, loss, rng, cell=cell, readout=readout, activation=activation)
    for layer in net.layers:  # non-zero biases so ReLU kinks are not all at the origin
        layer.params["b"][:] = rng.normal(0, 0.5, layer.params["b"].shape)
    x = rng.normal(0, 1, (4, T, D))
    shape = (4, T, k) if readout == "every" else (4, k)
    if loss == "mse":
        y = rng.normal(0, 1, shape)
    elif loss == "bce":
        y = (rng.random(shape) > 0.5).astype(float)
    else:
        y = np.eye(k)[rng.integers(0, k, shape[:-1])]
    return net, x, y


def truncated_objective(net: RecurrentNetwork, x, y, truncate: int | None):
    """The loss with the state before the window held fixed at its value for the unperturbed
    weights: what truncated BPTT differentiates. Returns a function of the live weights."""
    start = 0 if truncate is None else max(0, T - truncate)
    state, prefix_h = None, None
    if start > 0:
        net.forward(x[:, :start], training=True)
        state, prefix_h = tuple(s.copy() for s in net.state), net.h.copy()

    def objective() -> float:
        logits = net.forward(x[:, start:], training=False, state=state)
        if net.readout == "every" and prefix_h is not None:
            n, s, _ = prefix_h.shape
            before = net.output.forward(prefix_h.reshape(n * s, H), training=False).reshape(n, s, -1)
            logits = np.concatenate([before, logits], axis=1)
        k = logits.shape[-1]
        return net.loss.value_and_grad(logits.reshape(-1, k), y.reshape(-1, k))[0]

    return objective


def numeric(net: RecurrentNetwork, objective, eps: float = 1e-6) -> list[np.ndarray]:
    out = []
    for layer in net.layers:
        for p in layer.params.values():
            g = np.zeros_like(p)
            for i in np.ndindex(p.shape):
                old = p[i]
                p[i] = old + eps
                up = objective()
                p[i] = old - eps
                down = objective()
                p[i] = old
                g[i] = (up - down) / (2 * eps)
            out.append(g)
    return out


def analytic(net: RecurrentNetwork, x, y, truncate: int | None) -> list[np.ndarray]:
    net.loss_and_backward(x, y, truncate)
    return [layer.grads[k].copy() for layer in net.layers for k in layer.params]


def relative_error(a: list[np.ndarray], b: list[np.ndarray]) -> float:
    a_flat, b_flat = np.concatenate([v.ravel() for v in a]), np.concatenate([v.ravel() for v in b])
    return float(np.linalg.norm(a_flat - b_flat) / (np.linalg.norm(a_flat) + np.linalg.norm(b_flat)))


def check(cell, activation, readout, loss, truncate) -> float:
    net, x, y = make(cell, activation, readout, loss)
    objective = truncated_objective(net, x, y, truncate)
    num = numeric(net, objective)
    return relative_error(analytic(net, x, y, truncate), num)


@pytest.mark.parametrize("truncate", [None, 2, 1])
@pytest.mark.parametrize("readout", ["every", "last"])
@pytest.mark.parametrize("cell,activation", CELLS)
def test_bptt_matches_finite_differences(cell, activation, readout, truncate):
    err = check(cell, activation, readout, LOSS_FOR_READOUT[readout], truncate)
    assert err < 1e-6, f"{cell}/{activation}/{readout}/truncate {truncate}: relative error {err:.2e}"


@pytest.mark.parametrize("readout", ["every", "last"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_softmax_cross_entropy_through_time(cell, readout):
    err = check(cell, "tanh", readout, "softmax_ce", None)
    assert err < 1e-6, f"{cell}/{readout}/softmax_ce: relative error {err:.2e}"


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_step_contributions_sum_to_dWh(cell):
    net, x, y = make(cell, "tanh", "every", "mse")
    net.loss_and_backward(x, y)
    time = net.time
    assert time is not None
    assert time.dWh_steps.shape == (T, *net.cell.params["Wh"].shape)
    np.testing.assert_allclose(time.dWh_steps.sum(axis=0), net.cell.grads["Wh"], rtol=1e-12, atol=1e-14)
    norms = np.linalg.norm(time.dWh_steps.reshape(T, -1), axis=1)
    np.testing.assert_allclose(time.dWh_norm, norms, rtol=1e-12)
    np.testing.assert_allclose(
        time.dh_norm, np.linalg.norm(time.dh.reshape(4, T, H).transpose(1, 0, 2).reshape(T, -1), axis=1)
    )
    assert time.h.shape == (4, T, H) and time.z.shape == (4, T, net.cell.params["Wh"].shape[1])
    assert (time.c is not None) == (cell == "lstm")
    assert list(time.gates) == list(net.cell.blocks) and all(g.shape == (4, T, H) for g in time.gates.values())
    if cell == "rnn":
        np.testing.assert_array_equal(time.gates["h"], time.h)
    # δ_t = dL/dz_t: the gradient of W_x is the sum over steps of x_t^T δ_t
    np.testing.assert_allclose(np.einsum("ntd,ntg->dg", x, time.delta), net.cell.grads["Wx"], rtol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_truncation_at_or_beyond_the_length_is_full_bptt(cell):
    net, x, y = make(cell, "tanh", "every", "mse")
    full = analytic(net, x, y, None)
    for k in (T, T + 3):
        for a, b in zip(analytic(net, x, y, k), full):
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("readout", ["every", "last"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_truncation_stops_the_gradient_k_steps_back(cell, readout):
    net, x, y = make(cell, "tanh", readout, "mse")
    full = analytic(net, x, y, None)
    full_time = net.time
    k = 2
    cut = analytic(net, x, y, k)
    time = net.time
    assert full_time is not None and time is not None and time.window == k
    assert np.all(time.dh_norm[: T - k] == 0) and np.all(time.dWh_norm[: T - k] == 0)
    assert np.all(time.dh_norm[T - k :] > 0)
    # inside the window dL/dh_t is the full one only at the last step (nothing comes back from later)
    np.testing.assert_allclose(time.dh[:, -1], full_time.dh[:, -1], rtol=1e-12)
    assert relative_error(cut[:3], full[:3]) > 1e-3, "truncated gradients of the cell equal the full ones"
    for a, b in zip(cut[3:], full[3:]):  # the output layer sees every step's loss either way
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_spectral_radius_follows_the_scale():
    rng = np.random.default_rng(1)
    for scale in (0.5, 1.0, 1.5):
        net = RecurrentNetwork.create(1, 6, 1, "mse", rng, recurrent_scale=scale)
        x = rng.normal(0, 1, (2, 4, 1))
        net.loss_and_backward(x, np.zeros((2, 1)))
        assert net.time is not None
        assert net.time.radius == pytest.approx(scale, rel=1e-9), "an orthogonal W_h times s has radius s"


def test_predict_gives_probabilities_in_the_targets_shape():
    net, x, y = make("gru", "tanh", "every", "softmax_ce")
    p = net.predict(x)
    assert p.shape == y.shape
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    net, x, y = make("rnn", "tanh", "last", "bce")
    p = net.predict(x)
    assert p.shape == y.shape and np.all((p > 0) & (p < 1))


def test_bad_choices_name_the_field():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="unknown cell 'transformer'"):
        RecurrentNetwork.create(1, 2, 1, "mse", rng, cell="transformer")
    with pytest.raises(ValueError, match="unknown recurrent_init 'eye'"):
        RecurrentNetwork.create(1, 2, 1, "mse", rng, recurrent_init="eye")
    with pytest.raises(ValueError, match="unknown activation 'step'"):
        RecurrentNetwork.create(1, 2, 1, "mse", rng, activation="step")
    with pytest.raises(ValueError, match="readout"):
        RecurrentNetwork.create(1, 2, 1, "mse", rng, readout="first")
