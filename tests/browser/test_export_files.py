"""Export ▾ also saves the session's history (CSV) and the weights of the step shown (NPZ,
JSON): the server builds them, the page only saves the `file` message."""

import csv
import io
import json
from pathlib import Path

import numpy as np

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
