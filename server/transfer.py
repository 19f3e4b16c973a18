"""Continue on a new task (the `continue` command, docs/protocol.md): the session moves to
another task of the same images (config.task: digits 0–4, then 5–9) and its new network
keeps the weights of every layer of the old one whose shape still fits, the output layer
drawn afresh (engine/transfer.py). `freeze` freezes the kept layers (fine-tune the head
only); without it every layer trains. The new run starts at step 0; a reset then draws
every weight afresh, as training the new task from scratch would."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from engine.transfer import TASKS_OF_CLASSES, continue_on

from .changes import Change
from .errors import Invalid
from .schema import Field


def partial(msg: dict, config: dict, fields: list[Field]) -> dict:
    """The config change a `continue` asks for: the new task, and the layers frozen or not."""
    field = next(f for f in fields if f.name == "task")
    if config["dataset"] not in (field.when or {}).get("dataset", []):
        raise Invalid("task", f"a network continues on a new task of digits or bars only, not of {config['dataset']}")
    if msg["task"] not in TASKS_OF_CLASSES:
        raise Invalid("task", "must be one of " + ", ".join(TASKS_OF_CLASSES))
    if msg["task"] == config["task"]:
        raise Invalid("task", f"the network learns '{msg['task']}' already: continue on another task")
    kept = sum(b["kind"] == "conv" for b in config["conv"]) + len(config["hidden"])
    return {"task": msg["task"], "frozen": ["frozen"] * kept if msg.get("freeze") else []}


def carry(old_runs: list[Any], new_runs: list[Any], change: Change) -> Change:
    """Copy into each new run (A into A, B into B) the old run's weights that fit; the change,
    with a notice saying what was kept. Raises Invalid, before anything changes, if the old
    weights are not finite (a diverged run has nothing to pass on)."""
    kept: list[list[int]] = []  # per run: the same for B as for A, whose are said
    for old, new in zip(old_runs, new_runs):
        params = [p for layer in old.trainer.network.weight_layers for p in layer.params.values()]
        if not all(np.isfinite(p).all() for p in params):
            raise Invalid("type", "the run diverged: its weights are not finite, so there is nothing to keep; reset")
        kept.append(continue_on(old.trainer.network, new.trainer.network))
        new.metrics = new.evaluate()  # measured with the weights it starts from
    n = len(new_runs[0].trainer.network.weight_layers)
    label = TASKS_OF_CLASSES[change.config["task"]].label.lower() + " of the classes"
    said = ", ".join(str(i + 1) for i in kept[0]) or "none"
    frozen = " and frozen" if change.config["frozen"] else ""
    word = "layer" if len(kept[0]) == 1 else "layers"
    notice = (f"Continued on the {label}: the weights of {word} {said} of {n} kept{frozen}, "
              "the output layer drawn afresh.")  # fmt: skip
    return dataclasses.replace(change, notice=notice)
