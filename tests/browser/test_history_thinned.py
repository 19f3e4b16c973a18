"""A long run's older steps are thinned on the server (history.py); a page that joins late, or
comes back after a reload, gets the whole thinned run from step 1 with each row at its own
step, and its loss chart draws it. The server here keeps 64 rows of the default network."""

import sys
from pathlib import Path

import pytest

from .conftest import LAB, _free_port, pause, serving, shot, wait_drawn

ROOT = Path(__file__).resolve().parents[2]
SERVE = """
import sys, uvicorn
from server import Settings, create_app
from server.history import row_bytes
settings = Settings(history_bytes=64 * row_bytes(3))
uvicorn.run(create_app(settings), host="127.0.0.1", port=int(sys.argv[1]), log_level="warning", proxy_headers=False)
"""


@pytest.fixture
def small_history_server():
    port = _free_port()
    yield from serving([sys.executable, "-c", SERVE, str(port)], port, cwd=ROOT)


def test_a_page_joining_late_gets_the_whole_thinned_run(browser, small_history_server):
    errors = []

    def page(hash_=""):
        p = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        p.on("console", lambda m: m.type == "error" and errors.append(m.text))
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(small_history_server + ("#" + hash_ if hash_ else ""))
        return p

    # A learning rate that changes every step (a schedule): each value says which step it is.
    teacher = page("schedule=exponential&schedule_period=100&schedule_gamma=0.5")
    if teacher.locator("#join-form").is_visible():
        teacher.click("#join-form .join-close")
    teacher.click("#btn-play")
    teacher.wait_for_function(f"() => {LAB}.lastFrameStep > 600")
    pause(teacher)
    live = teacher.evaluate(f"{LAB}.lastFrameStep")
    wait_drawn(teacher, step=live)
    # It was there: every step that the server still held when each frame left (with this tiny
    # budget, 16 rows step by step, a frame after a hiccup of the machine may find some thinned).
    seen = teacher.evaluate(f"{LAB}.learningRates")
    assert seen["steps"][0] == 1 and seen["steps"][-1] == live and len(seen["steps"]) > live // 2

    student = page(f"session={teacher.evaluate(f'{LAB}.session')}&watch=1")
    wait_drawn(student, step=live)
    late = student.evaluate(f"{LAB}.learningRates")
    steps = late["steps"]
    assert steps[0] == 1 and steps[-1] == live and len(steps) <= 64, steps
    assert all(a < b for a, b in zip(steps, steps[1:]))
    assert steps[-16:] == list(range(live - 15, live + 1))  # the recent past, step by step
    by_step = dict(zip(seen["steps"], seen["values"]))
    both = [(s, v) for s, v in zip(steps, late["values"]) if s in by_step]
    assert len(both) > len(steps) // 2 and all(v == by_step[s] for s, v in both)  # each value is its step's
    shot(student, "history-thinned-late-page")
    assert errors == []
