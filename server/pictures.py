"""PNG pictures of a run's panels for `backprop-lab train --png`, drawn by the page itself: a
server is started, the run is trained in it by the same commands a page sends, and a headless
Chromium opens the student's view of it and saves each panel from the page's Export menu. So a
picture from the command line is the picture the page shows (panelpng.js), not a second drawing
of the run. It needs Playwright's Python package and a Chromium (the test tools install both);
without them the pictures are skipped with a note saying why."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .protocol import decode
from .settings import Settings

PANELS = ("network", "output", "loss", "gradients")  # the Export menu's pictures (static/js/export.js)
NOTE = "png-not-exported.txt"
WIDTH, HEIGHT = 1366, 768  # CSS px: the laptop screen the README's figures use
TIMEOUT = 120  # seconds for the served run to reach the step the headless one did


class NoBrowser(Exception):
    """No Playwright or no Chromium to draw with."""


def browser_path() -> str | None:
    """The Chromium to drive: $BACKPROP_LAB_CHROMIUM, else Debian's or the PATH's chromium, else
    None (Playwright's own downloaded browser, if it has one)."""
    return os.environ.get("BACKPROP_LAB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


def pictures(config: dict, step: int, out: Path, scale: float = 2) -> list[Path]:
    """The page's panels of `config` trained to `step`, as out/NAME.png at `scale` device pixels
    per CSS pixel; without a browser, out/png-not-exported.txt saying why."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        return [_note(out, "PNG pictures need Playwright's Python package: pip install playwright")]
    with _served() as url, sync_playwright() as p, _trained(url, config, step) as session:
        try:
            browser = p.chromium.launch(executable_path=browser_path())
        except Error as e:
            return [_note(out, f"PNG pictures need a Chromium (set BACKPROP_LAB_CHROMIUM): {str(e).splitlines()[0]}")]
        try:
            page = browser.new_context(
                viewport={"width": WIDTH, "height": HEIGHT}, device_scale_factor=scale
            ).new_page()
            page.goto(f"{url}#session={session}&watch=1")
            lab = "window.backpropLab"
            page.wait_for_function(
                f"() => {lab} && {lab}.lastFrameStep === {step} && {lab}.paintedStep === {step}", timeout=30000
            )
            return [_save(page, panel, out) for panel in PANELS]
        finally:
            browser.close()


def _save(page, panel: str, out: Path) -> Path:
    page.click("#btn-export")
    with page.expect_download() as download:
        page.click(f"#export-menu [data-panel={panel}]")
    path = out / f"{panel}.png"
    download.value.save_as(path)
    return path


def _note(out: Path, why: str) -> Path:
    path = out / NOTE
    path.write_text(why + "\n")
    return path


@contextmanager
def _trained(url: str, config: dict, step: int) -> Iterator[str]:
    """A session of `config` on the server at `url`, stepped to `step` as a page would; its id,
    while its controlling connection stays open."""
    from websockets.sync.client import connect

    limit = Settings().limits.max_step_n
    with connect(url.replace("http", "ws") + "ws", max_size=None) as ws:
        yield _step(ws, config, step, limit)


def _step(ws, config: dict, step: int, limit: int) -> str:
    ws.send(json.dumps({"type": "join", "session": None, "token": None, "config": config}))
    hello = _next(ws, lambda m: isinstance(m, str) and json.loads(m).get("type") == "hello")
    shown, deadline = 0, time.monotonic() + TIMEOUT
    while shown < step:
        ws.send(json.dumps({"type": "step", "n": min(limit, step - shown)}))
        target = min(step, shown + limit)
        while shown < target:
            m = _next(ws, lambda m: isinstance(m, bytes), deadline)
            header = decode(m)[0]  # type: ignore[arg-type]
            if header.get("kind") == "frame":
                shown = header["step"]
    return json.loads(hello)["session"]  # type: ignore[arg-type]


def _next(ws, wanted, deadline: float | None = None):
    deadline = deadline or time.monotonic() + 30
    while True:
        m = ws.recv(timeout=max(0.1, deadline - time.monotonic()))
        if wanted(m):
            return m


@contextmanager
def _served() -> Iterator[str]:
    """A playground server on a free local port, in memory, for as long as the pictures take."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    args = [sys.executable, "-m", "server", "--port", str(port), "--in-memory", "--workers", "1"]
    with serving(args, port, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as url:
        yield url


@contextmanager
def serving(args: list[str], port: int, **popen: Any) -> Iterator[str]:
    """A server process started with `args`, its URL once its port answers; stopped after (the
    browser tests start theirs with it too)."""
    proc = subprocess.Popen(args, **popen)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"the server ({' '.join(args)[:80]}) did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
