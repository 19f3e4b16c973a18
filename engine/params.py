"""How a registry entry describes itself: its name, label, one-sentence help, the
settings it reads (each with its default and range) and its properties. The server's
schema, the defaults and the page's `when` rules are generated from these; nothing
here knows of the server.

A setting's name is a key of the flat settings dict (the protocol's config). Two
entries of one registry may declare the same name (Adam's and Lion's `beta2`): they
then share one control, so they must agree on everything but the default.

The registries are tables, an entry to a line or two, so they are fenced from the
formatter (`# fmt: off` ... `# fmt: on`); keep new entries in the same shape."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

KINDS = ("number", "integer", "bool")

# A setting's value; int and bool are accepted where a float is (mypy's numeric promotion).
Value = float


@dataclass(frozen=True)
class Setting:
    name: str
    label: str
    default: Value
    kind: str = "number"  # one of KINDS
    min: float | None = None
    max: float | None = None
    log: bool = False  # a log-scale slider
    presets: tuple[float, ...] | None = None  # values the page offers in its menu
    help: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"setting {self.name!r}: kind must be one of {', '.join(KINDS)}, not {self.kind!r}")
        if not self.help:
            raise ValueError(f"setting {self.name!r} needs a one-sentence help")
        low, high = self.min, self.max
        inside = (low is None or low <= self.default) and (high is None or self.default <= high)
        if self.kind != "bool" and not inside:
            raise ValueError(f"setting {self.name!r}: default {self.default} is outside [{low}, {high}]")

    def with_default(self, default: Value) -> Setting:
        """The same control with another entry's default (Lion's β₂ is Adam's with 0.99)."""
        return dataclasses.replace(self, default=default)

    def describe(self) -> dict[str, Any]:
        """JSON-able: every attribute that is set."""
        out = {k: v for k, v in dataclasses.asdict(self).items() if v is not None}
        if self.presets is not None:
            out["presets"] = list(self.presets)
        return out


@dataclass(frozen=True)
class Entry:
    """The base of a registry entry that is a value (an activation, a schedule, ...).
    Optimizers are classes and declare the same attributes as class attributes."""

    name: str
    label: str
    help: str = field(kw_only=True)
    settings: tuple[Setting, ...] = field(default=(), kw_only=True)

    def describe(self) -> dict[str, Any]:
        """Properties the page may know of (e.g. whether an activation can die); none by default."""
        return {}


class Described(Protocol):
    """What the schema reads of any registry entry, value or class."""

    @property
    def name(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def help(self) -> str: ...
    @property
    def settings(self) -> tuple[Setting, ...]: ...
    def describe(self) -> dict[str, Any]: ...


def values(settings: tuple[Setting, ...], given: Mapping[str, Any]) -> dict[str, Any]:
    """The value of each of an entry's settings: the given one, else the entry's own default.
    Other keys of `given` are ignored, so a whole config may be passed."""
    return {s.name: given.get(s.name, s.default) for s in settings}


@dataclass(frozen=True)
class Shared:
    """One setting name across a registry: the control the page shows for it."""

    setting: Setting  # with the default of the registry's default entry (else of the first that declares it)
    used_by: tuple[str, ...]  # the entries that declare it, in registry order
    defaults_by: dict[str, Value]  # entries whose own default differs from `setting.default`


def shared_settings(registry: Mapping[str, Described], default_entry: str) -> dict[str, Shared]:
    """Every setting name the registry's entries declare, in order of first appearance.
    Raises ValueError when two entries declare one name with a different kind, range,
    label or help (only the default may differ)."""
    found: dict[str, list[tuple[str, Setting]]] = {}
    for entry_name, entry in registry.items():
        for s in entry.settings:
            found.setdefault(s.name, []).append((entry_name, s))
    out = {}
    for name, declared in found.items():
        first = declared[0][1]
        for entry_name, s in declared[1:]:
            if s.with_default(first.default) != first:
                raise ValueError(
                    f"setting {name!r} of {entry_name!r} differs from {declared[0][0]!r}'s "
                    "in more than its default: one control cannot show both"
                )
        by_entry = {entry_name: s.default for entry_name, s in declared}
        default = by_entry.get(default_entry, first.default)
        out[name] = Shared(
            first.with_default(default), tuple(by_entry), {e: d for e, d in by_entry.items() if d != default}
        )
    return out


def number(value: float) -> str:
    """A number put into a formula for "Explain a step": 4 significant digits, a true minus."""
    return f"{float(value):.4g}".replace("-", "−")


def operand(value: float) -> str:
    """`number`, in parentheses when negative: what follows an operator."""
    text = number(value)
    return f"({text})" if text.startswith("−") else text
