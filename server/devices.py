"""The devices on this server, for the one person trusted with all of them: whoever sits at the
server's own computer (the teacher's laptop, which is not capped, address.py: its user can stop
the server anyway). `devices` lists each client address with the sessions it made and the
connections it holds, beside the per-device caps; `end_device` ends every session one address
made, so a device that took the class's places gives them back at once rather than after the
grace period. Their pages are told in words and closed with CLOSE_ENDED, and do not come back
by themselves; a session is saved as any that closes (a reload with its token brings it back,
within the device's cap). Anyone else is refused, in words, and nothing changes."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from .address import capped
from .errors import Invalid
from .protocol import dumps

if TYPE_CHECKING:
    from .connection import Connection
    from .registry import Registry

COMMANDS = ("devices", "end_device")
CLOSE_ENDED = 4001  # the session was ended by the server's own computer: do not reconnect (docs/protocol.md)
ENDED = "the presenter at the server's computer ended this session to make room for the class"


def handle(registry: Registry, conn: Connection, msg: dict) -> None:
    """Answer `devices` or `end_device` (from the server's own computer only); raises Invalid."""
    if capped(conn.address):
        raise Invalid(
            "devices", "only the presenter at the server's own computer can see and end other devices' sessions"
        )
    if msg["type"] == "end_device":
        end(registry, msg["address"])
    conn.send(listing(registry))


def listing(registry: Registry) -> dict:
    """Every address holding a session or a connection, the most first; the server's own unmarked."""
    made: dict[str, int] = {}
    for sid, address in registry.owners.items():
        if sid in registry.sessions:
            made[address] = made.get(address, 0) + 1
    held: dict[str, int] = {}
    for session in registry.sessions.values():
        for c in session.connections:
            held[c.address] = held.get(c.address, 0) + 1
    lim = registry.settings.limits
    addresses = sorted(made.keys() | held.keys(), key=lambda a: (-made.get(a, 0), -held.get(a, 0), a))
    rows = [
        {"address": a, "sessions": made.get(a, 0), "connections": held.get(a, 0), "capped": capped(a)}
        for a in addresses
    ]
    return {
        "type": "devices",
        "devices": rows,
        "sessions": len(registry.sessions),
        "max_sessions": lim.max_sessions,
        "max_sessions_per_address": lim.max_sessions_per_address,
        "max_connections_per_address": lim.max_connections_per_address,
    }


def end(registry: Registry, address: str) -> int:
    """End every session `address` made: each page on one is told and closed; the number ended."""
    if not capped(address):
        raise Invalid("address", "is the server's own computer: close its tabs there instead")
    ids = [sid for sid, a in registry.owners.items() if a == address and sid in registry.sessions]
    if not ids:
        raise Invalid("address", f"{address[:64]} holds no session on this server")
    told = dumps({"type": "ended", "message": ENDED})
    for sid in ids:
        session = registry.sessions[sid]
        for c in list(session.connections):
            c.send_text(told)
            asyncio.get_running_loop().create_task(_close(c))
        registry.close(sid)
        registry.owners.pop(sid, None)
    return len(ids)


async def _close(conn: Connection) -> None:
    await conn.flush()
    try:
        await conn.ws.close(code=CLOSE_ENDED, reason="ended")
    except RuntimeError:  # closed meanwhile
        pass
