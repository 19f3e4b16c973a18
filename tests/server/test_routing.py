"""The session id in the websocket URL (`/ws?session=ID`), which a proxy routes by: a page
proposes a new session's id there, the join must agree with it, and no session is made
here under an id the URL did not name (it would be routed to another instance)."""

from fastapi.testclient import TestClient

from server import Settings, create_app
from server.registry import SESSION_ID

from .conftest import Peer


def join_error(client, url, **join):
    with client.websocket_connect(url) as ws:
        p = Peer(ws)
        p.send(type="join", **{"session": None, "token": None, "config": None, **join})
        return p.expect(type="error")


def test_a_new_session_takes_the_id_the_url_proposes_and_students_find_it_there(client):
    with client.websocket_connect("/ws?session=Ab-_0123") as a, client.websocket_connect("/ws?session=Ab-_0123") as b:
        hello, _, _ = Peer(a).join()
        assert hello["session"] == "Ab-_0123" and hello["role"] == "controller"
        Peer(b).send(type="join", session="Ab-_0123", token=None, config=None, watch=True)
        assert Peer(b).expect(type="hello")["role"] == "viewer"


def test_a_url_that_disagrees_with_the_join_is_refused_and_the_connection_can_join_again(client):
    with client.websocket_connect("/ws?session=AAAAAAAA") as ws:
        p = Peer(ws)
        p.send(type="join", session="BBBBBBBB", token=None, config=None)
        err = p.expect(type="error")
        assert err["field"] == "session" and "'BBBBBBBB'" in err["message"] and "'AAAAAAAA'" in err["message"]
        assert "must be the same" in err["message"]
        hello, _, _ = p.join()
        assert hello["session"] == "AAAAAAAA"
    assert set(client.app.state.registry.sessions) == {"AAAAAAAA"}


def test_a_malformed_url_id_is_refused_naming_the_alphabet_and_length(client):
    for bad in ("abc", "abcdefghi", "abc!efgh", ""):
        err = join_error(client, f"/ws?session={bad}")
        assert err["field"] == "session" and "8 characters from A-Z, a-z, 0-9" in err["message"], bad
    assert client.app.state.registry.sessions == {}


def test_a_proposed_id_already_in_use_is_refused_not_joined(client):
    with client.websocket_connect("/ws?session=CCCCCCCC") as a:
        hello, _, _ = Peer(a).join()
        err = join_error(client, "/ws?session=CCCCCCCC")  # session null: a new one, under a taken id
        assert err["field"] == "session" and "already in use; propose another id" in err["message"]
        assert client.app.state.registry.sessions["CCCCCCCC"].token == hello["token"]  # not taken over


def test_an_ended_session_named_in_the_url_is_remade_only_by_its_presenter(tmp_path):
    kept = Settings(data_dir=str(tmp_path))  # what the restarted server finds of the one before: its secret
    with TestClient(create_app(kept)) as before, before.websocket_connect("/ws?session=DDDDDDDD") as ws:
        hello, _, _ = Peer(ws).join({"dataset": "xor"})
    with TestClient(create_app(kept)) as after:  # a restarted instance: the session is gone
        err = join_error(after, "/ws?session=DDDDDDDD", session="DDDDDDDD", config={"dataset": "spiral"})
        assert err["field"] == "session" and "start a new one with an id of your own" in err["message"]
        err = join_error(after, "/ws?session=DDDDDDDD", session="DDDDDDDD", watch=True)
        assert "waiting for its presenter" in err["message"]
        assert after.app.state.registry.sessions == {}
        with after.websocket_connect("/ws?session=DDDDDDDD") as ws:
            again, _, _ = Peer(ws).join({"dataset": "xor"}, session="DDDDDDDD", token=hello["token"])
            assert again["session"] == "DDDDDDDD" and again["role"] == "controller"


def test_without_an_id_in_the_url_a_new_session_gets_one_of_the_servers(client):
    with client.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join()
    assert SESSION_ID.fullmatch(hello["session"]) and len(hello["session"]) == 6  # a join code
