"""The wire format (docs/protocol.md, version 1). JSON for control messages; binary
messages are a little-endian uint32 header length, a JSON header padded to 4 bytes,
then little-endian float32 arrays. This module is the only server code that knows it."""

from __future__ import annotations

import functools
import json
import math
import operator
import struct
from typing import Any

import numpy as np

VERSION = 1
_F32 = np.dtype("<f4")
_SHAPE = operator.attrgetter("shape")


def _finite(obj: Any) -> Any:
    """Replace NaN/Inf by None so that no JSON text ever holds them."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def dumps(message: dict | list) -> str:
    try:  # almost always finite: walking the message first would cost more than encoding it
        return json.dumps(message, allow_nan=False, ensure_ascii=False, separators=(",", ":"))
    except ValueError:
        return json.dumps(_finite(message), allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def encode(header: dict, arrays: dict[str, np.ndarray]) -> bytes:
    # Every array as float32, laid end to end, in one call (a frame has some fifty, most tiny).
    values = list(arrays.values())
    with np.errstate(over="ignore"):  # past float32's range is infinite on the wire, as the page expects
        blocks = np.concatenate(values, axis=None, dtype=_F32).tobytes() if values else b""
    # The header's last field, "arrays", written after the rest: the same text as
    # dumps({**header, "arrays": table}), with the table's text kept (a session's frames repeat it).
    fields = dumps(header)[:-1]
    table = _table(tuple(zip(arrays, map(_SHAPE, values))))
    text = fields + ("," if len(fields) > 1 else "") + '"arrays":' + table + "}"
    head = text.encode()
    head += b" " * (-(4 + len(head)) % 4)
    return b"".join([struct.pack("<I", len(head)), head, blocks])


@functools.lru_cache(maxsize=256)
def _table(arrays: tuple[tuple[str, tuple[int, ...]], ...]) -> str:
    """Each array's name, shape and offset (float32 blocks laid end to end), as JSON."""
    table, offset = [], 0
    for name, shape in arrays:
        table.append({"name": name, "shape": list(shape), "offset": offset})
        offset += 4 * math.prod(shape)
    return dumps(table)  # type: ignore[arg-type]


def decode(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    (size,) = struct.unpack_from("<I", data, 0)
    header = json.loads(data[4 : 4 + size])
    start = 4 + size
    arrays = {}
    for entry in header["arrays"]:
        count = int(np.prod(entry["shape"], dtype=np.int64))
        flat = np.frombuffer(data, _F32, count, start + entry["offset"])
        arrays[entry["name"]] = flat.reshape(entry["shape"])
    return header, arrays


def error(field: str, message: str, msg_id: Any = None) -> dict:
    out = {"type": "error", "field": field, "message": message}
    if msg_id is not None:
        out["id"] = msg_id
    return out
