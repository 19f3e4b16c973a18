"""What each engine choice is in PyTorch, as the text of the exported script (export_torch.py): the
activations', losses' and optimizers' twins, the schedules' factors, the penalties, and the few
lines written out where torch has no faithful twin (Lion, momentum under a changing rate, global
norm clipping without clip_grad_norm_'s 1e-6)."""

from __future__ import annotations

from typing import Any

from .activations import LEAK
from .optimizers import EPS, OPTIMIZERS
from .params import values

TWINS = {
    "sigmoid": "nn.Sigmoid()",
    "tanh": "nn.Tanh()",
    "relu": "nn.ReLU()",
    "leaky_relu": f"nn.LeakyReLU({LEAK})",
    "linear": "nn.Identity()",
    "elu": "nn.ELU(alpha=1.0)",
    "gelu": 'nn.GELU(approximate="tanh")',
    "softplus": "nn.Softplus()",
    "silu": "nn.SiLU()",
}
LOSS_TWINS = {
    "classification": "F.binary_cross_entropy_with_logits(logits, y)",
    "multiclass": "F.cross_entropy(logits, y)",
    "regression": "0.5 * F.mse_loss(logits, y)  # the engine's half mean squared error",
}
# The schedules' factor of the base rate at step t (0 for the first step), as engine/schedules.py has them.
FACTORS = {
    "step": "return GAMMA ** (t // PERIOD)",
    "exponential": "return GAMMA ** (t / PERIOD)",
    "cosine": "return FLOOR + (1 - FLOOR) * 0.5 * (1 + math.cos(math.pi * min(t, PERIOD) / PERIOD))",
    "cyclical": "x = abs(t / PERIOD - 2 * math.floor(1 + t / (2 * PERIOD)) + 1)\n"
    "    return FLOOR + (1 - FLOOR) * max(0.0, 1 - x)",
}
PENALTIES = {"l1": "w.abs().sum()", "l2": "0.5 * (w * w).sum()"}

LION = '''
class Lion(torch.optim.Optimizer):
    """Chen et al. 2023 (torch.optim has no Lion): c = b1 m + (1 - b1) g; w <- w - lr (sign(c) + wd w);
    then m <- b2 m + (1 - b2) g."""

    def __init__(self, params, lr, betas, weight_decay=0.0):
        super().__init__(params, {"lr": lr, "betas": betas, "weight_decay": weight_decay})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            (b1, b2), lr, wd = group["betas"], group["lr"], group["weight_decay"]
            for p in group["params"]:
                m = self.state[p].setdefault("m", torch.zeros_like(p))
                c = b1 * m + (1 - b1) * p.grad
                p.add_(-lr * torch.sign(c) + (-lr * wd) * p)
                m.mul_(b2).add_((1 - b2) * p.grad)
'''
MOMENTUM_SGD = '''
class EngineSGD(torch.optim.Optimizer):
    """The engine's momentum, v <- mu v - lr g with the rate inside the velocity: torch.optim.SGD keeps
    b <- mu b + g and steps -lr b, which is the same only while the rate stays constant."""

    def __init__(self, params, lr, momentum, nesterov):
        super().__init__(params, {"lr": lr, "momentum": momentum, "nesterov": nesterov})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            mu = group["momentum"]
            for p in group["params"]:
                v_old = self.state[p].get("v", torch.zeros_like(p))
                v = self.state[p]["v"] = mu * v_old - group["lr"] * p.grad
                p.add_((1 + mu) * v - mu * v_old if group["nesterov"] else v)
'''
CLIP_NORM = '''
def clip_global_norm(params, limit):
    """All gradients scaled together when their global norm passes the limit. Written out because
    torch.nn.utils.clip_grad_norm_ divides by the norm + 1e-6, a relative 1e-6 / norm off the engine."""
    total = torch.sqrt(sum((p.grad * p.grad).sum() for p in params))
    if total > limit:
        for p in params:
            p.grad.mul_(limit / total)
'''


def imports() -> str:
    return "\n".join(
        [
            "import base64",
            "import math",
            "import zlib",
            "",
            "import numpy as np",
            "import torch",
            "import torch.nn.functional as F",
            "from torch import nn",
            "",
            "torch.set_default_dtype(torch.float64)  # the engine computes in float64",
            "torch.set_num_threads(1)  # matrices this small: one thread is several times faster",
            "",
            "",
            "def unpack(dtype, shape, text):",
            '    """An array embedded as base64 of its zlib-compressed bytes; floats come back as float64."""',
            "    a = np.frombuffer(zlib.decompress(base64.b64decode(text)), dtype).reshape(shape)",
            '    return torch.from_numpy(a.astype(np.float64) if a.dtype.kind == "f" else a.astype(np.int64))',
        ]
    )


def optimizer(s: dict[str, Any]) -> list[str]:
    """The blocks that make `optimizer`: torch's own where its update is the engine's, else written out."""
    name, lr = s["optimizer"], s["learning_rate"]
    o = values(OPTIMIZERS[name].settings, s)
    if name == "sgd" and o["momentum"] > 0 and s["schedule"] != "constant":
        return [MOMENTUM_SGD, f"optimizer = EngineSGD(model.parameters(), {lr!r}, {o['momentum']!r}, {o['nesterov']})"]
    if name == "sgd" and o["momentum"] > 0:
        return [
            "# torch's b <- mu b + g, w <- w - lr b (Nesterov: w <- w - lr (g + mu b)) is the engine's\n"
            "# v <- mu v - lr g, w <- w + v (Nesterov: w <- w + mu v - lr g) while the rate stays constant.\n"
            f"optimizer = torch.optim.SGD(model.parameters(), lr={lr!r}, momentum={o['momentum']!r}, "
            f"nesterov={o['nesterov']})"
        ]
    if name == "sgd":
        return [f"optimizer = torch.optim.SGD(model.parameters(), lr={lr!r})"]
    if name == "adagrad":
        return [
            "# G <- G + g^2; w <- w - lr g / (sqrt(G) + eps): eps after the root, as the engine has it.\n"
            f"optimizer = torch.optim.Adagrad(model.parameters(), lr={lr!r}, eps={EPS})"
        ]
    if name == "rmsprop":
        return [
            "# torch's alpha is the engine's rho; eps after the root, as the engine has it.\n"
            f"optimizer = torch.optim.RMSprop(model.parameters(), lr={lr!r}, alpha={o['rho']!r}, eps={EPS})"
        ]
    betas = f"betas=({o['beta1']!r}, {o['beta2']!r})"
    adam = "# Both averages bias-corrected, eps after the root of v's: the engine's Adam.\n"
    if name == "adam":
        return [adam + f"optimizer = torch.optim.Adam(model.parameters(), lr={lr!r}, {betas}, eps={EPS})"]
    groups = (
        f'groups = [{{"params": weights, "weight_decay": {o["weight_decay"]!r}}}, '
        '{"params": rest, "weight_decay": 0.0}]  # biases are not decayed\n'
    )
    if name == "adamw":
        return [
            adam + "# The decay w <- w - lr wd w bypasses the averages (decoupled), on the weights only.\n"
            f"{groups}optimizer = torch.optim.AdamW(groups, lr={lr!r}, {betas}, eps={EPS})"
        ]
    return [LION, f"{groups}optimizer = Lion(groups, lr={lr!r}, {betas})"]
