"""Optimizers. `update(key, param, grad, is_weight)` changes `param` in place and returns
the change it applied (ΔW), which the step record keeps. Each optimizer declares its
settings (engine/params.py); their values are plain attributes, set from the settings
given or the declared defaults, so they can change between steps. Per-parameter state
is kept by key; switching optimizer makes a new one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np

from .params import Setting, number, operand, values
from .written import Element, Line

EPS = 1e-8

# fmt: off
MOMENTUM = Setting("momentum", "Momentum", 0.0, min=0, max=0.999, presets=(0, 0.5, 0.9, 0.95, 0.99),
                   help="How much of the previous step carries into the next one; 0 is plain gradient descent.")
NESTEROV = Setting("nesterov", "Nesterov", False, kind="bool",
                   help="Take the gradient where momentum is about to carry the weights (Nesterov momentum).")
RHO = Setting("rho", "Decay ρ", 0.9, min=0, max=0.9999, presets=(0.5, 0.9, 0.95, 0.99, 0.999),
              help="How slowly the running average of squared gradients forgets old steps.")
BETA1 = Setting("beta1", "β₁", 0.9, min=0, max=0.9999, presets=(0, 0.5, 0.9, 0.95, 0.99),
                help="How slowly the running average of gradients that sets each step's direction forgets old ones.")
BETA2 = Setting("beta2", "β₂", 0.999, min=0, max=0.9999, presets=(0.9, 0.99, 0.999, 0.9999),
                help="How slowly the optimizer's second running average forgets old gradients.")
WEIGHT_DECAY = Setting("weight_decay", "Weight decay", 0.01, min=0, max=1, presets=(0, 1e-4, 0.001, 0.01, 0.1),
                       help="Shrinks every weight towards 0 by this fraction of the learning rate each step.")
# fmt: on


class Optimizer:
    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    help: ClassVar[str] = ""
    settings: ClassVar[tuple[Setting, ...]] = ()

    def __init__(self, learning_rate: float, **given: Any):
        """`given`: values for the declared settings; the others are ignored."""
        self.learning_rate = learning_rate
        self.configure(given)
        self.state: dict[object, dict[str, Any]] = {}
        # When a dict, each update keeps its intermediate terms there by key (engine/explain.py asks).
        self.notes: dict[object, dict[str, np.ndarray]] | None = None

    @classmethod
    def describe(cls) -> dict[str, Any]:
        return {}

    def configure(self, given: Mapping[str, Any]) -> None:
        """Set each declared setting from `given`, else to its default (between two steps: the state stays)."""
        for name, value in values(self.settings, given).items():
            setattr(self, name, value)

    def _slot(self, key: object, param: np.ndarray, *names: str) -> dict[str, Any]:
        if key not in self.state:
            self.state[key] = {n: np.zeros_like(param) for n in names} | {"t": 0}
        return self.state[key]

    def direction(self, key: object, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def rule(self, e: Element) -> list[Line]:
        """The update of one element written out, every value the one the update computed."""
        raise NotImplementedError

    def _lr(self) -> str:
        return number(self.learning_rate)

    def update(self, key: object, param: np.ndarray, grad: np.ndarray, is_weight: bool = True) -> np.ndarray:
        step = self.direction(key, param, grad)
        param += step
        return step


class SGD(Optimizer):
    """v <- mu v - lr g; classical momentum: W <- W + v (mu = 0 is plain SGD).
    Nesterov (Sutskever et al. 2013, in the form of Bengio et al. 2012):
    W <- W - mu v_old + (1 + mu) v."""

    name, label = "sgd", "SGD"
    settings = (MOMENTUM, NESTEROV)
    help = "Steps against the gradient, optionally with momentum."
    momentum: float
    nesterov: bool

    def __init__(
        self, learning_rate: float, momentum: float = MOMENTUM.default, nesterov: bool = bool(NESTEROV.default)
    ):
        super().__init__(learning_rate, momentum=momentum, nesterov=nesterov)

    @property
    def velocity(self) -> dict[object, np.ndarray]:
        return {k: s["v"] for k, s in self.state.items()}

    def update(self, key: object, param: np.ndarray, grad: np.ndarray, is_weight: bool = True) -> np.ndarray:
        if self.momentum == 0.0:  # plain gradient descent has no state: spare the call to direction()
            step = -self.learning_rate * grad
            param += step
            return step
        return super().update(key, param, grad, is_weight)

    def direction(self, key: object, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        lr, mu = self.learning_rate, self.momentum
        if mu == 0.0:
            return -lr * grad
        s = self._slot(key, param, "v")
        v_old = s["v"]
        s["v"] = v = mu * v_old - lr * grad
        step: np.ndarray = (1.0 + mu) * v - mu * v_old if self.nesterov else v
        return step

    def rule(self, e: Element) -> list[Line]:
        lr, g, mu = self._lr(), operand(e.g), number(self.momentum)
        if self.momentum == 0.0:
            return [Line("Δw", "−η·g", f"−{lr}·{g}", e.step)]
        v_old, v = e.before.get("v", 0.0), e.after["v"]
        lines = [Line("v", "μ·v − η·g", f"{mu}·{operand(v_old)} − {lr}·{g}", v)]
        if self.nesterov:
            return [
                *lines,
                Line("Δw", "(1 + μ)·v − μ·v_old", f"(1 + {mu})·{operand(v)} − {mu}·{operand(v_old)}", e.step),
            ]
        return [*lines, Line("Δw", "v", number(v), e.step)]


class Adagrad(Optimizer):
    """Duchi et al. 2011: G <- G + g²; step = -lr g / (sqrt(G) + eps)."""

    name, label = "adagrad", "Adagrad"
    help = "Divides each weight's step by the root of its summed squared gradients, so steps only shrink."

    def direction(self, key: object, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        s = self._slot(key, param, "G")
        s["G"] = s["G"] + grad * grad
        step: np.ndarray = -self.learning_rate * grad / (np.sqrt(s["G"]) + EPS)
        return step

    def rule(self, e: Element) -> list[Line]:
        g, G = operand(e.g), e.after["G"]
        return [
            Line("G", "G + g²", f"{number(e.before.get('G', 0.0))} + {g}²", G),
            Line("Δw", "−η·g / (√G + ε)", f"−{self._lr()}·{g} / (√{number(G)} + {number(EPS)})", e.step),
        ]


class RMSprop(Optimizer):
    """Tieleman & Hinton 2012: E <- rho E + (1 - rho) g²; step = -lr g / (sqrt(E) + eps)."""

    name, label = "rmsprop", "RMSprop"
    settings = (RHO,)
    help = "Divides each weight's step by the root of a running average of its squared gradients."
    rho: float

    def direction(self, key: object, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        s = self._slot(key, param, "E")
        s["E"] = self.rho * s["E"] + (1.0 - self.rho) * grad * grad
        step: np.ndarray = -self.learning_rate * grad / (np.sqrt(s["E"]) + EPS)
        return step

    def rule(self, e: Element) -> list[Line]:
        g, E, rho = operand(e.g), e.after["E"], number(self.rho)
        return [
            Line("E", "ρ·E + (1 − ρ)·g²", f"{rho}·{number(e.before.get('E', 0.0))} + (1 − {rho})·{g}²", E),
            Line("Δw", "−η·g / (√E + ε)", f"−{self._lr()}·{g} / (√{number(E)} + {number(EPS)})", e.step),
        ]


class Adam(Optimizer):
    """Kingma & Ba 2015: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g²; with the bias
    corrections m^ = m / (1 - b1^t), v^ = v / (1 - b2^t): step = -lr m^ / (sqrt(v^) + eps)."""

    name, label = "adam", "Adam"
    settings: ClassVar[tuple[Setting, ...]] = (BETA1, BETA2)  # annotated: AdamW declares more
    help = "Momentum and RMSprop's per-weight scaling together, with both averages corrected for their start at 0."
    beta1: float
    beta2: float

    def direction(self, key: object, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        s = self._slot(key, param, "m", "v")
        s["t"] += 1
        b1, b2, t = self.beta1, self.beta2, s["t"]
        s["m"] = b1 * s["m"] + (1.0 - b1) * grad
        s["v"] = b2 * s["v"] + (1.0 - b2) * grad * grad
        m_hat = s["m"] / (1.0 - b1**t)
        v_hat = s["v"] / (1.0 - b2**t)
        step: np.ndarray = -self.learning_rate * m_hat / (np.sqrt(v_hat) + EPS)
        if self.notes is not None:
            self.notes[key] = {"m_hat": m_hat, "v_hat": v_hat}
        return step

    def rule(self, e: Element) -> list[Line]:
        g, b1, b2, t = operand(e.g), number(self.beta1), number(self.beta2), int(e.after["t"])
        m, v, m_hat, v_hat = e.after["m"], e.after["v"], e.terms["m_hat"], e.terms["v_hat"]
        m_old, v_old = operand(e.before.get("m", 0.0)), number(e.before.get("v", 0.0))
        adam = e.step - e.terms.get("decay", 0.0)  # AdamW adds its decay to Adam's step
        return [
            Line("t", "t + 1", f"{t - 1} + 1", t),
            Line("m", "β₁·m + (1 − β₁)·g", f"{b1}·{m_old} + (1 − {b1})·{g}", m),
            Line("v", "β₂·v + (1 − β₂)·g²", f"{b2}·{v_old} + (1 − {b2})·{g}²", v),
            Line("m̂", "m / (1 − β₁ᵗ)", f"{operand(m)} / (1 − {b1}^{t})", m_hat),
            Line("v̂", "v / (1 − β₂ᵗ)", f"{number(v)} / (1 − {b2}^{t})", v_hat),
            Line("Δw", "−η·m̂ / (√v̂ + ε)", f"−{self._lr()}·{operand(m_hat)} / (√{number(v_hat)} + {number(EPS)})", adam),
        ]


class AdamW(Adam):
    """Loshchilov & Hutter 2019: Adam plus a weight decay that bypasses the adaptive
    scaling: step = -lr (m^ / (sqrt(v^) + eps) + wd W). Biases are not decayed."""

    name, label = "adamw", "AdamW"
    settings = (BETA1, BETA2, WEIGHT_DECAY)
    help = "Adam with weight decay applied to the weights directly rather than through the gradient."
    weight_decay: float

    def update(self, key: object, param: np.ndarray, grad: np.ndarray, is_weight: bool = True) -> np.ndarray:
        step = self.direction(key, param, grad)
        if is_weight:
            decay = -self.learning_rate * self.weight_decay * param
            step = step + decay
            if self.notes is not None:
                self.notes[key]["decay"] = decay
        param += step
        return step

    def rule(self, e: Element) -> list[Line]:
        *lines, adam = super().rule(e)
        decay, wd = e.terms.get("decay", 0.0), number(self.weight_decay)
        return [
            *lines,
            Line("s", "−η·m̂ / (√v̂ + ε)", adam.numbers, adam.value),
            Line("d", "−η·λ·w (weight decay)", f"−{self._lr()}·{wd}·{operand(e.w)}", decay),
            Line("Δw", "s + d", f"{number(adam.value)} + {operand(decay)}", e.step),
        ]


class Lion(Optimizer):
    """Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms": the step's direction
    is the sign of c = b1 m + (1-b1) g, so every weight moves by exactly lr (plus the decoupled
    weight decay): step = -lr (sign(c) + wd W); then m <- b2 m + (1-b2) g. Biases are not decayed."""

    name, label = "lion", "Lion"
    settings = (BETA1, BETA2.with_default(0.99), WEIGHT_DECAY.with_default(0.0))
    help = "Moves every weight by the learning rate along the sign of its smoothed gradient; wants a smaller rate."
    beta1: float
    beta2: float
    weight_decay: float

    def update(self, key: object, param: np.ndarray, grad: np.ndarray, is_weight: bool = True) -> np.ndarray:
        s = self._slot(key, param, "m")
        b1, b2, lr = self.beta1, self.beta2, self.learning_rate
        c = b1 * s["m"] + (1.0 - b1) * grad
        step: np.ndarray = -lr * np.sign(c)
        if self.notes is not None:
            self.notes[key] = {"c": c}
        if is_weight:
            decay = -lr * self.weight_decay * param
            step = step + decay
            if self.notes is not None:
                self.notes[key]["decay"] = decay
        s["m"] = b2 * s["m"] + (1.0 - b2) * grad
        param += step
        return step

    def rule(self, e: Element) -> list[Line]:
        g, b1, b2, c = operand(e.g), number(self.beta1), number(self.beta2), e.terms["c"]
        m_old = operand(e.before.get("m", 0.0))
        sign, wd = number(np.sign(c)), number(self.weight_decay)
        return [
            Line("c", "β₁·m + (1 − β₁)·g", f"{b1}·{m_old} + (1 − {b1})·{g}", c),
            Line("Δw", "−η·(sign(c) + λ·w)", f"−{self._lr()}·({sign} + {wd}·{operand(e.w)})", e.step),
            Line("m", "β₂·m + (1 − β₂)·g", f"{b2}·{m_old} + (1 − {b2})·{g}", e.after["m"]),
        ]


OPTIMIZERS: dict[str, type[Optimizer]] = {o.name: o for o in (SGD, Adagrad, RMSprop, Adam, AdamW, Lion)}


def make_optimizer(name: str, learning_rate: float, **given: Any) -> Optimizer:
    """An optimizer by name; settings it does not declare are ignored, those it declares
    and that are not given take its own defaults."""
    cls = OPTIMIZERS[name]
    return cls(learning_rate, **{s.name: given[s.name] for s in cls.settings if s.name in given})
