"""What a change of dataset does to the rest of the config, and the plain sentences that tell
the page (the `config` message's `notes`):

- Features. Those that still apply are kept; the default features the old dataset could not
  offer come back (x₂ after the sine curve, which has one input); if none would remain, the
  defaults that apply. Image data have no features: the choice is kept as it was, for when
  the user goes back.
- Network. A dataset may suggest hidden layers that learn it (engine.datasets,
  `suggested_hidden`). The network follows the suggestion, or goes back to the default,
  only while the user has not built one of their own: the hidden layers are still the
  default or the old dataset's suggestion, with no per-layer activations.

A setting the same message names (a link, a preset) is the user's choice and left alone."""

from __future__ import annotations

from engine import FEATURES, INPUT_FEATURES
from engine.datasets import DATASETS


def dataset_switch(partial: dict, before: dict, merged: dict, defaults: dict) -> tuple[dict, list[str]]:
    """`merged` (before + partial, validated) with the features and network the new dataset
    needs, and a sentence for each thing that changed because of it."""
    old, new = before["dataset"], merged["dataset"]
    if old == new:
        return merged, []
    out, notes = dict(merged), []
    if "features" not in partial and _features_of(new):
        features, note = _features(old, new, before["features"], defaults["features"])
        out["features"] = features
        notes += [note] if note else []
    if not {"hidden", "layer_activations"} & set(partial):
        hidden, note = _network(old, new, before, defaults["hidden"])
        if hidden is not None:
            out["hidden"] = hidden
            notes.append(note)
    return out, notes


# -- features ---------------------------------------------------------------------------


def _features_of(dataset: str) -> tuple[str, ...]:
    kind = DATASETS.get(dataset)  # a dataset loaded from files (MNIST) is images
    return kind.features if kind is not None else ()


def _offered(dataset: str, chosen: list[str]) -> tuple[str, ...]:
    """The features the user could choose from on `dataset`. Images offer none and keep the
    choice made before them: on a line if it uses x₁ only, else on the plane."""
    offered = _features_of(dataset)
    if offered:
        return offered
    line = INPUT_FEATURES["line"]
    return line if set(chosen) <= set(line) else INPUT_FEATURES["plane"]


def _features(old: str, new: str, chosen: list[str], default: list[str]) -> tuple[list[str], str | None]:
    applies = _features_of(new)
    offered = _offered(old, chosen)
    kept = [f for f in chosen if f in applies]
    back = [f for f in default if f in applies and f not in offered and f not in kept]
    dropped = [f for f in chosen if f not in applies]
    result = kept + back
    gone = (
        f"{_and(dropped)} {'does' if len(dropped) == 1 else 'do'} not apply to {_name(new)}{_one_input(new)}"
        if dropped
        else ""
    )
    if not result:
        result = [f for f in default if f in applies] or list(applies[:1])
        return result, f"Features: {gone}; back to the default, {_and(result)}."
    if back:
        since = f"{_and(back)} {_was(back)} not available for {_name(old)}; " if _features_of(old) else ""
        return (
            result,
            f"Features: {since}on {_name(new)}, {_and(result)} {'is' if len(result) == 1 else 'are'} on again.",
        )
    return result, f"Features: {gone}; the network sees {_and(result)}." if dropped else None


# -- network ----------------------------------------------------------------------------


def _suggested(dataset: str, default: list[int]) -> list[int]:
    kind = DATASETS.get(dataset)
    return list(kind.suggested_hidden) if kind is not None and kind.suggested_hidden else list(default)


def _network(old: str, new: str, before: dict, default: list[int]) -> tuple[list[int] | None, str]:
    """The new hidden layers, or None to keep the user's own."""
    was, target = _suggested(old, default), _suggested(new, default)
    own = before["hidden"] not in (list(default), was) or any(before["layer_activations"])
    if own or before["hidden"] == target:
        return None, ""
    if target != list(default):
        poorly = f"{_layers(default)} learn{'s' if len(default) == 1 else ''} poorly"
        return (
            target,
            f"Network: {_layers(target)}, suggested for {_name(new)}, which {poorly}; build your own any time.",
        )
    suggestion = f"{_layers(was)} {_was(was)} the suggestion for {_name(old)}"
    return target, f"Network: back to the default, {_layers(target)} ({suggestion})."


# -- words ------------------------------------------------------------------------------


def _name(dataset: str) -> str:
    """'sine curve', 'circle', 'XOR', 'MNIST': a dataset's label as a sentence names it."""
    kind = DATASETS.get(dataset)
    label = kind.label if kind is not None else dataset.upper()
    return label[0].lower() + label[1:] if label[1:2].islower() else label


def _one_input(dataset: str) -> str:
    kind = DATASETS.get(dataset)
    return " (one input, x₁)" if kind is not None and kind.inputs == "line" else ""


def _and(features: list[str]) -> str:
    """['x1', 'x2', 'x1x2'] -> 'x₁, x₂ and x₁x₂' (at least one)."""
    labels = [FEATURES[f].label for f in features]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def _was(items: list) -> str:
    return "was" if len(items) == 1 else "were"


def _layers(hidden: list[int]) -> str:
    """[16] -> 'one hidden layer of 16 neurons', [4, 2] -> 'hidden layers 4-2'."""
    if not hidden:
        return "no hidden layer"
    return (
        f"one hidden layer of {hidden[0]} neurons"
        if len(hidden) == 1
        else "hidden layers " + "-".join(map(str, hidden))
    )
