"""Joining by code: session ids are join codes students can type (the old 8-character ids
still work), the QR code of a session's watch link (/qr.svg), and the address students
reach: never `localhost` when the server listens beyond loopback (server/lan.py, share.py)."""

import re

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.cli import students_line
from server.ids import CODE_ALPHABET, new_session_id
from server.lan import is_loopback, lan_addresses, reachable
from server.share import public_url, qr_svg, share_base, watch_url

from .conftest import Peer

CODE = re.compile(r"[2-9A-HJKMNP-Z]{6}")
LAN = ["192.168.1.23", "10.0.0.5"]


def test_new_ids_are_join_codes_without_look_alikes():
    assert len(CODE_ALPHABET) == 31 and not set("01OIL") & set(CODE_ALPHABET)
    ids = {new_session_id() for _ in range(300)}
    assert len(ids) == 300 and all(CODE.fullmatch(i) for i in ids)
    assert set("".join(ids)) == set(CODE_ALPHABET)
    assert new_session_id(taken=ids) not in ids


def test_a_session_made_without_a_proposed_id_gets_a_join_code(client):
    with client.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join()
        assert CODE.fullmatch(hello["session"]), hello["session"]


def test_a_join_code_in_the_url_makes_the_session_students_watch_and_old_ids_still_work(client):
    for sid in ("K7MQ3P", "Ab-_0123"):
        with client.websocket_connect(f"/ws?session={sid}") as a, client.websocket_connect(f"/ws?session={sid}") as b:
            token = client.app.state.registry.tokens.make(sid)  # as POST /session would give it
            assert Peer(a).join(session=sid, token=token)[0]["session"] == sid
            Peer(b).send(type="join", session=sid, token=None, config=None, watch=True)
            assert Peer(b).expect(type="hello")["role"] == "viewer"


def test_a_code_in_another_form_is_refused_naming_both_forms(client):
    for bad in ("k7mq3p", "K7MQ3O", "K7MQ31", "K7MQ3", "K7MQ3PX"):
        with client.websocket_connect(f"/ws?session={bad}") as ws:
            p = Peer(ws)
            p.send(type="join", session=None, token=None, config=None)
            err = p.expect(type="error")
            assert err["field"] == "session" and "join code of 6 characters" in err["message"], bad
    assert client.app.state.registry.sessions == {}


def viewbox_size(svg: bytes) -> int:
    m = re.search(rb'viewBox="0 0 (\d+) (\d+)"', svg)
    assert m and m.group(1) == m.group(2), svg[:200]
    return int(m.group(1))


def test_the_qr_code_is_an_svg_of_the_watch_link(client):
    for sid in ("K7MQ3P", "Ab-_0123"):
        r = client.get(f"/qr.svg?session={sid}")
        assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
        assert b"<svg" in r.content
        # The same symbol as segno makes of the link students open (TestClient's host is "testserver").
        assert r.content == qr_svg(f"http://testserver/#session={sid}&watch=1")
    short = viewbox_size(qr_svg("http://a/#session=K7MQ3P&watch=1"))
    long = viewbox_size(qr_svg("http://a-much-longer-name.school.example:8000/#session=K7MQ3P&watch=1"))
    assert 21 + 8 <= short < long  # version 1 is 21 modules, plus the quiet zone


def test_the_qr_code_refuses_anything_but_a_session_id_without_echoing_it(client):
    for bad in ("", "abc", "k7mq3p", "<script>x</script>", "K7MQ3P&watch=0", "x" * 500):
        r = client.get("/qr.svg", params={"session": bad} if bad else {})
        assert r.status_code == 400, bad
        assert r.text.startswith("session: not a session id") and "<" not in r.text
        assert not bad or bad not in r.text


def test_the_qr_code_names_the_proxys_host_and_never_text_from_a_bad_header(client):
    r = client.get(
        "/qr.svg?session=K7MQ3P", headers={"x-forwarded-host": "lab.school.example", "x-forwarded-proto": "https"}
    )
    assert r.content == qr_svg("https://lab.school.example/#session=K7MQ3P&watch=1")
    r = client.get("/qr.svg?session=K7MQ3P", headers={"x-forwarded-host": "evil text/#session=X"})
    assert r.content == qr_svg("http://testserver/#session=K7MQ3P&watch=1")


def base(host_header, bind="0.0.0.0", lan=LAN, **kw):
    return share_base({"host": host_header, **kw}, "http", bind, lan=lambda h: lan)


def test_students_get_the_lan_address_not_localhost_when_the_server_listens_beyond_loopback():
    for loopback in ("localhost:8000", "127.0.0.1:8000", "[::1]:8000"):
        assert base(loopback) == "http://192.168.1.23:8000/", loopback
    assert base("localhost:8000", lan=["fd00::2"]) == "http://[fd00::2]:8000/"
    assert base("localhost") == "http://192.168.1.23/"  # the port the browser used: none
    assert base("192.168.1.23:8000") == "http://192.168.1.23:8000/"  # already reachable: kept
    assert base("lab.school.example") == "http://lab.school.example/"  # a proxy passing Host on


def test_the_pages_own_address_when_listening_on_loopback_or_no_lan_address_is_known():
    assert base("localhost:8000", bind="127.0.0.1") == "http://localhost:8000/"
    assert base("localhost:8000", lan=[]) == "http://localhost:8000/"


def test_a_public_url_or_a_proxys_forwarded_host_wins():
    assert base("localhost:8000", **{"x-forwarded-host": "lab.example, inner:80"}) == "http://lab.example/"
    assert base("localhost:8000", **{"x-forwarded-host": "lab.example", "x-forwarded-proto": "https"}) == (
        "https://lab.example/"
    )
    assert base("localhost:8000", **{"x-forwarded-host": "bad host"}) == "http://192.168.1.23:8000/"
    public = public_url("https://lab.school.example/physics")
    assert public == "https://lab.school.example/physics/"
    assert share_base({"host": "localhost:8000"}, "http", "0.0.0.0", public) == public
    assert watch_url(public, "K7MQ3P") == "https://lab.school.example/physics/#session=K7MQ3P&watch=1"
    for bad in ("lab.school.example", "ftp://lab/", "http://lab/?a=1", "http://bad host/"):
        with pytest.raises(ValueError, match="--public-url"):
            public_url(bad)


def test_the_page_carries_the_address_for_its_links(monkeypatch):
    monkeypatch.setattr("server.share.lan_addresses", lambda host: LAN if host == "0.0.0.0" else [])
    with TestClient(create_app(Settings(host="0.0.0.0")), base_url="http://localhost:8000") as c:
        assert '<meta name="share-base" content="http://192.168.1.23:8000/">' in c.get("/").text
        assert c.get("/qr.svg?session=K7MQ3P").content == qr_svg("http://192.168.1.23:8000/#session=K7MQ3P&watch=1")
    with TestClient(create_app(Settings(host="127.0.0.1")), base_url="http://localhost:8000") as c:
        assert '<meta name="share-base" content="http://localhost:8000/">' in c.get("/").text


def test_lan_addresses_of_this_machine():
    assert lan_addresses("127.0.0.1") == [] and lan_addresses("localhost") == []
    assert lan_addresses("192.168.1.21") == ["192.168.1.21"]
    found = lan_addresses("0.0.0.0")
    assert all(reachable(a) and ":" not in a for a in found), found  # IPv4 only, none loopback
    assert is_loopback("[::1]") and is_loopback("127.0.1.1") and not is_loopback("192.168.1.23")


def test_start_up_says_where_students_join():
    line = students_line("0.0.0.0", 8000, None, lan=lambda h: LAN)
    assert line == (
        "Students join at http://192.168.1.23:8000/ (or http://10.0.0.5:8000/) with the code shown on the presenter's page"
    )
    assert "https://lab.example/" in students_line("0.0.0.0", 8000, "https://lab.example/")
    assert "--host 0.0.0.0" in students_line("127.0.0.1", 8000, None)
    assert "No network address" in students_line("0.0.0.0", 8000, None, lan=lambda h: [])


def test_a_bad_public_url_stops_the_server_before_it_starts(capsys):
    from server.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["--public-url", "lab.school.example"])
    assert stop.value.code == 2 and "--public-url must be an address" in capsys.readouterr().err
