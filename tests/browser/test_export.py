"""Export ▾ saves the run as a PyTorch script and a notebook built from the session's config;
a run the export cannot rebuild (a recurrent one) is refused in the banner, in the server's words."""

import json
from pathlib import Path

from .conftest import shot, wait_drawn


def _save(page, ext: str) -> str:
    page.click("#btn-export")
    with page.expect_download() as download:
        page.click(f"#export-menu [data-ext={ext}]")
    assert download.value.suggested_filename == f"backprop-lab-run.{ext}"
    return Path(download.value.path()).read_text()


def test_export_saves_the_runs_script_and_notebook(open_page):
    page = open_page("dataset=xor&optimizer=adam&hidden=5,3")
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    for step in (1, 2, 3):
        page.click("#btn-step")
        wait_drawn(page, step=step)
    script = _save(page, "py")
    assert (
        "xor (classification), 3 steps" in script and "torch.optim.Adam(" in script and "SIZES = [2, 5, 3, 1]" in script
    )
    book = json.loads(_save(page, "ipynb"))
    assert book["nbformat"] == 4 and all("".join(c["source"]) in script for c in book["cells"])
    shot(page, "export-menu")


def test_a_recurrent_run_is_refused_in_the_banner(open_page):
    page = open_page("dataset=parity")
    if page.locator("#join-form").is_visible():
        page.click("#join-form .join-close")
    page.click("#btn-export")
    page.click("#export-menu [data-ext=py]")
    page.wait_for_function(
        "() => document.querySelector('#banner').textContent.includes('recurrent networks are not exported')"
    )
