"""Releasing a class, as one runs: a presenter and three students (each their own browser)
joined by code. Release: every student controls a copy of the presenter's run as it stood,
and trains it alone (their step counters move apart; the presenter's does not move). Bring
back: they follow the presenter again, and "My run" reopens a copy where it was left. Try it
myself: one student alone, then back to following."""

from .conftest import LAB, pause, play_until, shot, wait_drawn
from .test_layouts import CHECK

NAMES = ["Noor", "Bastian", "Chidi"]
STEP = f"{LAB}.lastFrameStep"


def join_by_code(student, code: str, name: str) -> None:
    student.fill("#join-code", code.lower())
    student.fill("#join-name", name)
    student.click("#join-form button[type=submit]")
    following(student, code)  # the page reloads on the way: the check waits for the new one's API
    wait_drawn(student)


def on_copy(page, code: str) -> None:
    page.wait_for_function(f"() => {LAB}?.role === 'controller' && {LAB}.session !== '{code}'", timeout=15000)


def following(page, code: str) -> None:
    page.wait_for_function(f"() => {LAB}?.role === 'viewer' && {LAB}.session === '{code}'", timeout=15000)


def test_release_bring_everyone_back_and_try_it_myself(open_page):
    presenter = open_page()
    presenter.click("#join-form .join-close")
    code = presenter.evaluate(f"{LAB}.session")
    play_until(presenter, f"{STEP} >= 40")
    at = presenter.evaluate(STEP)
    students = [open_page() for _ in NAMES]
    for student, name in zip(students, NAMES):
        join_by_code(student, code, name)
        assert student.locator("#btn-try").is_visible() and not student.locator("#btn-release").is_visible()
    presenter.wait_for_function("() => document.querySelector('#room-following').ariaLabel === '3 following'")
    release = presenter.locator("#btn-release")
    assert release.inner_text() == "Release"

    release.click()
    presenter.wait_for_function("() => document.querySelector('#btn-release').textContent === 'Bring back'")
    assert "3 students now explore their own copies" in presenter.locator("#notice").inner_text()
    copies = []
    for student in students:
        on_copy(student, code)
        wait_drawn(student, step=at)
        copies.append(student.evaluate(f"{LAB}.session"))
        assert student.locator("#room-line").inner_text() == "released: this is your own copy"
        assert student.locator("#btn-follow").is_visible() and not student.locator("#btn-try").is_visible()
        assert not student.locator("#share").is_visible() and student.locator("#btn-play").is_enabled()
    assert len(set(copies)) == 3 and code not in copies

    # Each trains their own: the counters move apart, the presenter's stays.
    play_until(students[0], f"{STEP} >= {at + 30}")
    students[1].click("#btn-step")
    wait_drawn(students[1], step=at + 1)
    students[1].select_option("[data-field=learning_rate]", "0.3")  # their copy's setting, not the class's
    students[1].wait_for_function(f"() => {LAB}.config.learning_rate === 0.3")
    assert presenter.evaluate(f"{LAB}.config.learning_rate") == 0.03
    assert students[2].evaluate(STEP) == at and presenter.evaluate(STEP) == at
    assert presenter.evaluate(f"{LAB}.stateStep") == at
    ran = students[0].evaluate(STEP)
    assert ran >= at + 30
    presenter.wait_for_function("() => document.querySelector('#room-following').ariaLabel === '0 following'")
    for page in (presenter, students[0]):  # nothing overlaps, and the top bar stays one line at 1366 px
        assert page.evaluate(CHECK) == []
        assert page.evaluate("document.querySelector('.topbar').getBoundingClientRect().height") < 50
    shot(presenter, "release-presenter")
    shot(students[0], "release-student")

    # Bring everyone back: they follow the presenter's run again, their own kept.
    release.click()
    presenter.wait_for_function("() => document.querySelector('#btn-release').textContent === 'Release'")
    for student in students:
        following(student, code)
        wait_drawn(student, step=at)
        assert student.locator("#btn-reopen").is_visible() and student.locator("#btn-try").is_visible()
        assert not student.locator("#btn-play").is_enabled()
    presenter.click("#btn-step")
    for student in students:
        wait_drawn(student, step=at + 1)
    shot(students[0], "release-student-back")

    # "My run": where it was left.
    students[0].click("#btn-reopen")
    on_copy(students[0], code)
    wait_drawn(students[0], step=ran)
    assert students[0].evaluate(f"{LAB}.session") == copies[0]
    students[0].click("#btn-follow")
    following(students[0], code)

    # Try it myself: one student alone, the others still follow.
    students[2].click("#btn-try")
    on_copy(students[2], code)
    wait_drawn(students[2], step=at + 1)
    assert students[2].locator("#room-line").inner_text() == "this is your own copy"
    students[2].click("#btn-step")
    wait_drawn(students[2], step=at + 2)
    presenter.click("#btn-step")
    wait_drawn(students[1], step=at + 2)
    assert presenter.evaluate(STEP) == at + 2
    students[2].click("#btn-follow")
    following(students[2], code)
    wait_drawn(students[2], step=at + 2)
    pause(presenter)
