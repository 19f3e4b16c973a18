"""Who may open the websocket. Browsers send `Origin` on websockets and CORS does not
apply to them, so without this check any site a user visits could drive their session."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from .settings import Settings


def origin_allowed(headers: Mapping[str, str], settings: Settings) -> bool:
    """The page's own host (and any configured origin) may connect; scripts without an
    Origin may too."""
    origin = headers.get("origin")
    if origin is None:
        return True
    return urlsplit(origin).netloc == headers.get("host") or origin in settings.allowed_origins
