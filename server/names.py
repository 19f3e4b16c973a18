"""Every array name a binary message carries (docs/protocol.md, Binary messages), built
here and nowhere else, so a rename is one edit and a page or a test can read the scheme
in one place. Names are `group.what`: `layer{i}.W`, `history.loss`, `grid.output`, ...;
run B's arrays are run A's names behind the prefix `b/`. A frame names some fifty arrays:
the names are made once (functools.cache), not formatted every frame."""

from __future__ import annotations

import functools

RUN_B = "b/"  # prefix of every array of the second run when comparing

# dataset message
TRAIN_X, TRAIN_Y, TEST_X, TEST_Y = "train.x", "train.y", "test.x", "test.y"
SAMPLES_X, SAMPLES_Y = "samples.x", "samples.y"  # images: the sample images a frame predicts

# frame: what the network predicts
GRID_OUTPUT = "grid.output"
CURVE_X, CURVE_Y = "curve.x", "curve.y"
SAMPLES_PRED, SAMPLES_PROB = "samples.pred", "samples.prob"
CONFUSION = "confusion"

# frame of a recurrent session: the shown sequence, and the gradient's size per time step
SEQ_X, SEQ_Y, SEQ_PRED, SEQ_H = "seq.x", "seq.y", "seq.pred", "seq.h"
TIME_DH_NORM, TIME_DWH_NORM = "time.dh_norm", "time.dWh_norm"
TIME_HEAT, TIME_HEAT_STEPS = "time.heat", "time.heat_steps"

# frame of a CNN: the chosen sample image, then each block's arrays (block())
SAMPLE_X = "sample.x"


@functools.cache
def run_b(name: str) -> str:
    return RUN_B + name


@functools.cache
def layer(i: int, what: str) -> str:
    """An array of weight layer i: W, b, dW, db, dW_step, db_step, a_mean, delta_abs, bands.W, ..."""
    return f"layer{i}.{what}"


@functools.cache
def block(j: int, what: str) -> str:
    """An array of a CNN's block j for the chosen sample: a (its output maps), delta (a conv
    block's error maps dL/dz) or dW (that sample's own filter gradient)."""
    return f"block{j}.{what}"


@functools.cache
def bands(i: int, of: str) -> str:
    """The percentiles of layer i's `of` (W, dW or a)."""
    return layer(i, f"bands.{of}")


@functools.cache
def history(column: str) -> str:
    """One column of the per-step history: loss, train_loss, grad_norm, ..."""
    return f"history.{column}"


@functools.cache
def grid_nodes(column: int) -> str:
    """Each neuron of column j (0: the inputs) over the input plane or along the line."""
    return f"grid.nodes{column}"
