"""What the server refuses. Each carries the dotted path of the offending field and a
plain reason; the receive loop turns it into an `error` message (docs/protocol.md)."""

from __future__ import annotations


class Invalid(Exception):
    """A message or value the server refuses: `field` is a dotted path, `message` says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message


class Full(Invalid):
    """The server or a session has no room: said, then the connection closes (code 1013)."""
