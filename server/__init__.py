"""Backprop Lab's server: sessions, the wire protocol and streaming (FastAPI)."""

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
