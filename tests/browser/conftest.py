"""Browser tests: Debian's headless Chromium, driven by Playwright's Python package,
against a real `backprop-lab` server on a free loopback port."""

import os
import shutil
import socket
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from server.pictures import serving as started

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serving(args: list[str], port: int, **popen) -> Iterator[str]:
    """Start a server process and yield its URL once its port answers; stop it after."""
    with started(args, port, **popen) as url:
        yield url


@pytest.fixture(scope="session")
def server_url():
    script = Path(sys.executable).with_name("backprop-lab")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "server"]
    port = _free_port()
    yield from serving([*cmd, "--port", str(port)], port)


@pytest.fixture(scope="session")
def browser():
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        if os.environ.get("CI"):
            pytest.fail(f"CI needs Chromium at {CHROMIUM}: .ci/run installs Debian's package")
        pytest.skip("no Chromium on this machine (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def open_page(browser, server_url):
    """open_page(hash="") -> a page at 1366x768 whose console errors fail the test."""
    pages, errors = [], []

    def opener(hash_: str = "", width: int = 1366, height: int = 768, scale: float = 1):
        ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
        page = ctx.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server_url + (f"#{hash_}" if hash_ else ""))
        page.wait_for_selector("body[data-connected=true]", timeout=15000)
        pages.append(ctx)
        wait_drawn(page)  # the session's first frame is on the page, not just the hello
        wait_link_applied(page, hash_)
        return page

    yield opener
    for ctx in pages:
        ctx.close()
    assert errors == [], f"console errors: {errors}"


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


STEP = "Number(document.querySelector('#stat-step').textContent)"
LAB = "window.backpropLab"


def wait_drawn(page, step: int | None = None, timeout: int = 15000) -> None:
    """Wait until the newest frame received (the one of `step`, if given) is drawn, and, unless
    it is playing (the numbers then lag by up to stats.js's TEXT_PERIOD_MS), #stat-step shows it."""
    want = f"{LAB}.lastFrameStep === {step}" if step is not None else f"{LAB}.lastFrameStep !== null"
    drawn = f"{LAB}.paints > 0 && {LAB}.paintedStep === {LAB}.lastFrameStep"
    shown = f"({LAB}.lastFrameRunning || {STEP} === {LAB}.lastFrameStep)"
    page.wait_for_function(f"() => {want} && {drawn} && {shown}", timeout=timeout)


def wait_link_applied(page, hash_: str) -> None:
    """Wait until every setting of the link is in the session's config (the URL hash mirrors
    it), or the banner names it as refused. A value the join could not type without the
    schema (hidden=16 read as a number) is sent again once hello has come: until then the
    page shows the defaults."""
    link = [(k, v) for k, v in urllib.parse.parse_qsl(hash_, keep_blank_values=True) if k not in ("session", "watch")]
    page.wait_for_function(
        """(link) => { const now = new URLSearchParams(location.hash.slice(1));
                       const banner = document.querySelector('#banner').textContent;
                       return link.every(([k, v]) => now.get(k) === v || banner.includes(k)); }""",
        arg=link,
    )


def pause(page) -> None:
    """Pause (if running) and wait until the frame of the step it stopped at is drawn."""
    if page.evaluate("document.querySelector('#btn-play').dataset.running") == "true":
        page.click("#btn-play")
    page.wait_for_function("() => document.querySelector('#btn-play').dataset.running !== 'true'")
    # The frame of that step may follow the pause's state message.
    page.wait_for_function(f"() => {LAB}.lastFrameStep === {LAB}.stateStep && {STEP} === {LAB}.stateStep")


def play_until(page, condition: str, timeout: int = 30000) -> None:
    """Play until the JavaScript expression `condition` holds on the page, then pause."""
    page.click("#btn-play")
    page.wait_for_function(f"() => {condition}", timeout=timeout)
    pause(page)


def number(page, selector: str) -> float:
    return float(page.locator(selector).inner_text().replace(",", "").strip())


# Fraction of a canvas's pixels that differ from its most common colour, and how many
# distinct colours it holds: a blank or flat canvas scores ~0.
CANVAS_INK = """(sel) => {
  const c = document.querySelector(sel);
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  const counts = new Map();
  for (let i = 0; i < d.length; i += 4) {
    const k = (d[i] << 24) ^ (d[i+1] << 16) ^ (d[i+2] << 8) ^ d[i+3];
    counts.set(k, (counts.get(k) || 0) + 1);
  }
  const top = Math.max(...counts.values());
  return {ink: 1 - top / (d.length / 4), colours: counts.size};
}"""


# The gradient heatmap as drawn: mean luminance (0-255) of each layer's row over the newest
# quarter of its steps. The map is found from the pixels, not from the widget's layout: it
# is the widest run of columns that are coloured (chroma > 40) almost all the way down, and
# its rows are the coloured bands between the white lines that separate them.
HEATMAP_ROWS = """([sel, layers]) => {
  const c = document.querySelector(sel);
  const W = c.width, H = c.height;
  const d = c.getContext('2d').getImageData(0, 0, W, H).data;
  const coloured = (x, y) => { const i = (y * W + x) * 4;
    return Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 40; };
  const share = [];
  for (let x = 0; x < W; x++) { let n = 0; for (let y = 0; y < H; y++) n += coloured(x, y); share.push(n / H); }
  const top = Math.max(...share);
  let best = [0, 0];
  for (let x = 0, start = -1; x <= W; x++) {
    const inMap = x < W && share[x] >= 0.9 * top;
    if (inMap && start < 0) start = x;
    if (!inMap && start >= 0) { if (x - start > best[1] - best[0]) best = [start, x]; start = -1; }
  }
  const x0 = Math.round(best[1] - (best[1] - best[0]) / 4), x1 = best[1];
  const bands = [];
  for (let y = 0, start = -1; y <= H; y++) {
    let n = 0;
    if (y < H) for (let x = x0; x < x1; x++) n += coloured(x, y);
    const inBand = y < H && n >= 0.9 * (x1 - x0);
    if (inBand && start < 0) start = y;
    if (!inBand && start >= 0) { bands.push([start, y]); start = -1; }
  }
  const lum = ([y0, y1]) => { let s = 0, n = 0;
    for (let y = y0 + 1; y < y1 - 1; y++) for (let x = x0; x < x1; x++) {
      const i = (y * W + x) * 4; s += 0.2126 * d[i] + 0.7152 * d[i + 1] + 0.0722 * d[i + 2]; n++; }
    return s / n; };
  return {rows: bands.length === layers ? bands.map(lum) : null, bands: bands.length, map: best};
}"""


def heatmap_rows(page, selector: str, layers: int) -> list[float]:
    got = page.evaluate(HEATMAP_ROWS, [selector, layers])
    assert got["rows"], f"expected {layers} rows in the drawn heatmap {selector}, found {got}"
    return got["rows"]
