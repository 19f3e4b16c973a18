"""Replays the worked examples of docs/protocol.md against a real server."""
import json
import re
from pathlib import Path

import pytest

from server.protocol import VERSION

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
        return isinstance(actual, dict) and all(
            k in actual and matches(v, actual[k]) for k, v in expected.items()
        )
    return expected == actual


def test_doc_states_the_version_and_has_examples():
    assert f"version {VERSION}" in DOC.read_text().splitlines()[0]
    assert len(examples()) >= 3


@pytest.mark.parametrize("title", list(examples()))
def test_worked_example(client, title):
    with client.websocket_connect("/ws") as ws:
        for line in examples()[title]:
            direction, rest = line[0], line[1:].strip()
            if direction == ">":
                ws.send_text(rest)
                continue
            assert direction == "<", line
            m = ws.receive()
            if rest.startswith("binary "):
                from server.protocol import decode

                assert m.get("bytes") is not None, f"{title}: wanted {rest}, got {m}"
                actual, expected = decode(m["bytes"])[0], json.loads(rest[len("binary "):])
            else:
                assert m.get("text") is not None, f"{title}: wanted {rest}, got binary"
                actual, expected = json.loads(m["text"]), json.loads(rest)
            assert matches(expected, actual), f"{title}: wanted {expected}, got {actual}"
