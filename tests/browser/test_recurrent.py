"""A recurrent session in a real browser: choosing a sequence task swaps the feed-forward
diagram, output plot and layer heatmap for the unrolled network, the sequence plot and the
time heatmap, which fills as training runs; the spectral radius is worded beside it from
the frame's own number; choosing a point dataset again brings the feed-forward views back,
without a reload."""

import re

import pytest

from .conftest import CANVAS_INK, LAB, pause, shot, wait_drawn
from .test_layouts import CHECK, VIEWPORTS

RNN = f"{LAB}.recurrent"
FF_BOXES = ("#network .canvas-box[data-model=feedforward]", "#pane-heatmap [data-run=a] .heatmap-box", "#neuron-map")
RNN_BOXES = ("#unrolled", "#time-heat", "#time-side", "#output [data-run=a] [data-view=sequence]")


def choose_dataset(page, label: str, model: str) -> None:
    """Pick a dataset by its menu label and wait until a frame of that model is drawn."""
    page.select_option("select[data-field=dataset]", label=label)
    page.wait_for_function(f"() => {RNN}.model === '{model}' && document.body.dataset.model === '{model}'")
    wait_drawn(page)


# Share of the time heatmap's map (its box as the widget reports it) painted in colour rather
# than the empty map's grey, down the map's middle column of pixels.
MAP_FILLED = """() => {
  const c = document.querySelector('#time-heat canvas');
  const m = window.backpropLab.recurrent.timeHeat.map;
  const k = c.width / c.getBoundingClientRect().width;
  const x = Math.round((m.x + m.w / 2) * k), y0 = Math.ceil(m.y * k), y1 = Math.floor((m.y + m.h) * k);
  const d = c.getContext('2d').getImageData(x, y0, 1, y1 - y0).data;
  let filled = 0;
  for (let i = 0; i < d.length; i += 4) filled += !(d[i] === 221 && d[i + 1] === 221 && d[i + 2] === 221);
  return filled / (d.length / 4);
}"""


def visible(page, selectors) -> list[bool]:
    return [page.locator(s).is_visible() for s in selectors]


def test_a_sequence_task_shows_the_unrolled_net_and_the_time_heatmap_and_back(open_page):
    page = open_page("dataset=circle&speed=300&activation=relu")
    assert visible(page, FF_BOXES) == [True] * 3 and visible(page, RNN_BOXES) == [False] * 4
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<i id=reload-marker hidden></i>')")

    choose_dataset(page, "Remember the first input", "recurrent")
    assert visible(page, RNN_BOXES) == [True] * 4, "the recurrent views show"
    assert visible(page, FF_BOXES) == [False] * 3, "in place of the feed-forward ones"
    r = page.evaluate(RNN)
    assert r["unrolled"] and r["timeHeat"], f"the unrolled net and the time heatmap were drawn: {r}"
    T = r["length"]
    assert T == page.evaluate(f"{LAB}.config.delay") + 1, r
    assert r["unrolled"]["cell"] == "relu", "the plain RNN's hidden units named by their activation"
    page.select_option("select[data-field=activation]", label="Tanh")  # live: the label follows
    page.wait_for_function(f"() => {RNN}.unrolled.cell === 'tanh'", timeout=10000)
    page.select_option("select[data-field=cell]", label="LSTM")  # its own σ and tanh: no activation to choose
    page.wait_for_function("() => document.querySelector('select[data-field=activation]').offsetParent === null")
    page.select_option("select[data-field=cell]", label="Plain RNN")
    page.wait_for_function("() => document.querySelector('select[data-field=activation]').offsetParent !== null")
    assert r["unrolled"]["T"] == T and r["unrolled"]["columns"] == T == r["unrolled"]["steps"], (
        f"one column per time step at 1366 px: {r['unrolled']}"
    )

    # The time heatmap fills as training runs: more rows of training steps, drawn from the bottom up.
    before = page.evaluate(RNN)["timeHeat"]["rows"]
    filled = page.evaluate(MAP_FILLED)
    assert filled < 0.5, f"a fresh run's map is mostly empty: {filled}"
    page.click("#btn-play")
    page.wait_for_function(f"() => {RNN}.timeHeat.rows >= {before} + 20", timeout=30000)
    pause(page)
    r = page.evaluate(RNN)
    assert r["timeHeat"]["T"] == T and r["timeHeat"]["lastStep"] > 0, r
    assert page.evaluate(MAP_FILLED) > filled + 0.15, "the map filled with the new rows"
    for sel in ("#unrolled canvas", "#time-heat canvas", "#output [data-view=sequence] canvas"):
        ink = page.evaluate(CANVAS_INK, sel)
        assert ink["ink"] > 0.02 and ink["colours"] > 20, f"{sel} looks blank: {ink}"

    # The radius in words is the paused frame's number, formatted.
    text = page.locator("#time-side .time-radius").inner_text()
    shown = re.search(r"spectral radius of W_h[^:]*: ([0-9.e+-]+)", text)
    assert shown, text
    assert abs(float(shown.group(1)) - r["radius"]) <= 0.005 * max(1.0, abs(r["radius"])), (text, r["radius"])
    assert ("below 1" in text) == (r["radius"] < 1) and ("above 1" in text) == (r["radius"] > 1), text
    shot(page, "recurrent-remember")

    # The links follow the page's link mode: gradients dW_x, dW_h, dW of the paused step.
    page.select_option("#link-mode", "dW")
    page.wait_for_function(f"() => {RNN}.unrolled.mode === 'dW' && {RNN}.unrolled.links > 0")
    page.select_option("#link-mode", "W")

    # Hovering a hidden unit names it and gives its value and the gradient reaching its step.
    at = page.wait_for_function(f"() => {LAB}.unrolledPoint(0, 2)").json_value()  # once drawn at its size
    page.mouse.move(at["x"], at["y"])
    page.wait_for_selector("#tooltip:not([hidden])")
    tip = page.locator("#tooltip").inner_text()
    assert "hidden unit 3 at step 1" in tip and "‖∂L/∂h_t‖" in tip, tip
    page.mouse.move(1, 1)

    choose_dataset(page, "Circle", "feedforward")
    assert visible(page, FF_BOXES) == [True] * 3, "the feed-forward views are back"
    assert visible(page, RNN_BOXES) == [False] * 4
    assert page.locator("#reload-marker").count() == 1, "the views were swapped without a reload"
    for sel in ("#network canvas", "#gradients canvas"):
        page.wait_for_function(
            f"(sel) => ({CANVAS_INK})(sel).ink > 0.01", arg=sel, timeout=10000
        )  # drawn again from the feed-forward frames


@pytest.mark.parametrize("name", ["laptop", "zoom150", "phone"])
@pytest.mark.parametrize("setup", ["dataset=remember", "dataset=chars&compare=cell:lstm"])
def test_a_recurrent_session_fits_every_screen_and_draws_every_canvas(open_page, name, setup):
    page = open_page(f"{setup}&speed=300", *VIEWPORTS[name])
    page.wait_for_function(f"() => {RNN}.model === 'recurrent'")
    page.click("#btn-play")
    page.wait_for_function(f"() => {LAB}.lastFrameStep > 30")
    pause(page)
    page.mouse.move(1, 1)  # no help bubble over the screenshot
    shot(page, f"recurrent-{name}-{setup.split('&')[0].split('=')[1]}{'-compare' if 'compare' in setup else ''}")
    assert page.evaluate(CHECK) == []
    if name == "laptop":  # room for the headline: CHECK above found it clear of the title
        rows = page.evaluate(f"() => {LAB}.titleRows")
        assert {r["name"] for r in rows} == ({"timeHeat", "timeHeatB"} if "compare" in setup else {"timeHeat"}), rows
