"""Backprop Lab's training engine: NumPy and the standard library only."""

from .activations import ACTIVATIONS
from .blocks import BLOCKS
from .bptt import READOUTS, RecurrentNetwork, TimeRecord
from .clipping import CLIPPING
from .cnn import ConvNetwork
from .datasets import (
    DATASETS,
    EXTENT,
    Dataset,
    grid,
    inputs_for,
    line_grid,
    make_dataset,
    one_hot,
)
from .explain import FiniteDifference, LayerTrace, LossTrace, ParamUpdate, Trace, UpdateTrace, finite_difference, trace
from .features import FEATURES, INPUT_FEATURES, features
from .idx import IdxError, load_mnist, read_idx
from .initializers import INITIALIZERS
from .losses import LOSS_FOR_PROBLEM, LOSSES
from .metrics import accuracy, confusion_matrix, per_class_accuracy, predicted_labels, r2_score
from .network import Network
from .optimizers import OPTIMIZERS, SGD, Optimizer, make_optimizer
from .params import Setting
from .records import LayerRecord, StepRecord
from .recurrent import CELLS, RECURRENT_INITIALIZERS, Cell, make_cell, spectral_radius
from .recurrent_trainer import RecurrentStepRecord, RecurrentTrainer
from .regularizers import REGULARIZERS
from .schedules import SCHEDULES, learning_rate
from .sequences import TASKS, SequenceData, SequenceTask, make_sequences
from .trainer import Gradients, Trainer, output_size, targets

__all__ = [
    "BLOCKS",
    "ConvNetwork",
    "INPUT_FEATURES",
    "IdxError",
    "accuracy",
    "finite_difference",
    "trace",
    "confusion_matrix",
    "inputs_for",
    "line_grid",
    "load_mnist",
    "one_hot",
    "output_size",
    "per_class_accuracy",
    "predicted_labels",
    "r2_score",
    "read_idx",
    "targets",
    "ACTIVATIONS",
    "CLIPPING",
    "DATASETS",
    "EXTENT",
    "FEATURES",
    "INITIALIZERS",
    "LOSSES",
    "LOSS_FOR_PROBLEM",
    "OPTIMIZERS",
    "REGULARIZERS",
    "SCHEDULES",
    "SGD",
    "Dataset",
    "FiniteDifference",
    "LayerTrace",
    "LossTrace",
    "ParamUpdate",
    "Trace",
    "UpdateTrace",
    "Gradients",
    "LayerRecord",
    "Network",
    "Optimizer",
    "Setting",
    "StepRecord",
    "Trainer",
    "features",
    "grid",
    "learning_rate",
    "make_dataset",
    "make_optimizer",
    # recurrent networks and BPTT (issue 12); the time axis's diagnostics and explain trace are
    # the modules engine.time_diagnostics and engine.explain_time, as their names (warnings,
    # health, trace, finite_difference) are the feed-forward modules' own
    "CELLS",
    "READOUTS",
    "RECURRENT_INITIALIZERS",
    "TASKS",
    "Cell",
    "RecurrentNetwork",
    "RecurrentStepRecord",
    "RecurrentTrainer",
    "SequenceData",
    "SequenceTask",
    "TimeRecord",
    "make_cell",
    "make_sequences",
    "spectral_radius",
]
