"""Gradient health in a real browser: warnings in plain words, the per-neuron map, the
distributions and layer-stats tabs, the ready-made experiments and two runs side by side.

Every experiment the server offers (hello.presets) is loaded by clicking it in the
Experiments menu and played at full speed. One whose `expect` names a warning must show
that warning in #warnings; one with `expect: null` (the healthy counterpart) must show
none of the vanishing, exploding or dead warnings over its first ~300 steps.
"""

import pytest

from .conftest import CANVAS_INK, STEP, pause, shot

CONFIG = "window.backpropLab.config"
BAD = ("vanishing", "exploding", "dead")

# Every warning code #warnings has shown since installed (a warning can be brief).
WATCH_WARNINGS = """() => {
  window.seenWarnings = new Set();
  const list = document.querySelector('#warnings');
  const note = () => { for (const li of list.querySelectorAll('li[data-code]')) window.seenWarnings.add(li.dataset.code); };
  if (window.warningObserver) window.warningObserver.disconnect();
  window.warningObserver = new MutationObserver(note);
  window.warningObserver.observe(list, {childList: true, subtree: true});
  note();
}"""


def inked(page, selector: str) -> dict:
    ink = page.evaluate(CANVAS_INK, selector)
    assert ink["ink"] > 0.01 and ink["colours"] > 10, f"{selector} looks blank: {ink}"
    return ink


def load_preset(page, name: str, full_speed: bool = True) -> None:
    page.click("#btn-experiments")
    assert page.locator("#experiments-menu").is_visible()
    page.click(f"#experiments-menu [data-preset='{name}']")
    assert page.locator("#experiments-menu").is_hidden()
    page.wait_for_function("(n) => window.backpropLab.experiment === n", arg=name)
    # An experiment starts afresh (the server rebuilds), even when it differs from the
    # current setup only in live settings, or the previous run diverged.
    try:
        page.wait_for_function(f"() => {STEP} === 0 && window.backpropLab.lastFrameStep === 0", timeout=10000)
    except Exception:
        raise AssertionError(
            f"preset {name} did not start a new run: still at step {page.evaluate(STEP)}, "
            f"banner {page.locator('#banner').inner_text()!r}"
        ) from None
    if full_speed:  # a live change: the network stays
        page.select_option("select[data-field=speed]", label="max")
        page.wait_for_function(f"() => {CONFIG}.speed === 0")


def test_every_experiment_shows_what_it_promises(open_page):
    page = open_page("dataset=xor")
    presets = page.evaluate("window.backpropLab.presets")
    assert presets, "hello.presets is empty"
    # The menu lists every preset under its group heading, one click each.
    page.click("#btn-experiments")
    groups = page.locator("#experiments-menu .menu-group").all_inner_texts()
    assert [g.lower() for g in groups] == [g.lower() for g in dict.fromkeys(p["group"] for p in presets)]
    assert page.locator("#experiments-menu [role=menuitem]").count() == len(presets)
    page.keyboard.press("Escape")
    assert page.locator("#experiments-menu").is_hidden()

    for preset in presets:
        name, expect = preset["name"], preset["expect"]
        # Exploding runs at the preset's own (slow) speed: at full speed the gradient grows
        # and the run diverges between two frames (30 a second), and a diverged run's
        # frames carry no warnings, so the page is never told. Exploding through time too:
        # clipped, its warning holds only over steps 1-40 or so (at learning rate 0.45), which full
        # speed can pass between two of the warnings' recomputations (every 8 steps and a
        # quarter second, frames.py): under the whole suite's load it once went unseen.
        load_preset(page, name, full_speed=expect not in ("exploding", "exploding_time"))
        box = page.locator("#experiment")
        assert box.is_visible()
        assert page.locator("#experiment-title").inner_text() == preset["title"]
        assert page.locator("#experiment-description").inner_text() == preset["description"]
        if preset.get("compare"):
            page.wait_for_function(
                "(c) => JSON.stringify(window.backpropLab.config.compare) === JSON.stringify(c)", arg=preset["compare"]
            )
        page.evaluate(WATCH_WARNINGS)
        page.click("#btn-play")
        if expect:
            # Shown at some point: a warning is about the last 20 steps and may clear again.
            page.wait_for_function("(code) => window.seenWarnings.has(code)", arg=expect, timeout=60000)
            pause(page)
        else:
            page.wait_for_function(f"() => {STEP} >= 300", timeout=60000)
            pause(page)
            seen = page.evaluate("[...window.seenWarnings]")
            assert not set(seen) & set(BAD), f"{name}: {seen}"
        fits = page.evaluate("""() => [document.documentElement.scrollWidth <= innerWidth,
                                       document.documentElement.scrollHeight <= innerHeight]""")
        assert fits == [True, True], name
        shot(page, f"40-preset-{name}")

    # The box stays until closed.
    page.click("#experiment-close")
    assert page.locator("#experiment").is_hidden()


def test_side_by_side_sigmoid_against_relu(open_page):
    page = open_page("dataset=circle&hidden=6,6,6,6,6,6&activation=sigmoid&compare=activation:relu&speed=0")
    page.wait_for_function(f'() => JSON.stringify({CONFIG}.compare) === \'{{"field":"activation","value":"relu"}}\'')
    assert "compare=activation:relu" in page.evaluate("location.hash")
    # The control shows the setting varied and B's value, built from that setting's schema entry.
    assert page.locator("select[data-field=compare]").input_value() == "activation"
    assert page.locator("#field-compare-value").evaluate("s => s.selectedOptions[0].textContent") == "ReLU"
    page.click("#btn-play")
    page.wait_for_function(f"() => {STEP} > 300", timeout=30000)
    page.wait_for_selector("#warnings li[data-code=vanishing]", timeout=30000)
    pause(page)
    assert page.locator("#warnings-b li[data-code=vanishing]").count() == 0
    assert page.locator("#warnings-label").inner_text() == "A: Sigmoid"
    assert page.locator("#warnings-b-label").inner_text() == "B: ReLU"
    assert page.locator("#output [data-run=b] .run-label").inner_text() == "B: ReLU"
    for sel in (
        "#pane-heatmap [data-run=a] .heatmap-box canvas",
        "#heatmap-b canvas",
        "#neuron-map canvas",
        "#neuron-map-b canvas",
        "#output [data-run=a] canvas",
        "#output-b-plane canvas",
    ):
        inked(page, sel)
    # Both loss curves: run A's blue and run B's orange each span most of the plot.
    cols = page.evaluate("""() => {
      const c = document.querySelector('#loss canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const near = (i, rgb) => Math.abs(d[i] - rgb[0]) < 40 && Math.abs(d[i + 1] - rgb[1]) < 40 && Math.abs(d[i + 2] - rgb[2]) < 40;
      const a = new Set(), b = new Set();
      for (let i = 0; i < d.length; i += 4) {
        if (near(i, [27, 79, 138])) a.add((i / 4) % c.width);
        if (near(i, [201, 81, 12])) b.add((i / 4) % c.width);
      }
      return {a: a.size, b: b.size, width: c.width};
    }""")
    assert cols["a"] > 0.5 * cols["width"] and cols["b"] > 0.5 * cols["width"], cols
    fits = page.evaluate("""() => [document.documentElement.scrollWidth <= innerWidth,
                                   document.documentElement.scrollHeight <= innerHeight]""")
    assert fits == [True, True]
    shot(page, "41-compare")

    # The diagram shows B on request; the comparison can be switched off again.
    page.click("#network-run [data-run=b]")
    page.wait_for_function("""() => { const a = window.backpropLab.columnActivations;
                                      return !!a && a[1] === 'relu'; }""")
    page.select_option("select[data-field=compare]", "")
    page.wait_for_function(f"() => {CONFIG}.compare === null")
    page.wait_for_function("() => window.backpropLab.compare === null")
    assert page.locator("#heatmap-b").is_hidden() and page.locator("#warnings-b-box").is_hidden()
    assert "compare=" not in page.evaluate("location.hash")


def test_tabs_draw_and_the_neuron_map_has_ink(open_page):
    page = open_page("dataset=circle&hidden=8,8,8,8,8,8,8,8&activation=sigmoid&batch_size=32&speed=0")
    page.click("#btn-play")
    page.wait_for_function(f"() => {STEP} > 200", timeout=30000)
    page.wait_for_selector("#warnings li[data-code=vanishing]", timeout=30000)
    pause(page)
    inked(page, "#neuron-map canvas")
    assert page.locator("#tab-heatmap").get_attribute("aria-selected") == "true"

    # Keyboard: arrows move between tabs and do not step the network.
    step = page.evaluate(STEP)
    page.focus("#tab-heatmap")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#tab-distributions[aria-selected=true]")
    assert page.evaluate("document.activeElement.id") == "tab-distributions"
    assert page.locator("#pane-heatmap").is_hidden() and page.locator("#distributions").is_visible()
    for kind in ("W", "dW", "a"):
        paints = page.evaluate("window.backpropLab.paints")
        page.click(f".tab-tools [data-kind={kind}]")
        page.wait_for_selector(f".tab-tools [data-kind={kind}][aria-pressed=true]")
        page.wait_for_function("(n) => window.backpropLab.paints > n", arg=paints)  # drawn with that kind
        inked(page, "#distributions canvas")
        if kind == "dW":
            shot(page, "42-distributions-dW")
    page.focus("#tab-distributions")
    paints = page.evaluate("window.backpropLab.paints")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector("#tab-layers[aria-selected=true]")
    page.wait_for_function("(n) => window.backpropLab.paints > n", arg=paints)  # the layer stats drawn
    inked(page, "#layer-stats canvas")
    # Layer 1's ‖dW‖ cell is red exactly when the server warns of vanishing gradients:
    # the same window, the same threshold.
    alerts = page.locator("#layer-stats canvas").get_attribute("data-alerts").split()
    assert ("grad_norm:1" in alerts) == ("vanishing" in page.evaluate("window.backpropLab.warnings")), alerts
    shot(page, "43-layer-stats")
    assert page.evaluate(STEP) == step
    page.keyboard.press("Home")
    page.wait_for_selector("#tab-heatmap[aria-selected=true]")


def test_warnings_clear_when_the_server_stops_sending_them(open_page):
    page = open_page("dataset=circle&hidden=6,6,6,6,6,6&activation=sigmoid&speed=0")
    assert page.locator("#warnings li.warning").count() == 0
    page.click("#btn-play")
    page.wait_for_selector("#warnings li[data-code=vanishing]", timeout=30000)
    text = page.locator("#warnings li[data-code=vanishing]").inner_text()
    assert "vanishing gradients" in text
    pause(page)
    page.click("#btn-reset")  # a fresh run has no history, hence no warning
    page.wait_for_function(f"() => {STEP} === 0")
    page.wait_for_function("() => document.querySelectorAll('#warnings li.warning').length === 0")


@pytest.mark.parametrize("layers,height", [(17, 110), (17, 60), (7, 60), (3, 100)])
def test_heatmap_row_labels_never_overlap(open_page, layers, height):
    page = open_page()
    rows = page.evaluate(
        """async ([L, h]) => {
      const { labelledRows } = await import('/static/js/gradients.js');
      return labelledRows(L, h / L);
    }""",
        [layers, height],
    )
    row_h = height / layers
    assert rows[0] == 0 and rows[-1] == layers - 1
    gaps = [(b - a) * row_h for a, b in zip(rows, rows[1:])]
    assert min(gaps) >= 12, (rows, gaps)  # 11 px text with a pixel to spare


def test_sixteen_hidden_layers_fit_and_label_their_rows(open_page):
    page = open_page("dataset=circle&hidden=" + ",".join(["6"] * 16) + "&activation=sigmoid&speed=0")
    page.click("#btn-play")
    page.wait_for_selector("#warnings li[data-code=vanishing]", timeout=30000)
    pause(page)
    inked(page, "#gradients canvas")
    inked(page, "#neuron-map canvas")
    fits = page.evaluate("""() => [document.documentElement.scrollWidth <= innerWidth,
                                   document.documentElement.scrollHeight <= innerHeight]""")
    assert fits == [True, True]
    shot(page, "44-sixteen-layers")
