"""Per-layer activations, a new seed on demand and the learning-rate schedule, in a
real browser.

`layer_activations` holds one entry per hidden layer once any is set: the page sends
the whole list, padded with "" (= the network-wide `activation`) to the number of
hidden layers, and [] when every entry is "". So choosing ReLU for layer 2 of three
sends ["", "relu", ""] and the link reads `layer_activations=,relu,`.
"""

import re

from .conftest import STEP, play_until, shot

CONFIG = "window.backpropLab.config"
LAYER_SELECT = "select[data-field=layer_activations][data-layer='{}']"


def hash_params(page) -> dict:
    return dict(p.split("=", 1) for p in page.evaluate("location.hash.slice(1)").split("&"))


def wait_columns(page, expected: list) -> None:
    """Wait until the diagram has drawn these activations for the hidden columns."""
    page.wait_for_function(
        """(want) => { const a = window.backpropLab.columnActivations;
                       return !!a && JSON.stringify(a.slice(1, -1)) === JSON.stringify(want); }""",
        arg=expected,
        timeout=10000,
    )


def test_per_layer_activation_is_live_mirrored_and_restored(open_page):
    page = open_page("dataset=circle&hidden=4,4,4&activation=tanh")
    assert page.locator("select[data-field=layer_activations]").count() == 3
    # The empty entry names what it stands for.
    assert page.locator(LAYER_SELECT.format(1)).evaluate("s => s.selectedOptions[0].textContent") == "same (Tanh)"
    wait_columns(page, ["tanh", "tanh", "tanh"])

    page.select_option(LAYER_SELECT.format(1), label="ReLU")
    page.wait_for_function(f'() => JSON.stringify({CONFIG}.layer_activations) === \'["","relu",""]\'')
    assert hash_params(page)["layer_activations"] == ",relu,"
    wait_columns(page, ["tanh", "relu", "tanh"])  # the caption above hidden layer 2, from the frame
    assert page.locator(LAYER_SELECT.format(1)).get_attribute("data-override") == "true"

    # The network-wide activation still drives the layers that follow it.
    page.select_option("select[data-field=activation]", label="Sigmoid")
    wait_columns(page, ["sigmoid", "relu", "sigmoid"])
    assert page.locator(LAYER_SELECT.format(0)).evaluate("s => s.selectedOptions[0].textContent") == "same (Sigmoid)"
    assert page.evaluate(f"{CONFIG}.layer_activations") == ["", "relu", ""]
    shot(page, "31-layer-activations")

    # Reload (same session, controller again) and a fresh session from the link alone.
    page.reload()
    page.wait_for_selector("body[data-connected=true]")
    wait_columns(page, ["sigmoid", "relu", "sigmoid"])
    assert page.locator(LAYER_SELECT.format(1)).evaluate("s => s.selectedOptions[0].textContent") == "ReLU"
    link = "&".join(f"{k}={v}" for k, v in hash_params(page).items() if k != "session")
    fresh = open_page(link)
    assert fresh.evaluate(f"{CONFIG}.layer_activations") == ["", "relu", ""]
    assert fresh.evaluate(f"{CONFIG}.hidden") == [4, 4, 4]
    wait_columns(fresh, ["sigmoid", "relu", "sigmoid"])

    # Removing a layer keeps the list aligned: the last ("") goes, then the relu one.
    fresh.click("[data-action=remove-layer]")
    fresh.wait_for_function(f"() => {CONFIG}.hidden.length === 2")
    assert fresh.evaluate(f"{CONFIG}.layer_activations") == ["", "relu"]
    wait_columns(fresh, ["sigmoid", "relu"])
    fresh.click("[data-action=remove-layer]")
    fresh.wait_for_function(f"() => {CONFIG}.hidden.length === 1")
    assert fresh.evaluate(f"{CONFIG}.layer_activations") == []
    wait_columns(fresh, ["sigmoid"])
    # Adding one back: it follows the network-wide activation.
    fresh.click("[data-action=add-layer]")
    fresh.wait_for_function(f"() => {CONFIG}.hidden.length === 2")
    assert fresh.evaluate(f"{CONFIG}.layer_activations") == []
    wait_columns(fresh, ["sigmoid", "sigmoid"])


def test_new_seed_rebuilds_and_reset_keeps_the_seed(open_page):
    page = open_page("dataset=xor&speed=30")
    seed = page.evaluate(f"{CONFIG}.seed")
    page.click("#btn-step")
    page.wait_for_function(f"() => {STEP} === 1")
    # Reset draws again from the same seed.
    page.click("#btn-reset")
    page.wait_for_function(f"() => {STEP} === 0")
    assert page.evaluate(f"{CONFIG}.seed") == seed
    page.click("#btn-step")
    page.wait_for_function(f"() => {STEP} === 1")

    page.click("#btn-new-seed")
    page.wait_for_function(f"(old) => {CONFIG}.seed !== old", arg=seed)
    new = page.evaluate(f"{CONFIG}.seed")
    assert isinstance(new, int) and 0 <= new < 2**31 - 1
    page.wait_for_function(f"() => {STEP} === 0")
    assert hash_params(page)["seed"] == str(new)
    # The button sits beside the Seed control, in the network header.
    assert page.locator("#network #btn-new-seed").is_visible()


def test_learning_rate_schedule_is_drawn(open_page):
    # At 300 steps a second the 450 steps take 1.5 s, over which the stats line (rewritten at most
    # 5 times a second) shows several lrs; at full speed a fast machine got there after two.
    page = open_page("dataset=circle&schedule=cyclical&schedule_period=100&speed=300")
    # Every lr the stats line shows while training.
    page.evaluate("""() => {
      window.seenLr = new Set();
      const el = document.querySelector('#stat-lr');
      new MutationObserver(() => window.seenLr.add(el.textContent)).observe(el, {childList: true, subtree: true, characterData: true});
    }""")
    play_until(page, f"{STEP} > 450")
    seen = page.evaluate("[...window.seenLr]")
    assert len(seen) >= 3, f"the lr shown did not vary: {seen}"

    lr = page.evaluate("window.backpropLab.learningRates")
    base, values = lr["first"], lr["values"]
    assert base == 1 and len(values) > 450
    finite = [v for v in values if v == v]
    hi, lo = max(finite), min(finite)
    assert hi > 3 * lo, (lo, hi)
    # Cyclical with period 100: every cycle comes back near its top and near its bottom.
    for k in range(4):
        cycle = [v for v in values[k * 100 : (k + 1) * 100] if v == v]
        assert max(cycle) > 0.8 * hi and min(cycle) < lo + 0.2 * (hi - lo), (k, min(cycle), max(cycle))

    # The lr line is drawn in the loss chart, in its own colour, across the plot.
    columns = page.evaluate("""() => {
      const c = document.querySelector('#loss canvas');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const cols = new Set();
      for (let i = 0; i < d.length; i += 4) {
        if (Math.abs(d[i] - 123) < 30 && Math.abs(d[i + 1] - 50) < 30 && Math.abs(d[i + 2] - 148) < 30) cols.add((i / 4) % c.width);
      }
      return {hit: cols.size, width: c.width};
    }""")
    assert columns["hit"] > 0.5 * columns["width"], columns
    fits = page.evaluate("""() => [document.documentElement.scrollWidth <= innerWidth,
                                   document.documentElement.scrollHeight <= innerHeight]""")
    assert fits == [True, True]
    shot(page, "30-lr-schedule")


def test_a_field_of_an_unknown_kind_renders_nothing(open_page):
    page = open_page()
    built = page.evaluate("""async () => {
      const { Controls } = await import('/static/js/controls/index.js');
      const box = document.createElement('div');
      const slots = { header: document.createElement('div'), strip: document.createElement('div') };
      const c = new Controls({ groups: {}, fallback: box, layers: slots, note: document.createElement('p') },
                             { config: () => ({}), edit: () => {} });
      c.build([{ name: 'mystery', label: 'Mystery', kind: 'hologram', default: 3, group: 'x', live: true },
               { name: 'per', label: 'Per layer', kind: 'per_layer', default: [], group: 'x', live: true,
                 choices: [{ value: '', label: 'same as all' }, { value: 'a', label: 'A' }] }]);
      c.render({ mystery: 3, per: ['a'] });
      return { children: box.childElementCount, inputs: box.querySelectorAll('input, select').length,
               strip: slots.strip.childElementCount };
    }""")
    # Neither the unknown kind nor a per-layer field without a layer editor draws anything.
    assert built == {"children": 0, "inputs": 0, "strip": 0}
    assert re.fullmatch(r"\d+", page.locator("#stat-step").inner_text().strip())


def test_early_stopping_pauses_and_the_page_says_why(open_page):
    page = open_page(
        "dataset=gauss&noise=0.5&hidden=32,32&activation=relu&optimizer=adam"
        "&learning_rate=0.03&speed=0&early_stopping=true&patience=100"
    )
    page.click("#btn-play")
    page.wait_for_function(
        "() => document.querySelector('#notice').textContent.includes('early stopping at step')", timeout=30000
    )
    assert page.locator("#btn-play").inner_text().strip() == "Play"
    assert "has not improved for 100 steps" in page.locator("#notice").inner_text()
    shot(page, "32-early-stopping")
