"""The config table: one declarative list of every setting, its type, range and
whether it applies live. It drives validation here and the page's controls (sent in
`hello`), and its names are the keys of the URL state."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from engine import ACTIVATIONS, DATASETS, FEATURES, INITIALIZERS, OPTIMIZERS, REGULARIZERS, SCHEDULES
from engine.datasets import CLASS_RANGE

from .errors import Invalid
from .settings import Limits

SPEEDS = [1, 5, 30, 100, 300, 1000, 0]  # steps per second; 0 = as fast as possible


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # number, integer, bool, choice, multi, layers, per_layer, compare
    default: Any
    group: str
    live: bool = False
    min: float | None = None
    max: float | None = None
    log: bool = False
    presets: list | None = None
    choices: list[dict] | None = None
    min_layers: int | None = None
    max_layers: int | None = None
    when: dict[str, list] | None = None  # shown only while these fields hold one of these values
    fields: list[str] | None = None  # compare: the settings run B may differ in

    def describe(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _choices(registry: dict, **extra) -> list[dict]:
    def value(v):
        return list(v) if isinstance(v, tuple) else v

    return [{"value": k, "label": v.label, **{e: value(getattr(v, e)) for e in extra},
             **(v.describe() if hasattr(v, "describe") else {})}
            for k, v in registry.items()]


def make_fields(limits: Limits, loaded: dict | None = None) -> list[Field]:
    """The table; `loaded` adds datasets read from files at start-up (MNIST) to the menu."""
    datasets = _choices(DATASETS, problem=True, inputs=True, features=True, classes=True)
    for name, d in (loaded or {}).items():
        datasets.append({"value": name, "label": name.upper(), "problem": d.problem, "inputs": d.inputs,
                         "features": [], "classes": d.classes})
    generated = [k for k, d in DATASETS.items() if not d.fixed]  # noise and size mean nothing for digits
    lr_presets = [1e-5, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
    return [
        Field("dataset", "Dataset", "choice", "circle", "data",
              choices=datasets),
        Field("classes", "Classes", "integer", 3, "data", min=CLASS_RANGE[0], max=CLASS_RANGE[1],
              when={"dataset": [k for k, d in DATASETS.items() if d.classes is None]}),
        Field("noise", "Noise", "number", 0.0, "data", min=0, max=0.5, when={"dataset": generated}),
        Field("train_ratio", "Training share", "number", 0.5, "data", min=0.1, max=0.9),
        Field("samples", "Points", "integer", 500, "data",
              min=limits.min_samples, max=limits.max_samples, when={"dataset": generated}),
        Field("data_seed", "Data seed", "integer", 1, "data", min=0, max=2**31 - 1),
        Field("features", "Features", "multi", ["x1", "x2"], "features", choices=_choices(FEATURES)),
        Field("hidden", "Hidden layers", "layers", [4, 2], "network", min=1,
              max=limits.max_neurons, min_layers=0, max_layers=limits.max_hidden_layers),
        Field("activation", "Activation", "choice", "tanh", "network", live=True,
              choices=_choices(ACTIVATIONS)),
        Field("layer_activations", "Layer activations", "per_layer", [], "network", live=True,
              max_layers=limits.max_hidden_layers,
              choices=[{"value": "", "label": "same as all"}, *_choices(ACTIVATIONS)]),
        Field("initializer", "Initializer", "choice", "xavier", "network",
              choices=_choices(INITIALIZERS)),
        Field("batch_norm", "Batch norm", "bool", False, "network"),
        Field("residual", "Residual", "bool", False, "network", live=True),
        Field("seed", "Seed", "integer", 1, "network", min=0, max=2**31 - 1),
        Field("learning_rate", "Learning rate", "number", 0.03, "training", live=True,
              min=1e-5, max=10, log=True, presets=lr_presets),
        Field("optimizer", "Optimizer", "choice", "sgd", "training", live=True,
              choices=_choices(OPTIMIZERS)),
        Field("momentum", "Momentum", "number", 0.0, "training", live=True, min=0, max=0.999,
              presets=[0, 0.5, 0.9, 0.95, 0.99], when={"optimizer": ["sgd"]}),
        Field("nesterov", "Nesterov", "bool", False, "training", live=True, when={"optimizer": ["sgd"]}),
        Field("rho", "Decay ρ", "number", 0.9, "training", live=True, min=0, max=0.9999,
              presets=[0.5, 0.9, 0.95, 0.99, 0.999], when={"optimizer": ["rmsprop"]}),
        Field("beta1", "β₁", "number", 0.9, "training", live=True, min=0, max=0.9999,
              presets=[0, 0.5, 0.9, 0.95, 0.99], when={"optimizer": ["adam", "adamw"]}),
        Field("beta2", "β₂", "number", 0.999, "training", live=True, min=0, max=0.9999,
              presets=[0.9, 0.99, 0.999, 0.9999], when={"optimizer": ["adam", "adamw"]}),
        Field("weight_decay", "Weight decay", "number", 0.01, "training", live=True, min=0, max=1,
              presets=[0, 1e-4, 0.001, 0.01, 0.1], when={"optimizer": ["adamw"]}),
        Field("schedule", "LR schedule", "choice", "constant", "training", live=True,
              choices=_choices(SCHEDULES)),
        Field("schedule_period", "Period (steps)", "integer", 1000, "training", live=True,
              min=1, max=1_000_000, presets=[100, 300, 1000, 3000, 10000],
              when={"schedule": ["step", "exponential", "cosine", "cyclical"]}),
        Field("schedule_gamma", "Decay γ", "number", 0.5, "training", live=True,
              min=0.01, max=1, presets=[0.1, 0.3, 0.5, 0.7, 0.9, 0.99],
              when={"schedule": ["step", "exponential"]}),
        Field("schedule_floor", "Floor (× rate)", "number", 0.1, "training", live=True,
              min=0, max=1, presets=[0, 0.01, 0.1, 0.3, 0.5], when={"schedule": ["cosine", "cyclical"]}),
        Field("clip", "Clipping", "choice", "none", "training", live=True,
              choices=[{"value": "none", "label": "None"}, {"value": "norm", "label": "Global norm"},
                       {"value": "value", "label": "Value"}]),
        Field("clip_threshold", "Clip at", "number", 1.0, "training", live=True,
              min=1e-4, max=1000, log=True, presets=[0.01, 0.1, 0.5, 1, 5, 10],
              when={"clip": ["norm", "value"]}),
        Field("batch_size", "Batch size", "integer", 10, "training", live=True, min=1,
              max=limits.max_batch_size, presets=[1, 2, 5, 10, 20, 50, 100]),
        Field("regularization", "Regularization", "choice", "none", "training", live=True,
              choices=_choices(REGULARIZERS)),
        Field("reg_rate", "Reg. rate", "number", 0.0, "training", live=True, min=0,
              max=1, presets=[0, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1],
              when={"regularization": ["l1", "l2"]}),
        Field("dropout", "Dropout", "number", 0.0, "training", live=True, min=0, max=0.9,
              presets=[0, 0.1, 0.2, 0.3, 0.5]),
        Field("early_stopping", "Early stop", "bool", False, "training", live=True),
        Field("patience", "Patience (steps)", "integer", 500, "training", live=True, min=1,
              max=1_000_000, presets=[100, 300, 1000, 3000], when={"early_stopping": [True]}),
        Field("compare", "Compare", "compare", None, "network",
              fields=["activation", "initializer", "optimizer", "momentum", "learning_rate"]),
        Field("speed", "Speed", "choice", 100, "playback", live=True,
              choices=[{"value": s, "label": _speed_label(s)} for s in SPEEDS]),
    ]


def _speed_label(steps: int) -> str:
    return "max" if steps == 0 else f"{steps} step/s" if steps == 1 else f"{steps} steps/s"


def defaults(fields: list[Field]) -> dict:
    return {f.name: (list(f.default) if isinstance(f.default, list) else f.default) for f in fields}


def _number(path: str, v: Any, f: Field, integer: bool) -> int | float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise Invalid(path, "must be an integer" if integer else "must be a number")
    if integer and not isinstance(v, int):
        if not (math.isfinite(v) and v == int(v)):
            raise Invalid(path, "must be an integer")
        v = int(v)
    if not math.isfinite(v):
        raise Invalid(path, "must be a finite number")
    if f.min is not None and v < f.min:
        raise Invalid(path, f"must be at least {f.min:g}")
    if f.max is not None and v > f.max:
        raise Invalid(path, f"must be at most {f.max:g}")
    return v


def _compare(path: str, v: Any, f: Field, by_name: dict[str, Field]) -> dict | None:
    """null, or {"field": one of f.fields, "value": a valid value of that field}."""
    if v is None:
        return None
    if not isinstance(v, dict) or set(v) != {"field", "value"}:
        raise Invalid(path, 'must be null or {"field": ..., "value": ...}')
    if v["field"] not in (f.fields or []):
        raise Invalid(f"{path}.field", "must be one of " + ", ".join(f.fields or []))
    return {"field": v["field"], "value": _value(f"{path}.value", v["value"], by_name[v["field"]])}


def _value(path: str, v: Any, f: Field) -> Any:
    if f.kind in ("number", "integer"):
        return _number(path, v, f, f.kind == "integer")
    if f.kind == "bool":
        if not isinstance(v, bool):
            raise Invalid(path, "must be true or false")
        return v
    allowed = [c["value"] for c in f.choices or []]
    if f.kind == "choice":
        if isinstance(v, bool) or v not in allowed:
            raise Invalid(path, "must be one of " + ", ".join(map(str, allowed)))
        return v
    if not isinstance(v, list):
        raise Invalid(path, "must be a list")
    if f.kind == "per_layer":  # one choice per hidden layer; "" follows the network-wide one
        if len(v) > (f.max_layers or 0):
            raise Invalid(path, f"at most {f.max_layers} entries")
        for i, item in enumerate(v):
            if not isinstance(item, str) or item not in allowed:
                raise Invalid(f"{path}[{i}]", "must be one of " + ", ".join(a or "''" for a in allowed))
        return list(v)
    if f.kind == "multi":
        if not v:
            raise Invalid(path, "choose at least one")
        for i, item in enumerate(v):
            if not isinstance(item, str) or item not in allowed:
                raise Invalid(f"{path}[{i}]", "must be one of " + ", ".join(allowed))
            if item in v[:i]:
                raise Invalid(f"{path}[{i}]", f"'{item}' is listed twice")
        return list(v)
    # layers
    if len(v) > (f.max_layers or 0):
        raise Invalid(path, f"at most {f.max_layers} hidden layers")
    return [_number(f"{path}[{i}]", n, f, integer=True) for i, n in enumerate(v)]


def validate(partial: Any, base: dict, fields: list[Field]) -> tuple[dict, list[str]]:
    """Check a partial config against the table; return the merged config and the names
    that changed. Raises Invalid on the first problem, before anything is applied."""
    if not isinstance(partial, dict):
        raise Invalid("config", "must be an object")
    by_name = {f.name: f for f in fields}
    merged, changed = dict(base), []
    for key, v in partial.items():
        if key not in by_name:
            raise Invalid(f"config.{key[:40]}", f"unknown setting '{key[:40]}'")
        field = by_name[key]
        if field.kind == "compare":
            value = _compare(f"config.{key}", v, field, by_name)
        else:
            value = _value(f"config.{key}", v, field)
        if value != base.get(key):
            merged[key] = value
            changed.append(key)
    return merged, changed


def validate_each(partial: dict, base: dict, fields: list[Field]) -> tuple[dict, list[Invalid]]:
    """Like validate, but keeps every valid field and returns the problems with the rest
    (for a link: one bad value should not throw away the good ones)."""
    merged, problems = dict(base), []
    for key, value in partial.items():
        try:
            merged, _ = validate({key: value}, merged, fields)
        except Invalid as e:
            problems.append(e)
    return merged, problems


def is_live(changed: list[str], fields: list[Field]) -> bool:
    live = {f.name for f in fields if f.live}
    return all(name in live for name in changed)
