"""Every screen a class uses: phone, tablet, 1024×768, 1366×768 at 100/150/200% zoom (its
CSS viewport shrinks by the zoom) and 1920×1080. At each, playing and diverged, no two
panels overlap, nothing scrolls sideways, the run buttons are on the first screen, the
banner is not clipped and every canvas is drawn."""

import pytest

from .conftest import pause, shot

VIEWPORTS = {
    "phone": (390, 844),
    "tablet": (768, 1024),
    "xga": (1024, 768),
    "laptop": (1366, 768),
    "zoom150": (911, 512),
    "zoom200": (683, 384),
    "fullhd": (1920, 1080),
}

# A finding per broken rule; an empty list passes.
CHECK = """() => {
  const found = [];
  const W = innerWidth, H = innerHeight;
  if (document.documentElement.scrollWidth > W + 1) found.push(`page is ${document.documentElement.scrollWidth}px wide`);
  const shown = (el) => el && el.offsetParent !== null && el.getClientRects().length > 0;
  const boxes = ['.topbar', '.controlbar', '#network', '#output', '#loss', '#data-panel', '#features-panel',
                 '#gradients', '#experiment']
    .map((s) => [s, document.querySelector(s)]).filter(([, el]) => shown(el))
    .map(([s, el]) => [s, el.getBoundingClientRect()]);
  for (let i = 0; i < boxes.length; i++) {
    const [a, r] = boxes[i];
    if (r.left < -1 || r.right > W + 1) found.push(`${a} leaves the screen sideways`);
    for (let j = i + 1; j < boxes.length; j++) {
      const [b, q] = boxes[j];
      const x = Math.min(r.right, q.right) - Math.max(r.left, q.left);
      const y = Math.min(r.bottom, q.bottom) - Math.max(r.top, q.top);
      if (x > 1 && y > 1) found.push(`${a} overlaps ${b} by ${Math.round(x)}×${Math.round(y)}`);
    }
  }
  // Nothing spills out of its panel (a panel too short for its canvases, a column too narrow for a
  // menu), unless it sits in a box that scrolls.
  for (const el of document.querySelectorAll('.panel canvas, .panel select, .panel input, .panel button')) {
    if (!shown(el)) continue;
    let box = el.parentElement, scrolls = false;
    while (!box.classList.contains('panel')) {
      if (getComputedStyle(box).overflow !== 'visible') scrolls = true;
      box = box.parentElement;
    }
    if (scrolls || getComputedStyle(box).overflow !== 'visible') continue;
    const r = el.getBoundingClientRect(), q = box.getBoundingClientRect();
    if (r.left < q.left - 1 || r.right > q.right + 1 || r.top < q.top - 1 || r.bottom > q.bottom + 1)
      found.push(`${el.tagName.toLowerCase()} ${el.id || el.dataset.field || el.className} spills out of #${box.id}`);
  }
  for (const row of window.backpropLab.titleRows)
    if (row.textEnd > row.headlineStart + 1) found.push(`${row.name}'s headline runs into its title`);
  for (const id of ['#btn-play', '#btn-step', '#btn-reset', '#stat-step']) {
    const r = document.querySelector(id).getBoundingClientRect();
    if (r.left < 0 || r.right > W || r.top < 0 || r.bottom > H) found.push(`${id} is off the first screen`);
  }
  const banner = document.querySelector('#banner');
  if (shown(banner) && (banner.scrollHeight > banner.clientHeight + 1 || banner.scrollWidth > banner.clientWidth + 1))
    found.push(`banner clipped: ${banner.textContent}`);
  for (const c of document.querySelectorAll('canvas')) {
    if (!shown(c)) continue;
    const r = c.getBoundingClientRect();
    if (r.width < 20 || r.height < 20) { found.push(`canvas in ${c.parentElement.id || c.parentElement.className} is ${Math.round(r.width)}×${Math.round(r.height)}`); continue; }
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let ink = false;
    for (let k = 3; k < px.length; k += 4) if (px[k] !== 0) { ink = true; break; }
    if (!ink) found.push(`canvas in ${c.parentElement.id || c.parentElement.className} is blank`);
  }
  return found;
}"""


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_every_panel_fits_and_is_drawn_playing(open_page, name):
    page = open_page("", *VIEWPORTS[name])
    page.click("#btn-play")
    page.wait_for_function("() => window.backpropLab.lastFrameStep > 20")
    pause(page)
    page.mouse.move(1, 1)  # no help bubble over the screenshot
    shot(page, f"layout-{name}")
    assert page.evaluate(CHECK) == []


@pytest.mark.parametrize("name", ["laptop", "zoom150", "phone"])
def test_comparing_two_networks_fits_too(open_page, name):
    """Run B beside A: at 150% zoom the wide layout's three columns once squeezed the network into
    196 px, its menus spilling over the output."""
    page = open_page("compare=activation:relu&hidden=4,4", *VIEWPORTS[name])
    page.click("#btn-play")
    page.wait_for_function("() => window.backpropLab.lastFrameStep > 30 && window.backpropLab.titleRows.length === 2")
    pause(page)
    page.mouse.move(1, 1)
    shot(page, f"layout-{name}-compare")
    assert page.evaluate(CHECK) == []


@pytest.mark.parametrize("name", list(VIEWPORTS))
def test_the_diverged_banner_is_whole_and_names_the_step_shown(open_page, name):
    page = open_page("dataset=plane&hidden=8,8&activation=relu&learning_rate=10&speed=0", *VIEWPORTS[name])
    page.click("#btn-play")
    page.wait_for_function("() => /diverged/i.test(document.querySelector('#banner').textContent)")
    page.mouse.move(1, 1)
    shot(page, f"layout-{name}-diverged")
    assert page.evaluate(CHECK) == []


@pytest.mark.parametrize("name", ["laptop", "zoom150", "phone"])
def test_presentation_mode_folds_the_settings_and_draws_large(open_page, name):
    page = open_page("", *VIEWPORTS[name])
    font = "() => parseFloat(getComputedStyle(document.querySelector('#loss .stats b')).fontSize)"
    small = page.evaluate(font)
    page.keyboard.press("p")
    page.wait_for_selector("body[data-present=true]")
    assert page.is_hidden(".controlbar") and page.is_hidden("#data-panel")
    assert page.evaluate(font) >= 1.3 * small
    page.click("#btn-step")
    page.wait_for_function("() => window.backpropLab.lastFrameStep === 1 && window.backpropLab.paints > 1")
    shot(page, f"layout-{name}-present")
    assert page.evaluate(CHECK) == []
    page.reload()  # the choice survives a reload of this screen
    page.wait_for_selector("body[data-present=true]")
