"""Optimizers. `update(key, param, grad)` changes `param` in place and returns the
change it applied (ΔW), which the step record keeps. Hyperparameters are plain
attributes so they can change between steps; per-parameter state is kept by key."""
from __future__ import annotations

import numpy as np


class SGD:
    """Mini-batch SGD with momentum (0 = plain SGD) and optional Nesterov momentum.

    v <- mu v - lr g;  plain/classical: W <- W + v;
    Nesterov (Sutskever et al. 2013, in the form of Bengio et al. 2012):
    W <- W - mu v_old + (1 + mu) v.
    """

    name = "sgd"

    def __init__(self, learning_rate: float, momentum: float = 0.0, nesterov: bool = False):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity: dict[object, np.ndarray] = {}

    def update(self, key: object, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        lr, mu = self.learning_rate, self.momentum
        if mu == 0.0:
            step = -lr * grad
        else:
            v_old = self.velocity.get(key)
            if v_old is None:
                v_old = np.zeros_like(param)
            v = mu * v_old - lr * grad
            self.velocity[key] = v
            step = (1.0 + mu) * v - mu * v_old if self.nesterov else v
        param += step
        return step

    def reset_state(self) -> None:
        self.velocity.clear()


OPTIMIZERS = {"sgd": SGD}
