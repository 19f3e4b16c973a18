"""Shape checks for inbound messages: size, JSON, type, and each type's fields.
Config values are checked by validate.validate; this checks everything around them."""

from __future__ import annotations

import json
from typing import Any

from .csvdata import MAX_BYTES as CSV_BYTES
from .errors import Invalid
from .export import SESSION_FILES
from .room import check_name
from .settings import Limits

# type -> {field: (check, what it must be)}; "id" is allowed on every message.
_str_or_null = (lambda v: v is None or (isinstance(v, str) and 0 < len(v) <= 64), "a string or null")
_obj_or_null = (lambda v: v is None or isinstance(v, dict), "an object or null")
_int = (lambda v: isinstance(v, int) and not isinstance(v, bool), "an integer")
_obj = (lambda v: isinstance(v, dict), "an object")
_str = (lambda v: isinstance(v, str) and 0 < len(v) <= 64, "a string")
SHAPES: dict[str, dict[str, tuple]] = {
    "join": {
        "session": _str_or_null,
        "token": _str_or_null,
        "config": _obj_or_null,
        "watch": (lambda v: isinstance(v, bool), "true or false"),
        "name": (lambda v: v is None or isinstance(v, str), "a string or null"),
    },
    "play": {},
    "pause": {},
    "reset": {},
    "regenerate": {},
    "step": {"n": _int},
    "set": {"config": _obj},
    "preset": {"name": (lambda v: isinstance(v, str) and 0 < len(v) <= 64, "a preset's name")},
    # Fine-tuning (transfer.py): the other task of the same images, keeping the layers that fit.
    "continue": {"task": _str, "freeze": (lambda v: isinstance(v, bool), "true or false")},
    "pace": {
        "present": (lambda v: isinstance(v, bool), "true or false"),
        "hide": (lambda v: isinstance(v, list), "a list of panel names"),
    },
    "points": {
        "add": (lambda v: isinstance(v, list) and len(v) <= 100, "a list of at most 100 rows"),
        "remove": (lambda v: isinstance(v, list) and len(v) <= 100, "a list of at most 100 points' coordinates"),
        "clear": (lambda v: v is True, "true"),
        "edit": (lambda v: v is True, "true"),
    },
    "upload": {"csv": (lambda v: isinstance(v, str), "the file's bytes in base64")},
    # The timeline (replay.py): a kept step to show, or null for live; a kept step to train on from.
    "scrub": {"step": (lambda v: v is None or _int[0](v), "a step number, or null to return to live")},
    "continue_from": {"step": _int},
    "export": {"file": (lambda v: v in SESSION_FILES, f"one of {', '.join(SESSION_FILES)}")},
    # Moves between a class's session and a student's own copy (release.py).
    "release": {},
    "gather": {},
    "try": {},
    "follow": {},
    "reopen": {"session": (lambda v: isinstance(v, str) and 0 < len(v) <= 64, "a session id"), "token": _str},
    # The class's pooled runs (pool.py).
    "pool_send": {},
    "pool_view": {
        "shown": (lambda v: isinstance(v, bool), "true or false"),
        "x": _str_or_null,
        "y": _str,
        "spotlight": (lambda v: v is None or _int[0](v), "a run's number or null"),
    },
    "pool_clear": {},
    "devices": {},
    "end_device": {"address": (lambda v: isinstance(v, str) and 0 < len(v) <= 64, "a device's address")},
    # One filter weight's gradient, position by position (filter_sum.py): read-only, answered to the asker.
    "filter_sum": {
        "layer": _int,
        "weight": (lambda v: isinstance(v, list) and len(v) == 4, "[filter, channel, row, column]"),
    },
    "explain": {
        "on": (lambda v: isinstance(v, bool), "true or false"),
        "sample": _int,
        "stage": _int,
        "weight": (lambda v: v is None or isinstance(v, list), "[layer, i, j] or null"),
    },
}
OPTIONAL = {
    "join": {"session", "token", "config", "watch", "name"},
    "pace": {"present", "hide"},
    "step": {"n"},
    "continue": {"freeze"},
    "explain": {"on", "sample", "stage", "weight"},
    "points": {"add", "remove", "clear", "edit"},
    "pool_view": {"shown", "x", "y", "spotlight"},
}
# An `upload` carries a CSV file (csvdata.py) in base64: allowed past max_message_bytes, to this.
UPLOAD_BYTES = CSV_BYTES * 4 // 3 + 1024


def parse(text: str, limits: Limits) -> dict:
    size = len(text.encode())
    too_big = Invalid("message", f"is {size} bytes; the limit is {limits.max_message_bytes}")
    if size > max(limits.max_message_bytes, UPLOAD_BYTES):
        raise too_big
    try:
        msg: Any = json.loads(text)
    except ValueError:
        raise (too_big if size > limits.max_message_bytes else Invalid("message", "is not valid JSON")) from None
    if size > limits.max_message_bytes and not (isinstance(msg, dict) and msg.get("type") == "upload"):
        raise too_big
    if not isinstance(msg, dict):
        raise Invalid("message", "must be a JSON object")
    kind = msg.get("type")
    if not isinstance(kind, str):
        raise Invalid("type", "is missing or not a string")
    if kind not in SHAPES:
        raise Invalid("type", f"unknown message type '{kind[:40]}'")
    if "id" in msg and not (isinstance(msg["id"], str | int) and len(str(msg["id"])) <= 64):
        raise Invalid("id", "must be a short string or an integer")
    shape = SHAPES[kind]
    for key in msg:
        if key not in shape and key not in ("type", "id"):
            raise Invalid(str(key)[:40] or "''", f"is not a field of '{kind}'")
    for key, (check, what) in shape.items():
        if key not in msg:
            if key in OPTIONAL.get(kind, ()):
                continue
            raise Invalid(key, "is required")
        if not check(msg[key]):
            raise Invalid(key, f"must be {what}")
    if kind == "join":
        msg = {"session": None, "token": None, "config": None, "watch": False, **msg}
        msg["name"] = check_name(msg.get("name"))
    if kind == "explain" and len(msg.keys() - {"type", "id"}) == 0:
        raise Invalid("explain", "needs at least one of on, sample, stage, weight")
    if kind == "points" and len(msg.keys() - {"type", "id"}) == 0:
        raise Invalid("points", "needs at least one of add, remove, clear, edit")
    if kind == "pace" and len(msg.keys() - {"type", "id"}) == 0:
        raise Invalid("pace", "needs at least one of present, hide")
    if kind == "pool_view" and len(msg.keys() - {"type", "id"}) == 0:
        raise Invalid("pool_view", "needs at least one of shown, x, y, spotlight")
    if kind == "step":
        n = msg.setdefault("n", 1)
        if not 1 <= n <= limits.max_step_n:
            raise Invalid("n", f"must be between 1 and {limits.max_step_n}")
    return msg
