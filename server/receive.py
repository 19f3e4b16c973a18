"""One websocket from accept to close: its outbox pump, and the loop that reads its
messages (rate-limited), checks them, joins a session with the first and hands the
others to it as commands. Every refusal becomes an `error` naming the field; only a
full server or session, or a connection that never joins, closes the socket."""

from __future__ import annotations

import asyncio
import logging

from starlette.websockets import WebSocket, WebSocketDisconnect

from . import devices
from .connection import Connection
from .errors import Full, Invalid
from .messages import parse
from .protocol import error
from .ratelimit import RateLimit
from .registry import Joinable, Registry
from .release import MOVES, current, move
from .settings import Settings

# Close codes (docs/protocol.md): 1008 policy (foreign Origin, no join in time),
# 1009 message too big (uvicorn), 1013 the server or the session is full; 4001 (devices.py) ended.
CLOSE_POLICY, CLOSE_FULL = 1008, 1013
log = logging.getLogger(__name__)


async def serve(ws: WebSocket, registry: Registry, settings: Settings, route: str | None = None) -> None:
    """An accepted websocket until it closes; its session outlives it. `route` is the
    session id its URL names (`/ws?session=ID`), which the join must agree with."""
    conn = Connection(ws)
    pump = asyncio.create_task(conn.pump())
    session: Joinable | None = None
    try:
        session = await _receive(ws, conn, registry, settings, route)
    except WebSocketDisconnect:
        pass
    finally:
        conn.closed = True
        pump.cancel()
        if session is not None:
            session.detach(conn)


async def _receive(
    ws: WebSocket, conn: Connection, registry: Registry, settings: Settings, route: str | None
) -> Joinable | None:
    session: Joinable | None = None
    limit = RateLimit(settings.limits.max_messages_per_second)
    while True:
        try:
            timeout = settings.join_timeout if session is None else None
            message = await asyncio.wait_for(ws.receive(), timeout)
        except TimeoutError:
            await ws.close(code=CLOSE_POLICY, reason="no join message")
            return None
        if message["type"] == "websocket.disconnect":
            return session and current(conn, session)
        if not limit.allow():
            if limit.should_warn():
                conn.send(
                    error("message", f"too many messages: at most {limit.rate:g} a second; the extra ones are ignored")
                )
            continue
        text = message.get("text")
        if text is None:
            conn.send(error("message", "binary messages are not accepted"))
            continue
        msg_id, kind = None, "message"
        try:
            msg = parse(text, settings.limits)
            msg_id, kind = msg.get("id"), msg["type"]
            if session is None:
                if msg["type"] != "join":
                    raise Invalid("type", "the first message must be 'join'")
                session, problems = registry.join(conn, msg, route)
                for p in problems:
                    conn.send(error(p.field, p.message + "; the default was used", msg_id))
            elif msg["type"] == "join":
                raise Invalid("type", "already joined a session")
            else:
                session = current(conn, session)  # another's release or gather may have moved it
                if msg["type"] in MOVES:
                    session = move(registry, session, conn, msg)
                elif msg["type"] in devices.COMMANDS:
                    devices.handle(registry, conn, msg)
                else:
                    session.command(conn, msg)
        except Full as e:
            conn.send(error(e.field, e.message, msg_id))
            await conn.flush()
            await ws.close(code=CLOSE_FULL, reason="full")
            return None
        except Exception as e:
            report(conn, e, kind, msg_id)


def report(conn: Connection, e: Exception, kind: str, msg_id: object) -> None:
    """Say why a message was refused (Invalid), or that it met a bug: logged, said, and the
    connection and session carry on. Call it from an `except` block (it logs the traceback)."""
    if isinstance(e, Invalid):
        conn.send(error(e.field, e.message, msg_id))
    else:
        log.exception("internal error while handling %r", kind)
        conn.send(error("type", f"internal error while handling '{kind}'; it was logged on the server", msg_id))
