"""The real server restarts mid-lesson: the presenter's page reconnects by itself, brings
its session back with the setup from its URL, and a student's page watching that session
finds it again."""

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import _free_port, shot


def start(port: int) -> subprocess.Popen:
    script = Path(sys.executable).with_name("backprop-lab")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "server"]
    proc = subprocess.Popen([*cmd, "--port", str(port)])
    deadline = time.monotonic() + 30
    while True:  # wait for the port to answer, not for a fixed time
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).close()
            return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("backprop-lab did not start") from None
            time.sleep(0.1)


@pytest.fixture
def restartable():
    port = _free_port()
    procs = [start(port)]
    yield port, procs
    for p in procs:
        p.terminate()
        p.wait(10)


def test_pages_reconnect_after_a_restart_and_the_lesson_goes_on(browser, restartable):
    port, procs = restartable
    url = f"http://127.0.0.1:{port}/"
    errors = []

    def page(hash_):
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        p = ctx.new_page()
        # While the server is down the browser logs failed websocket connections: expected here.
        p.on("console", lambda m: m.type == "error" and "WebSocket" not in m.text and errors.append(m.text))
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(url + "#" + hash_)
        p.wait_for_selector("body[data-connected=true]", timeout=15000)
        return p

    presenter = page("dataset=xor&hidden=3,3&activation=relu&learning_rate=0.1")
    session = presenter.evaluate("window.backpropLab.session")
    student = page(f"session={session}&watch=1")
    assert student.locator("#role").inner_text().strip().lower() == "watching"

    procs[0].terminate()
    procs[0].wait(10)
    for p in (presenter, student):
        p.wait_for_selector("body[data-connected=false]", timeout=15000)
    procs.append(start(port))

    presenter.wait_for_selector("body[data-connected=true]", timeout=30000)
    cfg = presenter.evaluate("window.backpropLab.config")
    assert (cfg["dataset"], cfg["hidden"], cfg["activation"], cfg["learning_rate"]) == ("xor", [3, 3], "relu", 0.1)
    assert presenter.evaluate("window.backpropLab.session") == session
    assert presenter.locator("#role").inner_text().strip().lower() == "controller"

    student.wait_for_function(
        f"() => document.body.dataset.connected === 'true' && window.backpropLab.session === {session!r}", timeout=30000
    )
    assert student.locator("#role").inner_text().strip().lower() == "watching"
    presenter.click("#btn-step")
    student.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")
    shot(student, "50-student-after-restart")
    assert errors == []
