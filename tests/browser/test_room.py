"""Pacing the room, as a class does: three students (each their own browser) join by code
with names, the presenter sees "3 following" and their names, puts every student's screen
into presentation mode and hides the gradient panel; then closes the tab and opens the same
address again: it steers again, and the students were told it had left and is back. The
same address in a second tab takes the seat; the first tab watches."""

from .conftest import LAB, shot, wait_drawn
from .test_layouts import CHECK

NAMES = ["Noor", "Bastian", "Chidi"]


def join_by_code(student, code: str, name: str) -> None:
    student.fill("#join-code", code.lower())
    student.fill("#join-name", f"  {name} ")
    student.click("#join-form button[type=submit]")
    student.wait_for_function(f"() => {LAB}?.role === 'viewer' && {LAB}.session === '{code}'", timeout=15000)
    wait_drawn(student)


def test_the_presenter_paces_three_students_and_takes_control_back_after_reopening(open_page, server_url):
    presenter = open_page()
    presenter.click("#join-form .join-close")
    code = presenter.evaluate(f"{LAB}.session")
    following = presenter.locator("#room-following")
    assert following.get_attribute("aria-label") == "0 following"

    students = [open_page() for _ in NAMES]
    for student, name in zip(students, NAMES):
        join_by_code(student, code, name)
    presenter.wait_for_function("() => document.querySelector('#room-following').ariaLabel === '3 following'")
    assert presenter.locator("#room-following .room-count").inner_text() == "3 ▾"
    following.click()
    assert presenter.locator("#room-names li").all_inner_texts() == NAMES
    for student in students:  # the list is the presenter's: students have neither the button nor the names
        assert not student.locator("#room-following").is_visible()
        assert not any(n in student.locator("body").inner_text() for n in NAMES)

    menu = presenter.locator("#room-pace-menu")
    menu.get_by_label("presentation mode").check()
    menu.get_by_label("gradient health").check()
    presenter.wait_for_function(
        "() => document.querySelector('#room-pace-menu input[name=gradients]').checked"
        " && document.querySelector('#room-pace-menu input[name=present]').checked"
    )
    shot(presenter, "room-presenter")
    for i, student in enumerate(students):
        student.wait_for_function(
            "() => document.body.dataset.present === 'true'"
            " && document.querySelector('#gradients').dataset.paced === 'hidden'"
        )
        assert not student.locator("#gradients .tabbar").is_visible()
        assert student.locator("#room-line").inner_text() == "the presenter has hidden some panels"
        assert student.locator("#network").is_visible(), "only what the presenter hid is hidden"
        if i == 0:
            # Gradient health gives its row to the panels above it: nothing overlaps, every canvas is drawn.
            student.wait_for_function(
                "() => document.querySelector('#loss canvas').getBoundingClientRect().height > 150"
            )
            assert student.evaluate(CHECK) == []
            shot(student, "room-student")
    # The presenter's own screen is not paced.
    assert presenter.evaluate("document.querySelector('#gradients').dataset.paced") is None

    # Closing the tab: every student is told, in plain words; the session stays.
    address = presenter.url
    assert "watch=1" not in address
    context = presenter.context
    presenter.close()
    for student in students:
        student.wait_for_function("() => document.querySelector('#room-line').dataset.away === 'true'")
        assert student.locator("#room-line").inner_text().startswith("the presenter has left")

    late = open_page(f"session={code}&watch=1")  # joining meanwhile: its hello says so
    late.wait_for_function("() => document.querySelector('#room-line').dataset.away === 'true'")
    assert late.locator("#room-line").inner_text().startswith("the presenter is not connected")
    late.close()

    errors: list[str] = []
    reopened = context.new_page()
    reopened.on("pageerror", lambda e: errors.append(str(e)))
    reopened.on("console", lambda m: m.type == "error" and errors.append(m.text))
    reopened.goto(address)
    reopened.wait_for_function(f"() => {LAB}?.role === 'controller' && {LAB}.session === '{code}'", timeout=15000)
    wait_drawn(reopened)
    assert reopened.locator("#role").inner_text().strip() == "controller"
    reopened.wait_for_function("() => document.querySelector('#room-following').ariaLabel === '3 following'")
    assert reopened.locator("#room-pace-menu input[name=gradients]").is_checked()
    for student in students:
        student.wait_for_function("() => document.querySelector('#room-line').dataset.away === 'false'")
        assert student.locator("#room-line").inner_text() == "the presenter has hidden some panels"
    reopened.click("#btn-step")  # it steers: the students follow
    for student in students:
        wait_drawn(student, step=1)

    # The same address in a second tab: the newest steers, the older one watches and says why.
    second = context.new_page()
    second.goto(address)
    second.wait_for_function(f"() => {LAB}?.role === 'controller'", timeout=15000)
    reopened.wait_for_function(f"() => {LAB}?.role === 'viewer'")
    assert "controlled from another tab" in reopened.locator("#banner").inner_text()
    assert reopened.locator("#btn-play").is_disabled() and "watch=1" in reopened.url
    assert errors == []
