"""Backprop Lab's training engine: NumPy and the standard library only."""
from .activations import ACTIVATIONS
from .datasets import DATASETS, EXTENT, FEATURES, Dataset, features, grid, make_dataset
from .initializers import INITIALIZERS
from .losses import LOSS_FOR_PROBLEM, LOSSES
from .network import Network
from .optimizers import OPTIMIZERS, SGD
from .regularizers import REGULARIZERS
from .trainer import LayerRecord, StepRecord, Trainer

__all__ = [
    "ACTIVATIONS", "DATASETS", "EXTENT", "FEATURES", "INITIALIZERS", "LOSSES",
    "LOSS_FOR_PROBLEM", "OPTIMIZERS", "REGULARIZERS", "SGD", "Dataset", "LayerRecord",
    "Network", "StepRecord", "Trainer", "features", "grid", "make_dataset",
]
