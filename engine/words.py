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


def layer_name(i: int, n_layers: int, convs: int = 0) -> str:
    """Weight layer i (0-based) as the messages and the page name it: hidden layer 1..N, output;
    in a CNN (its first `convs` weight layers convolutions): conv 1..K, dense 1..M, output."""
    if i == n_layers - 1:
        return "output"
    if not convs:
        return f"hidden layer {i + 1}"
    return f"conv {i + 1}" if i < convs else f"dense {i - convs + 1}"


def layers_named(idx: list[int], n_layers: int, convs: int = 0) -> str:
    """Weight layers (0-based) as a phrase: [1] -> 'hidden layer 2', [0, 2] -> 'hidden layers 1
    and 3', [0, 1, 2, 4] of 5 -> 'hidden layers 1–3 and the output layer'; in a CNN with 2
    conv layers, [0, 1, 2, 4] of 5 -> 'conv 1, conv 2, dense 1 and the output layer'."""
    if convs:
        groups = [("conv", [i + 1 for i in idx if i < convs]),
                  ("dense", [i - convs + 1 for i in idx if convs <= i < n_layers - 1])]  # fmt: skip
        items = [f"{kind} {run}" for kind, ks in groups for run in _runs(ks)]
        items += ["the output layer"] if n_layers - 1 in idx else []
        if len(items) < 2:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]
    hidden = [i + 1 for i in idx if i < n_layers - 1]
    output = n_layers - 1 in idx
    if not hidden:
        return "the output layer" if output else ""
    prefix = "hidden layer " if len(hidden) == 1 else "hidden layers "
    if output:
        return prefix + ", ".join(_runs(hidden)) + " and the output layer"
    return prefix + _numbers(hidden)


def _runs(ks: list[int]) -> list[str]:
    """[1, 2, 3, 5] -> ['1–3', '5']: three or more in a row as a range."""
    runs: list[list[int]] = []
    for k in ks:
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return [x for r in runs for x in ([f"{r[0]}–{r[-1]}"] if len(r) > 2 else map(str, r))]


def _numbers(ks: list[int]) -> str:
    """[1, 3] -> '1 and 3', [1, 2, 3, 5] -> '1–3 and 5'."""
    items = _runs(ks)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def spread(values: list[float]) -> str:
    """The values as percentages: '40%', or '18% to 124%'."""
    lo, hi = percent(min(values)), percent(max(values))
    return lo if lo == hi else f"{lo} to {hi}"


def over(statistic: str, steps: int) -> str:
    """'median over the last 20 steps': the statistic a claim rests on, named in it."""
    return f"{statistic} over the last {steps} step{'' if steps == 1 else 's'}"
