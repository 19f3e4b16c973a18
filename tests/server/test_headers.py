"""Every HTTP response carries the security headers, the page answers HEAD, and the
websocket (which no middleware may break) still works."""

import pytest

from server.headers import POLICY


@pytest.mark.parametrize("path", ["/", "/static/js/main.js", "/static/css/main.css", "/qr.svg?session=ABCDEF", "/nope"])
def test_every_response_carries_the_headers(client, path):
    r = client.get(path)
    assert r.headers["content-security-policy"] == POLICY
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"


def test_the_policy_allows_only_the_pages_own_scripts_styles_and_server():
    rules = dict(rule.split(" ", 1) for rule in POLICY.split("; "))
    assert rules["script-src"] == rules["style-src"] == rules["connect-src"] == rules["default-src"] == "'self'"
    assert "unsafe" not in POLICY and rules["frame-ancestors"] == "'none'" and rules["object-src"] == "'none'"


def test_head_answers_like_get_without_a_body(client):
    get, head = client.get("/"), client.head("/")
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


def test_the_websocket_still_joins(peer):
    hello, _, frame = peer.join()
    assert hello["type"] == "hello" and frame["kind"] == "frame"
