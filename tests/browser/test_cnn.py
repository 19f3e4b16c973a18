"""A CNN in a real browser: conv blocks (here from a link) make the network panel show each
block's filters, their gradients and updates, and the chosen image's feature maps and error
maps, each tile the engine's numbers (a hovered filter weight is the engine's own after the
same step); a gallery click chooses the image; a frozen conv layer's update reads all 0
while its gradient does not; nothing spills out of its panel at laptop and phone sizes."""

import pytest

from engine import make_dataset, setup

from .conftest import LAB, shot, wait_drawn
from .test_layouts import CHECK, VIEWPORTS

CNN = "dataset=bars&conv=conv.8.3.1.1~max_pool~conv.4.3.1.1&hidden=&activation=relu&optimizer=adam&learning_rate=0.01"
STRIPS = "#cnn .cnn-block[data-block='{j}'] .cnn-strip[data-what='{what}']"


def strip_text(page, j: int, what: str) -> str:
    return page.locator(STRIPS.format(j=j, what=what) + " figcaption").inner_text()


def step_once(page, to: int) -> None:
    page.click("#btn-step")
    wait_drawn(page, to)


def test_the_blocks_filters_and_maps_are_drawn_with_the_engines_numbers(open_page):
    page = open_page(CNN)
    wait_drawn(page)
    page.wait_for_function("() => document.body.dataset.model === 'cnn'")
    assert page.locator("#cnn .cnn-block").count() == 3
    assert page.locator("#cnn .cnn-block[data-block='0'] .cnn-strip").count() == 5  # W, dW, ΔW, maps, δ
    assert page.locator("#cnn .cnn-block[data-block='1'] .cnn-strip").count() == 1  # a pool's maps
    assert not page.locator("#network .canvas-box[data-model=feedforward]").is_visible()
    step_once(page, 1)
    config = page.evaluate(f"{LAB}.config")
    data = make_dataset(config["dataset"], config["samples"], config["noise"], config["train_ratio"],
                        config["data_seed"])  # fmt: skip
    rec = setup.build_cnn(config, data).step()
    want = float(rec.layers[0].W[0, 0, 0, 0])
    box = page.locator(STRIPS.format(j=0, what="W") + " canvas").bounding_box()
    page.mouse.move(box["x"] + 3, box["y"] + 3)  # filter 1, row 1, column 1
    tip = page.locator("#tooltip")
    tip.wait_for(state="visible")
    text = tip.inner_text()
    assert "filters W" in text and "1 of 8" in text and "row 1, column 1" in text, text
    shown = float(text.split()[-1].replace("−", "-"))
    assert shown == pytest.approx(want, rel=1e-3, abs=1e-6), text
    assert "all 0" not in strip_text(page, 0, "dW_step") and "all 0" not in strip_text(page, 0, "delta")


def test_a_gallery_click_chooses_the_image_whose_maps_are_shown(open_page):
    page = open_page(CNN)
    wait_drawn(page)
    page.locator("#digits figure.digit").nth(4).click()
    page.wait_for_function(f"() => {LAB}.config.sample === 4")
    page.wait_for_function("() => document.querySelector('#cnn-sample').textContent.startsWith('image 5 of')")
    assert page.locator("#digits figure.digit").nth(4).get_attribute("data-chosen") == "true"


def test_a_frozen_conv_layers_update_is_all_zero_while_its_gradient_shows(open_page):
    page = open_page(CNN + "&frozen=frozen")
    wait_drawn(page)
    step_once(page, 1)
    assert strip_text(page, 0, "dW_step").endswith("all 0")
    assert "all 0" not in strip_text(page, 0, "dW") and "all 0" not in strip_text(page, 2, "dW_step")


@pytest.mark.parametrize("name", ["laptop", "phone"])
def test_a_cnn_fits_laptop_and_phone(open_page, name):
    width, height = VIEWPORTS[name]
    page = open_page(CNN, width=width, height=height)
    wait_drawn(page)
    step_once(page, 1)
    assert page.evaluate(CHECK) == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth"), "no sideways scroll"
    shot(page, f"50-cnn-{name}")
