"""Export ▾ also saves the session's history (CSV) and the weights of the step shown (NPZ,
JSON): the server builds them, the page only saves the `file` message."""

import base64
import csv
import io
import json
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np

from server.pictures import PANELS, _trained

from .conftest import wait_drawn


def _save(page, name: str) -> tuple[str, bytes]:
    page.click("#btn-export")
    with page.expect_download() as download:
        page.click(f"#export-menu [data-file='{name}']")
    return download.value.suggested_filename, Path(download.value.path()).read_bytes()


def test_export_saves_the_history_and_the_weights_of_the_step_shown(open_page):
    page = open_page("dataset=xor&hidden=5,3")
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    for step in (1, 2, 3):
        page.click("#btn-step")
        wait_drawn(page, step=step)
    name, data = _save(page, "history.csv")
    rows = list(csv.reader(io.StringIO(data.decode())))
    assert name == "backprop-lab-history-step3.csv" and rows[0][:2] == ["step", "batch loss"] and len(rows) == 4
    name, data = _save(page, "weights.npz")
    weights = np.load(io.BytesIO(data))
    assert name == "backprop-lab-weights-step3.npz" and weights["layer0.W"].shape == (2, 5)
    name, data = _save(page, "weights.json")
    assert json.loads(data)["layer0.W"] == weights["layer0.W"].tolist()


# The first canvas pixel of the panel that is not the panel's white, where the picture must
# hold it (docs: static/js/panelpng.js): x from the panel's left; y from the top of the highest
# canvas shown, below the heading and a gap of 8 CSS px; in device pixels, with its colour as
# the screen's canvas holds it.
_INKED = """(sel) => {
  const panel = document.querySelector(sel).getBoundingClientRect();
  const head = document.querySelector(sel + ' h2').getBoundingClientRect();
  const dpr = window.devicePixelRatio;
  const shown = [...document.querySelectorAll(sel + ' canvas')].filter((c) => c.getBoundingClientRect().width);
  const top = Math.min(...shown.map((c) => c.getBoundingClientRect().top));
  const strip = head.bottom - panel.top + 8;
  for (const c of shown) {
    const r = c.getBoundingClientRect();
    const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < px.length; i += 4 * 7) {
      if (px[i + 3] === 255 && px[i] + px[i + 1] + px[i + 2] < 600) {
        const k = i / 4, x = k % c.width, y = Math.floor(k / c.width);
        return { x: Math.round((r.left - panel.left) * dpr) + x, y: Math.round((strip + r.top - top) * dpr) + y,
                 rgba: [px[i], px[i + 1], px[i + 2], px[i + 3]] };
      }
    }
  }
  return null;
}"""

# The picture's pixel there, decoded in a blank page (the playground's policy allows no data: images).
_PIXEL = """async ({png, x, y}) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + png;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.width; c.height = img.height;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  return [...ctx.getImageData(x, y, 1, 1).data];
}"""


def test_a_panel_picture_is_what_the_screen_shows_at_its_pixel_ratio(open_page, browser):
    page = open_page("dataset=xor&hidden=5,3", scale=2)
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    for step in (1, 2, 3):
        page.click("#btn-step")
        wait_drawn(page, step=step)
    page.click("#btn-export")
    with page.expect_download() as download:
        page.click("#export-menu [data-panel='network']")
    name, data = download.value.suggested_filename, Path(download.value.path()).read_bytes()
    assert name == "backprop-lab-network-step-3.png"
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, _ = struct.unpack(">II", data[16:24])
    box = page.locator("#network").bounding_box()
    assert width == round(2 * box["width"]), "not at the screen's pixel ratio"
    inked = page.evaluate(_INKED, "#network")
    assert inked is not None
    blank = browser.new_page()
    try:
        got = blank.evaluate(_PIXEL, {"png": base64.b64encode(data).decode(), "x": inked["x"], "y": inked["y"]})
    finally:
        blank.close()
    assert got == inked["rgba"], (got, inked)


def test_the_command_line_saves_the_pages_own_pictures_of_the_run(open_page, server_url, tmp_path):
    """`backprop-lab train --png`: each panel as the page draws that run at that step, byte for byte
    what the page's Export menu saves on a screen of the same size and pixel ratio."""
    config = {"dataset": "xor", "hidden": [5, 3], "learning_rate": 0.1}
    (tmp_path / "config.json").write_text(json.dumps(config))
    out = tmp_path / "run"
    args = [sys.executable, "-m", "server", "train", str(tmp_path / "config.json"), "--steps", "40"]
    done = subprocess.run([*args, "--out", str(out), "--png", "2"], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    for panel in PANELS:
        assert (out / f"{panel}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", panel

    # The same run on the test server, stepped by the protocol as the command did, on a student's screen.
    with _trained(server_url, json.loads((out / "config.json").read_text()), 40) as session:
        page = open_page(f"session={session}&watch=1", scale=2)
        wait_drawn(page, step=40)
        for panel in ("network", "output"):  # the loss chart's evaluated steps follow the frames' timing
            page.click("#btn-export")
            with page.expect_download() as download:
                page.click(f"#export-menu [data-panel='{panel}']")
            assert download.value.suggested_filename == f"backprop-lab-{panel}-step-40.png"
            shown = Path(download.value.path()).read_bytes()
            assert shown == (out / f"{panel}.png").read_bytes(), f"{panel}: not the page's picture of step 40"
