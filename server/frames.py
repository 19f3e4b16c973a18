"""A frame: the latest tensors of a session plus the per-step scalars since the previous
frame, encoded once and shared by every connection. A connection that missed frames, or
has just joined, gets the same tensors with the history it lacks."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .history import History
from .protocol import encode


@dataclass
class Frame:
    run: int  # changes on every reset or rebuild: history starts again
    first: int  # first history step carried by `payload`
    last: int  # last history step
    header: dict
    tensors: dict[str, np.ndarray]
    history: History
    payload: bytes = b""

    @classmethod
    def build(cls, run: int, first: int, header: dict, tensors: dict, history: History) -> Frame:
        frame = cls(run, first, history.last, header, tensors, history)
        frame.payload = frame._encode(first)
        return frame

    def _encode(self, start: int) -> bytes:
        first, arrays = self.history.arrays(start, self.last)
        count = len(arrays["history.loss"])
        return encode({**self.header, "history": {"first": first, "count": count}},
                      {**arrays, **self.tensors})

    def encode_for(self, run: int, next_step: int) -> bytes:
        if run == self.run and next_step == self.first:
            return self.payload
        return self._encode(next_step if run == self.run else self.history.first)
