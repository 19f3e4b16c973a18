"""Multiclass, 1D regression and digits in a real browser: each trains, and its own
output view (decision regions, fitted curve, gallery and confusion matrix) is drawn."""

import re

from .conftest import CANVAS_INK, STEP, pause, shot

# The page's class colours (colors.js CLASS_PALETTE, Okabe-Ito): class k's decision region is
# white blended with its colour, so it keeps the colour's hue.
CLASS_COLOURS = ["#0072b2", "#e69f00", "#009e73", "#d55e00"]

# Share of the plot's region pixels (pale, min channel >= 80, yet coloured) in each class's hue, ±8°.
REGION_SHARES = """(sel, colours) => {
  const hue = (r, g, b) => { const mx = Math.max(r, g, b), mn = Math.min(r, g, b);
    const h = mx === r ? ((g - b) / (mx - mn)) : mx === g ? (b - r) / (mx - mn) + 2 : (r - g) / (mx - mn) + 4;
    return (h * 60 + 360) % 360; };
  const want = colours.map((c) => hue(...[1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16))));
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const counts = want.map(() => 0);
  let regions = 0;
  for (let i = 0; i < d.length; i += 4) {
    const mx = Math.max(d[i], d[i + 1], d[i + 2]), mn = Math.min(d[i], d[i + 1], d[i + 2]);
    if (mn < 80 || mx - mn < 40) continue;  // points (full colour), text, white, greys
    regions += 1;
    const h = hue(d[i], d[i + 1], d[i + 2]);
    want.forEach((w, k) => { if (Math.min(Math.abs(h - w), 360 - Math.abs(h - w)) < 8) counts[k] += 1; });
  }
  return counts.map((n) => n / Math.max(1, regions));
}"""


def fits_the_screen(page) -> bool:
    return page.evaluate("""() => document.documentElement.scrollWidth <= innerWidth
                                  && document.documentElement.scrollHeight <= innerHeight""")


def train_until(page, stat: str, above: float, timeout: int, snapshot: str = "() => true", arg=None):
    """Play until the number the server reports in `stat` passes `above`; return what
    `snapshot(arg)` reads in that same paint (a later frame may have learnt less), then
    pause on a drawn frame."""
    page.click("#btn-play")
    got = page.wait_for_function(
        f"""(arg) => parseFloat(document.querySelector('{stat}').textContent) > {above}
                     && (({snapshot})(arg) || null)""",
        arg=arg,
        timeout=timeout,
    ).json_value()
    pause(page)
    return got


def test_multiclass_spiral_draws_class_regions_and_learns(open_page):
    page = open_page(
        "dataset=spiral_k&classes=4&hidden=16,16&activation=relu&optimizer=adam&learning_rate=0.01&speed=0"
    )
    cfg = page.evaluate("window.backpropLab.config")
    assert cfg["dataset"] == "spiral_k" and cfg["classes"] == 4 and cfg["hidden"] == [16, 16]
    page.wait_for_selector("[data-field=classes]", state="visible")  # K only shows for K-class datasets
    page.wait_for_selector("#output [data-view=plane]", state="visible")
    assert page.locator("#output [data-view=line]").is_hidden() and page.locator("#digits").is_hidden()
    # Above 75% test accuracy no class can be wholly wrong, so each is the most likely
    # class somewhere: above 85%, each owns a good part of the plane. Four region colours:
    # the argmax of four class probabilities, not a two-colour map.
    plot = "#output [data-view=plane] canvas"
    shares = train_until(
        page, "#stat-test-acc", 85, timeout=90000, snapshot=f"(c) => ({REGION_SHARES})('{plot}', c)", arg=CLASS_COLOURS
    )
    assert min(shares) > 0.05, f"each class's region colour should cover part of the plot: {shares}"
    ink = page.evaluate(CANVAS_INK, plot)
    assert ink["ink"] > 0.05 and ink["colours"] > 20, f"the output plot looks blank: {ink}"
    assert page.locator("#r2-stats").is_hidden() and page.locator("#acc-stats").is_visible()
    assert fits_the_screen(page)
    shot(page, "2x-multiclass-spiral")


def test_sine_shows_a_fitted_curve_and_r2(open_page):
    page = open_page("dataset=sine&features=x1&hidden=16,16&optimizer=adam&learning_rate=0.01&speed=0")
    assert page.evaluate("window.backpropLab.config.features") == ["x1"]
    assert page.locator("#banner").is_hidden(), page.locator("#banner").inner_text()
    page.wait_for_selector("#output [data-view=line]", state="visible")  # once the dataset message is in
    # Features of x2 do not apply to a line: greyed out and disabled.
    assert page.locator("#controls-features input[value=x2]").is_disabled()
    assert page.locator("#controls-features input[value=sinx1]").is_enabled()
    page.wait_for_function("() => document.querySelector('#features-note').textContent.includes('x₂')")
    shown = train_until(page, "#stat-test-r2", 0.85, 60000, "() => document.querySelector('#stat-r2').textContent")
    train_r2, test_r2 = (float(t.replace("−", "-")) for t in shown.split("/"))
    assert test_r2 > 0.8 and train_r2 > 0.8, shown
    assert page.locator("#acc-stats").is_hidden()
    ink = page.evaluate(CANVAS_INK, "#output [data-view=line] canvas")
    assert ink["ink"] > 0.03 and ink["colours"] > 10, f"the curve plot looks blank: {ink}"
    assert fits_the_screen(page)
    shot(page, "2x-sine-curve")


def test_digits_gallery_confusion_matrix_and_accuracy(open_page):
    page = open_page(
        "dataset=digits&hidden=16&activation=relu&optimizer=adam&learning_rate=0.003"
        "&batch_size=32&train_ratio=0.8&speed=0"
    )
    assert page.evaluate("window.backpropLab.config.hidden") == [16]
    assert page.locator("#banner").is_hidden(), page.locator("#banner").inner_text()
    # The view switches when a frame of image data is drawn.
    page.wait_for_selector("#digits", state="visible")
    page.wait_for_selector("#output [data-view=plane]", state="hidden")
    page.wait_for_selector("#confusion", state="visible")
    page.wait_for_selector("#controls-features .multi", state="hidden")
    page.wait_for_function("() => document.querySelector('#features-note').textContent.includes('64 pixels')")
    figures = train_until(
        page,
        "#stat-test-acc",
        85,
        timeout=90000,
        snapshot="""() => [...document.querySelectorAll('#digits figure')].map(
            (f) => [f.title, f.querySelector('.pred').textContent, f.querySelector('.mark').textContent])""",
    )
    assert len(figures) == 24, figures
    for title, pred, mark in figures:  # each mark says whether the prediction is the image's label
        truth = re.match(r"true label (\w+)", title)
        assert truth and pred.strip() in "0123456789" and pred.strip(), figures
        assert mark == ("✓" if truth[1] == pred.strip() else "✗"), figures
    assert [m for _, _, m in figures].count("✓") >= 12, figures
    ink = page.evaluate(CANVAS_INK, "#confusion canvas")
    assert ink["ink"] > 0.05 and ink["colours"] > 10, f"the confusion matrix looks blank: {ink}"
    assert fits_the_screen(page)
    shot(page, "2x-digits")


def test_switching_dataset_keeps_features_valid(open_page):
    page = open_page("dataset=circle&features=x1,x2,x1x2")
    page.select_option("[data-field=dataset]", label="Sine curve")
    page.wait_for_function("() => window.backpropLab.config.dataset === 'sine'")
    assert page.evaluate("window.backpropLab.config.features") == ["x1"]
    page.wait_for_function("() => !document.querySelector('#output [data-view=line]').hidden")
    assert page.locator("[data-field=classes]").is_hidden()
    page.select_option("[data-field=dataset]", label="Digits (8×8)")
    page.wait_for_function("() => !document.querySelector('#digits').closest('[data-view]').hidden")
    page.select_option("[data-field=dataset]", label="Moons")
    page.wait_for_function("() => !document.querySelector('#output [data-view=plane]').hidden")
    assert page.locator("#controls-features input[value=x2]").is_enabled()
    # Both coordinates are back (the sine curve had no x₂), ticked, and the page says so.
    assert page.evaluate("window.backpropLab.config.features") == ["x1", "x2"]
    assert page.locator("#controls-features input[value=x2]").is_checked()
    page.wait_for_function("() => document.querySelector('#notice').textContent.includes('x₁ and x₂ are on again')")
    assert page.locator("#notice").is_visible()
    assert page.locator("#banner").is_hidden(), page.locator("#banner").inner_text()
    page.click("#btn-step")
    page.wait_for_function(f"() => {STEP} === 1")
