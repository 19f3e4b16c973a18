"""A restart does not lose the run (server/store.py, server/saving.py): the real server,
killed with SIGKILL or stopped with SIGTERM, and started again on the same data directory,
gives the presenter's page (with its token) the session where it was, and the students'
pages (with the id alone) follow it once it is back: at its last save after SIGKILL, exactly as it stood after SIGTERM,
whose close code (1012) tells pages to reconnect at once."""

import json
import os
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from server.protocol import decode
from server.store import DB_FILE, Store
from tests.school import free_port, wait_until

from .conftest import saved_step

pytestmark = pytest.mark.timeout(120)
# Adam (moments), mini-batches (the batch order), dropout (the generator): a continuation is
# bit-identical only if all of them come back.
CONFIG = {"dataset": "circle", "hidden": [6, 5], "optimizer": "adam", "batch_size": 10, "dropout": 0.1}


def serve(port: int, data_dir: Path, wrap: list[str] = (), workers: int = 1) -> subprocess.Popen:
    cmd = [*wrap, sys.executable, "-m", "server", "--port", str(port), "--data-dir", str(data_dir)]
    cmd += ["--workers", str(workers)]
    log = open(data_dir.parent / f"server-{port}.log", "ab")  # noqa: SIM115 (the process keeps it)
    proc = subprocess.Popen(cmd, stdout=log, stderr=log)

    def up() -> bool:
        assert proc.poll() is None, f"the server exited with code {proc.returncode}"
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return True
        except OSError:
            return False

    wait_until(up, "the server to answer")
    return proc


class Page:
    """A websocket client of the protocol: JSON, or a binary message's header with `arrays_`."""

    def __init__(self, port: int, sid: str):
        self.opened = connect(f"ws://127.0.0.1:{port}/ws?session={sid}", max_size=None, open_timeout=10)
        self.ws = self.opened.__enter__()  # websockets wants its connections entered

    def send(self, **msg) -> None:
        self.ws.send(json.dumps(msg))

    def recv(self) -> dict:
        data = self.ws.recv(timeout=20)
        if isinstance(data, str):
            return json.loads(data)
        header, arrays = decode(data)
        return {**header, "arrays_": arrays}

    def until(self, pred) -> dict:
        while True:
            msg = self.recv()
            if pred(msg):
                return msg

    def join(self, sid: str, token: str | None, watch: bool = False) -> tuple[dict, dict]:
        """The hello and the first frame."""
        self.send(type="join", session=sid, token=token, config=CONFIG, watch=watch)
        hello = self.until(lambda m: m.get("type") in ("hello", "error"))
        assert hello["type"] == "hello", hello
        return hello, self.until(is_frame)

    def steps(self, n: int, start: int) -> dict:
        """n steps on from step `start`: the frame of the last (a `step` command pauses there)."""
        self.send(type="step", n=n)
        return self.until(lambda m: is_frame(m) and m["step"] == start + n)


def is_frame(m: dict) -> bool:
    return m.get("kind") == "frame"


def issue(port: int) -> tuple[str, str]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/session", method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        got = json.loads(r.read())
    return got["session"], got["token"]


def weights(frame: dict) -> dict[str, np.ndarray]:
    return {k: v for k, v in frame["arrays_"].items() if re.fullmatch(r"layer\d+\.[Wb]", k)}


def same(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.fixture
def server(tmp_path):
    """Starts servers on one port and data directory; ends those still running."""
    data, port, procs = tmp_path / "data", free_port(), []
    data.mkdir()

    def start(wrap: list[str] = (), workers: int = 1) -> subprocess.Popen:
        procs.append(serve(port, data, wrap, workers))
        return procs[-1]

    yield port, data, start
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(10)


def test_after_sigkill_the_run_is_back_at_its_last_save_and_a_students_page_follows_it(server):
    port, data, start = server
    proc = start()
    sid, token = issue(port)
    presenter = Page(port, sid)
    presenter.join(sid, token)
    presenter.steps(300, 0)
    wait_until(lambda: saved_step(data, sid) == 300, "the save of step 300")
    presenter.send(type="play")  # training on past that save when the server dies
    last_seen = presenter.until(lambda m: is_frame(m) and m["step"] >= 400)["step"]
    proc.kill()
    proc.wait(10)
    kept = Store(data / DB_FILE).load(sid)  # what the server had written when it died
    assert kept is not None
    step = kept["meta"]["runs"][0]["steps"]
    assert step >= 300 and kept["arrays"]["run0/history"].shape[0] == step

    start()
    student = Page(port, sid)  # the student's page comes back first, with the id alone: it waits
    student.send(type="join", session=sid, token=None, config=None, watch=True)
    assert "waiting for its presenter" in student.until(lambda m: m.get("type") == "error")["message"]
    presenter = Page(port, sid)
    hello, frame = presenter.join(sid, token)
    assert hello["role"] == "controller" and hello["state"]["step"] == step == frame["step"]
    assert frame["history"] == {"first": 1, "count": step}
    told = presenter.until(lambda m: m.get("type") == "state")
    assert told["message"] == f"this session was brought back from its last save, at step {step}"
    layers = len([k for k in kept["arrays"] if k.startswith("run0/layer") and k.endswith("/W")])
    for i in range(layers):  # the weights of the last save (float32 on the wire)
        for p in ("W", "b"):
            assert np.array_equal(frame["arrays_"][f"layer{i}.{p}"], kept["arrays"][f"run0/layer{i}/{p}"].astype("<f4"))
    print(f"SIGKILL at step >= {last_seen}: restored at step {step}")

    watching, _ = student.join(sid, None, watch=True)  # the student's page tries again
    assert watching["role"] == "viewer" and watching["state"]["step"] == step
    presenter.steps(5, step)
    assert student.until(lambda m: is_frame(m) and m["step"] == step + 5)  # the student follows the restored run


@pytest.mark.parametrize("workers", [1, 2], ids=["in-process", "2 workers"])
def test_after_sigterm_the_run_is_exactly_where_it_stood_and_pages_were_closed_with_1012(server, workers):
    port, data, start = server
    proc = start(workers=workers)
    sid, token = issue(port)
    presenter = Page(port, sid)
    presenter.join(sid, token)
    seen = [presenter.steps(300, 0)]
    proc.terminate()
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            seen.append(presenter.recv())
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1012
    assert proc.wait(20) in (0, -15)  # uvicorn ends by raising the signal again, once it has shut down
    at_shutdown = seen[0]

    start(workers=workers)
    presenter = Page(port, sid)
    hello, frame = presenter.join(sid, token)
    assert hello["role"] == "controller" and frame["step"] == 300
    assert same(weights(frame), weights(at_shutdown))
    assert (
        "brought back from its last save, at step 300" in presenter.until(lambda m: m.get("type") == "state")["message"]
    )
    # ... and it goes on as if never stopped: optimizer state, batch order and generator are back.
    continued = presenter.steps(10, 300)
    ref_sid, ref_token = issue(port)
    reference = Page(port, ref_sid)
    reference.join(ref_sid, ref_token)
    uninterrupted = reference.steps(310, 0)
    assert continued["step"] == uninterrupted["step"] == 310
    assert same(weights(continued), weights(uninterrupted))


def test_a_read_only_data_directory_is_said_at_start_and_the_server_serves_in_memory(server):
    port, data, start = server
    proc = start()  # makes the secret and the database there
    proc.terminate()
    proc.wait(20)
    if os.geteuid() == 0:  # root writes anywhere: a read-only mount of the folder, for the server alone
        wrap = ["unshare", "-m", "sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(data)]
    else:
        data.chmod(0o555)
        wrap = []
    try:
        start(wrap)
        sid, token = issue(port)
        page = Page(port, sid)
        hello, frame = page.join(sid, token)
        assert hello["role"] == "controller" and page.steps(3, 0)["step"] == 3
    finally:
        data.chmod(0o755)
    said = [line for line in (data.parent / f"server-{port}.log").read_text().splitlines() if DB_FILE in line]
    assert len(said) == 1, said
    assert f"cannot keep sessions in {data / DB_FILE}" in said[0] and "serving in memory" in said[0]


def descendants(pid: int) -> list[int]:
    """The processes under `pid` (with --workers: a forkserver and the workers it forked)."""
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, todo = [], [pid]
    while todo:
        pid = todo.pop()
        children = [p for p, parent in parents.items() if parent == pid]
        found += children
        todo += children
    return found


def test_with_workers_a_killed_web_process_loses_nothing_its_workers_save_before_they_exit(server):
    port, data, start = server
    proc = start(workers=2)
    sid, token = issue(port)
    presenter = Page(port, sid)
    presenter.join(sid, token)
    at_kill = presenter.steps(300, 0)
    below = descendants(proc.pid)
    proc.kill()  # at once: within the 2 s between two saves
    proc.wait(10)
    wait_until(lambda: not any(Path(f"/proc/{p}").exists() for p in below), "the workers to exit")
    assert saved_step(data, sid) == 300

    start()
    presenter = Page(port, sid)
    hello, frame = presenter.join(sid, token)
    assert frame["step"] == 300 and same(weights(frame), weights(at_kill))
