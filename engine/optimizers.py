"""Optimizers. `update(key, param, grad, is_weight)` changes `param` in place and returns
the change it applied (ΔW), which the step record keeps. Hyperparameters are plain
attributes so they can change between steps; per-parameter state is kept by key and
cleared by `reset_state` (switching optimizer starts a new one)."""
from __future__ import annotations

import numpy as np

EPS = 1e-8


class Optimizer:
    name = ""
    label = ""
    hyper: tuple[str, ...] = ()  # the attributes a user may set

    def __init__(self, learning_rate: float, **hyper: float):
        self.learning_rate = learning_rate
        for key, value in hyper.items():
            if key in self.hyper:
                setattr(self, key, value)
        self.state: dict[object, dict[str, np.ndarray | int]] = {}

    def _slot(self, key: object, param: np.ndarray, *names: str) -> dict:
        if key not in self.state:
            self.state[key] = {n: np.zeros_like(param) for n in names} | {"t": 0}
        return self.state[key]

    def reset_state(self) -> None:
        self.state.clear()

    def direction(self, key: object, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def update(self, key: object, param: np.ndarray, grad: np.ndarray, is_weight: bool = True) -> np.ndarray:
        step = self.direction(key, param, grad)
        param += step
        return step


class SGD(Optimizer):
    """v <- mu v - lr g; classical momentum: W <- W + v (mu = 0 is plain SGD).
    Nesterov (Sutskever et al. 2013, in the form of Bengio et al. 2012):
    W <- W - mu v_old + (1 + mu) v."""

    name, label, hyper = "sgd", "SGD", ("momentum", "nesterov")
    momentum = 0.0
    nesterov = False

    def __init__(self, learning_rate: float, momentum: float = 0.0, nesterov: bool = False, **hyper):
        super().__init__(learning_rate, momentum=momentum, nesterov=nesterov, **hyper)

    @property
    def velocity(self) -> dict:
        return {k: s["v"] for k, s in self.state.items()}

    def direction(self, key, param, grad):
        lr, mu = self.learning_rate, self.momentum
        if mu == 0.0:
            return -lr * grad
        s = self._slot(key, param, "v")
        v_old = s["v"]
        s["v"] = v = mu * v_old - lr * grad
        return (1.0 + mu) * v - mu * v_old if self.nesterov else v


class Adagrad(Optimizer):
    """Duchi et al. 2011: G <- G + g²; step = -lr g / (sqrt(G) + eps)."""

    name, label = "adagrad", "Adagrad"

    def direction(self, key, param, grad):
        s = self._slot(key, param, "G")
        s["G"] = s["G"] + grad * grad
        return -self.learning_rate * grad / (np.sqrt(s["G"]) + EPS)


class RMSprop(Optimizer):
    """Tieleman & Hinton 2012: E <- rho E + (1 - rho) g²; step = -lr g / (sqrt(E) + eps)."""

    name, label, hyper = "rmsprop", "RMSprop", ("rho",)
    rho = 0.9

    def direction(self, key, param, grad):
        s = self._slot(key, param, "E")
        s["E"] = self.rho * s["E"] + (1.0 - self.rho) * grad * grad
        return -self.learning_rate * grad / (np.sqrt(s["E"]) + EPS)


class Adam(Optimizer):
    """Kingma & Ba 2015: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g²; with the bias
    corrections m^ = m / (1 - b1^t), v^ = v / (1 - b2^t): step = -lr m^ / (sqrt(v^) + eps)."""

    name, label, hyper = "adam", "Adam", ("beta1", "beta2")
    beta1, beta2 = 0.9, 0.999

    def direction(self, key, param, grad):
        s = self._slot(key, param, "m", "v")
        s["t"] += 1
        b1, b2, t = self.beta1, self.beta2, s["t"]
        s["m"] = b1 * s["m"] + (1.0 - b1) * grad
        s["v"] = b2 * s["v"] + (1.0 - b2) * grad * grad
        m_hat = s["m"] / (1.0 - b1**t)
        v_hat = s["v"] / (1.0 - b2**t)
        return -self.learning_rate * m_hat / (np.sqrt(v_hat) + EPS)


class AdamW(Adam):
    """Loshchilov & Hutter 2019: Adam plus a weight decay that bypasses the adaptive
    scaling: step = -lr (m^ / (sqrt(v^) + eps) + wd W). Biases are not decayed."""

    name, label, hyper = "adamw", "AdamW", ("beta1", "beta2", "weight_decay")
    weight_decay = 0.01

    def update(self, key, param, grad, is_weight=True):
        step = self.direction(key, param, grad)
        if is_weight:
            step = step - self.learning_rate * self.weight_decay * param
        param += step
        return step


OPTIMIZERS: dict[str, type[Optimizer]] = {o.name: o for o in (SGD, Adagrad, RMSprop, Adam, AdamW)}


def make_optimizer(name: str, learning_rate: float, **hyper) -> Optimizer:
    """An optimizer by name; hyperparameters it does not use are ignored."""
    return OPTIMIZERS[name](learning_rate, **hyper)
