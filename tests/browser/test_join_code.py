"""Joining by code, as a class does: the presenter's page shows its join code, a student
types it (any case, with a dash) on a fresh page and follows the presenter's session; the
presenter shows the code full-screen with its QR code, and closes it again."""

import numpy as np
import zxingcpp

from .conftest import LAB, shot, wait_drawn

# The QR image as the page draws it, in grey levels, at a phone camera's modest resolution.
QR_PIXELS = """(n) => { const img = document.querySelector('#qr-overlay img');
  const c = document.createElement('canvas'); c.width = c.height = n;
  const g = c.getContext('2d'); g.drawImage(img, 0, 0, n, n);
  const d = g.getImageData(0, 0, n, n).data;
  return Array.from({ length: n * n }, (_, i) => d[4 * i]); }"""


def test_a_student_types_the_presenters_code_and_follows_the_session(open_page, server_url):
    presenter = open_page()
    # A fresh page offers the code entry first, its own code hidden; the presenter closes it.
    assert presenter.locator("#join-form").is_visible() and not presenter.locator("#share").is_visible()
    presenter.click("#join-form .join-close")
    code = presenter.evaluate(f"{LAB}.session")
    assert len(code) == 6 and presenter.locator("#share-link").inner_text() == code
    assert presenter.get_attribute("#share-link", "href") == f"{server_url}#session={code}&watch=1"

    student = open_page()
    assert student.locator("#join-form").is_visible(), "a fresh page offers the code entry"
    typed = f"{code[:3].lower()}-{code[3:].lower()}"
    student.fill("#join-code", typed)
    student.click("#join-form button[type=submit]")
    student.wait_for_function(f"() => {LAB}?.role === 'viewer' && {LAB}.session === '{code}'", timeout=15000)
    assert student.locator("#role").inner_text().strip() == "watching"
    assert not student.locator("#join-form").is_visible(), "a page opened on a session link keeps the form closed"
    wait_drawn(student)

    presenter.click("#btn-step")
    wait_drawn(presenter, step=1)
    wait_drawn(student, step=1)
    shot(student, "join-code-student")


def test_a_mistyped_code_is_explained_and_an_unknown_one_waits_for_its_presenter(open_page):
    student = open_page()
    before = student.evaluate(f"{LAB}.session")
    student.fill("#join-code", "k7mq3o")
    student.press("#join-code", "Enter")
    problem = student.locator(".join-problem")
    problem.wait_for(state="visible")
    assert problem.inner_text().startswith("O is never in a join code")
    assert student.evaluate(f"{LAB}.session") == before and student.evaluate(f"{LAB}.role") == "controller"

    student.fill("#join-code", "zz zz zz")
    student.press("#join-code", "Enter")
    student.wait_for_function(
        "() => document.querySelector('#banner').textContent.includes('session ZZZZZZ is not running yet')"
    )
    assert "check the join code" in student.locator("#banner").inner_text()


def test_the_qr_code_shows_full_screen_and_closes_by_escape_or_a_click(open_page, server_url):
    presenter = open_page()
    presenter.keyboard.press("Escape")  # the code entry a fresh page offers
    code = presenter.evaluate(f"{LAB}.session")
    overlay = presenter.locator("#qr-overlay")
    for close in ("Escape", "click"):
        presenter.click("#share-qr")
        overlay.wait_for(state="visible")
        presenter.wait_for_function(
            "() => { const i = document.querySelector('#qr-overlay img'); return i.complete && i.naturalWidth > 0; }"
        )
        box = presenter.locator("#qr-overlay img").bounding_box()
        assert box and box["height"] >= 0.8 * 768 * 0.86, box  # as tall as the screen allows
        assert overlay.locator(".qr-code b").inner_text() == code
        grey = np.array(presenter.evaluate(QR_PIXELS, 240), dtype=np.uint8).reshape(240, 240)
        assert [r.text for r in zxingcpp.read_barcodes(grey)] == [f"{server_url}#session={code}&watch=1"]
        assert overlay.locator(".qr-address b").inner_text() == server_url
        if close == "Escape":
            shot(presenter, "join-code-qr")
            presenter.keyboard.press("Escape")
        else:
            overlay.click(position={"x": 20, "y": 20})
        overlay.wait_for(state="hidden")
        assert presenter.evaluate("document.activeElement.id") == "share-qr"


def test_links_and_the_qr_code_name_the_address_the_server_gives_not_the_address_bar(browser, server_url):
    """Behind a proxy that says where the page was asked for (X-Forwarded-Host), or on a LAN
    (server/share.py), the server's address for students is not the one in the presenter's
    address bar; the page puts the server's in its links and the QR code encodes it too."""
    ctx = browser.new_context(extra_http_headers={"X-Forwarded-Host": "lab.school.example"})
    try:
        page = ctx.new_page()
        page.goto(server_url)
        page.wait_for_selector("body[data-connected=true]", timeout=15000)
        code = page.evaluate(f"{LAB}.session")
        assert page.get_attribute("#share-link", "href") == f"http://lab.school.example/#session={code}&watch=1"
        page.click("#btn-join")  # closes the code entry a fresh page offers
        page.click("#share-qr")
        assert page.locator("#qr-overlay .qr-address b").inner_text() == "http://lab.school.example/"
        got = page.evaluate("(src) => fetch(src).then((r) => r.text())", f"/qr.svg?session={code}")
        assert got.startswith("<?xml") and "<svg" in got
    finally:
        ctx.close()


def test_a_link_to_a_setup_does_not_offer_the_code_entry_until_asked(open_page):
    page = open_page("dataset=spiral")
    assert not page.locator("#join-form").is_visible() and page.locator("#share").is_visible()
    page.click("#btn-join")
    page.locator("#join-code").wait_for(state="visible")
    assert not page.locator("#share").is_visible()
    page.keyboard.press("Escape")
    page.locator("#join-form").wait_for(state="hidden")
    assert page.locator("#share").is_visible() and page.evaluate("document.activeElement.id") == "btn-join"
