"""One device cannot fill the server: the sessions and connections one client address holds
are capped (Limits.max_sessions_per_address, max_connections_per_address), the refused
client is told which cap it met and closed with 1013, and another address still gets in.
The address is the socket's peer, or what a trusted proxy's header names (address.py)."""

import json

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.address import client_address, parse_proxies
from server.settings import Limits

from .conftest import Peer
from .test_limits import closed_with

BEHIND_PROXY = Settings(
    limits=Limits(max_sessions_per_address=2, max_connections_per_address=3), trusted_proxies=("127.0.0.1",)
)


def via(client: TestClient, device: str, url: str = "/ws"):
    """A websocket from `device`, as a proxy on loopback would pass it on."""
    return client.websocket_connect(url, headers={"X-Forwarded-For": device})


def refusal(ws) -> str:
    """The error that refused a join, once the server has closed the socket with 1013."""
    message = json.loads(ws.receive()["text"])
    assert message["type"] == "error" and message["field"] == "session", message
    assert closed_with(ws) == 1013
    return message["message"]


def test_one_address_is_refused_past_its_sessions_while_another_still_gets_one():
    with TestClient(create_app(BEHIND_PROXY), client=("127.0.0.1", 40000)) as client:
        with via(client, "10.0.0.1") as a, via(client, "10.0.0.1") as b, via(client, "10.0.0.1") as c:
            Peer(a).join()
            Peer(b).join()
            Peer(c).send(type="join", session=None, token=None, config=None)
            said = refusal(c)
            assert said.startswith("this device already has 2 sessions open on this server")
            assert "close the tab of one you no longer use" in said
            with via(client, "10.0.0.2") as d:
                hello, _, _ = Peer(d).join()
                assert hello["role"] == "controller"
            registry = client.app.state.registry
            registry.close(next(sid for sid, at in registry.owners.items() if at == "10.0.0.1"))
            with via(client, "10.0.0.1") as e:  # a session of its own ended: room again
                assert Peer(e).join()[0]["role"] == "controller"


def test_one_address_is_refused_past_its_connections_while_another_still_gets_in():
    with TestClient(create_app(BEHIND_PROXY), client=("127.0.0.1", 40000)) as client:
        with via(client, "10.0.0.1") as a:
            hello, _, _ = Peer(a).join()
            sid = hello["session"]
            with via(client, "10.0.0.1") as b, via(client, "10.0.0.1") as c, via(client, "10.0.0.1") as d:
                Peer(b).join(session=sid)
                Peer(c).join(session=sid)
                Peer(d).send(type="join", session=sid, token=None, config=None)
                assert refusal(d).startswith("this device already has 3 connections open to this server")
                with via(client, "10.0.0.2") as e:
                    assert Peer(e).join(session=sid)[0]["role"] == "viewer"


def test_the_header_is_ignored_from_a_peer_that_is_not_a_trusted_proxy():
    with TestClient(create_app(BEHIND_PROXY), client=("192.0.2.7", 40000)) as client:
        with via(client, "10.0.0.1") as a, via(client, "10.0.0.2") as b, via(client, "10.0.0.3") as c:
            Peer(a).join()
            Peer(b).join()
            Peer(c).send(type="join", session=None, token=None, config=None)
            assert refusal(c).startswith("this device already has 2 sessions")  # one device: 192.0.2.7
    assert set(client.app.state.registry.owners.values()) == {"192.0.2.7"}


def test_the_servers_own_machine_is_not_capped():
    with TestClient(create_app(BEHIND_PROXY), client=("127.0.0.1", 40000)) as client:
        with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
            with client.websocket_connect("/ws") as c:
                for ws in (a, b, c):
                    assert Peer(ws).join()[0]["role"] == "controller"


def test_the_caps_are_in_hello_limits(client):
    with client.websocket_connect("/ws") as ws:
        limits = Peer(ws).join()[0]["limits"]
    assert limits["max_sessions_per_address"] == 5 and limits["max_connections_per_address"] == 20


@pytest.mark.parametrize(
    "peer,headers,expected",
    [
        ("10.1.1.1", {"x-forwarded-for": "10.0.0.1"}, "10.1.1.1"),  # not a trusted proxy: the peer
        ("127.0.0.1", {"x-forwarded-for": "10.0.0.1"}, "10.0.0.1"),
        ("127.0.0.1", {"x-forwarded-for": "6.6.6.6, 10.0.0.1"}, "10.0.0.1"),  # what the client wrote first is not
        ("127.0.0.1", {"x-forwarded-for": "10.0.0.1, 172.16.0.5"}, "10.0.0.1"),  # through two trusted proxies
        ("127.0.0.1", {"x-real-ip": "10.0.0.9"}, "10.0.0.9"),
        ("127.0.0.1", {}, "127.0.0.1"),
        (None, {"x-forwarded-for": "10.0.0.1"}, "unknown"),
    ],
)
def test_the_client_address(peer, headers, expected):
    assert client_address(peer, headers, parse_proxies(["127.0.0.1", "172.16.0.0/12"])) == expected
