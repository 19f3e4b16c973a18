"""The real server restarts mid-lesson: the presenter's page reconnects by itself, brings
its session back with the setup from its URL, and a student's page watching that session
finds it again; the same with the sessions in worker processes, and when only the worker
training the session dies."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import _free_port, shot


def start(port: int, workers: int = 1, *more: str) -> subprocess.Popen:
    script = Path(sys.executable).with_name("backprop-lab")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "server"]
    proc = subprocess.Popen([*cmd, "--port", str(port), "--workers", str(workers), *more])
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


@pytest.fixture(params=[1, 2], ids=["in-process", "2 workers"])
def restartable(request):
    port = _free_port()
    procs = [start(port, request.param)]
    yield port, procs, request.param
    for p in procs:
        p.terminate()
        p.wait(10)


def worker_pids(server_pid: int) -> list[int]:
    """The worker processes: the server's grandchildren (it starts a forkserver, which forks
    the workers), found in /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    children = {p for p, parent in parents.items() if parent == server_pid}
    return sorted(p for p, parent in parents.items() if parent in children)


def test_pages_reconnect_after_a_restart_and_the_lesson_goes_on(browser, restartable):
    port, procs, workers = restartable
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
    procs.append(start(port, workers))

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


def test_when_the_worker_training_a_lesson_dies_the_pages_say_so_and_go_on(browser):
    """Only the worker process dies, not the server: the presenter's and the student's
    pages keep their sockets, are told "the server restarted this session", and the
    lesson goes on from step 0 with the presenter's setup (in memory: with a data directory it
    comes back from its last save, tests/server/test_persist_store.py)."""
    port = _free_port()
    proc = start(port, 2, "--in-memory")
    try:
        url = f"http://127.0.0.1:{port}/"
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        presenter = ctx.new_page()
        presenter.goto(url + "#dataset=xor&hidden=3,3&learning_rate=0.1")
        presenter.wait_for_selector("body[data-connected=true]", timeout=15000)
        session = presenter.evaluate("window.backpropLab.session")
        student = ctx.new_page()
        student.goto(url + f"#session={session}&watch=1")
        student.wait_for_selector("body[data-connected=true]", timeout=15000)
        presenter.click("#btn-step")
        student.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")
        for p in (presenter, student):  # every notice shown, however soon another replaces it
            p.evaluate(
                """() => { window.notices = [];
                new MutationObserver(() => window.notices.push(document.querySelector('#notice').textContent))
                  .observe(document.querySelector('#notice'), {childList: true, characterData: true, subtree: true}); }"""
            )
        workers = worker_pids(proc.pid)
        assert len(workers) == 2, workers
        for pid in workers:  # the session's worker (the other has no session): both, to be sure of it
            os.kill(pid, signal.SIGKILL)
        for p in (presenter, student):
            p.wait_for_function(
                "() => window.notices.some(t => t.includes('the server restarted this session'))", timeout=30000
            )
            p.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '0'")
        assert presenter.locator("#role").inner_text().strip().lower() == "controller"
        assert student.locator("#role").inner_text().strip().lower() == "watching"
        assert presenter.evaluate("window.backpropLab.config")["hidden"] == [3, 3]
        presenter.click("#btn-step")
        student.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")
        shot(student, "51-student-after-a-worker-died")
    finally:
        proc.terminate()
        proc.wait(10)
