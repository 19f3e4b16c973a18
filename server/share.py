"""The address students join at, and the QR code of a session's watch link.

The page is told the address to put in its links (`<meta name="share-base">`, filled
from share_base), and /qr.svg encodes the same one, in this order:
1. `--public-url`, when the server was started with it (a proxy, a name the school set up);
2. the request's X-Forwarded-Host (with X-Forwarded-Proto): a proxy that says so;
3. the Host the browser used, unless it is loopback while the server listens beyond it
   (the presenter opened `localhost`): then this machine's LAN address, same port.
A forwarded or Host name is used only when it is a plain host[:port], so no request can
put text of its own into a QR code; it only ever changes the requester's own page."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

import segno

from .lan import is_loopback, lan_addresses, url_host

HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?")


def public_url(value: str) -> str:
    """--public-url checked and ending in '/', so a hash appends to it; ValueError otherwise."""
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not HOST.fullmatch(parts.netloc) or parts.query or parts.fragment:
        raise ValueError(f"--public-url must be an address such as https://lab.school.example/ (got {value!r})")
    return value if value.endswith("/") else value + "/"


def share_base(
    headers: Mapping[str, str],
    scheme: str,
    bind_host: str,
    public: str | None = None,
    lan: Callable[[str], list[str]] | None = None,
) -> str:
    """The address students open (ends in '/'), for a request with these headers to a
    server listening on bind_host."""
    if public:
        return public
    forwarded = _first(headers.get("x-forwarded-host"))
    if forwarded and HOST.fullmatch(forwarded):
        proto = _first(headers.get("x-forwarded-proto"))
        return f"{proto if proto in ('http', 'https') else scheme}://{forwarded}/"
    host = headers.get("host", "")
    m = HOST.fullmatch(host)
    if m is None:
        return f"{scheme}://localhost/"  # no HTTP/1.1 client sends this; nothing better is known
    if is_loopback(m.group(1)) and not is_loopback(bind_host):
        addresses = (lan or lan_addresses)(bind_host)
        if addresses:
            port = f":{m.group(2)}" if m.group(2) else ""
            return f"{scheme}://{url_host(addresses[0])}{port}/"
    return f"{scheme}://{host}/"


def watch_url(base: str, session: str) -> str:
    """The students' link (static/js/urlstate.js, shareHash, makes the same)."""
    return f"{base}#session={session}&watch=1"


def qr_svg(text: str) -> bytes:
    """The QR code of text as a standalone SVG that scales to any size (a viewBox, no width):
    black on white with the standard 4-module quiet zone, medium error correction (a
    projector's glare, a smudged screen)."""
    out = io.BytesIO()
    qr = segno.make(text, error="m", micro=False)
    qr.save(out, kind="svg", omitsize=True, border=4, dark="#000", light="#fff", title="QR code of the watch link")
    return out.getvalue()


def _first(value: str | None) -> str:
    """The first of a proxy header's comma-separated values (the client-facing one)."""
    return (value or "").split(",")[0].strip()
