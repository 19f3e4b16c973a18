"""For `uvicorn server.asgi:app`; everything else builds its own app with create_app()."""

from .app import create_app

app = create_app()
