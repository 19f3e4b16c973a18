"""Pooling the class's runs, as a lesson runs it: a presenter and three students (each their own
browser), released; each student picks a learning rate, trains and sends the run; the
presenter's plot shows three points at the server's values (learning rate on a log axis), its
table their names; put on every screen, a student sees the same plot; a row shows that run large."""

import json
import math

import pytest

from .conftest import LAB, play_until, shot, wait_drawn
from .test_layouts import CHECK
from .test_release import NAMES, STEP, join_by_code, on_copy

RATES = ["0.003", "0.1", "3"]


def drawn(page) -> list[dict]:
    """Where the plot put each run (pool.js writes it on the canvas as it draws)."""
    return json.loads(page.get_attribute("#pool-plot", "data-points") or "[]")


TABLE = "() => [...document.querySelectorAll('#pool-table tbody tr')].map((tr) => [...tr.cells].map((td) => td.textContent))"


def wait_points(page, n: int) -> None:
    page.wait_for_function(
        f"() => JSON.parse(document.querySelector('#pool-plot').dataset.points || '[]').length === {n}"
    )


# The spotlight's picture: the output plot's canvas, painted over most of its area (prediction and points).
PICTURE = """() => {
  const c = document.querySelector('#pool-spotlight .pool-spot-picture canvas.output-canvas');
  if (!c || !c.width || c.closest('[hidden]')) return null;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let painted = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i]) painted++;
  return painted > d.length / 8 ? c.toDataURL() : null;
}"""


def test_students_send_their_runs_and_the_class_sees_one_plot(open_page):
    presenter = open_page()
    presenter.click("#join-form .join-close")
    code = presenter.evaluate(f"{LAB}.session")
    students = [open_page() for _ in NAMES]
    for student, name in zip(students, NAMES):
        join_by_code(student, code, name)
        assert not student.locator("#btn-pool-send").is_visible()  # following: no run of their own
    presenter.wait_for_function("() => document.querySelector('#room-following').ariaLabel === '3 following'")
    assert not presenter.locator("#btn-pool").is_visible()  # nothing to pool before the release
    presenter.click("#btn-release")
    presenter.wait_for_function("() => document.querySelector('#btn-pool').textContent === 'Runs 0'")
    sent = []
    for student, rate in zip(students, RATES):
        on_copy(student, code)
        student.select_option("[data-field=learning_rate]", label=rate)  # the values are places in the list
        student.wait_for_function(f"() => Math.abs({LAB}.config.learning_rate / {rate} - 1) < 1e-9")
        play_until(student, f"{STEP} >= 30")  # then paused: what is sent is what stays on the screen
        student.click("#btn-pool-send")
        student.wait_for_function("() => document.querySelector('#btn-pool-send').textContent === 'Send again'")
        assert student.locator("#notice").inner_text().startswith("Sent to the class (learning rate")
        sent.append(student.evaluate(f"{LAB}.stateStep"))
    presenter.wait_for_function("() => document.querySelector('#btn-pool').textContent === 'Runs 3'")
    assert not students[0].locator("#pool").is_visible()  # not shown yet: nothing reaches a student

    presenter.click("#btn-pool")
    wait_points(presenter, 3)
    points = drawn(presenter)
    assert [p["x"] for p in points] == pytest.approx([float(r) for r in RATES], rel=1e-9)  # the server's, one each
    assert [p["number"] for p in points] == [1, 2, 3]
    assert points[0]["px"] < points[1]["px"] < points[2]["px"]
    # log axis: 0.003 -> 0.1 is about as far as 0.1 -> 3 (a factor of 33 and of 30)
    gap1, gap2 = points[1]["px"] - points[0]["px"], points[2]["px"] - points[1]["px"]
    assert abs(gap1 - gap2) < 0.1 * gap2
    # Each cell's own text: a row's innerText has its tabs only while the table is laid out.
    rows = presenter.evaluate(TABLE)
    assert [cells[1] for cells in rows] == NAMES
    assert "learning rate 0.003" in rows[0][2] and "learning rate 3" in rows[2][2]
    # The plot's y is the server's test loss, as its table prints it.
    for cells, p in zip(rows, points):
        assert cells[4] == str(sent[p["number"] - 1])  # the steps the student's run had taken
        if not p["diverged"]:
            # printed to 3 significant digits (format.js fmt): within half a unit of the third
            half = 0.5 * 10 ** (math.floor(math.log10(abs(p["y"]))) - 2)
            assert abs(float(cells[3]) - p["y"]) <= 1.0001 * half, (cells[3], p["y"])
    assert presenter.locator("#pool-count").inner_text().endswith("only you see this")
    assert presenter.evaluate(CHECK) == []
    shot(presenter, "pool-presenter")

    # On every screen: a student sees the same plot.
    presenter.check("#pool-shown")
    student = students[1]
    student.wait_for_selector("#pool", state="visible")
    wait_points(student, 3)
    assert [(p["x"], p["y"]) for p in drawn(student)] == [(p["x"], p["y"]) for p in points]
    assert not student.locator(".pool-tools").is_visible()  # no axes, no clear: the presenter's
    # A run shown large to the class.
    presenter.click("#pool-table tbody tr[data-number='2']")
    student.wait_for_selector("#pool-spotlight", state="visible")
    assert student.locator("#pool-spotlight h3").inner_text() == "2 · student 2 (you)"
    assert not any(n in student.locator("#pool").inner_text() for n in NAMES)  # names: the presenter's only
    # Its picture: the run's prediction over the plane and its points, the same on both screens.
    pictures = [page.wait_for_function(PICTURE).json_value() for page in (presenter, student)]
    assert pictures[0] == pictures[1]
    presenter.click("#pool-table tbody tr[data-number='3']")  # another run: another picture
    student.wait_for_function("() => document.querySelector('#pool-spotlight h3').textContent.startsWith('3 ')")
    assert student.wait_for_function(PICTURE).json_value() != pictures[1]
    presenter.click("#pool-table tbody tr[data-number='2']")
    student.wait_for_function("() => document.querySelector('#pool-spotlight h3').textContent.startsWith('2 ')")
    assert student.evaluate(CHECK) == []
    shot(student, "pool-student")

    # Taken off the screens: the student's panel closes.
    presenter.uncheck("#pool-shown")
    student.wait_for_selector("#pool", state="hidden")
    wait_drawn(student)
