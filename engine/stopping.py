"""Early stopping: stop once the test loss has not improved for `patience` steps."""

from __future__ import annotations

import math


class EarlyStopping:
    def __init__(self, patience: int):
        self.patience = patience
        self.best, self.best_step = math.inf, 0

    def should_stop(self, step: int, test_loss: float) -> bool:
        if test_loss < self.best:
            self.best, self.best_step = test_loss, step
        return step - self.best_step >= self.patience
