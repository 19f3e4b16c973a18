"""A CNN in a real browser: conv blocks (here from a link) make the network panel show each
block's filters, their gradients and updates, and the chosen image's feature maps and error
maps, each tile the engine's numbers (a hovered filter weight is the engine's own after the
same step); a gallery click chooses the image; a frozen conv layer's update reads all 0
while its gradient does not; nothing spills out of its panel at laptop and phone sizes."""

import json

import numpy as np
import pytest
from websockets.sync.client import connect

from engine import make_dataset, setup
from engine.datasets import one_hot
from server.protocol import decode

from .conftest import CANVAS_INK, LAB, shot, wait_drawn
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
    for name in ("batch_norm", "residual", "dropout"):  # a CNN has none of them: not offered
        assert page.locator(f"#field-{name}").is_hidden(), name
    assert page.locator("#field-learning_rate").is_visible()
    assert page.locator("#cnn .cnn-block").count() == 3
    assert page.locator("#cnn .cnn-block[data-block='0'] > .cnn-strip").count() == 5  # W, dW, ΔW, maps, δ
    assert page.locator("#cnn .cnn-block[data-block='1'] > .cnn-strip").count() == 1  # a pool's maps
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


def test_hovering_a_filter_weight_shows_its_gradient_as_the_engines_sum_over_positions(open_page):
    page = open_page(CNN)
    wait_drawn(page)
    step_once(page, 1)
    config = page.evaluate(f"{LAB}.config")
    data = make_dataset(config["dataset"], config["samples"], config["noise"], config["train_ratio"],
                        config["data_seed"])  # fmt: skip
    trainer = setup.build_cnn(config, data)
    rec = trainer.step()
    trainer.network.loss_and_backward(data.x_test[:1], one_hot(data.y_test[:1], data.classes))  # the shown image
    conv = trainer.network.layers[0]
    f, i, j = 1, 2, 0  # filter 2, row 3, column 1 of a 3×3
    box = page.locator(STRIPS.format(j=0, what="W") + " canvas").bounding_box()
    page.mouse.move(box["x"] + (44 + 6) * f + 44 * (j + 0.5) / 3, box["y"] + 44 * (i + 0.5) / 3)
    page.wait_for_function(
        "() => document.querySelector('#cnn .cnn-sum-total')?.textContent.startsWith('dW[2, 1, 3, 1]')"
    )
    total = page.locator("#cnn .cnn-block[data-block='0'] .cnn-sum-total").inner_text()
    assert "Σ over 144 positions of x × δ" in total, total
    shown = float(total.split(" = ")[2].split()[0].replace("−", "-"))
    assert shown == pytest.approx(conv.grads["W"][f, 0, i, j], rel=1e-3, abs=1e-7), total
    text = page.locator("#cnn .cnn-block[data-block='0'] .cnn-sum").inner_text()
    batch = float(text.split("The step's dW[2, 1, 3, 1] = ")[1].split(":")[0].replace("−", "-"))
    assert batch == pytest.approx(rec.layers[0].dW[f, 0, i, j], rel=1e-3, abs=1e-7), text
    xs, deltas = conv.terms(f, 0, i, j)
    terms = (xs * deltas)[0]
    marked = page.evaluate("() => JSON.parse(document.querySelector(\"#cnn .cnn-block[data-block='0'] "
                           ".cnn-strip[data-what=delta]\").dataset.marks)")  # fmt: skip
    assert marked and all(t == f for t, _, _ in marked)
    assert abs(terms[marked[0][1], marked[0][2]]) == pytest.approx(np.abs(terms).max(), rel=1e-6)
    rows, cols = conv.sources(i, j)
    inputs = page.evaluate("() => JSON.parse(document.querySelector('#cnn .cnn-input .cnn-strip').dataset.marks)")
    assert inputs[0] == [0, int(rows[marked[0][1]]), int(cols[marked[0][2]])]
    assert page.locator(STRIPS.format(j=0, what="W")).get_attribute("data-marks") == f"[[{f},{i},{j}]]"
    page.click("#cnn .cnn-sum-close")
    page.wait_for_function("() => document.querySelector('#cnn .cnn-sum').hidden")


def test_freezing_a_conv_block_live_in_the_editor_makes_its_update_zero(open_page):
    page = open_page(CNN)
    wait_drawn(page)
    page.click("#controls-network .blocks-editor > summary")
    card = "#controls-network .block-card[data-block='{i}'] input[data-frozen]"
    assert page.locator("#controls-network .block-card[data-block='1'] input[data-frozen]").count() == 0  # a pool
    page.check(card.format(i=2))  # the second conv block: weight layer 1
    page.wait_for_function(f'() => JSON.stringify({LAB}.config.frozen) === \'["","frozen"]\'')
    step_once(page, 1)
    page.wait_for_function("() => !document.querySelector(\"#cnn .cnn-block[data-block='2'] .cnn-frozen\").hidden")
    assert page.locator("#cnn .cnn-block[data-block='0'] .cnn-frozen").is_hidden()
    assert strip_text(page, 2, "dW_step").endswith("all 0") and "all 0" not in strip_text(page, 2, "dW")
    assert "all 0" not in strip_text(page, 0, "dW_step")
    page.uncheck(card.format(i=2))
    page.check(card.format(i=0))
    page.wait_for_function(f'() => JSON.stringify({LAB}.config.frozen) === \'["frozen",""]\'')
    assert page.evaluate(f"{LAB}.lastFrameStep") == 1, "a live change: the run goes on, no new network"
    step_once(page, 2)
    assert strip_text(page, 0, "dW_step").endswith("all 0") and "all 0" not in strip_text(page, 2, "dW_step")
    assert page.locator("#controls-network .block-card[data-block='0']").get_attribute("data-frozen") == "true"


def test_cnn_against_mlp_draws_both_runs_confusion_matrices_and_gradient_heatmaps(open_page):
    page = open_page("dataset=digits")
    page.click("#btn-experiments")
    page.click("#experiments-menu [data-preset='cnn_vs_mlp']")
    page.wait_for_function("() => document.body.dataset.compare === 'true' && document.body.dataset.model === 'cnn'")
    page.click("#btn-step")
    wait_drawn(page, 1)
    page.click("#btn-step")
    wait_drawn(page, 2)
    for sel in ("#confusion canvas", "#confusion-b canvas", "#pane-heatmap [data-run=a] .heatmap-box canvas",
                "#heatmap-b canvas"):  # fmt: skip
        box = page.locator(sel).first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 60, f"{sel} has no room: {box}"
        assert page.evaluate(CANVAS_INK, sel)["ink"] > 0.05, f"{sel} is not drawn"
    shot(page, "51-cnn-against-mlp")
    page.click("#experiment-close")  # the experiment's text takes the data panel's place until closed
    assert page.evaluate(CHECK) == []


def test_a_dense_head_layer_is_frozen_live_from_the_editor_and_its_update_is_zero(open_page, server_url):
    page = open_page(CNN.replace("hidden=", "hidden=6"))
    wait_drawn(page)
    page.click("#controls-network .blocks-editor > summary")
    box = page.locator("#controls-network .block-head input[data-head='0']")
    assert page.locator("#controls-network .block-head label").inner_text() == "dense 1 · 6 neurons: Frozen"
    box.check()  # weight layer 2: after the two conv layers
    page.wait_for_function(f'() => JSON.stringify({LAB}.config.frozen) === \'["","","frozen"]\'')
    step_once(page, 1)
    # The step's updates, as a watcher of the session receives them.
    with connect(server_url.replace("http", "ws") + "ws") as ws:
        ws.send(json.dumps({"type": "join", "session": page.evaluate(f"{LAB}.session"), "token": None, "config": None}))
        while True:
            m = ws.recv(timeout=10)
            if isinstance(m, bytes) and decode(m)[0].get("kind") == "frame":
                arrays = decode(m)[1]
                break
    assert not arrays["layer2.dW_step"].any() and arrays["layer2.dW"].any()  # frozen: its gradient, no update
    assert arrays["layer3.dW_step"].any() and arrays["layer1.dW_step"].any()
    assert box.is_checked()
