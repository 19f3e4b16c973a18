"""Which device a connection comes from, for the per-address caps (registry.py): the
socket's peer, or, when the peer is a proxy the server was told to trust
(`--trusted-proxy`), the client that proxy names. A header from any other peer is
ignored: anyone can write one."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping

from .lan import is_loopback

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_proxies(proxies: Iterable[str]) -> list[Network]:
    """Addresses or networks ("127.0.0.1", "10.0.0.0/8"); ValueError names a bad one."""
    nets = []
    for p in proxies:
        try:
            nets.append(ipaddress.ip_network(p.strip(), strict=False))
        except ValueError:
            why = "is not an IP address or network (e.g. 127.0.0.1 or 10.0.0.0/8)"
            raise ValueError(f"trusted proxy '{p}' {why}") from None
    return nets


def _trusted(address: str, proxies: list[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in proxies)


def client_address(peer: str | None, headers: Mapping[str, str], proxies: list[Network]) -> str:
    """The client's address. Through trusted proxies: the nearest address in X-Forwarded-For
    that is not one of them (each proxy appends the address it was reached from, so the ones
    before are the client's to write), else X-Real-IP."""
    address = peer or "unknown"
    if not _trusted(address, proxies):
        return address
    forwarded = [a.strip() for a in headers.get("x-forwarded-for", "").split(",") if a.strip()]
    for hop in reversed(forwarded):
        address = hop
        if not _trusted(hop, proxies):
            return hop
    real = headers.get("x-real-ip", "").strip()
    return real or address


def capped(address: str) -> bool:
    """The server's own machine is not capped: its user can stop the server anyway, and a
    benchmark or the teacher's own tabs run there."""
    return not is_loopback(address)
