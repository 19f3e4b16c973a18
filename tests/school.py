"""A school on loopback: two real `backprop-lab` instances behind a real nginx that runs
the example configuration, docs/nginx/backprop-lab.conf, with only its ports changed.
nginx runs in the foreground (`daemon off`) under a prefix of its own, so it needs no
root and leaves the machine's nginx alone. Used by tests/server/test_nginx.py and
tests/browser/test_nginx.py."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.sync.client import connect

from server.protocol import decode
from server.secret import SECRET_FILE, Tokens
from server.settings import default_data_dir

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "nginx" / "backprop-lab.conf"
# The example's lines a school edits, and which the tests replace with free ports.
UPSTREAMS = ("server 127.0.0.1:8001;", "server 127.0.0.1:8002;")
LISTEN = "listen 80;"


def nginx_binary() -> str:
    """Debian's nginx (in /usr/sbin, often not on a user's PATH); CI must have it."""
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs nginx for the school tests: .ci/run installs Debian's package")
        pytest.skip("no nginx on this machine (apt-get install nginx)")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(0.05)


def site_config(example: str, upstreams: list[int], listen: int) -> str:
    """The example with its instances at `upstreams` and nginx at `listen`, all on loopback."""
    for line in (*UPSTREAMS, LISTEN):
        assert example.count(line) == 1, f"{EXAMPLE.name} no longer has the line {line!r} the tests replace"
    for line, port in zip(UPSTREAMS, upstreams):
        example = example.replace(line, f"server 127.0.0.1:{port};")
    return example.replace(LISTEN, f"listen 127.0.0.1:{listen};")


def main_config(prefix: Path, site: Path) -> str:
    """What /etc/nginx/nginx.conf gives the site on Debian, kept inside `prefix`."""
    temps = "".join(
        f"    {kind}_temp_path {prefix / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"daemon off;\nworker_processes 1;\npid {prefix / 'nginx.pid'};\nerror_log stderr;\n"
        f"events {{ worker_connections 1024; }}\n"
        f"http {{\n    access_log off;\n{temps}    include {site};\n}}\n"
    )


def answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2).close()
        return True
    except OSError:
        return False


def _start(cmd: list[str], url: str, name: str) -> subprocess.Popen:
    proc = subprocess.Popen(cmd)

    def up() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"{name} exited with code {proc.returncode}")
        return answers(url)

    wait_until(up, f"{name} to answer at {url}")
    return proc


@dataclass
class School:
    url: str  # the page, through nginx
    ws: str  # the websocket endpoint, through nginx
    instances: list[int]  # each instance's own port, to ask it directly
    processes: dict[int, subprocess.Popen]  # by port

    def stop(self, port: int) -> None:
        self.processes[port].terminate()
        self.processes[port].wait(10)


@contextlib.contextmanager
def run_school(example: str | None = None) -> Iterator[School]:
    nginx = nginx_binary()
    script = Path(sys.executable).with_name("backprop-lab")
    serve = [str(script)] if script.exists() else [sys.executable, "-m", "server"]
    ports, listen = [free_port(), free_port()], free_port()
    prefix = Path(tempfile.mkdtemp(prefix="backprop-nginx-"))
    prefix.chmod(0o755)  # nginx's workers may run as another user (nobody) and use the temp paths
    procs: list[subprocess.Popen] = []
    try:
        for port in ports:
            procs.append(_start([*serve, "--port", str(port)], f"http://127.0.0.1:{port}/", f"instance :{port}"))
        site = prefix / "backprop-lab.conf"
        site.write_text(site_config(example or EXAMPLE.read_text(), ports, listen))
        conf = prefix / "nginx.conf"
        conf.write_text(main_config(prefix, site))
        url = f"http://127.0.0.1:{listen}/"
        procs.append(_start([nginx, "-p", str(prefix), "-c", str(conf), "-e", "stderr"], url, "nginx"))
        yield School(url, f"ws://127.0.0.1:{listen}/ws", ports, dict(zip(ports, procs)))
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        shutil.rmtree(prefix, ignore_errors=True)


class Client:
    """A websocket client of the protocol: JSON out; JSON, or a decoded binary header, in."""

    def __init__(self, url: str):
        self.opened = connect(url, max_size=None, open_timeout=10)
        self.ws = self.opened.__enter__()  # websockets wants its connections entered

    def send(self, **msg) -> None:
        self.ws.send(json.dumps(msg))

    def recv(self) -> dict:
        data = self.ws.recv(timeout=15)
        return json.loads(data) if isinstance(data, str) else decode(data)[0]

    def until(self, pred: Callable[[dict], bool], limit: int = 10_000) -> dict:
        for _ in range(limit):
            msg = self.recv()
            if pred(msg):
                return msg
        raise AssertionError("no matching message")

    def join(self, session: str | None = None, token: str | None = None, watch: bool = False) -> dict:
        """hello, or the error that refused the join."""
        self.send(type="join", session=session, token=token, config=None, watch=watch)
        return self.until(lambda m: m.get("type") in ("hello", "error"))

    def close(self) -> None:
        self.opened.__exit__(None, None, None)


def issue(school: School) -> tuple[str, str]:
    """A new session's id and token, asked through nginx as the page asks (POST /session)."""
    request = urllib.request.Request(school.url + "session", method="POST")
    with urllib.request.urlopen(request, timeout=10) as r:
        got = json.loads(r.read())
    return got["session"], got["token"]


def token_for(sid: str) -> str:
    """The token of an id of the test's choosing, as every instance makes it: they share the
    secret in the data directory (one user's, here the test run's: tests/conftest.py)."""
    return Tokens((Path(default_data_dir()) / SECRET_FILE).read_bytes()).make(sid)


def holders(school: School, sid: str, among: list[int] | None = None) -> list[int]:
    """The instances (ports; all, or those `among`) that hold session `sid`, asked directly,
    not through nginx: the one that has it lets a student in, the others say it is not running."""
    found = []
    for port in school.instances if among is None else among:
        probe = Client(f"ws://127.0.0.1:{port}/ws?session={sid}")
        reply = probe.join(sid, watch=True)
        probe.close()
        assert reply["type"] == "hello" or "waiting for its presenter" in reply["message"], reply
        if reply["type"] == "hello":
            found.append(port)
    return found
