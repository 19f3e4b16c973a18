"""No student can take the presenter's place. Every student has the session's id (it is in
the watch link); only the token, an HMAC of the id with the server's secret (server/secret.py),
controls the session or makes it again after a restart. The secret lives in the data
directory, made once with mode 0600; without one (or when it cannot be used) the server
serves in memory with a secret of its own process's."""

import logging
import stat

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.cli import main
from server.secret import SECRET_FILE, Tokens, load_secret

from .conftest import Peer


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "2 workers"])
def test_after_a_restart_a_made_up_token_waits_and_the_real_one_controls(tmp_path, workers):
    kept = Settings(data_dir=str(tmp_path), workers=workers)  # the restarted server finds the same secret
    with TestClient(create_app(kept)) as before, before.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join({"dataset": "xor"})
    sid, token = hello["session"], hello["token"]
    with TestClient(create_app(kept)) as after:
        url = f"/ws?session={sid}"
        with after.websocket_connect(url) as s, after.websocket_connect(url) as p:
            student, presenter = Peer(s), Peer(p)
            student.send(type="join", session=sid, token="x", config={"dataset": "spiral"})
            err = student.expect(type="error")
            assert err["field"] == "session" and "waiting for its presenter" in err["message"]
            assert after.app.state.registry.sessions == {}  # nothing made under the student's token
            again, _, _ = presenter.join({"dataset": "xor"}, session=sid, token=token)
            assert again["session"] == sid and again["role"] == "controller" and again["token"] == token
            watching, _, _ = student.join(session=sid, token="x")  # the student's page asks again
            assert watching["role"] == "viewer" and "token" not in watching
            assert watching["config"]["dataset"] == "xor"
            student.send(type="play")
            assert "only the controller" in student.expect(type="error")["message"]


def test_a_running_sessions_id_with_a_made_up_or_another_sessions_token_only_watches(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        first, _, _ = Peer(a).join()
        second, _, _ = Peer(b).join()
        near = first["token"][:-1] + ("B" if first["token"][-1] == "A" else "A")  # one character off, never the same
        for made_up in ("x", second["token"], near, "ü" * 10):
            with client.websocket_connect("/ws") as c:
                hello, _, _ = Peer(c).join(session=first["session"], token=made_up)
                assert hello["role"] == "viewer" and "token" not in hello, made_up
    assert first["token"] == Tokens(client.app.state.registry.tokens.secret).make(first["session"])


def test_the_secret_is_made_once_private_and_read_again(tmp_path):
    secret, problem = load_secret(str(tmp_path / "data"))
    path = tmp_path / "data" / SECRET_FILE
    assert problem is None and len(secret) == 32 and path.read_bytes() == secret
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(str(tmp_path / "data")) == (secret, None)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind


def test_in_memory_nothing_is_written_and_each_process_has_its_own(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (a, problem), (b, _) = load_secret(None), load_secret(None)
    assert problem is None and a != b and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["a file where the folder should be", "a read-only folder", "a wrong secret"])
def test_an_unusable_data_directory_is_said_in_one_line_and_the_server_serves_in_memory(
    tmp_path, kind, caplog, monkeypatch
):
    if kind.startswith("a file"):
        data_dir = tmp_path / "not-a-folder"
        data_dir.write_text("")
        reason = "it is a file, not a folder"
    elif kind.startswith("a read-only"):
        data_dir = tmp_path / "data"
        data_dir.mkdir()

        def refused(path, *args):  # what a read-only folder does (the tests may run as root, which it would let in)
            raise PermissionError(13, "Permission denied", str(path))

        monkeypatch.setattr("server.secret.os.open", refused)
        reason = f"Permission denied: {data_dir}/"
    else:
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        (data_dir / SECRET_FILE).write_bytes(b"short")
        reason = "holds 5 bytes, not 32; delete it to make a new one"
    with caplog.at_level(logging.WARNING):
        app = create_app(Settings(data_dir=str(data_dir)))
    [line] = [r.getMessage() for r in caplog.records if "data directory" in r.getMessage()]
    assert f"cannot use the data directory {data_dir}" in line and reason in line and "serving in memory" in line
    assert "\n" not in line
    with TestClient(app) as client, client.websocket_connect("/ws") as ws:
        hello, _, _ = Peer(ws).join()
        assert hello["role"] == "controller" and hello["token"]


def test_a_trusted_proxy_that_is_no_address_is_refused_by_name(capsys):
    with pytest.raises(SystemExit):
        main(["--trusted-proxy", "the-proxy", "--in-memory"])
    assert "trusted proxy 'the-proxy' is not an IP address or network" in capsys.readouterr().err
