"""Fine-tuning: "continue on a new task". A network trained on one task (digits 0–4, bars at
two orientations) goes on to a related one (digits 5–9, the other orientations) keeping what
it learned: the weights of every layer whose shape still fits, with the output layer drawn
afresh (its units meant the old task's classes). Freezing the kept layers (Trainer.frozen)
then fine-tunes the head only."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from .cnn import ConvNetwork
from .datasets import Dataset
from .network import Network
from .params import Entry

# Which classes of a multiclass dataset the network learns: config["task"]. "first" then
# "second" are two related tasks on the same inputs: continue_on carries a network from one
# to the other.
# fmt: off
TASKS_OF_CLASSES: dict[str, Entry] = {
    e.name: e for e in (
        Entry("all", "All classes", help="Every class of the dataset."),
        Entry("first", "First half",
              help="The first half of the classes only: digits 0–4, or the bars — and |."),
        Entry("second", "Second half",
              help="The other half only: digits 5–9, or the bars \\ and /. Train on the first half, then "
                   "continue here keeping what the network learned."),
    )
}
# fmt: on


def classes_of(name: str, classes: int) -> list[int]:
    """The labels a task of TASKS_OF_CLASSES keeps, of a dataset with `classes` classes."""
    half = classes // 2
    return list({"all": range(classes), "first": range(half), "second": range(half, classes)}[name])


def for_task(data: Dataset, name: str) -> Dataset:
    """The dataset of a task: itself for "all" (and for anything but several classes)."""
    if name == "all" or data.inputs != "image" or data.problem != "multiclass" or data.classes < 4:
        return data
    return task(data, classes_of(name, data.classes))


def task(data: Dataset, classes: Sequence[int]) -> Dataset:
    """The samples of these classes only, relabelled 0..len(classes)-1 in the order given:
    a new multiclass task with the same inputs."""
    if data.problem != "multiclass":
        raise ValueError(f"a task is a subset of a multiclass dataset's classes; {data.name} is {data.problem}")
    chosen = np.asarray(classes)
    wrong = [int(c) for c in chosen if not 0 <= c < data.classes]
    if wrong or len(set(chosen.tolist())) != len(chosen) or len(chosen) < 2:
        raise ValueError(f"classes must be 2 or more different labels of 0..{data.classes - 1}; got {list(classes)}")
    order = np.argsort(chosen)

    def part(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keep = np.isin(y, chosen)
        return x[keep], order[np.searchsorted(chosen[order], y[keep])].astype(y.dtype)

    x_train, y_train = part(data.x_train, data.y_train)
    x_test, y_test = part(data.x_test, data.y_test)
    names = tuple(data.class_labels[c] for c in chosen) if data.class_labels else None
    return dataclasses.replace(
        data, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test, classes=len(chosen), class_labels=names
    )


def continue_on(trained: Network | ConvNetwork, fresh: Network | ConvNetwork) -> list[int]:
    """Copy into `fresh` (built for the new task, its weights newly drawn) the weights and
    biases of every weight layer of `trained` whose shapes fit, but the output layer's.
    Returns the weight layers kept: the ones to freeze to fine-tune the head only."""
    kept = []
    pairs = list(zip(trained.weight_layers, fresh.weight_layers))[: len(fresh.weight_layers) - 1]
    for i, (old, new) in enumerate(pairs):
        shapes = {k: p.shape for k, p in new.params.items()}
        if type(old) is type(new) and shapes == {k: p.shape for k, p in old.params.items()}:
            for k, p in new.params.items():
                p[...] = old.params[k]
            kept.append(i)
    return kept
