"""The FastAPI app and its routes: the page, its static files and the websocket that
carries a session. Everything a route does beyond choosing who may connect lives in its
own module (receive.py for the websocket, registry.py for the sessions)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from pathlib import Path

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from .export import FORMATS, export
from .headers import SecurityHeaders
from .ids import ID_FORMS, SESSION_ID
from .origin import origin_allowed
from .receive import CLOSE_POLICY, serve
from .registry import Registry
from .secret import load_secret
from .settings import Settings
from .share import qr_svg, share_base, watch_url
from .store import open_store
from .threads import one_blas_thread
from .workers import WorkerRegistry

log = logging.getLogger(__name__)


def asset_dir(name: str) -> Path:
    """static/ and templates/ sit inside the package in a wheel, beside it in a checkout."""
    here = Path(__file__).resolve().parent
    return here / name if (here / name).is_dir() else here.parent / name


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    one_blas_thread()
    secret, problem = load_secret(settings.data_dir)
    store = None
    if problem:  # said at start, and the server serves on (in memory)
        log.warning(problem)
    else:  # without the secret kept, no one could control a session brought back: none is kept either
        store, problem = open_store(settings.data_dir)
        if problem:
            log.warning(problem)
    registry = (WorkerRegistry if settings.workers > 1 else Registry)(settings, secret, store)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        registry.start()
        reaper = asyncio.create_task(registry.reaper())
        yield
        reaper.cancel()
        # uvicorn has closed every websocket by now (code 1012, docs/protocol.md): training
        # stopped with the last viewer, and what is saved is exactly where each session stands.
        await registry.shutdown()

    app = FastAPI(title="Backprop Lab", lifespan=lifespan)
    app.add_middleware(SecurityHeaders)
    app.state.registry = registry
    templates = Jinja2Templates(directory=str(asset_dir("templates")))
    app.mount("/static", StaticFiles(directory=str(asset_dir("static"))), name="static")

    def students_address(request: Request) -> str:
        return share_base(request.headers, request.url.scheme, settings.host, settings.public_url)

    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
    async def index(request: Request):
        context = {"title": "Backprop Lab", "share_base": students_address(request)}
        return templates.TemplateResponse(request, "index.html", context)

    @app.get("/qr.svg")
    async def qr(request: Request, session: str = ""):
        """The QR code of a session's watch link, for the presenter to show a room."""
        if not SESSION_ID.fullmatch(session):
            return PlainTextResponse(f"session: not a session id; it must be {ID_FORMS}", status_code=400)
        svg = qr_svg(watch_url(students_address(request), session))
        return Response(svg, media_type="image/svg+xml")

    @app.post("/session")
    async def new_session():
        """A new session's id and token (registry.issue): a page asks before it connects, so a
        proxy routes its websocket by an id no one chose."""
        return registry.issue()

    export_gate = asyncio.Semaphore(1)

    @app.post("/export/torch.{fmt}")
    async def export_torch(request: Request, fmt: str):
        """The run as a PyTorch script or notebook, from the config in the body (export.py)."""
        if fmt not in FORMATS:
            return PlainTextResponse("format: must be torch.py or torch.ipynb", status_code=404)
        return await export(request, registry.fields, fmt, export_gate)

    @app.websocket("/ws")
    async def websocket(ws: WebSocket):
        if not origin_allowed(ws.headers, settings):
            await ws.close(code=CLOSE_POLICY)  # before accept: the handshake gets HTTP 403
            return
        await ws.accept()
        # The session id in the URL is what a proxy routes by (README, "Serving a whole school").
        await serve(ws, registry, settings, ws.query_params.get("session"))

    return app
