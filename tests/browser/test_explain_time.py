"""Explain a step through time in a real browser against the real server: "Remember the first
input" (a plain tanh RNN, delay 5), a W_h link clicked in the unrolled network, then back
through the time steps with →: at each step the δ_t shown for the chosen unit is the
message's, and the unrolled net's column and the time heatmap's column t are the stage's;
the update's shares sum to the gradient shown.

Numbers are read as the page shows them (4 significant digits)."""

import pytest

from .conftest import LAB, play_until, shot
from .test_explain import data, half, panel, value
from .test_layouts import CHECK, VIEWPORTS

REMEMBER = "dataset=remember&delay=5"
T = 6


def message(page) -> dict:
    return page.evaluate(f"() => {LAB}.explanation")


def test_back_through_time_step_by_step(open_page):
    page = open_page(REMEMBER)
    play_until(page, f"{LAB}.lastFrameStep >= 30")
    assert page.locator("#btn-explain").is_visible(), "a recurrent run can be explained"
    page.keyboard.press("e")
    panel(page, on="true", stage="0", phase="forward")
    rows = page.locator("#explain-stage tbody tr")
    assert rows.count() == 2 + 16, "the two inputs, then the 16 units' h_t"

    # A click near the start of the link from unit 3 of h_2 to unit 6 of h_3: 256 links fan out
    # there, so the one picked (the nearest to the click's whole pixel) may be a neighbour's.
    point = page.wait_for_function(f"() => {LAB}.unrolledLinkPoint(3, 2, 5)").json_value()
    page.mouse.click(point["x"], point["y"])
    page.wait_for_function("() => document.querySelector('#explain').dataset.weight !== '0,0,0'")
    layer, i, j = (int(v) for v in data(page)["weight"].split(","))
    assert (layer, i) == (0, 2) and abs(j - 5) <= 1, (layer, i, j)
    assert f"W_h₃,{'₀₁₂₃₄₅₆₇₈₉'[j + 1]}" in page.locator("#explain-weight").inner_text()

    page.keyboard.press("ArrowRight")
    panel(page, stage="1", phase="loss")
    m = message(page)
    assert abs(value(page, "#explain-stage [data-part=loss]") - m["loss"]["value"]) <= half(m["loss"]["value"])

    for n, t in enumerate(range(T - 1, -1, -1)):
        page.keyboard.press("ArrowRight")
        panel(page, stage=str(2 + n), phase="backward", t=str(t))
        m = message(page)
        want = m["steps"][t]["delta"][j]
        shown = value(page, f"#explain-stage tr[data-neuron='{j}'] td[data-col=delta] [data-part=delta]")
        assert abs(shown - want) <= half(want), (t, shown, want)
        equation = value(page, "#explain-stage [data-line=equation] [data-part=delta]")
        assert abs(equation - want) <= half(want), "the equation is written for the chosen weight's unit"
        page.wait_for_function(
            f"() => {LAB}.recurrent.unrolled.marked?.t === {t} && {LAB}.recurrent.timeHeat.marked === {t}"
        )
        if t == 3:
            shot(page, "explain-time-backward")
    page.keyboard.press("ArrowRight")
    panel(page, phase="update")
    m = message(page)
    assert abs(m["gradient"]["gradient"] - sum(s["share"] for s in m["steps"])) <= 1e-12
    shown = value(page, "#explain-weight [data-part=shares_sum]")
    assert abs(shown - m["gradient"]["gradient"]) <= half(m["gradient"]["gradient"])
    page.wait_for_function(f"() => {LAB}.recurrent.unrolled.marked === null")
    assert data(page)["t"] == ""


@pytest.mark.parametrize("name", ["laptop", "zoom150", "phone"])
def test_a_backward_stage_fits_the_class_screens(open_page, name):
    page = open_page(f"{REMEMBER}&speed=300", *VIEWPORTS[name])
    play_until(page, f"{LAB}.lastFrameStep >= 30")
    page.keyboard.press("e")
    panel(page, on="true", stage="0")
    for stage in range(1, 4):
        page.keyboard.press("ArrowRight")
        panel(page, stage=str(stage))
    page.wait_for_function(f"() => {LAB}.recurrent.unrolled.marked?.t === 4")  # stage 3: the second step back
    page.mouse.move(1, 1)  # no help bubble over the screenshot
    shot(page, f"explain-time-{name}")
    problems = page.evaluate(CHECK)
    assert problems == [], problems
