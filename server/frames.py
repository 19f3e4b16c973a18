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
    histories: dict[str, History]  # by array-name prefix: "" for run A, "b/" for run B (lockstep)
    payload: bytes = b""

    @property
    def history(self) -> History:
        return self.histories[""]

    @classmethod
    def build(cls, run: int, first: int, header: dict, tensors: dict, histories: dict[str, History]) -> Frame:
        frame = cls(run, first, histories[""].last, header, tensors, histories)
        frame.payload = frame._encode(first)
        return frame

    def _encode(self, start: int) -> bytes:
        arrays: dict[str, np.ndarray] = {}
        first = start
        for prefix, history in self.histories.items():
            first, part = history.arrays(start, self.last)
            arrays.update({prefix + name: a for name, a in part.items()})
        count = len(arrays["history.loss"])
        return encode({**self.header, "history": {"first": first, "count": count}},
                      {**arrays, **self.tensors})

    def encode_for(self, run: int, next_step: int) -> bytes:
        if run == self.run and next_step == self.first:
            return self.payload
        return self._encode(next_step if run == self.run else self.history.first)
