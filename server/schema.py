"""The config table: one declarative list of every setting, its type, range and
whether it applies live. It drives validation here and the page's controls (sent in
`hello`), and its names are the keys of the URL state.

The choices (dataset, activation, optimizer, ...) and the settings their entries
declare are generated from the engine's registries, with their defaults and `when`
rules; the rest is written here, its defaults taken from engine.setup.DEFAULTS where
the engine reads the setting."""

from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

from engine import BLOCKS, DATASETS, FEATURES, setup
from engine.blocks import MAX_BLOCKS
from engine.params import Described, Setting, Shared, shared_settings
from engine.recurrent import CELLS, SCALE
from engine.recurrent_setup import TRUNCATE, UNITS, W_H_INITIALIZERS
from engine.sequences import TASKS
from engine.transfer import TASKS_OF_CLASSES
from engine.userdata import COLUMNS, FIELDS

from .csvdata import MAX_BYTES as CSV_BYTES
from .settings import Limits
from .views import SAMPLES

SPEEDS = [1, 5, 30, 100, 300, 1000, 0]  # steps per second; 0 = as fast as possible
# The circle at the defaults reaches 95% test accuracy in 700 to 1,300 steps: about 2½ to 4
# seconds at 300 steps/s (12 at 100). 1 and 5 steps/s stay in the menu for watching steps.
DEFAULT_SPEED = 300
DEFAULT_DATASET = "circle"
# What only feed-forward networks have: hidden for a sequence task (its recurrent fields, for points).
FEED_FORWARD = ("features", "hidden", "layer_activations", "frozen", "batch_norm", "residual", "dropout")
# What a CNN (engine/cnn.py) does not have: hidden while there are conv blocks.
DENSE_ONLY = ("layer_activations", "batch_norm", "residual", "dropout")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # number, integer, bool, choice, multi, layers, per_layer, compare, points, blocks
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
    without: list[str] | None = None  # shown only while these (list) fields are empty: no conv blocks
    unless: list[dict[str, list]] | None = None  # hidden while all of one of these `when`s hold
    fields: list[str] | None = None  # compare: the settings run B may differ in
    help: str = ""  # one plain sentence, shown beside the control
    defaults_by: dict[str, Any] | None = None  # the chosen entries whose own default differs from `default`
    columns: list[str] | None = None  # points: what each row holds
    max_bytes: int | None = None  # points: the largest CSV file an `upload` may carry

    def describe(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def _choices(registry: dict[str, Described]) -> list[dict]:
    return [{"value": k, "label": e.label, "help": e.help, **e.describe()} for k, e in registry.items()]


def _setting(shared: Shared, choice: str, group: str, live: bool) -> Field:
    """The control for one setting name of a registry: shown while an entry that declares it is chosen."""
    when = {choice: list(shared.used_by)}
    return Field(**shared.setting.describe(), group=group, live=live, when=when, defaults_by=shared.defaults_by or None)


def _choice(
    name: str,
    label: str,
    group: str,
    help: str,
    registry: dict[str, Any],
    default: str,
    live: bool = False,
    choices: list[dict] | None = None,
) -> list[Field]:
    """A registry's menu, followed by the controls of its entries' settings."""
    menu = Field(name, label, "choice", default, group, live=live, choices=choices or _choices(registry), help=help)
    return [menu, *(_setting(sh, name, group, live) for sh in shared_settings(registry, default).values())]


def _engine(name: str, label: str, group: str, help: str, live: bool = False) -> list[Field]:
    """A choice the trainer reads (engine.setup.CHOICES), with its default from there."""
    registry, default = setup.CHOICES[name]
    return _choice(name, label, group, help, dict(registry), default, live)


def make_fields(limits: Limits, loaded: dict | None = None) -> list[Field]:
    """The table; `loaded` adds datasets read from files at start-up (MNIST) to the menu."""
    datasets = _choices(dict(DATASETS))
    points = [*DATASETS, *(loaded or {})]  # what feed-forward networks learn; TASKS: recurrent ones
    for name, d in (loaded or {}).items():
        datasets.append(
            {
                "value": name,
                "label": name.upper(),
                "problem": d.problem,
                "inputs": d.inputs,
                "features": [],
                "classes": d.classes,
                "help": f"{name.upper()}, read from files at start-up: {d.classes} classes of images.",
            }
        )
    D = setup.DEFAULTS
    lr_presets = [1e-5, 1e-4, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10]
    data = _choice(
        "dataset",
        "Dataset",
        "data",
        "The points (or, for a recurrent network, the sequences) the network learns from.",
        {**DATASETS, **TASKS},
        DEFAULT_DATASET,
        choices=[*datasets, *_choices(dict(TASKS))],
    )
    data = [
        dataclasses.replace(f, min=limits.min_samples, max=limits.max_samples) if f.name == "samples" else f
        for f in data
    ]  # the server's limit, not the engine's
    # fmt: off
    recurrent = [
        *_choice("cell", "Cell", "network", "What a recurrent unit computes from its input and its last state.",
                 dict(CELLS), "rnn"),
        dataclasses.replace(field_of(UNITS, "network"), max=min(UNITS.max or 0, limits.max_neurons)),
        *_choice("recurrent_init", "W_h initializer", "network", "How the recurrent weights W_h are drawn.",
                 dict(W_H_INITIALIZERS), "orthogonal"),
        field_of(SCALE, "network"),
        field_of(TRUNCATE, "training", live=True),
    ]
    table = [
        *data,
        *_points(limits),
        Field("train_ratio", "Training share", "number", 0.5, "data", min=0.1, max=0.9,
              help="The share of the points used for training; the rest measure the test loss."),
        Field("data_seed", "Data seed", "integer", 1, "data", min=0, max=2**31 - 1,
              help="Draws the same points again for the same number."),
        Field("features", "Features", "multi", ["x1", "x2"], "features", choices=_choices(dict(FEATURES)),
              help="What the network sees of each point: the coordinates and functions of them."),
        Field("hidden", "Hidden layers", "layers", D["hidden"], "network", min=1,
              max=limits.max_neurons, min_layers=0, max_layers=limits.max_hidden_layers,
              help="The number of neurons in each hidden layer."),
        Field("conv", "Conv blocks", "blocks", D["conv"], "network", max_layers=MAX_BLOCKS,
              choices=[{**c, "settings": [st.describe() for st in BLOCKS[c["value"]].settings]}
                       for c in _choices(dict(BLOCKS))],
              help="Convolution and pooling blocks before the dense layers: a convolutional network. "
                   "With none, every pixel goes straight to the first dense layer."),
        *_choice("task", "Task", "data", "Which classes the network learns: all, or one half (then continue on the "
                 "other keeping what it learned).", dict(TASKS_OF_CLASSES), "all"),
        Field("sample", "Shown image", "integer", 0, "data", live=True, min=0, max=SAMPLES - 1,
              help="The gallery image whose feature maps and error maps the convolutional network shows."),
        *_engine("activation", "Activation", "network", "The function each hidden neuron applies to its input.",
                 live=True),
        Field("layer_activations", "Layer activations", "per_layer", D["layer_activations"], "network", live=True,
              max_layers=limits.max_hidden_layers,
              choices=[{"value": "", "label": "same as all", "help": "The activation chosen for all layers."},
                       *_choices(dict(setup.CHOICES["activation"][0]))],
              help="An activation for one hidden layer, in place of the one for all."),
        Field("frozen", "Frozen", "per_layer", D["frozen"], "network", live=True,
              max_layers=limits.max_hidden_layers + MAX_BLOCKS,  # a CNN's conv layers come first
              choices=[{"value": "", "label": "trains", "help": "The layer's weights are updated at every step."},
                       {"value": "frozen", "label": "frozen",
                        "help": "Its gradient is computed and shown; no update is applied (fine-tuning)."}],
              help="A frozen hidden or conv layer keeps its weights: its gradient is still shown, but no step is "
                   "taken."),
        *_engine("initializer", "Initializer", "network", "How the starting weights are drawn."),
        Field("batch_norm", "Batch norm", "bool", D["batch_norm"], "network",
              help="Normalizes each hidden neuron's input over the batch before its activation."),
        Field("residual", "Residual", "bool", D["residual"], "network", live=True,
              help="A hidden layer as wide as the hidden layer before it adds that layer's output to its own, "
                   "giving the gradient a shortcut (never the first hidden layer)."),
        *recurrent,
        Field("seed", "Seed", "integer", D["seed"], "network", min=0, max=2**31 - 1,
              help="Draws the same starting weights, batches and dropout for the same number."),
        Field("learning_rate", "Learning rate", "number", D["learning_rate"], "training", live=True,
              min=1e-5, max=10, log=True, presets=lr_presets,
              help="How far each step moves the weights against the gradient."),
        *_engine("optimizer", "Optimizer", "training", "How the gradient is turned into a step.", live=True),
        *_engine("schedule", "LR schedule", "training", "How the learning rate changes as training goes on.",
                 live=True),
        *_engine("clip", "Clipping", "training", "Limits the gradient before the step, against explosions.",
                 live=True),
        Field("batch_size", "Batch size", "integer", D["batch_size"], "training", live=True, min=1,
              max=limits.max_batch_size, presets=[1, 2, 5, 10, 20, 50, 100],
              help="How many training points each step averages the gradient over."),
        *_engine("regularization", "Regularization", "training", "A penalty on large weights, against overfitting.",
                 live=True),
        Field("dropout", "Dropout", "number", D["dropout"], "training", live=True, min=0, max=0.9,
              presets=[0, 0.1, 0.2, 0.3, 0.5],
              help="The share of hidden neurons switched off at random in each training step."),
        Field("early_stopping", "Early stop", "bool", D["early_stopping"], "training", live=True,
              help="Pauses training once the test loss stops improving."),
        Field("patience", "Patience (steps)", "integer", D["patience"], "training", live=True, min=1,
              max=1_000_000, presets=[100, 300, 1000, 3000], when={"early_stopping": [True]},
              help="How many steps without a better test loss early stopping waits."),
        Field("compare", "Compare", "compare", None, "network",
              fields=["activation", "initializer", "optimizer", "momentum", "learning_rate", "conv", "cell",
                      "truncate"],
              help="Trains a second network beside the first that differs in one setting."),
        Field("speed", "Speed", "choice", DEFAULT_SPEED, "playback", live=True,
              choices=[{"value": s, "label": _speed_label(s)} for s in SPEEDS],
              help="Training steps per second while playing."),
    ]
    # fmt: on
    images = [name for name, d in DATASETS.items() if d.inputs == "image"] + list(loaded or {})
    only = {name: points for name in FEED_FORWARD} | {f.name: list(TASKS) for f in recurrent}
    only |= {"conv": images, "sample": images, "task": [n for n, d in DATASETS.items() if d.inputs == "image"]}
    table = [dataclasses.replace(f, without=["conv"]) if f.name in DENSE_ONLY else f for f in table]
    gated = [name for name, cell in CELLS.items() if not cell.uses_activation]  # an LSTM's own f, not the setting
    table = [dataclasses.replace(f, unless=[{"dataset": list(TASKS), "cell": gated}]) if f.name == "activation" else f
             for f in table]  # fmt: skip
    return [dataclasses.replace(f, when={**(f.when or {}), "dataset": only[f.name]}) if f.name in only else f
            for f in table]  # fmt: skip


def _points(limits: Limits) -> list[Field]:
    """Each own dataset's rows (engine.userdata): null is its starter set, drawn from the data seed."""
    return [
        Field(FIELDS[kind], "Your points", "points", None, "data", max=limits.max_samples, when={"dataset": [kind]},
              columns=list(COLUMNS[kind]), max_bytes=CSV_BYTES, help="The points you placed or loaded: "
              + ("[x1, x2, label], labels 0 to 5." if kind == "own" else "[x, y] along the curve."))
        for kind in COLUMNS
    ]  # fmt: skip


def field_of(setting: Setting, group: str, live: bool = False) -> Field:
    """The control of a setting the engine declares on its own (not an entry's)."""
    return Field(**setting.describe(), group=group, live=live)


def _speed_label(steps: int) -> str:
    return "max" if steps == 0 else f"{steps} step/s" if steps == 1 else f"{steps} steps/s"


def defaults(fields: list[Field]) -> dict:
    return {f.name: (list(f.default) if isinstance(f.default, list) else f.default) for f in fields}
