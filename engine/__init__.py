"""Backprop Lab's training engine: NumPy and the standard library only."""
from .activations import ACTIVATIONS
from .datasets import DATASETS, EXTENT, FEATURES, Dataset, features, grid, make_dataset
from .initializers import INITIALIZERS
from .losses import LOSS_FOR_PROBLEM, LOSSES
from .network import Network
from .optimizers import OPTIMIZERS, SGD, Optimizer, make_optimizer
from .regularizers import REGULARIZERS
from .schedules import SCHEDULES, learning_rate
from .trainer import LayerRecord, StepRecord, Trainer

__all__ = [
    "ACTIVATIONS", "DATASETS", "EXTENT", "FEATURES", "INITIALIZERS", "LOSSES",
    "LOSS_FOR_PROBLEM", "OPTIMIZERS", "REGULARIZERS", "SCHEDULES", "SGD", "Dataset", "LayerRecord",
    "Network", "Optimizer", "StepRecord", "Trainer", "features", "grid", "learning_rate",
    "make_dataset", "make_optimizer",
]
