"""The teacher at the server's own computer opens "Devices on this server" in the following
menu, sees the device that holds sessions, and ends them: that device's page says so in words
and stays closed; the teacher's list no longer has it (server/devices.py, static/js/devices.js).
Behind a trusted proxy on loopback, a context's X-Forwarded-For names its device."""

import sys

import pytest

from .conftest import _free_port, serving, shot

DEVICE = "10.0.0.7"


@pytest.fixture
def proxied_server():
    port = _free_port()
    args = [sys.executable, "-m", "server", "--port", str(port), "--in-memory", "--workers", "1"]
    yield from serving([*args, "--trusted-proxy", "127.0.0.1"], port)


def test_the_teacher_ends_a_devices_sessions_and_its_page_says_so(browser, proxied_server):
    errors: list[str] = []

    def page(headers=None):
        ctx = browser.new_context(viewport={"width": 1366, "height": 768}, extra_http_headers=headers or {})
        p = ctx.new_page()
        p.on("pageerror", lambda e: errors.append(str(e)))
        p.goto(proxied_server)
        p.wait_for_selector("body[data-connected=true]", timeout=15000)
        if p.locator("#join-form").is_visible():
            p.click("#join-form .join-close")
        return p

    student = page({"X-Forwarded-For": DEVICE})
    teacher = page()
    teacher.click("#room-following")
    teacher.click("#devices-show")
    row = teacher.locator("#room-devices li", has_text=DEVICE)
    row.wait_for()
    assert row.locator("span").inner_text() == f"{DEVICE} · 1 session · 1 connection"
    own = teacher.locator("#room-devices li", has_text="(this computer)")
    assert own.locator("button").count() == 0  # the server's own computer is not ended from here
    assert teacher.locator("#devices-note").inner_text() == "2 of 50 sessions in use; one device may hold 5."
    shot(teacher, "devices-listed")

    row.locator(".devices-end").click()
    teacher.wait_for_function(
        f"() => ![...document.querySelectorAll('#room-devices li')].some((li) => li.textContent.includes('{DEVICE}'))"
    )
    assert teacher.locator("#devices-note").inner_text().startswith("1 of 50 sessions")
    student.wait_for_function(
        "() => document.querySelector('#banner').textContent.startsWith("
        "'The presenter at the server\\'s computer ended this session')"
        " && document.querySelector('#conn').textContent === 'disconnected'"
    )
    assert "reload the page to come back to it" in student.locator("#banner").inner_text()
    assert student.evaluate("document.body.dataset.connected") == "false"
    shot(student, "devices-ended")
    assert errors == []


def test_a_students_page_asking_for_the_devices_is_refused_in_words(browser, proxied_server):
    ctx = browser.new_context(viewport={"width": 1366, "height": 768}, extra_http_headers={"X-Forwarded-For": DEVICE})
    student = ctx.new_page()
    student.goto(proxied_server)
    student.wait_for_selector("body[data-connected=true]", timeout=15000)
    if student.locator("#join-form").is_visible():
        student.click("#join-form .join-close")
    student.click("#room-following")
    student.click("#devices-show")
    student.wait_for_function(
        "() => document.querySelector('#banner').textContent.includes("
        "'only the presenter at the server\\'s own computer can see and end')"
    )
    assert student.locator("#room-devices li").count() == 0
    assert student.evaluate("document.body.dataset.connected") == "true"
