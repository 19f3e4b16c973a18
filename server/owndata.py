"""What the `points` and `upload` messages change: the session's own points (engine/userdata.py),
as a partial config that goes through the same validation and rebuild as any other change. So a
refused edit or file changes nothing, and everything that carries a config carries the points."""

from __future__ import annotations

import base64
import binascii

from engine import Dataset
from engine.userdata import FIELDS, MIN_TRAIN, PointError, is_own, own_kind_of, rows_from, rows_of

from .csvdata import CsvError, parse
from .errors import Invalid
from .settings import Limits

TOLERANCE = 1e-3  # how far a point named by its coordinates may be from its row (float32, rounding)


def change(msg: dict, config: dict, data: Dataset, limits: Limits) -> dict:
    """The partial config a `points` or `upload` message asks for; raises Invalid naming the field."""
    if msg["type"] == "upload":
        return _upload(msg["csv"], limits)
    if msg.get("edit"):  # the points of the dataset shown become the user's own, to edit
        try:
            rows = rows_from(data, limits.max_samples)
        except PointError as e:
            raise Invalid("edit", e.message) from None
        kind = own_kind_of(data)
        assert kind is not None
        return {"dataset": kind, FIELDS[kind]: rows}
    kind = config["dataset"]
    if not is_own(kind):
        raise Invalid("type", "the dataset is not your own points: choose 'Your points' or 'Your curve' first")
    rows = [list(r) for r in rows_of(config, kind)]
    if msg.get("clear"):
        rows = []
    for i, at in enumerate(msg.get("remove") or []):
        del rows[_index(f"remove[{i}]", at, rows)]
    rows += msg.get("add") or []
    return {FIELDS[kind]: rows}  # checked by the schema, as a `set` would be


def _index(path: str, at: object, rows: list[list[float]]) -> int:
    """The row at these coordinates ([x1, x2], or a curve's [x, y]): where the page drew it, from
    the dataset message's float32s, so equal within TOLERANCE. Coordinates, not an index, so a
    second tap before the first one's answer still names the point the user saw."""
    if not (isinstance(at, list) and len(at) == 2 and all(_number(v) for v in at)):
        raise Invalid(path, "must be a point's coordinates [x1, x2] (a curve's: [x, y])")
    for i, row in enumerate(rows):
        if abs(row[0] - at[0]) <= TOLERANCE and abs(row[1] - at[1]) <= TOLERANCE:
            return i
    raise Invalid(path, f"no point at ({at[0]:g}, {at[1]:g})")


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _upload(text: str, limits: Limits) -> dict:
    try:
        data = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("csv", "must be the file's bytes in base64") from None
    try:
        kind, rows = parse(data, limits.max_samples)
    except CsvError as e:
        raise Invalid("csv", str(e)) from None
    return {"dataset": kind, FIELDS[kind]: rows}


def untrainable(config: dict) -> str | None:
    """Why the session cannot train now (too few of your own points), or None."""
    kind = config["dataset"]
    rows = config.get(FIELDS[kind]) if is_own(kind) else None
    if rows is None or len(rows) >= MIN_TRAIN:  # None: the starter set
        return None
    where = "click or tap the plot, or load a CSV"
    return f"{'no points' if not rows else 'one point'}: place at least {MIN_TRAIN} to train ({where})"
