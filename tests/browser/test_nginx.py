"""The page, unchanged, behind nginx in front of two instances (docs/nginx/backprop-lab.conf):
a fresh visit makes its session where its id routes, the share link's students reach it,
and a link to a session that has ended starts a new one they can reach too."""

import pytest

from tests.school import holders, run_school

from .conftest import LAB, shot, wait_drawn


@pytest.fixture(scope="module")
def school(browser):
    with run_school() as s:
        yield s


@pytest.fixture
def visit(browser, school):
    """visit(hash="") -> (page, websocket URLs it opened), through nginx; console errors fail the test."""
    contexts, errors = [], []

    def opener(hash_: str = ""):
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        contexts.append(ctx)
        page, sockets = ctx.new_page(), []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(school.url + (f"#{hash_}" if hash_ else ""))
        page.wait_for_selector("body[data-connected=true]", timeout=15000)
        wait_drawn(page)
        return page, sockets

    yield opener
    for ctx in contexts:
        ctx.close()
    assert errors == [], f"console errors: {errors}"


def students_follow(visit, presenter, school) -> str:
    """The presenter's session: its share link's student follows a step, and one instance holds it."""
    sid = presenter.evaluate(f"{LAB}.session")
    assert presenter.evaluate(f"{LAB}.role") == "controller"
    share = presenter.get_attribute("#share-link", "href")
    assert share == f"{school.url}#session={sid}&watch=1"
    student, _ = visit(share.split("#", 1)[1])
    assert student.evaluate(f"[{LAB}.session, {LAB}.role]") == [sid, "viewer"]
    presenter.click("#btn-step")
    wait_drawn(presenter, step=1)
    wait_drawn(student, step=1)
    assert len(holders(school, sid)) == 1
    return sid


def test_a_fresh_page_and_its_students_meet_on_one_instance_through_nginx(visit, school):
    presenter, sockets = visit()
    sid = students_follow(visit, presenter, school)
    assert sockets and all(url.endswith(f"/ws?session={sid}") for url in sockets), sockets
    shot(presenter, "nginx-presenter")


def test_a_link_to_an_ended_session_starts_a_new_one_its_students_reach(visit, school):
    presenter, sockets = visit("learning_rate=0.1&session=ZZZZZZZZ")
    sid = students_follow(visit, presenter, school)
    assert sid != "ZZZZZZZZ" and presenter.evaluate(f"{LAB}.config.learning_rate") == 0.1
    assert [url.rsplit("=", 1)[1] for url in sockets] == ["ZZZZZZZZ", sid]
    assert presenter.locator("#banner").inner_text().strip() == ""
