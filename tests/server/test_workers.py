"""Sessions in worker processes (server/workers.py): spread over the workers, commands
reach the right one, viewers follow, and a killed worker's sessions come back on a live
one, their pages told so. The existing server tests run again with workers on."""

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server import Settings, create_app
from server.workers import WorkerRegistry

from .apart import run_apart
from .conftest import Peer, is_frame, steps

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.timeout(60)  # a message that never comes fails the test, not the run


@pytest.fixture
def client():
    with TestClient(create_app(Settings(workers=2))) as c:
        yield c


def pool(client):
    return client.app.state.registry.pool


def worker_of(client, sid):
    return client.app.state.registry.sessions[sid].handle


def test_sessions_spread_over_both_workers_and_commands_reach_theirs(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        pa, pb = Peer(a), Peer(b)
        ha, _, _ = pa.join({"dataset": "xor", "hidden": [3]})
        hb, _, _ = pb.join({"dataset": "circle", "hidden": [4]})
        wa, wb = worker_of(client, ha["session"]), worker_of(client, hb["session"])
        assert {wa.index, wb.index} == {0, 1} and wa.process.pid != wb.process.pid
        assert [len(h.sessions) for h in pool(client).handles] == [1, 1]
        frame_a, _ = steps(pa, 3)
        frame_b, _ = steps(pb, 7)
        assert frame_a["step"] == 3 and frame_b["step"] == 7
        pa.send(type="set", config={"learning_rate": 0.2})
        assert pa.until(lambda m: m.get("type") == "config")[0]["config"]["learning_rate"] == 0.2
        pb.send(type="pause")
        state_b = pb.expect(type="state")
        assert state_b["step"] == 7  # b's session never saw a's commands
        pa.send(type="pause")
        assert pa.until(lambda m: m.get("type") == "state")[0]["step"] == 3


def test_viewers_follow_and_a_late_one_gets_the_whole_history(client):
    with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
        ctl, viewer = Peer(a), Peer(b)
        hello, _, _ = ctl.join()
        vh, _, _ = viewer.join(session=hello["session"])
        assert vh["role"] == "viewer" and "token" not in vh
        viewer.send(type="play")  # refused by the session, in order with the rest
        assert "only the controller" in viewer.expect(type="error")["message"]
        ctl.send(type="step", n=12)
        frame, seen = viewer.until(lambda m: is_frame(m) and m["step"] == 12)
        counted = sum(m["history"]["count"] for m in [*seen, frame] if is_frame(m))
        assert counted == 12  # every step once, however the frames fell
        steps(ctl, 5)  # the latest frame carries steps 13..17 only
        with client.websocket_connect("/ws") as c:  # its first frame: history the worker encodes for it
            _, _, late = Peer(c).join(session=hello["session"])
            assert late["step"] == 17 and late["history"] == {"first": 1, "count": 17}


def test_a_killed_worker_recovers_its_sessions_and_their_pages_are_told(client):
    with (
        client.websocket_connect("/ws") as a,
        client.websocket_connect("/ws") as av,
        client.websocket_connect("/ws") as b,
    ):
        ctl, viewer, other = Peer(a), Peer(av), Peer(b)
        hello, _, _ = ctl.join({"dataset": "xor", "hidden": [5]})
        viewer.join(session=hello["session"])
        other_hello, _, _ = other.join()
        ctl.send(type="set", config={"learning_rate": 0.3})
        ctl.until(lambda m: m.get("type") == "config")
        for peer in (ctl, other):  # both training when the worker dies
            peer.send(type="play")
            peer.until(lambda m: is_frame(m) and m["step"] >= 5)
        dead = worker_of(client, hello["session"])
        assert worker_of(client, other_hello["session"]) is not dead
        os.kill(dead.process.pid, signal.SIGKILL)

        for peer, role in ((ctl, "controller"), (viewer, "viewer")):
            again, _ = peer.until(lambda m: m.get("type") == "hello")
            assert again["session"] == hello["session"] and again["role"] == role
            assert again["config"]["learning_rate"] == 0.3 and again["config"]["hidden"] == [5]
            assert peer.expect(kind="dataset")
            first = peer.expect(kind="frame")
            assert first["step"] == 0 and first["history"] == {"first": 1, "count": 0}  # a new history
            told = peer.expect(type="state")
            assert "the server restarted this session" in told["message"] and told["running"] is False
        assert again is not None and "token" not in again
        live = worker_of(client, hello["session"])
        assert live is not dead and live.process.is_alive()
        frame, _ = steps(ctl, 3)  # the page keeps working, on the live worker
        assert frame["step"] == 3 and frame["history"]["first"] <= 3
        assert viewer.until(lambda m: is_frame(m) and m["step"] == 3)

        frame, seen = other.until(lambda m: is_frame(m) and m["step"] >= 100)  # the other session trained on
        assert frame["history"]["first"] > 1 and not any(m.get("type") in ("hello", "state") for m in seen)
        assert all(h.process.is_alive() for h in pool(client).handles)  # a new worker took the dead one's place
        assert len(pool(client).handles) == 2


def test_the_controller_keeps_its_token_after_a_recovery(client):
    with client.websocket_connect("/ws") as a:
        ctl = Peer(a)
        hello, _, _ = ctl.join()
        os.kill(worker_of(client, hello["session"]).process.pid, signal.SIGKILL)
        again, _ = ctl.until(lambda m: m.get("type") == "hello")
        assert again["token"] == hello["token"] and again["role"] == "controller"


def test_a_hung_worker_is_killed_and_its_sessions_come_back(caplog):
    """Stopped (SIGSTOP), a worker is alive but its event loop never turns: the heartbeat
    finds it, kills it, and its sessions come back on a live worker; the other's carry on."""
    with TestClient(create_app(Settings(workers=2, worker_timeout=3.0))) as client:
        with client.websocket_connect("/ws") as a, client.websocket_connect("/ws") as b:
            ctl, other = Peer(a), Peer(b)
            hello, _, _ = ctl.join({"dataset": "xor"})
            other_hello, _, _ = other.join()
            hung = worker_of(client, hello["session"])
            assert worker_of(client, other_hello["session"]) is not hung
            other.send(type="play")
            os.kill(hung.process.pid, signal.SIGSTOP)
            try:
                again, _ = ctl.until(lambda m: m.get("type") == "hello")
            finally:
                with contextlib.suppress(ProcessLookupError):  # once killed and reaped, it is gone
                    os.kill(hung.process.pid, signal.SIGCONT)
            assert again["session"] == hello["session"] and again["role"] == "controller"
            ctl.until(lambda m: m.get("type") == "state" and "the server restarted" in m.get("message", ""))
            assert not hung.alive and worker_of(client, hello["session"]) is not hung
            assert any("has not answered" in r.getMessage() for r in caplog.records)
            frame, seen = other.until(lambda m: is_frame(m) and m["step"] >= 50)
            assert not any(m.get("type") == "hello" for m in seen)  # never restarted
            frame, _ = steps(ctl, 2)
            assert frame["step"] == 2
            # The new worker has no session, so sends nothing but its answers to the pings:
            # those alone keep it alive past several timeouts.
            idle = pool(client).handles[hung.index]
            assert idle is not hung and not idle.sessions
            other.until(lambda m: is_frame(m) and idle.ready and time.monotonic() - idle.heard < 1)
            born = time.monotonic()
            other.until(lambda m: is_frame(m) and time.monotonic() - born > 2 * 3.0)
            assert idle.alive and idle.process.is_alive() and pool(client).handles[hung.index] is idle


def test_backprop_lab_workers_sets_the_default():
    """Run by the test below with the variable set: the suite there really has workers."""
    n = int(os.environ.get("BACKPROP_LAB_WORKERS", "1"))
    assert Settings().workers == n
    assert isinstance(create_app().state.registry, WorkerRegistry) == (n > 1)


# The existing server tests, unchanged, with every app they make training in 2 workers.
WITH_WORKERS = [
    "tests/server/test_workers.py::test_backprop_lab_workers_sets_the_default",
    "tests/server/test_sessions.py",
    "tests/server/test_commands.py",
    "tests/server/test_routing.py",
    "tests/server/test_errors.py",
    "tests/server/test_fuzz.py",
    "tests/server/test_limits.py",
]


@pytest.mark.timeout(900)
def test_the_server_tests_pass_unchanged_with_workers():
    env = {**os.environ, "BACKPROP_LAB_WORKERS": "2"}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *WITH_WORKERS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


def test_the_command_line_refuses_fewer_than_one_worker(capsys):
    from server.cli import main

    with pytest.raises(SystemExit) as exit_:
        main(["--workers", "0"])
    assert exit_.value.code == 2 and "--workers must be at least 1" in capsys.readouterr().err


def test_connections_that_missed_the_same_frames_share_one_request():
    """A room of viewers that missed the same frames lacks the same history: the web
    process asks the worker once per distinct gap, and each waiter gets the answer."""
    from server.remote import RemoteFrame

    class Worker:  # the one method RemoteFrame uses of its WorkerHandle
        def __init__(self):
            self.asked: list[tuple] = []
            self.futures: list[asyncio.Future] = []

        def request(self, msg):
            self.asked.append(msg)
            self.futures.append(asyncio.get_running_loop().create_future())
            return self.futures[-1]

    async def scenario():
        worker = Worker()
        frame = RemoteFrame(worker, ("sid", 7, 1, 40, 44, b"latest"))  # type: ignore[arg-type]
        assert frame.encode_for(1, 40) == b"latest" and not worker.asked  # up to date: the shared payload
        waits = [frame.encode_for(1, 30) for _ in range(5)] + [frame.encode_for(1, 35)]
        assert [m[4] for m in worker.asked] == [30, 35]  # one request per gap
        worker.futures[0].set_result(b"from 30")
        worker.futures[1].set_result(b"from 35")
        return await asyncio.gather(*waits)  # type: ignore[arg-type]

    assert run_apart(scenario()) == [b"from 30"] * 5 + [b"from 35"]


def test_the_command_line_starts_one_worker_per_core_unless_told(monkeypatch):
    from server.cli import default_workers

    monkeypatch.delenv("BACKPROP_LAB_WORKERS", raising=False)
    assert default_workers() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("BACKPROP_LAB_WORKERS", "3")
    assert default_workers() == 3


def test_every_server_process_multiplies_on_one_blas_thread():
    """Many sessions share the cores: a second BLAS thread only waits (server/threads.py).
    In a fresh process, so that no earlier test has set it already."""
    probe = (
        "import threadpoolctl, numpy\n"
        "before = max(i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas')\n"
        "from server import create_app\n"
        "create_app()\n"
        "after = [i['num_threads'] for i in threadpoolctl.threadpool_info() if i['user_api'] == 'blas']\n"
        "print(before, after)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60)
    before, after = out.stdout.split(" ", 1)
    assert after.strip() == "[1]", out.stdout + out.stderr
    if os.cpu_count() and os.cpu_count() > 1:  # else the check above could not fail
        assert int(before) > 1
