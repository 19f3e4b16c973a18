"""The conv block editor in a real browser: on an image dataset a student builds a CNN with
the editor alone (add a convolution, set its filters, add a pool), plays, and sees the maps
drawn; the editor's menus are the registry's ranges; an impossible block is refused with the
block and the sizes named, the editor shows the accepted blocks again, and the network trains
on unchanged."""

from engine.blocks import FILTERS, KERNEL

from .conftest import CANVAS_INK, LAB, pause, shot, wait_drawn

EDITOR = "#controls-network .blocks-editor"
CARD = EDITOR + " .block-card[data-block='{i}']"
MAPS = "#cnn .cnn-block[data-block='{j}'] .cnn-strip[data-what='a'] canvas"


def conv(page) -> list:
    return page.evaluate(f"{LAB}.config.conv")


def test_a_cnn_built_with_the_editor_trains_and_draws_its_maps(open_page):
    page = open_page("dataset=bars&hidden=&activation=relu&optimizer=adam&learning_rate=0.01")
    assert page.evaluate("document.body.dataset.model") == "feedforward"
    page.click(EDITOR + " button.block-add[data-kind='conv']")
    page.wait_for_function(f"() => {LAB}.config.conv.length === 1")
    filters = page.locator(CARD.format(i=0) + " select[data-setting='filters']")
    options = [int(v) for v in filters.locator("option").all_inner_texts()]
    assert options == list(range(int(FILTERS.min or 0), int(FILTERS.max or 0) + 1))  # the registry's range
    kernel = page.locator(CARD.format(i=0) + " select[data-setting='kernel']")
    assert kernel.input_value() == str(KERNEL.default)
    filters.select_option("4")
    page.wait_for_function(f"() => {LAB}.config.conv[0].filters === 4")
    page.click(EDITOR + " button.block-add[data-kind='max_pool']")
    page.wait_for_function(f"() => {LAB}.config.conv.length === 2")
    assert conv(page) == [{"kind": "conv", "filters": 4, "kernel": 3, "stride": 1, "same": True}, {"kind": "max_pool"}]
    page.wait_for_function("() => document.body.dataset.model === 'cnn'")
    page.click("#btn-play")
    page.wait_for_function(f"() => {LAB}.lastFrameStep >= 20")
    pause(page)
    assert page.locator("#cnn .cnn-block").count() == 2
    for j in (0, 1):
        assert page.evaluate(CANVAS_INK, MAPS.format(j=j))["ink"] > 0.05, f"block {j + 1}'s maps are drawn"
    assert "4 maps of 12×12" in page.locator("#cnn .cnn-block[data-block='0'] h3").inner_text()
    page.click(CARD.format(i=1) + " button.block-remove")
    page.wait_for_function(f"() => {LAB}.config.conv.length === 1")
    shot(page, "51-cnn-editor")


def test_an_impossible_block_is_refused_by_name_and_sizes_and_the_network_stays(open_page):
    page = open_page("dataset=bars&conv=conv.4.7.1.0~conv.4.3.1.1&hidden=&activation=relu")
    wait_drawn(page)
    before = conv(page)
    summary = page.locator(EDITOR + " > summary")
    assert summary.inner_text() == "conv 4@7×7 valid, conv 4@3×3"  # folded to the blocks in words
    summary.click()
    page.locator(CARD.format(i=1) + " select[data-setting='kernel']").select_option(
        "7"
    )  # 7×7 with zeros around the 6×6 map: allowed
    page.wait_for_function(f"() => {LAB}.config.conv[1].kernel === 7")
    step = page.evaluate(f"{LAB}.lastFrameStep")
    page.click(CARD.format(i=1) + " input[data-setting='same']")  # off: without the zeros it does not fit
    banner = page.locator("#banner")
    banner.wait_for(state="visible")
    text = banner.inner_text()
    assert "block 2 (convolution)" in text and "7×7 kernel" in text and "6×6 input" in text, text
    page.wait_for_function(f"() => document.querySelector(\"{CARD.format(i=1)} input[data-setting='same']\").checked")
    assert conv(page) == [before[0], {**before[1], "kernel": 7}]
    page.click("#btn-step")
    wait_drawn(page, step + 1)  # the network trains on, as it was
    assert "4 maps of 6×6" in page.locator("#cnn .cnn-block[data-block='1'] h3").inner_text()


def test_continue_on_the_other_half_keeps_the_layers_and_freezes_them(open_page):
    page = open_page("dataset=bars&task=first&conv=conv.4.3.1.1~max_pool&hidden=&activation=relu&optimizer=adam")
    page.click("#btn-step")
    wait_drawn(page, 1)
    assert page.locator("#continue-task").input_value() == "second"
    page.check("#continue-freeze")
    page.click("#btn-continue")
    page.wait_for_function(f"() => {LAB}.config.task === 'second' && {LAB}.config.frozen.length === 1")
    page.wait_for_function(
        "() => document.querySelector('#notice').textContent.includes('layer 1 of 2 kept and frozen')"
    )
    page.wait_for_function(f"() => {LAB}.lastFrameStep === 0")
    truths = page.evaluate("[...document.querySelectorAll('#digits .digit')].map((d) => d.title.split(',')[0])")
    assert truths and set(truths) <= {"true label \\", "true label /"}, truths  # the other two bars only
    page.click("#btn-step")
    wait_drawn(page, 1)
    dW_step = page.locator("#cnn .cnn-block[data-block='0'] .cnn-strip[data-what='dW_step'] figcaption").inner_text()
    dW = page.locator("#cnn .cnn-block[data-block='0'] .cnn-strip[data-what='dW'] figcaption").inner_text()
    assert dW_step.endswith("all 0") and not dW.endswith("all 0")  # frozen: its gradient shown, no update


DARKEST = """([x0, x1, y]) => {
  const c = document.querySelector('#cnn .cnn-input canvas');
  const d = c.getContext('2d').getImageData(x0, y, x1 - x0, 1).data;
  let m = 255;
  for (let i = 0; i < d.length; i += 4) m = Math.min(m, 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]);
  return m;
}"""


def test_hovering_a_map_pixel_outlines_its_receptive_field_in_the_image(open_page):
    page = open_page("dataset=bars&conv=conv.4.3.1.1~max_pool&hidden=&activation=relu")
    wait_drawn(page)
    tile, image = 44, 12  # a map tile's CSS px; the input's tile is 1.5 times that
    maps = page.locator(MAPS.format(j=0))
    maps.scroll_into_view_if_needed()
    box = maps.bounding_box()
    # Block 1's map pixel (row 6, column 6) sees image rows and columns 5 to 7 (3×3, same):
    # the outline's left edge runs down one px right of x = 5 × 66/12, its top edge likewise.
    scale = round(1.5 * tile) / image
    edge, middle = round(5 * scale) + 1, round(6.5 * scale)
    assert page.evaluate(DARKEST, [edge - 2, edge + 2, middle]) > 45  # no outline yet
    page.mouse.move(box["x"] + 6.5 * tile / image, box["y"] + 6.5 * tile / image)
    page.wait_for_function(f"() => ({DARKEST})([{edge - 2}, {edge + 2}, {middle}]) < 45")
    assert page.evaluate(DARKEST, [edge + 5, edge + 9, middle]) > 45  # inside the field: the image itself
    page.mouse.move(box["x"] + box["width"] + 40, box["y"] - 30)
    page.wait_for_function(f"() => ({DARKEST})([{edge - 2}, {edge + 2}, {middle}]) > 45")
