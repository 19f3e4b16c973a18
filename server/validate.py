"""Checking a config against the table (schema.py): each value by its field's kind, range and
choices, then the settings that are valid alone but not together (rules.py). A bad value is
refused with the field named before anything is applied."""

from __future__ import annotations

import math
from typing import Any

from engine import BLOCKS
from engine.userdata import FIELDS, PointError, check_rows

from .errors import Invalid
from .rules import together as _together
from .schema import Field, field_of


def _number(path: str, v: Any, f: Field, integer: bool) -> int | float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise Invalid(path, "must be an integer" if integer else "must be a number")
    if integer and not isinstance(v, int):
        if not (math.isfinite(v) and v == int(v)):
            raise Invalid(path, "must be an integer")
        v = int(v)
    if not math.isfinite(v):
        raise Invalid(path, "must be a finite number")
    if f.min is not None and v < f.min:
        raise Invalid(path, f"must be at least {f.min:g}")
    if f.max is not None and v > f.max:
        raise Invalid(path, f"must be at most {f.max:g}")
    return v


def _compare(path: str, v: Any, f: Field, by_name: dict[str, Field]) -> dict | None:
    """null, or {"field": one of f.fields, "value": a valid value of that field}."""
    if v is None:
        return None
    if not isinstance(v, dict) or set(v) != {"field", "value"}:
        raise Invalid(path, 'must be null or {"field": ..., "value": ...}')
    if v["field"] not in (f.fields or []):
        raise Invalid(f"{path}.field", "must be one of " + ", ".join(f.fields or []))
    return {"field": v["field"], "value": _value(f"{path}.value", v["value"], by_name[v["field"]])}


def _value(path: str, v: Any, f: Field) -> Any:
    if f.kind in ("number", "integer"):
        return _number(path, v, f, f.kind == "integer")
    if f.kind == "points":
        return _rows(path, v, f)
    if f.kind == "bool":
        if not isinstance(v, bool):
            raise Invalid(path, "must be true or false")
        return v
    allowed = [c["value"] for c in f.choices or []]
    if f.kind == "choice":
        if isinstance(v, bool) or v not in allowed:
            raise Invalid(path, "must be one of " + ", ".join(map(str, allowed)))
        return v
    if not isinstance(v, list):
        raise Invalid(path, "must be a list")
    if f.kind == "per_layer":  # one choice per hidden layer; "" follows the network-wide one
        if len(v) > (f.max_layers or 0):
            raise Invalid(path, f"at most {f.max_layers} entries")
        for i, item in enumerate(v):
            if not isinstance(item, str) or item not in allowed:
                raise Invalid(f"{path}[{i}]", "must be one of " + ", ".join(a or "''" for a in allowed))
        return list(v)
    if f.kind == "multi":
        if not v:
            raise Invalid(path, "choose at least one")
        for i, item in enumerate(v):
            if not isinstance(item, str) or item not in allowed:
                raise Invalid(f"{path}[{i}]", "must be one of " + ", ".join(allowed))
            if item in v[:i]:
                raise Invalid(f"{path}[{i}]", f"'{item}' is listed twice")
        return list(v)
    if f.kind == "blocks":
        return _blocks(path, v, f)
    # layers
    if len(v) > (f.max_layers or 0):
        raise Invalid(path, f"at most {f.max_layers} hidden layers")
    return [_number(f"{path}[{i}]", n, f, integer=True) for i, n in enumerate(v)]


def _blocks(path: str, v: list, f: Field) -> list[dict]:
    """Conv blocks: each {"kind": a BLOCKS entry, and only that entry's settings}, a missing
    setting given its default, so that a config always says every block in full."""
    if len(v) > (f.max_layers or 0):
        raise Invalid(path, f"at most {f.max_layers} blocks")
    out = []
    for i, block in enumerate(v):
        at = f"{path}[{i}]"
        if not isinstance(block, dict) or block.get("kind") not in BLOCKS:
            raise Invalid(f"{at}.kind", "must be one of " + ", ".join(BLOCKS))
        own = {s.name: s for s in BLOCKS[block["kind"]].settings}
        for key in block:
            if key != "kind" and key not in own:
                has = ", ".join(own) or "no settings"
                raise Invalid(f"{at}.{str(key)[:40]}", f"a {block['kind']} block has {has}, not '{str(key)[:40]}'")
        full = {"kind": block["kind"]}
        for name, setting in own.items():
            full[name] = _value(f"{at}.{name}", block.get(name, setting.default), field_of(setting, f.group))
        out.append(full)
    return out


def validate(partial: Any, base: dict, fields: list[Field], together: bool = True) -> tuple[dict, list[str]]:
    """Check a partial config against the table; return the merged config and the names
    that changed. Raises Invalid on the first problem, before anything is applied.

    When a choice changes, each of its settings whose default depends on the entry
    (`defaults_by`) takes the new entry's default, unless `partial` names it: choosing
    Lion shows Lion's β₂. Those settings are among the names that changed. `together`: also
    check the settings that are valid alone but not together (`_together`)."""
    if not isinstance(partial, dict):
        raise Invalid("config", "must be an object")
    by_name = {f.name: f for f in fields}
    merged, changed = dict(base), []
    for key, v in partial.items():
        if key not in by_name:
            raise Invalid(f"config.{key[:40]}", f"unknown setting '{key[:40]}'")
        field = by_name[key]
        if field.kind == "compare":
            value = _compare(f"config.{key}", v, field, by_name)
        else:
            value = _value(f"config.{key}", v, field)
        if value != base.get(key):
            merged[key] = value
            changed.append(key)
    for f in fields:
        if f.defaults_by is None or f.when is None or f.name in partial:
            continue
        choice, used_by = next(iter(f.when.items()))  # the entry's choice; then, maybe, the dataset
        if choice in changed and merged[choice] in used_by:
            value = f.defaults_by.get(merged[choice], f.default)
            if value != base.get(f.name):
                merged[f.name] = value
                changed.append(f.name)
    if together:
        _together(merged, partial)
    return merged, changed


def validate_each(partial: dict, base: dict, fields: list[Field]) -> tuple[dict, list[Invalid]]:
    """Like validate, but keeps every valid field and returns the problems with the rest
    (for a link: one bad value should not throw away the good ones)."""
    valid, problems = {}, []
    for key, value in partial.items():
        try:
            validate({key: value}, base, fields, together=False)  # each alone first; then whether they go together
            valid[key] = value
        except Invalid as e:
            problems.append(e)
    while True:  # at once: a choice does not reset a setting the link names
        try:
            return validate(valid, base, fields)[0], problems
        except Invalid as e:  # two settings that do not go together: the one named goes
            problems.append(e)
            del valid[e.field.removeprefix("config.")]


def is_live(changed: list[str], fields: list[Field]) -> bool:
    live = {f.name for f in fields if f.live}
    return all(name in live for name in changed)


def _rows(path: str, v: Any, f: Field) -> list | None:
    if v is None:
        return None
    kind = next(k for k, name in FIELDS.items() if name == f.name)
    try:
        return check_rows(v, kind, int(f.max or 0))
    except PointError as e:
        at = "".join(f"[{i}]" for i in (e.row, e.column) if i is not None)
        raise Invalid(path + at, e.message) from None
