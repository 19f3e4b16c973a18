"""The FastAPI app: the page, its static files and the websocket that carries a session."""
from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from urllib.parse import urlsplit

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.websockets import WebSocketDisconnect

from .connection import Connection
from .errors import Full, Invalid
from .messages import parse
from .protocol import error
from .registry import Registry
from .session import Session
from .settings import Settings


def asset_dir(name: str) -> Path:
    """static/ and templates/ sit inside the package in a wheel, beside it in a checkout."""
    here = Path(__file__).resolve().parent
    return here / name if (here / name).is_dir() else here.parent / name


def origin_allowed(headers, settings: Settings) -> bool:
    """Browsers send Origin on websockets and CORS does not apply: the page's own host
    (and any configured origin) may connect; scripts without an Origin may too."""
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == headers.get("host") or origin in settings.allowed_origins


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    registry = Registry(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        reaper = asyncio.create_task(registry.reaper())
        yield
        reaper.cancel()
        for sid in list(registry.sessions):
            registry.close(sid)

    app = FastAPI(title="Backprop Lab", lifespan=lifespan)
    app.state.registry = registry
    templates = Jinja2Templates(directory=str(asset_dir("templates")))
    app.mount("/static", StaticFiles(directory=str(asset_dir("static"))), name="static")

    @app.get("/", response_class=HTMLResponse)
    async def index(request: Request):
        return templates.TemplateResponse(request, "index.html", {"title": "Backprop Lab"})

    @app.websocket("/ws")
    async def websocket(ws: WebSocket):
        if not origin_allowed(ws.headers, settings):
            await ws.close(code=1008)  # before accept: the handshake gets HTTP 403
            return
        await ws.accept()
        conn = Connection(ws)
        pump = asyncio.create_task(conn.pump())
        session: Session | None = None
        try:
            session = await _serve(ws, conn, registry, settings)
        except WebSocketDisconnect:
            pass
        finally:
            conn.closed = True
            pump.cancel()
            if session is not None:
                session.detach(conn)

    return app


# Close codes (docs/protocol.md): 1008 policy (foreign Origin, no join in time),
# 1009 message too big (uvicorn), 1013 the server or the session is full.
CLOSE_POLICY, CLOSE_FULL = 1008, 1013


class RateLimit:
    """A token bucket per connection: `rate` messages a second, bursts of twice that."""

    def __init__(self, rate: float):
        self.rate, self.tokens, self.last = rate, 2 * rate, time.monotonic()
        self.warned = 0.0

    def allow(self) -> bool:
        now = time.monotonic()
        self.tokens = min(2 * self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def should_warn(self) -> bool:
        """One error a second at most: answering every dropped message would be a flood too."""
        now = time.monotonic()
        if now - self.warned >= 1.0:
            self.warned = now
            return True
        return False


async def _serve(ws: WebSocket, conn: Connection, registry: Registry, settings: Settings):
    session: Session | None = None
    limit = RateLimit(settings.limits.max_messages_per_second)
    while True:
        try:
            timeout = settings.join_timeout if session is None else None
            message = await asyncio.wait_for(ws.receive(), timeout)
        except TimeoutError:
            await ws.close(code=CLOSE_POLICY, reason="no join message")
            return None
        if message["type"] == "websocket.disconnect":
            return session
        if not limit.allow():
            if limit.should_warn():
                conn.send(error("message", f"too many messages: at most {limit.rate:g} a second; "
                                           "the extra ones are ignored"))
            continue
        text = message.get("text")
        if text is None:
            conn.send(error("message", "binary messages are not accepted"))
            continue
        msg_id = None
        try:
            msg = parse(text, settings.limits)
            msg_id = msg.get("id")
            if session is None:
                if msg["type"] != "join":
                    raise Invalid("type", "the first message must be 'join'")
                session, problems = registry.join(conn, msg)
                for p in problems:
                    conn.send(error(p.field, p.message + "; the default was used", msg_id))
            elif msg["type"] == "join":
                raise Invalid("type", "already joined a session")
            else:
                session.command(conn, msg)
        except Full as e:
            conn.send(error(e.field, e.message, msg_id))
            await conn.flush()
            await ws.close(code=CLOSE_FULL, reason="full")
            return None
        except Invalid as e:
            conn.send(error(e.field, e.message, msg_id))
