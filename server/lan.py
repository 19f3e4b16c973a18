"""This machine's addresses on its network: what a student's phone can reach when the
server listens beyond loopback. `localhost` in a link or a QR code would name the
student's own phone. Found without sending anything: connecting a UDP socket only asks the
routing table which interface a packet would leave by."""

from __future__ import annotations

import ipaddress
import socket

WILDCARDS = ("0.0.0.0", "::", "")
# Any public address: only the route to it is looked up, no packet is sent.
PUBLIC_V4, PUBLIC_V6 = "8.8.8.8", "2001:4860:4860::8888"


def is_loopback(host: str) -> bool:
    """localhost, 127.x.x.x, ::1 (a host name as a browser sends it, brackets and all)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def reachable(address: str) -> bool:
    """An address another machine could use: not loopback, link-local or unspecified."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return not (ip.is_loopback or ip.is_link_local or ip.is_unspecified)


def lan_addresses(bind_host: str) -> list[str]:
    """The addresses students reach a server listening on bind_host at, best first: none
    on loopback; the address itself when it names one; on a wildcard (0.0.0.0, ::) the
    address of the interface holding the default route, then the host name's addresses
    (IPv4 first: it is the one people can type)."""
    if is_loopback(bind_host):
        return []
    if bind_host not in WILDCARDS:
        return [bind_host]
    families = [(socket.AF_INET, PUBLIC_V4)] + ([(socket.AF_INET6, PUBLIC_V6)] if bind_host == "::" else [])
    found: list[str] = []
    for family, target in families:
        found += _route_address(family, target)
        found += _host_name_addresses(family)
    return [a for i, a in enumerate(found) if reachable(a) and a not in found[:i]]


def _route_address(family: socket.AddressFamily, target: str) -> list[str]:
    try:
        with socket.socket(family, socket.SOCK_DGRAM) as s:
            s.connect((target, 9))
            return [s.getsockname()[0]]
    except OSError:  # no route (offline): the host name's addresses may still do
        return []


def _host_name_addresses(family: socket.AddressFamily) -> list[str]:
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, family, socket.SOCK_STREAM)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def url_host(address: str) -> str:
    """An address as it goes into a URL: IPv6 in brackets."""
    return f"[{address}]" if ":" in address else address
