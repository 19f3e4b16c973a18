"""Your own points in a real browser: a tap on the output plot adds a point where it fell, of
the chosen class, and the dataset message and the training set the server reports follow;
remove mode takes one away; a student following and a reloaded page see them; a finger on
a phone places them too."""

from .conftest import LAB, shot, wait_drawn

START = "dataset=own&points=-4_-4_0~4_4_1~-4_4_0~4_-4_1"


def dataset(page):
    return page.evaluate(f"{LAB}.dataset")


def points(page):
    d = dataset(page)
    return sorted((round(r[0], 2), round(r[1], 2), int(r[2])) for r in d["train"] + d["test"])


def near(page, x1: float, x2: float, label: int) -> list:
    """The points within a pixel or so of (x1, x2) with this label (a click lands on a whole pixel)."""
    return [p for p in points(page) if abs(p[0] - x1) < 0.1 and abs(p[1] - x2) < 0.1 and p[2] == label]


def wait_points(page, n: int) -> None:
    """Until the page holds the dataset message of n points, and the frame of its new run is drawn."""
    page.wait_for_function(f"() => {{ const d = {LAB}.dataset; return d && d.nTrain + d.nTest === {n}; }}")
    wait_drawn(page, 0)


def tap(page, x1: float, x2: float, touch: bool = False) -> None:
    at = page.evaluate(f"{LAB}.planeAt({x1}, {x2})")
    if touch:
        page.touchscreen.tap(at["x"], at["y"])
    else:
        page.mouse.click(at["x"], at["y"])


def test_a_click_adds_a_point_of_the_chosen_class_and_the_training_set_follows(open_page):
    page = open_page(START)
    assert points(page) == [(-4, -4, 0), (-4, 4, 0), (4, -4, 1), (4, 4, 1)]
    before = dataset(page)
    page.click(".own-class >> nth=2")  # the third class
    tap(page, 1.5, 2.5)
    wait_points(page, 5)
    after = dataset(page)
    assert len(near(page, 1.5, 2.5, 2)) == 1, points(page)
    assert (after["problem"], after["classes"]) == ("multiclass", 3)  # a third class: three outputs
    assert after["nTrain"] + after["nTest"] == before["nTrain"] + before["nTest"] + 1
    added = page.evaluate(f"{LAB}.config.points")[-1]
    assert added == [*near(page, 1.5, 2.5, 2)[0][:2], 2]
    assert "points=-4_-4_0~4_4_1~-4_4_0~4_-4_1~{}_{}_2".format(*added) in page.evaluate("location.hash")
    page.click("#btn-step")  # the network trains on the new set: three classes out
    page.wait_for_function(f"() => {LAB}.lastFrameStep === 1")
    assert "5 points, in the page's link" in page.inner_text("#own-note")
    shot(page, "owndata-added")

    page.click(".own-mode[data-mode=remove]")
    tap(page, -3.9, -4.1)  # near enough to the point at (-4, -4)
    wait_points(page, 4)
    assert (-4, -4, 0) not in points(page) and len(points(page)) == 4

    page.click("#own-clear")
    wait_points(page, 0)
    assert "No points" in page.inner_text("#own-note")
    page.click("#btn-step")  # nothing to train on: the server says so
    page.wait_for_function("() => document.querySelector('#banner').textContent.includes('place at least 2')")


def test_a_follower_and_a_reload_see_the_points(open_page):
    page = open_page(START)
    page.click(".own-class >> nth=1")
    tap(page, -2, 3)
    wait_points(page, 5)
    session = page.evaluate(f"{LAB}.session")
    viewer = open_page(f"session={session}&watch=1")
    assert points(viewer) == points(page) and near(viewer, -2, 3, 1)
    assert viewer.locator("#owndata").is_hidden()  # only the controller edits
    tap(page, 2, -3)  # a second point: the follower's plot follows
    wait_points(viewer, 6)
    assert near(viewer, 2, -3, 1)
    page.reload()
    page.wait_for_selector("body[data-connected=true]")
    wait_points(page, 6)
    assert points(page) == points(viewer)


def test_a_finger_places_points_on_a_phone(browser, server_url):
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, has_touch=True, is_mobile=True
    )
    try:
        page = ctx.new_page()
        page.goto(server_url + "#" + START)
        page.wait_for_selector("body[data-connected=true]")
        wait_drawn(page)
        page.locator("#output").scroll_into_view_if_needed()
        size = page.evaluate("document.querySelector('.own-class').getBoundingClientRect().height")
        assert size >= 40, f"the class buttons are {size}px high: too small for a finger"
        tap(page, 0, -2, touch=True)
        wait_points(page, 5)
        assert near(page, 0, -2, 0)
        shot(page, "owndata-phone")
    finally:
        ctx.close()
