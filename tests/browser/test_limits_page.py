"""A page the server has no room for says so in a plain sentence (which limit, what to do)
and keeps saying it, never a blank page; once room frees up it gets in by itself. The
server here has room for one session, and drops a session 0.5 s after its last page left."""

import sys
from pathlib import Path

import pytest

from .conftest import _free_port, serving, shot

ROOT = Path(__file__).resolve().parents[2]
SERVE = """
import sys, uvicorn
from server import Settings, create_app
from server.settings import Limits
settings = Settings(limits=Limits(max_sessions=1), grace_seconds=0.5, reap_interval=0.2)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", proxy_headers=False)
"""
# Room in memory (server/memory.py) for one session of the default network, not two.
SERVE_MEMORY = """
import sys, uvicorn
from server import Settings, create_app
from server.memory import session_bytes
from server.schema import defaults, make_fields
one = session_bytes(defaults(make_fields(Settings().limits)), Settings())
settings = Settings(memory_bytes=one * 3 // 2, grace_seconds=0.5, reap_interval=0.2)
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", proxy_headers=False)
"""
BANNER = "document.querySelector('#banner')"


@pytest.fixture
def one_session_server():
    port = _free_port()
    yield from serving([sys.executable, "-c", SERVE, str(port)], port, cwd=ROOT)


@pytest.fixture
def one_session_memory():
    port = _free_port()
    yield from serving([sys.executable, "-c", SERVE_MEMORY, str(port)], port, cwd=ROOT)


@pytest.mark.parametrize(
    "server,sentence,shot_name",
    [
        ("one_session_server", "The server is full (1 session)", "60-the-server-is-full"),
        ("one_session_memory", "The server's memory budget (", "61-the-memory-budget-is-reached"),
    ],
    ids=["sessions", "memory"],
)
def test_a_full_server_is_said_on_the_page_until_room_frees_up(browser, request, server, sentence, shot_name):
    url = request.getfixturevalue(server)
    errors = []

    def page():
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        p = ctx.new_page()
        p.on("console", lambda m: m.type == "error" and errors.append(m.text))
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(url)
        return ctx, p

    first_ctx, first = page()
    first.wait_for_selector("body[data-connected=true]", timeout=15000)
    _, second = page()
    # The lasting sentence (capitalised, saying the page tries again), not the error's 8 s one.
    second.wait_for_function(f"() => !{BANNER}.hidden && {BANNER}.textContent.startsWith({sentence!r})", timeout=15000)
    text = second.locator("#banner").inner_text()
    assert "try again in a minute" in text and "this page tries again by itself" in text, text
    assert second.evaluate("document.body.dataset.connected") == "false"
    shot(second, shot_name)
    first_ctx.close()  # the first session's page leaves; its session ends 0.5 s later
    second.wait_for_selector("body[data-connected=true]", timeout=30000)
    assert second.evaluate(f"{BANNER}.hidden") is True
    assert second.locator("#role").inner_text().strip().lower() == "controller"
    assert errors == []
