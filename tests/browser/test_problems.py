"""Multiclass, 1D regression and digits in a real browser: each trains, and its own
output view (decision regions, fitted curve, gallery and confusion matrix) is drawn."""
from .conftest import CANVAS_INK, shot

STEP = "() => Number(document.querySelector('#stat-step').textContent)"


def fits_the_screen(page) -> bool:
    return page.evaluate("""() => document.documentElement.scrollWidth <= innerWidth
                                  && document.documentElement.scrollHeight <= innerHeight""")


def pause(page):
    page.click("#btn-play")
    page.wait_for_function("() => document.querySelector('#btn-play').textContent.trim() === 'Play'")



def train_until(page, stat: str, above: float, timeout: int) -> None:
    """Play until the number shown in `stat` passes `above`, then pause."""
    page.click("#btn-play")
    page.wait_for_function(
        f"() => parseFloat(document.querySelector('{stat}').textContent) > {above}", timeout=timeout)
    pause(page)

def test_multiclass_spiral_draws_class_regions_and_learns(open_page):
    page = open_page("dataset=spiral_k&classes=4&hidden=16,16&activation=relu&optimizer=adam"
                     "&learning_rate=0.01&speed=0")
    cfg = page.evaluate("window.backpropLab.config")
    assert cfg["dataset"] == "spiral_k" and cfg["classes"] == 4 and cfg["hidden"] == [16, 16]
    assert page.locator("[data-field=classes]").is_visible()  # K only shows for K-class datasets
    assert page.locator("#output [data-view=plane]").is_visible()
    assert page.locator("#output [data-view=line]").is_hidden() and page.locator("#digits").is_hidden()
    train_until(page, "#stat-test-acc", 60, timeout=60000)
    ink = page.evaluate(CANVAS_INK, "#output [data-view=plane] canvas")
    assert ink["ink"] > 0.05 and ink["colours"] > 20, f"the output plot looks blank: {ink}"
    # Four region colours: the argmax of four class probabilities, not a two-colour map.
    hues = page.evaluate("""() => {
      const c = document.querySelector('#output [data-view=plane] canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4) {
        const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
        const mx = Math.max(r, g, b), mn = Math.min(r, g, b);
        if (mx - mn < 60) continue;  // greys, white, pale cells
        let h = mx === r ? ((g - b) / (mx - mn)) % 6 : mx === g ? (b - r) / (mx - mn) + 2 : (r - g) / (mx - mn) + 4;
        seen.add(Math.round(((h * 60) + 360) % 360 / 30));
      }
      return seen.size;
    }""")
    assert hues >= 4, f"expected at least four class hues in the output plot, saw {hues}"
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
    train_until(page, "#stat-test-r2", 0.8, timeout=60000)
    train_r2, test_r2 = (float(t.replace("−", "-")) for t in page.locator("#stat-r2").inner_text().split("/"))
    assert test_r2 > 0.8 and train_r2 > 0.8
    assert page.locator("#acc-stats").is_hidden()
    ink = page.evaluate(CANVAS_INK, "#output [data-view=line] canvas")
    assert ink["ink"] > 0.03 and ink["colours"] > 10, f"the curve plot looks blank: {ink}"
    assert fits_the_screen(page)
    shot(page, "2x-sine-curve")


def test_digits_gallery_confusion_matrix_and_accuracy(open_page):
    page = open_page("dataset=digits&hidden=16&activation=relu&optimizer=adam&learning_rate=0.003"
                     "&batch_size=32&train_ratio=0.8&speed=0")
    assert page.evaluate("window.backpropLab.config.hidden") == [16]
    assert page.locator("#banner").is_hidden(), page.locator("#banner").inner_text()
    # The view switches when the dataset message (right after hello) has arrived.
    page.wait_for_selector("#digits", state="visible")
    page.wait_for_selector("#output [data-view=plane]", state="hidden")
    assert page.locator("#confusion").is_visible()
    assert page.locator("#controls-features .multi").is_hidden()
    page.wait_for_function("() => document.querySelector('#features-note').textContent.includes('64 pixels')")
    train_until(page, "#stat-test-acc", 85, timeout=90000)
    labels = page.locator("#digits figure .pred").all_inner_texts()
    assert len(labels) == 24 and all(t.strip() in "0123456789" and t.strip() for t in labels), labels
    marks = page.locator("#digits figure .mark").all_inner_texts()
    assert set(marks) <= {"✓", "✗"} and marks.count("✓") >= 12, marks
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
    assert page.locator("#banner").is_hidden(), page.locator("#banner").inner_text()
    page.click("#btn-step")
    page.wait_for_function(f"{STEP} === 1")
