"""The timeline: dragging it back shows the frame the server computed for the kept step there
(the diagram's weights are the server's), a watcher's page follows, and "Continue from here" starts a
new run from that step."""

import json

from websockets.sync.client import connect

from server.protocol import decode

from .conftest import LAB, STEP, pause, shot, wait_drawn

WEIGHT = "#tooltip .tt-key"


def weight_shown(page) -> float:
    """The diagram's tooltip value of the link W[0, 0] of layer 0, hovered afresh."""
    page.mouse.move(1, 1)
    point = page.evaluate(f"{LAB}.linkPoint(0, 0, 0)")
    page.mouse.move(point["x"], point["y"])
    page.wait_for_selector("#tooltip:not([hidden])")
    tip = page.locator("#tooltip")
    rows = dict(zip(tip.locator(".tt-key").all_inner_texts(), tip.locator(".tt-val").all_inner_texts()))
    return float(rows["weight"].replace("−", "-"))


def test_dragging_the_timeline_shows_the_servers_step_and_continue_starts_from_it(open_page, server_url):
    page = open_page("dataset=xor&speed=0")
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    page.click("#btn-play")
    page.wait_for_function(f"() => {STEP} > 300")
    pause(page)
    live = page.evaluate(f"{LAB}.lastFrameStep")
    wait_drawn(page, step=live)
    page.wait_for_function(f"() => document.querySelector('.timeline-label').textContent.includes('{live:,}')")
    live_weight = weight_shown(page)
    session = page.evaluate(f"{LAB}.session")
    watcher = open_page(f"session={session}&watch=1")  # a student's screen, open before the scrub
    wait_drawn(watcher, step=live)

    box = page.locator("#timeline-range").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] - 2, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=12)
    page.mouse.up()
    page.wait_for_function(
        "() => document.querySelector('#timeline').dataset.replay === 'true'"
        " && document.querySelector('#timeline').dataset.pending === 'false'"
    )
    shown = page.evaluate(f"{LAB}.lastFrameStep")
    wait_drawn(page, step=shown)
    assert 0 < shown < live * 0.5
    assert page.locator(".timeline-label").inner_text() == f"step {shown:,} of {live:,}"
    assert page.locator(".timeline-note").inner_text() == "optimizer state restarts"
    assert "the optimizer's state (momentum, Adam's moments) starts afresh" in page.locator(
        ".timeline-note"
    ).get_attribute("title")

    # What the server computed for that step, as a watcher of the session receives it.
    ws_url = server_url.replace("http", "ws") + "ws"
    with connect(ws_url) as ws:
        ws.send(json.dumps({"type": "join", "session": page.evaluate(f"{LAB}.session"), "token": None, "config": None}))
        header, arrays = None, None
        while header is None or header.get("kind") != "frame":
            m = ws.recv(timeout=10)
            if isinstance(m, bytes):
                header, arrays = decode(m)
    assert header["replay"]["step"] == shown == header["step"]
    server_weight = float(arrays["layer0.W"][0, 0])
    diagram = weight_shown(page)
    assert abs(diagram - server_weight) <= 1e-3 * max(1.0, abs(server_weight)), (diagram, server_weight)
    assert diagram != live_weight, "the diagram shows the step scrubbed to, not the live one"
    shot(page, "timeline-scrubbed")

    # The student's page follows: the same kept step, drawn, with the same weight, and no controls.
    wait_drawn(watcher, step=shown)
    assert watcher.evaluate("() => document.querySelector('#timeline').dataset.replay") == "true"
    assert watcher.locator(".timeline-label").inner_text() == f"step {shown:,} of {live:,}"
    assert weight_shown(watcher) == diagram
    assert watcher.locator(".timeline-continue").is_hidden() and watcher.locator("#timeline-range").is_disabled()

    page.click(".timeline-continue")
    page.wait_for_function(
        f"() => {STEP} === {shown} && document.querySelector('#timeline').dataset.replay === 'false'"
    )
    page.wait_for_function(
        f"() => document.querySelector('#notice').textContent.includes('continued from step {shown}')"
    )
    assert page.locator(".timeline-label").inner_text() == f"live · step {shown:,}"
    watcher.wait_for_function(
        "() => document.querySelector('#timeline').dataset.replay === 'false'"
        f" && document.querySelector('.timeline-label').textContent === 'live · step {shown:,}'"
    )
    page.click("#btn-step")
    wait_drawn(page, step=shown + 1)
