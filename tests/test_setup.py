"""The set-up a user follows: the README's commands, the wheel, the console script."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.+?)\n```", (ROOT / "README.md").read_text())


def test_readme_has_two_commands_and_ci_runs_the_test_one():
    install, test = readme_commands()[:2]
    assert "backprop-lab" in install and "pytest" in test
    assert test in (ROOT / ".ci" / "run").read_text()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 20) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                return r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_wheel_ships_the_page_and_serves_it_from_anywhere(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    wheel = next((tmp_path / "dist").glob("backprop_lab-*.whl"))
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)], check=True
    )
    assert (target / "server" / "static" / "js" / "main.js").is_file()
    assert (target / "server" / "templates" / "index.html").is_file()
    assert (target / "engine" / "data" / "digits.npz").is_file()  # the digits load offline from the wheel
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(target)}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "server", "--port", str(port)], cwd=elsewhere, env=env)
    try:
        page = wait_for(f"http://127.0.0.1:{port}/").decode()
        assert "Backprop Lab" in page
        assert wait_for(f"http://127.0.0.1:{port}/static/js/main.js")
        code = "import server; print(server.__file__)"
        where = subprocess.run(
            [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, check=True
        ).stdout
        assert where.startswith(str(target))  # served from the wheel, not the checkout
    finally:
        proc.terminate()
        proc.wait(10)


def test_taken_port_gets_a_clear_message():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "server", "--port", str(port)], capture_output=True, text=True, timeout=30
        )
    assert out.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in out.stderr


def listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on port, from /proc/net/tcp (IPv4)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        host, hexport = local.split(":")
        if int(hexport, 16) == port and state == "0A":  # 0A: LISTEN
            found.add(socket.inet_ntoa(bytes.fromhex(host)[::-1]))
    return found


def test_the_server_listens_on_loopback_unless_told_otherwise():
    if not Path("/proc/net/tcp").exists():
        import pytest

        pytest.skip("no /proc/net/tcp on this system")
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "server", "--port", str(port)])
    try:
        wait_for(f"http://127.0.0.1:{port}/")
        assert listening_addresses(port) == {"127.0.0.1"}
    finally:
        proc.terminate()
        proc.wait(10)
