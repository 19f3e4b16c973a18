"""Explain a step in a real browser against the real server: the four phases on a network
of two hidden layers, a neuron's row checked against its own numbers (z = Σ w·x + b,
a = f(z), the loss, δ), a clicked weight's chain rule against its gradient and the
finite difference, "take this step" against the weight that results, a second page
following, predict-then-reveal, a wide layer's table scrolled, and each phase at the
laptop, projector and phone sizes.

Every number is read as the page shows it (4 significant digits), so each check allows
half a unit in the last digit of every number it uses."""

import math

import pytest

from .conftest import ARTIFACTS, shot, wait_drawn

NET = "dataset=xor&hidden=3,2&activation=tanh&optimizer=adam&batch_size=6"
PANEL = "#explain"
STAGES = ["forward"] * 3 + ["loss"] + ["backward"] * 3 + ["update"]


def half(v: float) -> float:
    """Half a unit in the 4th significant digit of a shown number: its rounding error."""
    return 0.0 if v == 0 else 0.5 * 10 ** (math.floor(math.log10(abs(v))) - 3)


def values(scope, selector: str) -> list[float]:
    return [float(t) for t in scope.locator(selector).all_inner_texts()]


def value(scope, selector: str) -> float:
    got = values(scope, selector)
    assert len(got) == 1, f"{selector}: expected one number, found {got}"
    return got[0]


def product_bound(pairs) -> float:
    """Rounding bound of Σ u·v from shown u, v."""
    return sum(abs(u) * half(v) + abs(v) * half(u) + half(u) * half(v) for u, v in pairs)


def panel(page, **want) -> None:
    """Wait until the panel's data attributes say so (stage, sample, weight, step, on, ...)."""
    cond = " && ".join(f"d.{k} === {str(v)!r}" for k, v in want.items())
    page.wait_for_function(f"() => {{ const d = document.querySelector('{PANEL}').dataset; return {cond}; }}")


def data(page) -> dict:
    return page.evaluate(f"() => ({{...document.querySelector('{PANEL}').dataset}})")


def explain_on(page) -> None:
    page.click("#btn-explain")
    panel(page, on="true")


def go_to(page, stage: int) -> None:
    """Step with the buttons and keys (→ and ←) until `stage`, each move confirmed by the server."""
    now = int(data(page)["stage"])
    while now != stage:
        if now < stage:
            page.keyboard.press("ArrowRight") if now % 2 else page.click("#explain-next")
            now += 1
        else:
            page.keyboard.press("ArrowLeft") if now % 2 else page.click("#explain-prev")
            now -= 1
        panel(page, stage=str(now))


def link_point(page, layer: int, a: int, b: int) -> dict:
    """Where the diagram draws the link of W[a, b] of weight layer `layer`, once drawn at its present size."""
    return page.wait_for_function(f"() => window.backpropLab.linkPoint({layer}, {a}, {b})").json_value()


def row(page, neuron: int):
    return page.locator(f"#explain-stage tr[data-neuron='{neuron}']")


def test_walk_the_four_phases_and_check_a_neuron_row(open_page):
    page = open_page(NET)
    page.keyboard.press("e")
    panel(page, on="true", stage="0", phase="forward", layer="0")
    assert page.locator("#btn-play").inner_text().strip() == "Play", "explaining pauses training"
    assert page.locator("#explain-prev").is_disabled()
    first_layer_a = page.locator("#explain-stage td[data-col=a] [data-part=a]").all_inner_texts()
    shot(page, "41-explain-forward")

    go_to(page, 1)  # hidden layer 2: its inputs are hidden layer 1's outputs
    assert data(page)["layer"] == "1"
    inputs = page.locator("#explain-stage .xinputs [data-part=input]").all_inner_texts()
    assert inputs == first_layer_a
    assert "tanh" in page.locator("#explain-stage th[data-col=a]").inner_text()
    for j in range(2):
        r = row(page, j)
        w, x = values(r, "td[data-col=sum] [data-part=w]"), values(r, "td[data-col=sum] [data-part=x]")
        b, z = value(r, "[data-part=b]"), value(r, "td[data-col=z] [data-part=z]")
        assert len(w) == len(x) == 3
        total = sum(u * v for u, v in zip(w, x)) + b
        assert abs(total - z) <= product_bound(zip(w, x)) + half(b) + half(z), (w, x, b, z)
        a = value(r, "td[data-col=a] [data-part=a]")
        assert abs(math.tanh(z) - a) <= half(z) + half(a) + 1e-12, (z, a)  # |tanh′| ≤ 1

    go_to(page, 3)
    panel(page, phase="loss")
    y_hat = value(page, "#explain-stage td[data-col=prediction] [data-part=prediction]")
    y = value(page, "#explain-stage td[data-col=target] [data-part=target]")
    loss = value(page, "#explain-stage [data-part=loss]")
    expected = -(y * math.log(y_hat) + (1 - y) * math.log(1 - y_hat))
    assert abs(expected - loss) <= half(y_hat) / min(y_hat, 1 - y_hat) + half(loss), (y_hat, y, loss)
    d_yhat, d_z = value(page, "[data-part=dL_dyhat]"), value(page, "[data-part=dyhat_dz]")
    delta = value(page, "#explain-stage td[data-col=delta] [data-part=delta]")
    assert abs(d_yhat * d_z - delta) <= product_bound([(d_yhat, d_z)]) + half(delta)
    shot(page, "42-explain-loss")

    go_to(page, 5)  # backward through hidden layer 2
    panel(page, phase="backward", layer="1")
    for j in range(2):
        r = row(page, j)
        w, dn = (
            values(r, "td[data-col=weighted] [data-part=w]"),
            values(r, "td[data-col=weighted] [data-part=delta_next]"),
        )
        weighted = value(r, "td[data-col=weighted] [data-part=weighted]")
        assert abs(sum(u * v for u, v in zip(w, dn)) - weighted) <= product_bound(zip(w, dn)) + half(weighted)
        df, g = value(r, "td[data-col=delta] [data-part=df]"), value(r, "td[data-col=delta] [data-part=grad_out]")
        d = value(r, "td[data-col=delta] [data-part=delta]")
        assert abs(df * g - d) <= product_bound([(df, g)]) + half(d), (df, g, d)
    shot(page, "43-explain-backward")

    go_to(page, 7)
    panel(page, phase="update")
    assert page.locator("#explain-next").is_disabled()
    assert [t.strip() for t in page.locator("#explain-stage td[data-col=symbol]").all_inner_texts()][-1] == "w"
    shot(page, "44-explain-update")
    go_to(page, 2)  # and back with ← and ◀
    page.select_option("#explain-pace", "2000")  # auto-advance: the controller's page asks for the next stage
    panel(page, stage="3")
    panel(page, stage="4")
    page.select_option("#explain-pace", "0")
    page.click("#explain-leave")
    panel(page, on="false")
    assert page.locator("#btn-play").inner_text().strip() == "Play", "leaving keeps training paused"


def test_a_weight_its_chain_rule_the_finite_difference_and_taking_the_step(open_page):
    page = open_page(NET)
    explain_on(page)
    point = link_point(page, 0, 1, 2)  # input x₂ -> hidden 1, neuron 3
    page.mouse.click(point["x"], point["y"])
    panel(page, weight="0,1,2")
    chain = page.locator("#explain-weight .xchain")
    gradient = value(chain, "[data-part=gradient]")
    paths = chain.locator("li.xpath")
    assert paths.count() == 2, "two paths: through each neuron of hidden layer 2"
    products = []
    for n in range(paths.count()):
        factors = values(paths.nth(n), "[data-part=factor]")
        product = value(paths.nth(n), "[data-part=product]")
        rel = sum(half(f) / abs(f) for f in factors if f) + (half(product) / abs(product) if product else 0)
        assert abs(math.prod(factors) - product) <= rel * abs(product) + 1e-15, (factors, product)
        products.append(product)
    rest = values(chain, "[data-part=rest]")
    bound = sum(half(p) for p in products + rest) + half(gradient)
    assert abs(sum(products + rest) - gradient) <= bound, (products, rest, gradient)
    estimate = value(chain, "[data-part=estimate]")
    assert abs(estimate - gradient) <= half(estimate) + half(gradient), (estimate, gradient)
    assert value(chain, "[data-part=relative_error]") < 1e-4
    shot(page, "45-explain-chain")

    go_to(page, 7)
    before = data(page)["step"]
    after = page.locator("#explain-stage [data-part=after]").inner_text()
    samples = values(page, "#explain-weight .xbatch [data-part=sample_grad]")
    mean = value(page, "#explain-weight .xbatch [data-part=batch_grad]")
    assert len(samples) == 6
    assert abs(sum(samples) / 6 - mean) <= sum(half(s) for s in samples) / 6 + half(mean)
    page.click("#explain-take")
    panel(page, step=str(int(before) + 1), stage="0", weight="0,1,2")
    wait_drawn(page, int(before))
    # The weight after the step, read twice: the chain panel's "the weight now" and its term in the table.
    assert page.locator("#explain-weight [data-part=weight]").inner_text() == after
    assert row(page, 2).locator("td[data-col=sum] [data-part=w]").nth(1).inner_text() == after


def test_a_second_page_follows_and_guesses_on_its_own(open_page):
    ctl = open_page(NET)
    session = ctl.evaluate("window.backpropLab.session")
    viewer = open_page(f"session={session}")
    explain_on(ctl)
    panel(viewer, on="true", stage="0")
    for sel in ("#btn-explain", "#explain-next", "#explain-take", "#explain-next-sample", "#explain-pace"):
        assert viewer.locator(sel).is_disabled(), sel
    assert viewer.locator("#explain-predict").is_enabled(), "predict-then-reveal is each screen's own"

    go_to(ctl, 5)
    ctl.click("#explain-next-sample")
    panel(ctl, sample="1")
    ctl.locator("#explain-stage td[data-col=weighted] [data-part=w].pick").first.click()  # W[j][0] of layer 2
    panel(ctl, weight="2,0,0")
    panel(viewer, stage="5", sample="1", weight="2,0,0")
    assert viewer.locator("#explain-sample").inner_text() == ctl.locator("#explain-sample").inner_text()

    viewer.check("#explain-predict")
    panel(viewer, predict="true")
    guess = viewer.locator("#explain-stage tr[data-neuron='0'] [data-guess][data-pending=true]")
    guess.locator("button[data-choice=positive]").click()
    guess.locator("button[data-choice=large]").click()
    shown = viewer.locator("#explain-stage tr[data-neuron='0'] [data-guess] [data-part=delta]")
    verdict = viewer.locator("#explain-stage tr[data-neuron='0'] .verdict").inner_text()
    assert verdict.startswith("✓ sign") == (float(shown.inner_text()) > 0), verdict
    assert ctl.locator("#explain-stage [data-guess][data-pending]").count() == 0, "the controller was not asked"

    point = link_point(viewer, 0, 0, 0)
    viewer.mouse.move(point["x"], point["y"])
    viewer.wait_for_selector("#tooltip:not([hidden])")  # hover still works for a viewer
    shot(viewer, "46-explain-viewer")


@pytest.mark.parametrize(
    "link,where,pos", [(NET, "trainPoint", 3), ("dataset=sine&batch_size=6", "curvePoint", 4)], ids=["plane", "line"]
)
def test_a_batch_point_in_the_output_plot_picks_the_sample(open_page, link, where, pos):
    page = open_page(link)
    explain_on(page)
    assert "sample 1 of 6" in page.evaluate("document.querySelector('#explain-sample').textContent")
    batch = page.evaluate(
        "() => [...document.querySelectorAll('#explain-weight .xsample')].map((b) => Number(b.title.match(/#(\\d+)/)[1]))"
    )
    point = page.wait_for_function(f"() => window.backpropLab.{where}({batch[pos]})").json_value()
    page.mouse.click(point["x"], point["y"])
    panel(page, sample=str(pos))


def test_a_wide_layer_scrolls_and_the_diagram_follows(open_page):
    page = open_page("dataset=circle&hidden=32,4&activation=tanh")
    explain_on(page)
    panel(page, layer="0")
    page.wait_for_function(f"() => /^0-\\d+$/.test(document.querySelector('{PANEL}').dataset.rows)")
    page.locator("#explain-stage .xtable-wrap").evaluate("w => w.scrollTo(0, w.scrollHeight)")
    page.wait_for_function(f"() => /-31$/.test(document.querySelector('{PANEL}').dataset.rows)")
    shot(page, "47-explain-wide")


@pytest.mark.parametrize(
    "name,width,height,scale",
    [("projector", 911, 512, 1.5), ("phone", 390, 844, 1)],  # projector: 1366×768 at 150% zoom
)
def test_readable_on_a_projector_and_a_phone(browser, server_url, name, width, height, scale):
    ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
    try:
        page = ctx.new_page()
        page.goto(server_url + "#" + NET)
        page.wait_for_selector("body[data-connected=true]")
        wait_drawn(page)
        explain_on(page)
        for stage in (0, 3, 5, 7):
            go_to(page, stage)
            wide = page.evaluate("() => [document.documentElement.scrollWidth, document.body.scrollWidth]")
            assert max(wide) <= width, f"{name}: the page is {wide} px wide at {STAGES[stage]}"
            box = page.locator(PANEL).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, f"{name}: the panel leaves the screen"
            first = page.locator("#explain-stage tbody tr").first.bounding_box()
            assert first["width"] > 0 and first["x"] + 40 <= width, f"{name}: the table is off screen"
            size = page.locator("#explain-stage td").first.evaluate("td => parseFloat(getComputedStyle(td).fontSize)")
            assert size >= 14, f"{name}: numbers at {size}px"
            page.screenshot(path=str(shot_path(f"48-explain-{name}-{STAGES[stage]}")), full_page=name == "phone")
    finally:
        ctx.close()


def shot_path(name: str):
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"{name}.png"


def test_explaining_a_comparison_shows_run_a_in_the_diagram(open_page):
    page = open_page("compare=activation:relu")
    page.click("#network-run [data-run=b]")
    page.wait_for_selector("#network-run [data-run=b][aria-pressed=true]")
    explain_on(page)
    page.wait_for_selector("#network-run [data-run=a][aria-pressed=true]", state="attached")
    assert page.is_hidden("#network-run")
