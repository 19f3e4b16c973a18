"""Gradient health along the time axis of a recurrent network: how much of ‖∂L/∂h_t‖ at the
last step is left when BPTT reaches the earliest step it goes back to, in plain words, with
the same dict shapes as engine/diagnostics.py's warnings and headline.

The input is the time heatmap the page draws, `heat` [R, T]: ‖∂L/∂h_t‖ of R recorded training
steps (rows oldest first), and `window`: how many of the last time steps the gradient went back
through (T without truncation; the columns before it are 0 by construction, not by vanishing).

Read at every step (the sine and character tasks), each h_t also receives its own output's
gradient, so the earliest step's gradient stays about as large as the last's even where the
part carried back through time vanishes: the ratio flags vanishing for tasks read at the last
step only. It flags exploding for both: a gradient grown back through time dwarfs the output's."""

from __future__ import annotations

from typing import Any

import numpy as np

from .diagnostics import Warning, _warning
from .stats import median
from .words import number, over

# The rows a claim rests on: the most recent ones. The heatmap's rows are at most ~10 training
# steps apart (100 rows over 1,000 steps), so 10 rows span the last ~100 steps or fewer: recent
# enough to follow a change of cell or clipping, and a median over 10 ignores one odd batch.
ROWS = 10
# Vanishing: 10⁻⁵, not the layers' 10⁻³. Measured on the "plain RNN forgets" experiment
# (remember, delays 20 and 30, Adam): the tanh RNN that never learns sits at 10⁻¹⁰ to 10⁻⁷ for its
# first 150 steps, while the LSTM beside it, which learns, sits at 1.2×10⁻⁴ to 0.2 throughout (Adam
# rescales a small gradient; what matters is whether any of it is left). At 10⁻³ the warning told
# a student that an LSTM at 100% test accuracy "cannot learn what happened early".
# Exploding: the layers' factor of 1,000, far outside the 0.1 to 10 of a healthy net.
VANISHING_TIME_RATIO = 1e-5
EXPLODING_TIME_RATIO = 1e3
# ‖∂L/∂h_t‖ of a loss near 1 is near 1; 10⁸ of it means updates of 10⁸ times the learning rate:
# the weights are ruined in one step whatever the ratio says.
HUGE = 1e8


# The time axis's warnings, cause first, in diagnostics.WARNINGS' shape (for hello's list beside it).
# fmt: off
WARNINGS: tuple[dict[str, str], ...] = (
    {"code": "exploding_time", "title": "Exploding through time",
     "watch_for": "the “exploding through time” warning, and the time heatmap's early columns turning bright."},
    {"code": "vanishing_time", "title": "Vanishing through time",
     "watch_for": "the “vanishing through time” warning, and the time heatmap's early columns going dark."},
)
# fmt: on


def _reached(heat: np.ndarray, window: int) -> tuple[np.ndarray, int, int]:
    """The recent rows, and the earliest and last step BPTT reached (1-based)."""
    T = heat.shape[1]
    return heat[-ROWS:], T - min(window, T) + 1, T


def first_to_last(heat: np.ndarray, window: int) -> float | None:
    """Median over the recent rows of ‖∂L/∂h‖ at the earliest step reached / at the last step.
    None where it means nothing: no rows, a window of one step, or no row with both finite
    and a positive last step (what is not finite is the exploding warning's to say)."""
    rows, first, last = _reached(heat, window)
    if len(rows) == 0 or first == last:
        return None
    early, late = rows[:, first - 1], rows[:, last - 1]
    ok = np.isfinite(early) & np.isfinite(late) & (late > 0)
    return float(median(early[ok] / late[ok])) if ok.any() else None


def health(heat: np.ndarray, window: int) -> dict[str, Any]:
    """The time heatmap's headline (frame.health): the ratio the warnings rest on, named as they
    name it. `reached`: the earliest time step the gradient reached (1-based)."""
    ratio = first_to_last(heat, window)
    rows, first, last = _reached(heat, window)
    text = None
    if ratio is not None:
        text = f"‖∂L/∂h‖ at step {first} / at step {last} = {number(ratio)} ({over('median', len(rows))})"
    return {"first_to_last": ratio, "window": ROWS, "reached": first, "text": text}


def _radius_words(radius: float, cell: str) -> str:
    if cell != "rnn":
        return f"W_h's spectral radius (candidate block) is {number(radius)}"
    if radius < 1:
        return (
            f"W_h's spectral radius is {number(radius)}, below 1, and tanh's slope is at most 1: "
            "each step back shrinks the gradient"
        )
    return f"W_h's spectral radius is {number(radius)}: saturated units (slope near 0) shrink the gradient at each step"


REMEDY = {
    "rnn": "a gated cell (LSTM, GRU) can carry the gradient back through its gates",
    "lstm": "a larger forget bias keeps the forget gate open, so the cell state carries the gradient further",
    "gru": "an update gate near 1 passes the gradient back unchanged; a shorter delay or more steps may help",
}


def warnings(heat: np.ndarray, window: int, cell: str, radius: float) -> list[Warning]:
    """At most one warning: `exploding_time` or `vanishing_time` (never both: a gradient that grows
    back through time is not vanishing). `cell`: rnn, lstm or gru; `radius`: W_h's spectral radius
    (its candidate block). The warning's layer is 1, the recurrent layer."""
    rows, first, last = _reached(heat, window)
    if len(rows) == 0:
        return []
    stat = over("median", len(rows))
    reached = rows[:, first - 1 : last]
    fix = "gradient clipping limits the update, a W_h scale below 1 removes the cause"
    broken = int(np.sum(~np.all(np.isfinite(reached), axis=1)))
    if broken:
        w = _warning(
            "exploding_time",
            0.0,
            f"‖∂L/∂h_t‖ overflowed (it is not a finite number) in {broken} of the last {len(rows)} recorded steps: "
            f"exploding gradients through time (W_h's spectral radius is {number(radius)}); {fix}",
            [0],
        )
        return [w | {"value": None}]  # no number to give, and none that JSON could not carry
    biggest = float(reached.max())
    if biggest >= HUGE:
        return [
            _warning(
                "exploding_time",
                biggest,
                f"‖∂L/∂h_t‖ reached {number(biggest)} in the last {len(rows)} recorded steps: exploding gradients "
                f"through time (W_h's spectral radius is {number(radius)}); {fix}",
                [0],
            )
        ]
    ratio = first_to_last(heat, window)
    if ratio is None:
        return []
    if ratio >= EXPLODING_TIME_RATIO:
        return [
            _warning(
                "exploding_time",
                ratio,
                f"the gradient reaching step {first} is {number(ratio)} times the one at step {last} ({stat}): "
                f"it grows at every step back, as W_h's spectral radius is {number(radius)}: exploding gradients "
                f"through time; {fix}",
                [0],
            )
        ]
    if ratio < VANISHING_TIME_RATIO:
        return [
            _warning(
                "vanishing_time",
                ratio,
                f"the gradient reaching step {first} is {number(ratio)} of the one at step {last} ({stat}): "
                f"the network cannot learn what happened early. {_radius_words(radius, cell)}; {REMEDY[cell]}",
                [0],
            )
        ]
    return []
