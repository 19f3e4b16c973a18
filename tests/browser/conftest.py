"""Browser tests: Debian's headless Chromium, driven by Playwright's Python package,
against a real `backprop-lab` server on a free loopback port."""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server_url():
    script = Path(sys.executable).with_name("backprop-lab")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "server"]
    port = _free_port()
    proc = subprocess.Popen([*cmd, "--port", str(port)])
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url, timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise RuntimeError("backprop-lab did not start") from None
            time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(10)


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

    def opener(hash_: str = "", width: int = 1366, height: int = 768):
        ctx = browser.new_context(viewport={"width": width, "height": height})
        page = ctx.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(server_url + (f"#{hash_}" if hash_ else ""))
        page.wait_for_selector("body[data-connected=true]", timeout=15000)
        pages.append(ctx)
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
