"""The session id in the websocket URL (`/ws?session=ID`), which a proxy routes by: a page
gets a new session's id and token from the server (POST /session) and names the id there,
the join must agree with it, and no session is made here under an id the URL names without
that id's token (an id of a client's choosing would hand it the token of a class's ended
session), nor under one the URL did not name (it would be routed to another instance)."""

from fastapi.testclient import TestClient

from server import Settings, create_app
from server.ids import SESSION_ID

from .conftest import Peer


def join_error(client, url, **join):
    with client.websocket_connect(url) as ws:
        p = Peer(ws)
        p.send(type="join", **{"session": None, "token": None, "config": None, **join})
        return p.expect(type="error")


def issue(client) -> tuple[str, str]:
    got = client.post("/session").json()
    return got["session"], got["token"]


def test_a_new_session_takes_the_id_and_token_the_server_issued_and_students_find_it_there(client):
    sid, token = issue(client)
    assert SESSION_ID.fullmatch(sid) and len(sid) == 6 and issue(client)[0] != sid
    url = f"/ws?session={sid}"
    with client.websocket_connect(url) as a, client.websocket_connect(url) as b:
        hello, _, _ = Peer(a).join(session=sid, token=token)
        assert hello["session"] == sid and hello["role"] == "controller" and hello["token"] == token
        Peer(b).send(type="join", session=sid, token=None, config=None, watch=True)
        assert Peer(b).expect(type="hello")["role"] == "viewer"


def test_a_url_that_disagrees_with_the_join_is_refused_and_the_connection_can_join_again(client):
    sid, token = issue(client)
    with client.websocket_connect(f"/ws?session={sid}") as ws:
        p = Peer(ws)
        p.send(type="join", session="BBBBBBBB", token=None, config=None)
        err = p.expect(type="error")
        assert err["field"] == "session" and "'BBBBBBBB'" in err["message"] and f"'{sid}'" in err["message"]
        assert "must be the same" in err["message"]
        hello, _, _ = p.join(session=sid, token=token)
        assert hello["session"] == sid
    assert set(client.app.state.registry.sessions) == {sid}


def test_a_malformed_url_id_is_refused_naming_the_alphabet_and_length(client):
    for bad in ("abc", "abcdefghi", "abc!efgh", ""):
        err = join_error(client, f"/ws?session={bad}")
        assert err["field"] == "session" and "8 characters from A-Z, a-z, 0-9" in err["message"], bad
    assert client.app.state.registry.sessions == {}


def test_no_session_is_made_under_an_id_of_the_clients_choosing(client):
    """A page (or a script) naming an id in the URL with `session: null` once made a session
    under it, and got its controller: after a restart, a student could so own the class's id."""
    err = join_error(client, "/ws?session=CCCCCCCC")
    assert err["field"] == "session" and "POST /session" in err["message"]
    err = join_error(client, "/ws?session=CCCCCCCC", session="CCCCCCCC", token="made-up")
    assert "waiting for its presenter" in err["message"]
    assert client.app.state.registry.sessions == {}


def test_a_running_session_named_in_the_url_with_session_null_is_not_taken_over(client):
    sid, token = issue(client)
    with client.websocket_connect(f"/ws?session={sid}") as a:
        Peer(a).join(session=sid, token=token)
        err = join_error(client, f"/ws?session={sid}")
        assert err["field"] == "session" and "POST /session" in err["message"]
        assert client.app.state.registry.sessions[sid].token == token


def test_an_ended_session_named_in_the_url_is_remade_only_by_its_presenter(tmp_path):
    kept = Settings(data_dir=str(tmp_path))  # what the restarted server finds of the one before: its secret
    with TestClient(create_app(kept)) as before:
        sid, token = issue(before)
        with before.websocket_connect(f"/ws?session={sid}") as ws:
            Peer(ws).join({"dataset": "xor"}, session=sid, token=token)
    with TestClient(create_app(kept)) as after:  # a restarted instance: the session is gone
        err = join_error(after, f"/ws?session={sid}", session=sid, config={"dataset": "spiral"})
        assert err["field"] == "session" and "start a new one" in err["message"]
        err = join_error(after, f"/ws?session={sid}", session=sid, watch=True)
        assert "waiting for its presenter" in err["message"]
        assert after.app.state.registry.sessions == {}
        with after.websocket_connect(f"/ws?session={sid}") as ws:
            again, _, _ = Peer(ws).join({"dataset": "xor"}, session=sid, token=token)
            assert again["session"] == sid and again["role"] == "controller"


def test_without_an_id_in_the_url_a_new_session_gets_one_of_the_servers(client):
    with client.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join()
    assert SESSION_ID.fullmatch(hello["session"]) and len(hello["session"]) == 6  # a join code
