"""How the engine's messages (warnings, the heatmap's headline) write numbers, layers and the
statistic a claim rests on, so that every message says them the same way."""

from __future__ import annotations

import math

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def number(x: float) -> str:
    """0 -> '0'; from 10⁶ on and below 10⁻³ as powers of ten (4.9×10¹⁸, 1.1×10⁻⁹), never a
    long digit string; from 10 on whole (98,687); else to two significant digits (0.48)."""
    a = abs(x)
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    if 1e-3 <= a and round(a) < 1e6:
        return f"{x:,.0f}" if a >= 10 else f"{x:.2g}"
    mantissa, exponent = f"{x:.1e}".split("e")
    return f"{mantissa.removesuffix('.0')}×10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def percent(x: float) -> str:
    """0.3 -> '30%', written as `number` writes 30."""
    return number(100 * x) + "%"


def layer_name(i: int, n_layers: int) -> str:
    """Weight layer i (0-based) as the messages and the page name it: hidden layer 1..N, output."""
    return "output" if i == n_layers - 1 else f"hidden layer {i + 1}"


def layers_named(idx: list[int], n_layers: int) -> str:
    """Weight layers (0-based) as a phrase: [1] -> 'hidden layer 2', [0, 2] -> 'hidden layers 1
    and 3', [0, 1, 2, 4] of 5 -> 'hidden layers 1–3 and the output layer'."""
    hidden = [i + 1 for i in idx if i < n_layers - 1]
    runs: list[list[int]] = []
    for k in hidden:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    items = [x for r in runs for x in ([f"{r[0]}–{r[-1]}"] if len(r) > 2 else map(str, r))]
    output = n_layers - 1 in idx
    if not items:
        return "the output layer" if output else ""
    prefix = "hidden layer " if len(hidden) == 1 else "hidden layers "
    if output:
        return prefix + ", ".join(items) + " and the output layer"
    return prefix + (items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1])


def spread(values: list[float]) -> str:
    """The values as percentages: '40%', or '18% to 124%'."""
    lo, hi = percent(min(values)), percent(max(values))
    return lo if lo == hi else f"{lo} to {hi}"


def over(statistic: str, steps: int) -> str:
    """'median over the last 20 steps': the statistic a claim rests on, named in it."""
    return f"{statistic} over the last {steps} step{'' if steps == 1 else 's'}"
