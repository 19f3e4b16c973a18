"""Settings valid alone that do not go together (docs/protocol.md, Config and schema).
The error names the setting the change set: the one a user would change back."""

from __future__ import annotations

from engine.blocks import multiply_adds, shapes
from engine.datasets import DATASETS
from engine.sequences import TASKS, sequence_length

from .errors import Invalid

SEQUENCE_BUDGET = 2_000  # sequences × time steps in one batch, at most
# A CNN, in forward multiply-adds, at most: per image, and per batch (a step takes about 10 to 30 ms
# there), so that no one step or frame holds the server; 6 blocks of 16 filters of 7×7 on 12×12
# images (9.2 million an image) took 350 ms a step at batch 32 and 3 s a frame.
CONV_IMAGE_BUDGET = 1_000_000
CONV_BUDGET = 20_000_000
CONV_EVAL_BUDGET = 10_000_000  # each set's, once a frame: the losses over the first N images (N = 190 at 52,416)
RECURRENT_ONLY = ("cell", "truncate")  # compare fields that mean nothing to a feed-forward network


def together(config: dict, partial: dict) -> None:
    """Settings valid alone that do not go together. The error names the one this change set:
    turning batch normalization on, or lowering the batch size under it."""
    if config["dataset"] in TASKS:
        _sequence_budget(config, partial)
    elif (config.get("compare") or {}).get("field") in RECURRENT_ONLY:
        raise Invalid("config.compare.field", f"'{config['compare']['field']}' applies to sequence tasks only")
    kind = DATASETS.get(config["dataset"])
    if (config.get("compare") or {}).get("field") == "conv" and kind and kind.inputs != "image":
        raise Invalid("config.compare.field", "'conv' applies to image datasets only")
    if config.get("conv") and kind and kind.image_shape:
        outputs = (kind.classes or config["classes"]) if kind.problem == "multiclass" else 1
        _conv_budget(config, partial, (1, *kind.image_shape), outputs)
    if config.get("batch_norm") and config.get("batch_size") == 1:
        why = "with one sample per batch each hidden neuron's normalized input is 0 and every hidden gradient is 0"
        if partial.get("batch_norm") is True or "batch_size" not in partial:
            raise Invalid("config.batch_norm", f"needs a batch size of at least 2: {why}")
        raise Invalid("config.batch_size", f"must be at least 2 while batch normalization is on: {why}")


def _sequence_budget(config: dict, partial: dict) -> None:
    """A step's cost grows with batch size × time steps: bounded, so that no one step holds the
    server (an LSTM of 32 units at the bound, 10 sequences of 200 steps, takes 20 to 40 ms a step)."""
    steps = sequence_length(config["dataset"], config)
    if config["batch_size"] * steps <= SEQUENCE_BUDGET:
        return
    why = f"a batch of {config['batch_size']} sequences of {steps} steps is more than {SEQUENCE_BUDGET:,} steps a batch"
    if "batch_size" in partial:
        raise Invalid("config.batch_size", f"must be at most {SEQUENCE_BUDGET // steps} here: {why}")
    name = "delay" if "delay" in partial else "length" if "length" in partial else "dataset"
    raise Invalid(f"config.{name}", f"needs a smaller batch size: {why}")


def _conv_budget(config: dict, partial: dict, image: tuple[int, int, int], outputs: int) -> None:
    """Blocks that fit the images, and a batch whose forward pass stays within CONV_BUDGET."""
    try:
        shapes(image, config["conv"])
    except ValueError as e:  # a kernel larger than its input, a map pooled away: named with the sizes
        raise Invalid("config.conv", f"{e}; the {image[1]}×{image[2]} images leave no room for it") from None
    per_image = multiply_adds(image, config["conv"], [*config["hidden"], outputs])
    if per_image > CONV_IMAGE_BUDGET:
        raise Invalid("config.conv", f"needs fewer or smaller filters: one image takes {per_image:,} multiply-adds, "
                                     f"more than the server's {CONV_IMAGE_BUDGET:,}")  # fmt: skip
    if per_image * config["batch_size"] <= CONV_BUDGET:
        return
    why = (f"{config['batch_size']} images of {per_image:,} multiply-adds each is more than "
           f"{CONV_BUDGET:,} a batch")  # fmt: skip
    if "batch_size" in partial:
        raise Invalid("config.batch_size", f"must be at most {max(1, CONV_BUDGET // per_image)} here: {why}")
    raise Invalid("config.conv", f"needs fewer or smaller filters, or a smaller batch: {why}")


def conv_eval_limit(per_image: int, limit: int) -> int:
    """How many samples of each set a CNN's losses are evaluated on, once a frame: its
    forward pass over them stays within CONV_EVAL_BUDGET (at least 20 samples)."""
    return min(limit, max(20, CONV_EVAL_BUDGET // max(per_image, 1)))
