"""Settings valid alone that do not go together (docs/protocol.md, Config and schema).
The error names the setting the change set: the one a user would change back."""

from __future__ import annotations

from engine.sequences import TASKS, sequence_length

from .errors import Invalid

SEQUENCE_BUDGET = 2_000  # sequences × time steps in one batch, at most
RECURRENT_ONLY = ("cell", "truncate")  # compare fields that mean nothing to a feed-forward network


def together(config: dict, partial: dict) -> None:
    """Settings valid alone that do not go together. The error names the one this change set:
    turning batch normalization on, or lowering the batch size under it."""
    if config["dataset"] in TASKS:
        _sequence_budget(config, partial)
    elif (config.get("compare") or {}).get("field") in RECURRENT_ONLY:
        raise Invalid("config.compare.field", f"'{config['compare']['field']}' applies to sequence tasks only")
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
