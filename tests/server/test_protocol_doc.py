"""Replays the worked examples of docs/protocol.md against a real server."""

import contextlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from engine import (
    ACTIVATIONS,
    CLIPPING,
    DATASETS,
    FEATURES,
    INITIALIZERS,
    OPTIMIZERS,
    REGULARIZERS,
    SCHEDULES,
    diagnostics,
    time_diagnostics,
)
from engine.recurrent import CELLS
from engine.recurrent_setup import W_H_INITIALIZERS
from engine.sequences import TASKS
from engine.transfer import TASKS_OF_CLASSES
from server.protocol import VERSION, decode
from server.schema import make_fields
from server.settings import Limits

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def examples() -> dict[str, list[str]]:
    text = DOC.read_text()
    worked = text.split("## Worked examples", 1)[1]
    found = re.findall(r"### (.+?)\n.*?```\n(.*?)```", worked, re.S)
    return {title: body.strip().splitlines() for title, body in found}


def matches(expected, actual) -> bool:
    if expected == "…":
        return True
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and matches(v, actual[k]) for k, v in expected.items())
    return expected == actual


def test_doc_states_the_version_and_has_examples():
    assert f"version {VERSION}" in DOC.read_text().splitlines()[0]
    assert len(examples()) >= 3


@pytest.mark.parametrize("title", list(examples()))
def test_worked_example(client, title):
    """`>` and `<` are the first connection's; `2>` and `2<` a second one's (opened at its
    first line); `$SESSION` and `$TOKEN` stand for the first hello's; `> close` closes one."""
    with contextlib.ExitStack() as stack:
        sockets: dict[str, Any] = {}
        known: dict[str, str] = {}
        for line in examples()[title]:
            who, line = (line[0], line[1:]) if line[0].isdigit() else ("1", line)
            if who not in sockets:
                sockets[who] = stack.enter_context(client.websocket_connect("/ws"))
            replay(sockets[who], title, line, known)


def replay(ws, title: str, line: str, known: dict[str, str]) -> None:
    direction, rest = line[0], line[1:].strip()
    if direction == ">":
        if rest == "close":
            ws.close()
            return
        for name, value in known.items():
            rest = rest.replace(f"${name}", value)
        ws.send_text(rest)
        return
    assert direction == "<", line
    m = ws.receive()
    if rest.startswith("binary "):
        assert m.get("bytes") is not None, f"{title}: wanted {rest}, got {m}"
        actual, expected = decode(m["bytes"])[0], json.loads(rest[len("binary ") :])
        # Frames are capped in time, not sent per step: on a busy machine a frame of an
        # earlier step may come first. It is skipped, not taken for a mismatch.
        while actual.get("kind") == "frame" and actual.get("step", 0) < expected.get("step", 0):
            actual = decode(ws.receive_bytes())[0]
    else:
        assert m.get("text") is not None, f"{title}: wanted {rest}, got binary"
        actual, expected = json.loads(m["text"]), json.loads(rest)
    assert matches(expected, actual), f"{title}: wanted {expected}, got {actual}"
    if actual.get("type") == "hello" and not known:
        known.update(SESSION=actual["session"], TOKEN=actual.get("token") or "")


# -- the docs' lists of names, against the engine's registries -----------------------

REGISTRIES = {
    "dataset": {**DATASETS, **TASKS},
    "cell": CELLS,
    "recurrent_init": W_H_INITIALIZERS,
    "features": FEATURES,
    "initializer": INITIALIZERS,
    "activation": ACTIVATIONS,
    "optimizer": OPTIMIZERS,
    "schedule": SCHEDULES,
    "clip": CLIPPING,
    "regularization": REGULARIZERS,
    "task": TASKS_OF_CLASSES,
}


def table(text: str, header: str) -> list[list[str]]:
    """The rows of the markdown table whose header row is `header`, as lists of cells."""
    lines = text.splitlines()
    start = lines.index(header) + 2  # past the header and the --- row
    rows = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]])
    return rows


def listed(cell: str) -> list[str]:
    """'a, b (note); c' -> ['a', 'b', 'c']"""
    return [name.strip() for name in re.split(r"[,;]", re.sub(r"\([^)]*\)", "", cell)) if name.strip()]


def test_the_names_listed_are_the_registries_names():
    doc = {row[0]: listed(row[1]) for row in table(DOC.read_text(), "| setting | names |")}
    assert set(doc) == set(REGISTRIES)
    for setting, registry in REGISTRIES.items():
        assert sorted(doc[setting]) == sorted(registry), f"docs/protocol.md's names of {setting}"
    # a choice of a new registry needs a line too (speed's choices are numbers, not names)
    menus = {f.name for f in make_fields(Limits()) if f.kind in ("choice", "multi") and f.name != "speed"}
    assert menus == set(REGISTRIES)


def test_the_settings_table_describes_every_field():
    fields = {f.name: f for f in make_fields(Limits())}
    seen = []
    for names, kinds, live, _ in table(DOC.read_text(), "| name | kind | live | meaning |"):
        names, kinds = names.split(", "), kinds.split(", ")
        kinds = kinds if len(kinds) == len(names) else kinds * len(names)
        for name, kind in zip(names, kinds):
            assert name in fields, f"docs/protocol.md describes '{name}', which the schema does not have"
            assert kind.split()[0] == fields[name].kind, name
            assert live == ("yes" if fields[name].live else "no"), name
            seen.append(name)
    assert sorted(seen) == sorted(fields)


def test_diagnostics_doc_names_every_measure_and_warning():
    text = (DOC.parent / "diagnostics.md").read_text()
    measures = [n for row in table(text, "| name | meaning |") for n in row[0].split(", ")]
    assert measures == list(diagnostics.DIAGNOSTICS)
    assert [row[0] for row in table(text, "| code | when | example |")] == [w["code"] for w in diagnostics.WARNINGS]
    through_time = [row[0] for row in table(text, "| code (through time) | when | example |")]
    assert through_time == [w["code"] for w in time_diagnostics.WARNINGS]
    for constant in re.findall(r"`([A-Z_]+)`", text.split("top of\n`engine/time_diagnostics.py`")[1]):
        assert hasattr(time_diagnostics, constant), constant
    assert "percentiles " + ", ".join(map(str, diagnostics.PERCENTILES)) in " ".join(text.split())
    assert f"the last {diagnostics.WINDOW} steps" in text
    for constant in re.findall(
        r"`([A-Z_]+)`", text.split("The thresholds are constants")[1].split("## Through time")[0]
    ):
        assert hasattr(diagnostics, constant), constant
