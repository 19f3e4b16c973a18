"""The playground in a real browser: it loads, trains, takes live changes and draws."""

import pytest

from .conftest import CANVAS_INK, STEP, heatmap_rows, number, pause, play_until, shot


def step_of(page) -> int:
    return int(number(page, "#stat-step"))


def test_play_the_loss_falls_and_every_canvas_is_drawn(open_page):
    page = open_page("dataset=circle&speed=0")
    assert page.locator("#role").inner_text().strip().lower() == "controller"
    fits = page.evaluate("""() => [document.documentElement.scrollWidth <= innerWidth,
                                   document.documentElement.scrollHeight <= innerHeight]""")
    assert fits == [True, True], "the default network must fit 1366x768 without scrolling"
    shot(page, "01-loaded")
    start = number(page, "#stat-train-loss")
    page.click("#btn-play")
    page.wait_for_function("() => Number(document.querySelector('#stat-step').textContent) > 1500", timeout=30000)
    assert page.locator("#btn-play").inner_text().strip() == "Pause"
    assert number(page, "#stat-train-loss") < 0.5 * start
    shot(page, "02-trained")
    for sel in ("#network canvas", "#output canvas", "#loss canvas", "#gradients canvas"):
        ink = page.evaluate(CANVAS_INK, sel)
        assert ink["ink"] > 0.01 and ink["colours"] > 20, f"{sel} looks blank: {ink}"
    pause(page)
    assert page.locator("#btn-play").inner_text().strip() == "Play"


def test_learning_rate_change_is_applied_live(open_page):
    page = open_page("dataset=xor&speed=300")
    page.click("#btn-play")
    page.wait_for_function("() => Number(document.querySelector('#stat-step').textContent) > 20")
    page.select_option("[data-field=learning_rate]", "0.3")
    page.wait_for_function("() => window.backpropLab.config.learning_rate === 0.3")
    assert "learning_rate=0.3" in page.evaluate("location.hash")
    before = step_of(page)
    # Not just the echo: the frames that follow were trained with it (the lr of their last step).
    page.wait_for_function(f"() => {STEP} > {before} && document.querySelector('#stat-lr').textContent === '0.3'")
    page.wait_for_function(f"() => {STEP} > {before + 30}")
    assert page.locator("#stat-lr").inner_text() == "0.3"
    shot(page, "03-lr-changed")


def test_keyboard_space_step_and_reset(open_page):
    page = open_page("speed=30")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('#btn-play').textContent.trim() === 'Pause'")
    page.wait_for_function("() => Number(document.querySelector('#stat-step').textContent) > 5")
    page.keyboard.press("Space")
    page.wait_for_function("() => document.querySelector('#btn-play').textContent.trim() === 'Play'")
    page.keyboard.press("r")
    page.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '0'")


def test_link_reproduces_the_setup_and_layers_can_be_added(open_page):
    page = open_page("dataset=spiral&hidden=3,3&activation=relu&features=x1,x2,sinx1")
    cfg = page.evaluate("window.backpropLab.config")
    assert cfg["dataset"] == "spiral" and cfg["hidden"] == [3, 3] and cfg["activation"] == "relu"
    assert cfg["features"] == ["x1", "x2", "sinx1"]
    page.click("[data-action=add-layer]")
    page.wait_for_function("() => window.backpropLab.config.hidden.length === 3")
    page.click("[data-action=add-neuron][data-layer='0']")
    page.wait_for_function("() => window.backpropLab.config.hidden[0] === 4")
    shot(page, "04-spiral-relu")


def test_a_second_tab_watches(open_page):
    ctl = open_page("dataset=gauss")
    session = ctl.evaluate("new URLSearchParams(location.hash.slice(1)).get('session')")
    assert session
    viewer = open_page(f"session={session}")
    assert viewer.locator("#role").inner_text().strip().lower() == "watching"
    assert viewer.locator("#btn-play").is_disabled()
    ctl.click("#btn-step")
    viewer.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")
    shot(viewer, "05-viewer")


def test_bad_value_in_link_is_reported_and_the_page_still_works(open_page):
    page = open_page("learning_rate=99")
    page.wait_for_function("() => document.querySelector('#banner').textContent.includes('learning_rate')")
    assert "at most 10" in page.locator("#banner").inner_text()
    page.click("#btn-step")
    page.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")


@pytest.mark.parametrize("activation,initializer,vanishing", [("sigmoid", "xavier", True), ("relu", "he", False)])
def test_vanishing_against_healthy_gradients(open_page, activation, initializer, vanishing):
    """Six sigmoid layers: the drawn heatmap's first row is much darker than its output row
    (log-scale colour: a gradient thousands of times smaller). Six ReLU layers with He
    initialization: the two rows look alike."""
    page = open_page(f"dataset=circle&hidden=6,6,6,6,6,6&activation={activation}&initializer={initializer}&speed=0")
    play_until(page, f"{STEP} > 400", timeout=60000)  # past the heatmap's window: every column drawn
    rows = heatmap_rows(page, "#gradients canvas", layers=7)
    shot(page, f"06-deep-{activation}")
    first, output = rows[0], rows[-1]
    assert ("vanishing" in page.evaluate("window.backpropLab.warnings")) == vanishing
    if vanishing:
        assert first < output - 40, f"layer 1's row should be far darker than the output's: {rows}"
    else:
        assert abs(first - output) < 25, f"layer 1's row and the output's should look alike: {rows}"


def test_hovering_a_link_shows_weight_gradient_and_update(open_page):
    page = open_page("dataset=xor")
    page.click("#btn-step")
    page.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")
    box = page.locator("#network .network-canvas").bounding_box()
    y = box["y"] + box["height"] / 2
    tip = page.locator("#tooltip")
    for i in range(200):  # sweep across the middle until the pointer is over a link
        page.mouse.move(box["x"] + box["width"] * (0.55 + 0.4 * i / 200), y)
        if tip.is_visible() and "weight" in tip.inner_text():
            break
    assert "→" in tip.locator(".tt-title").inner_text()
    rows = dict(zip(tip.locator(".tt-key").all_inner_texts(), tip.locator(".tt-val").all_inner_texts()))
    for label in ("weight", "gradient", "update"):
        float(rows[label].replace("−", "-"))  # a number, not a dash
    shot(page, "07-link-tooltip")


def test_divergence_is_shown_and_reset_recovers(open_page):
    page = open_page("dataset=plane&hidden=8,8&activation=relu&learning_rate=10&speed=0")
    page.click("#btn-play")
    page.wait_for_function("() => /step \\d+ diverged/i.test(document.querySelector('#banner').textContent)")
    assert page.locator("#banner").is_visible()
    # The banner names the step shown, and the step counter shows that step.
    banner = page.locator("#banner").inner_text()
    shown = banner.split("showing step ")[1].split(",")[0]
    page.wait_for_function(
        "(n) => document.querySelector('#stat-step').textContent.trim().replace(/,/g, '') === n", arg=shown
    )
    assert page.locator("#btn-play").inner_text().strip() == "Play"
    shot(page, "08-diverged")
    page.select_option("[data-field=learning_rate]", "0.01")
    page.keyboard.press("r")
    page.wait_for_function("() => !/diverged/i.test(document.querySelector('#banner').textContent)")
    page.click("#btn-step")
    page.wait_for_function("() => document.querySelector('#stat-step').textContent.trim() === '1'")
    shot(page, "09-regression")


def test_switching_optimizer_schedule_and_clipping_live(open_page):
    page = open_page("dataset=xor&speed=300&momentum=0.9")
    assert page.locator("[data-field=beta1]").is_hidden()  # Adam's settings only show for Adam
    page.click("#btn-play")
    page.wait_for_function("() => Number(document.querySelector('#stat-step').textContent) > 20")
    page.select_option("[data-field=optimizer]", label="Adam")
    page.wait_for_function("() => window.backpropLab.config.optimizer === 'adam'")
    page.wait_for_function("() => document.querySelector('#notice').textContent.includes('weights are kept')")
    assert page.locator("[data-field=beta1]").is_visible() and page.locator("[data-field=momentum]").is_hidden()
    page.select_option("[data-field=schedule]", label="Step decay")
    page.select_option("[data-field=schedule_period]", "100")
    page.select_option("[data-field=clip]", label="Global norm")
    page.select_option("[data-field=clip_threshold]", "0.01")
    page.wait_for_function("() => window.backpropLab.config.clip_threshold === 0.01")
    page.wait_for_function("() => window.backpropLab.config.schedule_period === 100")
    page.wait_for_function("() => Number(document.querySelector('#stat-clipped').textContent) > 10")
    # Past step 100 the step schedule has halved the rate, whenever the period change landed.
    page.wait_for_function(f"() => {STEP} > 250 && parseFloat(document.querySelector('#stat-lr').textContent) < 0.03")
    pause(page)
    assert float(page.locator("#stat-lr").inner_text()) <= 1.01 * 0.03 * 0.5 ** (page.evaluate(STEP) // 100 - 1)
    shot(page, "10-adam-schedule-clip")


WHOLE_SET_LINE_PIXELS = """() => {
  const c = document.querySelector('#loss canvas');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const near = (i, [r, g, b]) => Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - g) < 40 && Math.abs(d[i + 2] - b) < 40;
  const columns = new Set(); // pixel columns where the train (#1b4f8a) or test (#c9510c) line shows
  for (let i = 0; i < d.length; i += 4) {
    if (near(i, [27, 79, 138]) || near(i, [201, 81, 12])) columns.add((i / 4) % c.width);
  }
  return { n: columns.size, width: c.width };
}"""


def test_the_loss_line_joins_the_steps_its_loss_was_evaluated_at(open_page):
    # The whole-set losses come once a frame, NaN at the steps between: the line must
    # still run the chart's width, not break at every step that was not evaluated.
    page = open_page("dataset=circle&speed=0")
    page.click("#btn-play")
    page.wait_for_function("() => Number(document.querySelector('#stat-step').textContent) > 1500", timeout=30000)
    pause(page)
    # Train and test are drawn the same way; the test line's dashes hide parts of the train
    # line, so count the columns either shows: joined, they run the chart's width; broken,
    # only the evaluated steps (and the legend's swatches) show.
    line = page.evaluate(WHOLE_SET_LINE_PIXELS)
    assert line["n"] > 0.6 * line["width"], line


OVERLAPS = """() => {
  const boxes = [...document.querySelectorAll('#layer-strip button, #layer-strip select')]
    .filter((el) => el.offsetParent !== null).map((el) => el.getBoundingClientRect());
  let n = 0;
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++;
  }
  return { n, shown: boxes.length };
}"""


@pytest.mark.parametrize("width,height", [(390, 844), (911, 512)], ids=["phone", "projector at 150%"])
def test_a_deep_network_s_layer_buttons_do_not_overlap_on_a_narrow_screen(open_page, width, height):
    """Sixteen hidden layers leave ~27 px a column on a phone: the +/- pairs stack and the
    per-layer menus give way, rather than buttons lying on top of each other."""
    page = open_page("hidden=" + ",".join(["32"] * 16), width=width, height=height)
    found = page.evaluate(OVERLAPS)
    assert found["shown"] >= 32 and found["n"] == 0, found  # every +/- still there, none covering another
